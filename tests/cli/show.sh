#!/bin/sh
# smaudit show on the generated fixtures of testdata/: each Windows family,
# two control sets, a missing or dangling Select, and hostile strings.
. "$(dirname "$0")/setup.sh"

# jq-like helper: evaluate a Python expression over the JSON in $tmp/out
# (bound to d); the check passes when it is true.
json_is() {
  "$PYTHON3" -c '
import json, sys
d = json.load(open(sys.argv[1]))
def key(path):
    for k in d["keys"]:
        if k["path"].lower() == path.lower():
            return k
def val(path, name):
    k = key(path)
    for v in (k or {}).get("values", []):
        if v["name"].lower() == name.lower():
            return v
sys.exit(0 if eval("(" + sys.argv[2] + ")") else 1)' "$tmp/out" "$1"
}
# The output is UTF-8 and holds no ESC byte: nothing reaches a terminal raw.
clean_output() {
  "$PYTHON3" -c '
import sys
b = open(sys.argv[1], "rb").read()
b.decode("utf-8")
sys.exit(1 if b"\x1b" in b else 0)' "$tmp/out"
}

if [ ! -f "$FIXTURES/win-10.hiv" ]; then
  skip "fixtures" "not generated at $FIXTURES (run make check)"
  done_testing
  exit 0
fi

sm='ControlSet001\Control\Session Manager'
# family  SharedSection  Kmode  Optional  has @=mnmsrvc
for row in \
  'win-xp 1024,3072,512 %SystemRoot%\system32\win32k.sys ["Posix"] False' \
  'win-7 1024,12288,512 \SystemRoot\System32\win32k.sys ["Posix"] True' \
  'win-8.1 1024,20480,768 \SystemRoot\System32\win32k.sys [] True' \
  'win-10 1024,20480,768 \SystemRoot\System32\win32k.sys [] True'; do
  set -- $row
  f=$1 shared=$2 kmode=$3 optional=$4 default=$5
  hive="$FIXTURES/$f.hiv"
  run show "$hive"
  check "$f: show exits 0" [ "$rc" = 0 ]
  check "$f: text names CurrentControlSet ControlSet001" \
    grep -q '^CurrentControlSet: ControlSet001$' "$tmp/out"
  check "$f: text shows Kmode" \
    grep -qF "  Kmode  REG_EXPAND_SZ  \"$kmode\"" "$tmp/out"
  check "$f: text shows the csrss SharedSection" \
    grep -qF "SharedSection=$shared " "$tmp/out"
  check "$f: text output is clean UTF-8" clean_output
  run show --format json "$hive"
  check "$f: json exits 0" [ "$rc" = 0 ]
  check "$f: json is valid" "$PYTHON3" -m json.tool "$tmp/out" /dev/null
  check "$f: json current_control_set is 1" json_is 'd["current_control_set"] == 1'
  check "$f: json SubSystems values" json_is "
val(r'$sm\\SubSystems', 'Kmode')['data'] == r'$kmode' and
val(r'$sm\\SubSystems', 'Optional')['data'] == $optional and
val(r'$sm\\SubSystems', 'Required')['data'] == ['Debug', 'Windows'] and
val(r'$sm\\SubSystems', 'Debug')['data'] == '' and
(val(r'$sm\\SubSystems', '') is not None) == $default"
  check "$f: json BootExecute" \
    json_is "val(r'$sm', 'BootExecute')['data'] == ['autocheck autochk *']"
  check "$f: json machine-specific Environment values" \
    json_is "val(r'$sm\\Environment', 'PROCESSOR_ARCHITECTURE')['type'] == 'REG_SZ'"
  check "$f: json Setup values" \
    json_is "key('Setup')['present'] and val('Setup', 'SetupType')['data'] == 0"
  check "$f: json output is clean UTF-8" clean_output
done
run show --format json "$FIXTURES/win-xp.hiv"
check "win-xp: LastKnownGood 3, control sets 1 and 3" \
  json_is 'd["select"]["LastKnownGood"] == 3 and d["control_sets"] == [1, 3]'
check "win-xp: Setup\\CmdLine, a REG_MULTI_SZ without its terminator" \
  json_is "val('Setup', 'CmdLine')['data'] == ['C:\\\\WINDOWS\\\\System32\\\\oobe\\\\msoobe.exe /update'] and val('Setup', 'CmdLine').get('unterminated')"

f=two-sets
run show "$FIXTURES/$f.hiv"
check "$f: exits 0" [ "$rc" = 0 ]
check "$f: CurrentControlSet is ControlSet002" \
  grep -q '^CurrentControlSet: ControlSet002$' "$tmp/out"
check "$f: Select line" \
  grep -q '^Select: *Current=2 Default=2 LastKnownGood=1 Failed=0$' "$tmp/out"
run show --format json "$FIXTURES/$f.hiv"
check "$f: json resolves ControlSet002 and lists 001 and 002" \
  json_is 'd["current_control_set"] == 2 and d["control_sets"] == [1, 2]'
check "$f: values come from ControlSet002" json_is "
val(r'ControlSet002\\Control\\Session Manager', 'BootExecute')['data'] == ['autocheck autochk /k:C *'] and
'SharedSection=1024,20480,768' in val(r'ControlSet002\\Control\\Session Manager\\SubSystems', 'Windows')['data']"

# Refusals: exit 2 and one line "smaudit: FILE: reason" naming what is missing.
refused() {
  f=$1 want=$2
  run show "$FIXTURES/$f.hiv"
  check "$f: exit 2" [ "$rc" = 2 ]
  check "$f: one line naming the file and '$want'" sh -c \
    '[ "$(wc -l <"$1")" = 1 ] && grep -qF "smaudit: $2: " "$1" && grep -qF "$3" "$1"' \
    _ "$tmp/err" "$FIXTURES/$f.hiv" "$want"
  check "$f: nothing on stdout" [ ! -s "$tmp/out" ]
  run show --format json "$FIXTURES/$f.hiv"
  check "$f: json also exit 2" [ "$rc" = 2 ]
}
refused dangling-current 'Current is 5'
refused no-select 'no Select key'
refused no-current 'no Current value'
refused current-sz 'no Current value'

