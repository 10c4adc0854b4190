#!/bin/sh
# What Windows reads where hivex reads otherwise (docs/reading.md): big data
# assembled 16,344 bytes per segment, the self-healing of Windows' load-time
# checker, key names holding a NUL.  The hives are written byte by byte by
# gen-hive (\P, \F, \^, \0 in a value name, %F, %^, %0 in a key name:
# testdata/README.md) and each reading
# is checked against second readers (hivexget, reglookup, regf-read.py).
. "$(dirname "$0")/setup.sh"

if [ ! -f "$FIXTURES/win-10.hiv" ] || [ "$PYTHON3" = no ]; then
  echo "1..0 # SKIP fixtures not generated or python3 not available"
  exit 0
fi
GEN="$top_builddir/testdata/gen-hive"
READ="$PYTHON3 $top_srcdir/tests/cli/regf-read.py"
SM='ControlSet001\Control\Session Manager'
EVIL='evil \\??\\C:\\ProgramData\\evil.exe'

high() {
  field "sorted(set(f['rule'] for f in r['findings'] if f['severity'] in ('high', 'critical')))"
}
# A BootExecute of 17 KB: 430 entries of autochk, then the payload last.
boot_list() {
  "$PYTHON3" -c 'import sys; print(",".join(["\"autocheck autochk *\""] * 430 + ["\"" + sys.argv[1] + "\""]))' "$EVIL"
}

# Big data, as Windows writes it (segments of 16,344 bytes): every reader
# agrees, nothing about the reading is reported.
printf 'Windows Registry Editor Version 5.00\n[%s]\n"BootExecute"=multi:%s\n' \
  "$SM" "$(boot_list)" >"$tmp/big.reg"
"$GEN" --base "$FIXTURES/win-10.hiv" "$tmp/big.hiv" "$tmp/big.reg"
run scan --format json --fail-on never "$tmp/big.hiv"
is "big data as Windows writes it: the payload found, no reading differs" \
  "[x for x in $(high) if x.startswith('SM-AUDIT')]" "[]"
check "and hivexget reads the payload too" sh -c \
  "hivexget '$tmp/big.hiv' '$SM' BootExecute | grep -q evil"

# The first segment's cell padded: Windows takes 16,344 bytes from it,
# hivex the cell less 8, so hivex loses the payload at the end.
sed 's/^"BootExecute"=/"BootExecute"=-\n"BootExecute\\P"=/' "$tmp/big.reg" >"$tmp/pad.reg"
"$GEN" --base "$FIXTURES/win-10.hiv" "$tmp/pad.hiv" "$tmp/pad.reg"
run scan --format json --fail-on never "$tmp/pad.hiv"
is "a padded first segment: the reading difference is high" \
  "[f['severity'] for f in r['findings'] if f['rule'] == 'SM-AUDIT-READING-DIFFERS']" "['high']"
is "and Windows' reading is audited: the payload is found" \
  "any(f['rule'].startswith('SM-BOOT-BOOTEXECUTE') and 'evil' in (f['observed'] or '') for f in r['findings'])" True
check "hivexget does not see the payload" sh -c \
  "! hivexget '$tmp/pad.hiv' '$SM' BootExecute | grep -q evil"
if command -v reglookup >/dev/null 2>&1; then
  check "nor does reglookup" sh -c \
    "! reglookup -p '/ControlSet001/Control/Session Manager/BootExecute' '$tmp/pad.hiv' | grep -q evil"
else
  skip "reglookup" "reglookup is not installed"
fi
got=$($READ "$tmp/pad.hiv" "$SM" BootExecute by-name | "$PYTHON3" -c 'import json,sys; print(json.load(sys.stdin)["strings"][-1])')
check "regf-read.py, assembling as Windows does, reads the payload" \
  [ "$got" = 'evil \??\C:\ProgramData\evil.exe' ]

# Self-healing: a value-list entry pointing to a free cell.  hivex refuses
# the key; Windows drops the entry and runs the payload beside it.
cat >"$tmp/heal.reg" <<REG
Windows Registry Editor Version 5.00
[$SM]
"Decoy\\F"="x"
"BootExecute"=multi:"autocheck autochk *","$EVIL"
REG
"$GEN" --base "$FIXTURES/win-10.hiv" "$tmp/heal.hiv" "$tmp/heal.reg"
check "hivexget refuses the key" sh -c \
  "! hivexget '$tmp/heal.hiv' '$SM' BootExecute >/dev/null 2>&1"
run scan --format json --fail-on never "$tmp/heal.hiv"
is "the repair is high and named" \
  "[(f['severity'], 'points to a free cell' in f['detail']) for f in r['findings'] if f['rule'] == 'SM-AUDIT-SELF-HEALED']" "[('high', True)]"
is "the healed key is audited: the payload is found, nothing fails closed" \
  "(any('evil' in (f['observed'] or '') for f in r['findings'] if f['rule'].startswith('SM-BOOT-BOOTEXECUTE')), r['summary']['rule_errors'])" "(True, 0)"
