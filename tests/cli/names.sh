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
run plan "$tmp/boot.hiv"
check "the boot plan runs the real list" grep -q 'boot-program *BootExecute: evil' "$tmp/out"
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

# A stored symbolic link: Session Manager of ControlSet001 made a link
# (REG_LINK SymbolicLinkValue; gen-hive sets KEY_SYM_LINK) to a copy in
# ControlSet002 holding a payload.  Windows reads the copy.
link_hive "$tmp/link.hiv" '\Registry\Machine\System\ControlSet002\Control\Session Manager'
run scan --format json --fail-on never "$tmp/link.hiv"
is "a stored link on the audited path is high" \
  "[(f['severity'], f['observed']) for f in r['findings'] if f['rule'] == 'SM-AUDIT-REGISTRY-LINK']" \
  "[('high', '\\\\Registry\\\\Machine\\\\System\\\\ControlSet002\\\\Control\\\\Session Manager')]"
is "the link is followed: the payload it leads to is found" \
  "[f['rule'].startswith('SM-BOOT-BOOTEXECUTE') for f in r['findings'] if 'evil' in (f['observed'] or '')][:1]" "[True]"
got=$($READ "$tmp/link.hiv" "$SM" | "$PYTHON3" -c 'import json,sys; print([(v["name"], v["type"]) for v in map(json.loads, sys.stdin)])')
check "the second reader sees the link value itself" [ "$got" = "[('SymbolicLinkValue', 6)]" ]

# A link out of this hive cannot be followed offline: the audit of the
# keys below it fails closed.
cat >"$tmp/link2.reg" <<REG
Windows Registry Editor Version 5.00
[-ControlSet001\\Control\\Session Manager]
[ControlSet001\\Control\\Session Manager]
"SymbolicLinkValue"=hex(6):$(hexpath '\Registry\Machine\Software\Evil')
REG
"$GEN" --base "$FIXTURES/win-10.hiv" "$tmp/link2.hiv" "$tmp/link2.reg"
run scan "$tmp/link2.hiv"
check "a link out of the hive: exit 2, the key damaged" \
  sh -c "[ $rc = 2 ] && grep -q 'SM-AUDIT-DAMAGED-KEY' '$tmp/out' && grep -q 'outside this hive' '$tmp/out'"

# A clean hive holds no such name.
run scan --format json --fail-on never "$FIXTURES/win-10.hiv"
is "an untouched hive: no ambiguous name, no link" \
  "[f for f in r['findings'] if f['rule'] in ('SM-AUDIT-AMBIGUOUS-NAME', 'SM-AUDIT-REGISTRY-LINK')]" "[]"
done_testing