f=values
run show "$FIXTURES/$f.hiv"
check "$f: exits 0" [ "$rc" = 0 ]
check "$f: no ESC byte, valid UTF-8 (text)" clean_output
check "$f: the escape sequence is shown escaped" \
  grep -qF '"\x1B[31mRED\x1B[0m"' "$tmp/out"
check "$f: control characters are shown escaped" \
  grep -qF '"a\x09b\x0D\x0Ac\x07d"' "$tmp/out"
check "$f: odd length and invalid UTF-16 are flagged" sh -c \
  'grep -q "OddLength .*\[odd length\]" "$1" && grep -q "LoneSurrogate .*\[invalid UTF-16\]" "$1"' _ "$tmp/out"
run show --format json "$FIXTURES/$f.hiv"
check "$f: json is valid" "$PYTHON3" -m json.tool "$tmp/out" /dev/null
check "$f: no ESC byte, valid UTF-8 (json)" clean_output
env="$sm\\Environment"
check "$f: json decodes each type" json_is "
val(r'$env', 'Dword')['data'] == 31 and val(r'$env', 'DwordBE')['data'] == 0x102 and
val(r'$env', 'Qword')['data'] == 0x0102030405060708 and
val(r'$env', 'Binary')['data'] == 'deadbeef' and
val(r'$env', 'ExpandSz')['data'] == '%SystemRoot%\\\\system32' and
val(r'$env', 'Multi')['data'] == ['one', 'two'] and val(r'$env', 'MultiEmpty')['data'] == [] and
val(r'$env', 'Emoji')['data'] == '\U0001F600' and val(r'$env', 'Accent')['data'] == 'caf\u00e9' and
val(r'$env', 'LoneSurrogate')['data'] == 'A\uFFFDB' and val(r'$env', 'LoneSurrogate')['invalid_utf16'] and
val(r'$env', 'Escape')['data'] == '\x1b[31mRED\x1b[0m' and
val(r'$env', 'DwordZero')['data'] is None and 'error' in val(r'$env', 'DwordZero')"

f=unterminated-multi
run show --format json "$FIXTURES/$f.hiv"
check "$f: exits 0" [ "$rc" = 0 ]
check "$f: BootExecute read without its terminator" json_is "
val(r'$sm', 'BootExecute')['data'] == ['autocheck autochk *'] and val(r'$sm', 'BootExecute')['unterminated'] and
val(r'$sm', 'ExcludeFromKnownDlls')['data'] == ['a.dll', 'b.dll'] and
val(r'$sm', 'SETUPEXECUTE')['data'] == []"

f=wrong-types
run show --format json "$FIXTURES/$f.hiv"
check "$f: exits 0" [ "$rc" = 0 ]
check "$f: values shown with their stored types" json_is "
val(r'$sm', 'ProtectionMode')['type'] == 'REG_SZ' and val(r'$sm', 'ProtectionMode')['data'] == '1' and
val(r'$sm', 'GlobalFlag')['length'] == 0 and val(r'$sm', 'GlobalFlag')['data'] is None and
val(r'$sm', 'CriticalSectionTimeout')['length'] == 2 and 'error' in val(r'$sm', 'CriticalSectionTimeout') and
val(r'$sm\\SubSystems', 'Required')['type'] == 'REG_SZ'"
run show "$FIXTURES/$f.hiv"
check "$f: text says a short DWORD is unreadable" \
  grep -q '^  GlobalFlag  REG_DWORD  <unreadable: ' "$tmp/out"

f=case-names
run show --format json "$FIXTURES/$f.hiv"
check "$f: exits 0 with Current read from CURRENT" \
  sh -c '[ "$1" = 0 ]' _ "$rc"
check "$f: keys found whatever their case" json_is "
d['current_control_set'] == 1 and
val(r'$sm\\SubSystems', 'Required')['data'] == ['Debug', 'Windows'] and
val(r'$sm\\kernel', 'ObCaseInsensitive')['data'] == 1 and
val(r'$sm', 'SetupExecute')['data'] == [] and val('Setup', 'SetupType')['data'] == 0"

f=empty-keys
run show "$FIXTURES/$f.hiv"
check "$f: exits 0" [ "$rc" = 0 ]
check "$f: an empty SubSystems says so" \
  sh -c 'grep -A1 "^\[ControlSet001.Control.Session Manager.SubSystems\]" "$1" | grep -q "(no values)"' _ "$tmp/out"

f=long-value
run show --format json "$FIXTURES/$f.hiv"
check "$f: exits 0" [ "$rc" = 0 ]
check "$f: a 64 KiB Path is read whole" json_is "
val(r'$sm\\Environment', 'Path')['length'] == 65536 and len(val(r'$sm\\Environment', 'Path')['data']) == 32767"

f=sample
run show "$FIXTURES/$f.hiv"
check "$f: exits 0" [ "$rc" = 0 ]
check "$f: the planted ServerDll is shown" grep -qF 'ServerDll=evil,5' "$tmp/out"
check "$f: the planted BootExecute entry is shown" \
  grep -qF 'bootsvc \??\C:\ProgramData\bootsvc.exe' "$tmp/out"

for hive in "$FIXTURES"/*.hiv; do
  b=$(basename "$hive")
  run show "$hive"
  check "$b: no ESC byte and valid UTF-8 whatever the outcome" clean_output
done
done_testing