got=$($READ "$tmp/heal.hiv" "$SM" BootExecute by-name | "$PYTHON3" -c 'import json,sys; print(json.load(sys.stdin)["strings"][-1])')
check "regf-read.py, dropping the entry as Windows does, reads the same" \
  [ "$got" = 'evil \??\C:\ProgramData\evil.exe' ]

# A subkey-list entry pointing to a free cell: Windows drops the entry;
# the sibling keys are still read.
cat >"$tmp/sub.reg" <<REG
Windows Registry Editor Version 5.00
[$SM\\Junk%F]
[$SM\\Environment]
"Path"="C:\\\\Users\\\\Public\\\\bin;%SystemRoot%\\\\system32"
REG
"$GEN" --base "$FIXTURES/win-10.hiv" "$tmp/sub.hiv" "$tmp/sub.reg"
check "hivexget refuses the subkeys" sh -c \
  "! hivexget '$tmp/sub.hiv' '$SM\\Environment' Path >/dev/null 2>&1"
run scan --format json --fail-on never "$tmp/sub.hiv"
is "the subkey repair is high, and the Environment under it audited" \
  "('SM-AUDIT-SELF-HEALED' in $(high), 'SM-ENV-PATH-USER-WRITABLE' in $(high), r['summary']['rule_errors'])" "(True, True, 0)"

# A repair not modelled (the key record's signature, which Windows would
# rewrite) still fails closed, saying why.
"$PYTHON3" "$top_srcdir/tests/cli/nk-patch.py" "$FIXTURES/win-10.hiv" "$tmp/sig.hiv" kernel sig
run scan "$tmp/sig.hiv"
check "a repair not modelled: exit 2, the key damaged, the reason given" sh -c \
  "[ $rc = 2 ] && grep -q 'SM-AUDIT-DAMAGED-KEY' '$tmp/out' && grep -q 'a repair not modelled' '$tmp/out'"

# A key named Session Manager<NUL>x after the real one: hivex and Windows
# both read the real key; the decoy name is high.
cat >"$tmp/kname.reg" <<REG
Windows Registry Editor Version 5.00
[ControlSet001\\Control\\Session Manager%0x]
"BootExecute"=multi:"autocheck autochk *"
[$SM]
"BootExecute"=multi:"autocheck autochk *","$EVIL"
REG
"$GEN" --base "$FIXTURES/win-10.hiv" "$tmp/kname.hiv" "$tmp/kname.reg"
run scan --format json --fail-on never "$tmp/kname.hiv"
is "a key name holding a NUL is high, shown with its NUL" \
  "[(f['severity'], f['detail'].startswith('key name \"ControlSet001\\\\Control\\\\Session Manager<NUL>x\" holds a NUL')) for f in r['findings'] if f['rule'] == 'SM-AUDIT-AMBIGUOUS-NAME']" \
  "[('high', True)]"
is "the real key is audited" \
  "any('evil' in (f['observed'] or '') for f in r['findings'] if f['rule'].startswith('SM-BOOT-BOOTEXECUTE'))" True
got=$($READ "$tmp/kname.hiv" "$SM" BootExecute by-name | "$PYTHON3" -c 'import json,sys; print(json.load(sys.stdin)["strings"][-1])')
check "regf-read.py, comparing names by length, reads the real key" \
  [ "$got" = 'evil \??\C:\ProgramData\evil.exe' ]

# The decoy stored before the real key (out of order): hivex takes the
# decoy for Session Manager; Windows' checker removes the real key, which
# sorts before the decoy that precedes it, and finds no Session Manager.
sed 's/Session Manager%0x\]/Session Manager%0x%^]/' "$tmp/kname.reg" >"$tmp/kfirst.reg"
"$GEN" --base "$FIXTURES/win-10.hiv" "$tmp/kfirst.hiv" "$tmp/kfirst.reg"
check "hivexget reads the decoy's benign list" sh -c \
  "[ \"\$(hivexget '$tmp/kfirst.hiv' '$SM' BootExecute)\" = 'autocheck autochk *' ]"
run scan --format json --fail-on never "$tmp/kfirst.hiv"
is "Windows' repair of the order and the decoy name are both high" \
  "sorted(set(f['rule'] for f in r['findings'] if f['rule'].startswith('SM-AUDIT')))" \
  "['SM-AUDIT-AMBIGUOUS-NAME', 'SM-AUDIT-SELF-HEALED']"
is "the repair names the real key, removed as Windows removes it" \
  "[('\"Session Manager\"' in f['detail']) for f in r['findings'] if f['rule'] == 'SM-AUDIT-SELF-HEALED']" "[True]"

# An untouched hive: none of these.
run scan --format json --fail-on never "$FIXTURES/win-10.hiv"
is "an untouched hive: no repair, no reading difference" \
  "[f for f in r['findings'] if f['rule'] in ('SM-AUDIT-SELF-HEALED', 'SM-AUDIT-READING-DIFFERS')]" "[]"
done_testing
