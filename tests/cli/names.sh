#!/bin/sh
# Names as Windows reads them (docs/reading.md): counted, so a name holding
# a NUL is not the name before it; the first value of a name read by name,
# the last of a name cut at its NUL where smss.exe enumerates the key.  The
# hives are written byte by byte by gen-hive (\0 and \| in a name), and
# each pick is checked against a second reader (regf-read.py).
. "$(dirname "$0")/setup.sh"

for f in win-10 two-sets; do
  if [ ! -f "$FIXTURES/$f.hiv" ]; then
    echo "1..0 # SKIP fixtures not generated"
    exit 0
  fi
done
GEN="$top_builddir/testdata/gen-hive"
READ="$PYTHON3 $top_srcdir/tests/cli/regf-read.py"
SM='ControlSet001\Control\Session Manager'

rules() {
  field "sorted(set((f['rule'], f['severity']) for f in r['findings'] if f['severity'] in ('high', 'critical')))"
}
observed() { # RULE: the observed data of its findings
  field "[f['observed'] for f in r['findings'] if f['rule'] == '$1']"
}

# BootExecute: a decoy named BootExecute<NUL>hidden stored first.
cat >"$tmp/boot.reg" <<'REG'
Windows Registry Editor Version 5.00
[ControlSet001\Control\Session Manager]
"BootExecute"=-
"BootExecute\0hidden"=multi:"autocheck autochk *"
"BootExecute"=multi:"autocheck autochk *","evil \\??\\C:\\ProgramData\\evil.exe"
REG
"$GEN" --base "$FIXTURES/win-10.hiv" "$tmp/boot.hiv" "$tmp/boot.reg"
run scan --format json --fail-on never "$tmp/boot.hiv"
is "a BootExecute decoy holding a NUL: the real list is audited" \
  "sorted(set(f['rule'].startswith('SM-BOOT-BOOTEXECUTE') for f in r['findings'] if f['severity'] in ('high', 'critical') and 'evil' in (f['observed'] or '')))" "[True]"
is "and the decoy is high" \
  "[f['severity'] for f in r['findings'] if f['rule'] == 'SM-AUDIT-AMBIGUOUS-NAME']" "['high']"
is "the finding names the decoy with its NUL" \
  "[f['value'] for f in r['findings'] if f['rule'] == 'SM-AUDIT-AMBIGUOUS-NAME']" \
  "['BootExecute<NUL>hidden']"
got=$($READ "$tmp/boot.hiv" "$SM" BootExecute by-name | "$PYTHON3" -c 'import json,sys; print(json.load(sys.stdin)["strings"][1])')
check "the second reader picks the same BootExecute" \
  [ "$got" = 'evil \??\C:\ProgramData\evil.exe' ]
run show --format json "$tmp/boot.hiv"
check "show reads the decoyed hive" [ "$rc" = 0 ]

# The same decoy after the real list: Windows runs the real, benign one.
cat >"$tmp/boot2.reg" <<'REG'
Windows Registry Editor Version 5.00
[ControlSet001\Control\Session Manager]
"BootExecute\0x"=multi:"autocheck autochk *","evil"
REG
"$GEN" --base "$FIXTURES/win-10.hiv" "$tmp/boot2.hiv" "$tmp/boot2.reg"
run scan --format json --fail-on never "$tmp/boot2.hiv"
is "a payload under a NUL name is not run by Windows: only the name is high" \
  "$(rules)" "[('SM-AUDIT-AMBIGUOUS-NAME', 'high')]"

# Environment, enumerated by smss.exe: Path<NUL>x stored after Path is the
# Path smss.exe sets.
cat >"$tmp/env.reg" <<'REG'
Windows Registry Editor Version 5.00
[ControlSet001\Control\Session Manager\Environment]
"Path\0x"=str(2):"C:\\Users\\Public\\bin;%SystemRoot%\\system32"
REG
"$GEN" --base "$FIXTURES/win-10.hiv" "$tmp/env.hiv" "$tmp/env.reg"
run scan --format json --fail-on never "$tmp/env.hiv"
is "Environment: the last Path cut at its NUL is audited" \
  "'SM-ENV-PATH-USER-WRITABLE' in [x for x, _ in $(rules)]" True
got=$($READ "$tmp/env.hiv" "$SM\\Environment" Path enumerated | "$PYTHON3" -c 'import json,sys; print(json.load(sys.stdin)["strings"][0])')
check "the second reader's enumerated Path is the one audited" \
  [ "$got" = 'C:\Users\Public\bin;%SystemRoot%\system32' ]

# SubSystems: a second value named Windows (the stored name cut by \|).
cat >"$tmp/subsys.reg" <<'REG'
Windows Registry Editor Version 5.00
[ControlSet001\Control\Session Manager\SubSystems]
"Windows\|2"=str(2):"%SystemRoot%\\system32\\csrss.exe ObjectDirectory=\\Windows SharedSection=1024,20480,768 Windows=On SubSystemType=Windows ServerDll=basesrv,1 ServerDll=winsrv:UserServerDllInitialization,3 ServerDll=sxssrv,4 ServerDll=evil,5 ProfileControl=Off MaxRequestThreads=16"
REG
"$GEN" --base "$FIXTURES/win-10.hiv" "$tmp/subsys.hiv" "$tmp/subsys.reg"
run scan --format json --fail-on never "$tmp/subsys.hiv"
is "SubSystems: the last value named Windows is csrss.exe's command line" \
  "$(rules)" "[('SM-AUDIT-AMBIGUOUS-NAME', 'high'), ('SM-SUBSYS-CSRSS-SERVERDLLS', 'critical')]"
got=$($READ "$tmp/subsys.hiv" "$SM\\SubSystems" | grep -c '"name": "Windows"')
check "the second reader sees Windows twice" [ "$got" = 2 ]

# Select: Current<NUL> stored before Current sends a C-string reader to
# the other control set.
cat >"$tmp/select.reg" <<'REG'
Windows Registry Editor Version 5.00
[Select]
"Current"=-
"Current\0"=dword:00000001
"Current"=dword:00000002
REG
"$GEN" --base "$FIXTURES/two-sets.hiv" "$tmp/select.hiv" "$tmp/select.reg"
run scan --format json --fail-on never "$tmp/select.hiv"
is "Select: Current is read by its stored length" 'r["hive"]["current_control_set"]' 2
is "the decoy is reported" \
  "[f['value'] for f in r['findings'] if f['rule'] == 'SM-AUDIT-AMBIGUOUS-NAME']" \
  "['Current<NUL>']"

# A clean hive holds no such name.
run scan --format json --fail-on never "$FIXTURES/win-10.hiv"
is "an untouched hive: no ambiguous name" \
  "[f for f in r['findings'] if f['rule'] == 'SM-AUDIT-AMBIGUOUS-NAME']" "[]"
done_testing
