#!/bin/sh
# learn, diff and family detection read names as Windows does
# (docs/reading.md): counted, so a value or key name holding a NUL is not
# the name before it, and each key's values as its consumer reads them.
# The hives are written byte by byte by gen-hive (\0 in a value name, %0
# in a key path: testdata/README.md); regf-read.py is the second reader.
. "$(dirname "$0")/setup.sh"

for f in win-10 software-10; do
  if [ ! -f "$FIXTURES/$f.hiv" ] || [ "$PYTHON3" = no ]; then
    echo "1..0 # SKIP fixtures not generated or python3 not available"
    exit 0
  fi
done
GEN="$top_builddir/testdata/gen-hive"
READ="$PYTHON3 $top_srcdir/tests/cli/regf-read.py"
SM='ControlSet001\Control\Session Manager'
EVIL='"evil \\??\\C:\\ProgramData\\evil.exe"'
# gen REG-TEXT OUT [BASE]: OUT.hiv from BASE (win-10) and the .reg text.
gen() {
  printf 'Windows Registry Editor Version 5.00\n%s\n' "$1" >"$tmp/$2.reg"
  "$GEN" --base "$FIXTURES/${3:-win-10}.hiv" "$tmp/$2.hiv" "$tmp/$2.reg"
}
# learn HIVE YAML: the baseline learned from HIVE (stdout: a file beside
# the hive, which is evidence, would be refused).
learn() { run learn "$1"; cp "$tmp/out" "$2"; }
# diffs: (key, value, subkey, change) of diff's JSON output, sorted.
diffs() {
  field "sorted((x['key'], x['value'], x.get('subkey'), x['change']) for x in r['differences'])"
}

# diff: two hives differing only by a BootExecute<NUL>x decoy.
gen "[$SM]
\"BootExecute\\0x\"=multi:\"autocheck autochk *\",$EVIL" decoy
run diff --format json "$FIXTURES/win-10.hiv" "$tmp/decoy.hiv"
check "diff: a decoy value is a difference (exit 1)" [ "$rc" = 1 ]
is "diff: the decoy is added, named with its NUL; BootExecute is unchanged" \
  "$(diffs)" "[('Control\\\\Session Manager', 'BootExecute<NUL>x', None, 'added')]"

# The decoy and the real list trade places: a C-string comparison pairs
# the same data on each side and sees nothing; Windows runs the payload
# on one side only.
gen "[$SM]
\"BootExecute\"=-
\"BootExecute\\0x\"=multi:\"autocheck autochk *\"
\"BootExecute\"=multi:\"autocheck autochk *\",$EVIL" first
gen "[$SM]
\"BootExecute\\0x\"=multi:\"autocheck autochk *\",$EVIL" last
run diff --format json "$tmp/first.hiv" "$tmp/last.hiv"
is "diff: swapped decoy and real list: each changed, by its stored name" \
  "$(diffs)" "[('Control\\\\Session Manager', 'BootExecute', None, 'changed'), ('Control\\\\Session Manager', 'BootExecute<NUL>x', None, 'changed')]"
is "diff: the real BootExecute loses the payload" \
  "[len(x['b']['data']) - len(x['a']['data']) for x in r['differences'] if x['value'] == 'BootExecute']" "[-1]"

# A subkey named SubSystems<NUL>x beside SubSystems: a C-string reader
# sees SubSystems twice on one side and once on the other, and no change.
gen "[$SM\\SubSystems%0x]
\"Windows\"=\"x\"" kdecoy
run diff --format json "$FIXTURES/win-10.hiv" "$tmp/kdecoy.hiv"
is "diff: a subkey name holding a NUL is an added subkey" \
  "[d for d in $(diffs) if d[2]]" "[('Control\\\\Session Manager', None, 'SubSystems<NUL>x', 'added')]"
run diff "$FIXTURES/win-10.hiv" "$tmp/kdecoy.hiv"
check "diff text: the subkey shown with its NUL" grep -qxF '+ subkey SubSystems<NUL>x' "$tmp/out"

# learn: the decoy stored before the real list is not merged into it.
learn "$tmp/first.hiv" "$tmp/first.yaml"
check "learn: exit 0" [ "$rc" = 0 ]
run check-baseline "$tmp/first.yaml"
check "learn: the baseline is valid (one rule per value)" [ "$rc" = 0 ]
learned() { # VALUE: (id, expect) of the learned rules pinning it, via YAML
  "$PYTHON3" -c '
import re, sys
text = open(sys.argv[1]).read()
rules = re.split(r"\n  - ", text)
print([(re.search(r"id: (\S+)", r).group(1), re.search(r"exact: (.*)", r).group(1))
       for r in rules if re.search(r"\n    value: \"?%s\"?\n" % re.escape(sys.argv[2]), r)
       and "exact: " in r])' "$1" "$2"
}
got=$(learned "$tmp/first.yaml" BootExecute)
check "learn: one BootExecute pin, the real list" \
  [ "$got" = "[('LEARN-SESSION-MANAGER-BOOTEXECUTE', '[\"autocheck autochk *\", \"evil \\\\\\\\??\\\\\\\\C:\\\\\\\\ProgramData\\\\\\\\evil.exe\"]')]" ]
check "learn: the decoy is said not learned" \
  grep -qF '# not learned: value "BootExecute<NUL>x"' "$tmp/first.yaml"
run scan --baseline "$tmp/first.yaml" --format json --fail-on never "$tmp/first.hiv"
is "learn: its hive scanned: no learned pin fires" \
  "[f['rule'] for f in r['findings'] if f['rule'].startswith('LEARN')]" "[]"
is "learn: the decoy is high, and new to the learned baseline" \
  "[(f['value'], 'LEARN-SESSION-MANAGER' in json.dumps(f)) for f in r['findings'] if f['rule'] == 'SM-AUDIT-AMBIGUOUS-NAME']" \
  "[('BootExecute<NUL>x', True)]"
run scan --baseline "$tmp/first.yaml" --format json --fail-on never "$tmp/last.hiv"
is "learn: the decoy's list made the real one: the pin fires" \
  "'LEARN-SESSION-MANAGER-BOOTEXECUTE' in [f['rule'] for f in r['findings']]" True

# The decoy alone: Windows finds no BootExecute, and neither does learn.
gen "[$SM]
\"BootExecute\"=-
\"BootExecute\\0x\"=multi:\"autocheck autochk *\"" alone
learn "$tmp/alone.hiv" "$tmp/alone.yaml"
check "learn: a decoy alone: BootExecute forbidden, not pinned" sh -c \
  "grep -A12 'id: LEARN-SESSION-MANAGER-BOOTEXECUTE\$' '$tmp/alone.yaml' | grep -q 'presence: forbidden'"

# Environment, enumerated by smss.exe: an appended ComSpec<NUL>x is the
# ComSpec smss.exe sets, and the one learned (a single pin).
gen "[$SM\\Environment]
\"ComSpec\\0x\"=str(2):\"C:\\\\Users\\\\Public\\\\cmd.exe\"" env
learn "$tmp/env.hiv" "$tmp/env.yaml"
got=$("$PYTHON3" -c '
import re, sys
t = open(sys.argv[1]).read()
print([re.search(r"equals: (.*)", r).group(1) for r in re.split(r"\n  - ", t)
       if "\n    value: \"ComSpec\"\n" in r and "equals: " in r])' "$tmp/env.yaml")
check "learn: Environment's ComSpec pinned once, as smss.exe reads it" \
  [ "$got" = "['\"C:\\\\\\\\Users\\\\\\\\Public\\\\\\\\cmd.exe\"']" ]
got=$($READ "$tmp/env.hiv" "$SM\\Environment" ComSpec enumerated | "$PYTHON3" -c 'import json,sys; print(json.load(sys.stdin)["strings"][0])')
check "the second reader's enumerated ComSpec is the same" [ "$got" = 'C:\Users\Public\cmd.exe' ]

# A subkey name holding a NUL is not allowed by the learned baseline: a
# glob cannot name it, and SubSystems<NUL>x is not SubSystems.
learn "$tmp/kdecoy.hiv" "$tmp/kdecoy.yaml"
run scan --baseline "$tmp/kdecoy.yaml" --format json --fail-on never "$tmp/kdecoy.hiv"
is "learn: the decoy subkey is still new to its own baseline" \
  "[f['observed'] for f in r['findings'] if f['rule'] == 'LEARN-SESSION-MANAGER']" "['SubSystems<NUL>x']"

# Family detection: a SOFTWARE hive's CurrentBuildNumber read by name, as
# Windows reads it: a decoy CurrentBuildNumber<NUL>x holding a Windows 10
# build does not hide that the real one says Windows 7.
volume() { # NAME SOFTWARE-REG-TEXT
  mkdir -p "$tmp/$1/Windows/System32/config"
  cp "$FIXTURES/win-10.hiv" "$tmp/$1/Windows/System32/config/SYSTEM"
  gen "$2" "sw-$1" software-10
  cp "$tmp/sw-$1.hiv" "$tmp/$1/Windows/System32/config/SOFTWARE"
}
volume older '[Microsoft\Windows NT\CurrentVersion]
"CurrentBuildNumber"=-
"CurrentBuildNumber\0x"="16299"
"CurrentBuildNumber"="7601"'
run scan --format json --fail-on never "$tmp/older"
is "detect: the real CurrentBuildNumber is read, not the decoy before it" \
  "[(f['severity'], f['observed']) for f in r['findings'] if f['rule'] == 'SM-FAMILY-SOFTWARE-OLDER']" "[('high', '7601')]"
volume newer '[Microsoft\Windows NT\CurrentVersion]
"CurrentBuildNumber\0x"="7601"'
run scan --format json --fail-on never "$tmp/newer"
is "detect: a decoy after the real one changes nothing" \
  "(r['baseline']['name'], [f['rule'] for f in r['findings'] if f['rule'].startswith('SM-FAMILY')])" "('windows-10', [])"

# A partial hive (no Services: the values decide): SubSystems is
# enumerated by smss.exe, so an appended Optional<NUL>x (empty) is the
# Optional it acts on, and Posix no longer marks Windows 7.
printf 'Windows Registry Editor Version 5.00\n[Select]\n"Current"=dword:00000001\n[%s\\SubSystems]\n"Optional"=multi:"Posix"\n' "$SM" >"$tmp/partial.reg"
"$GEN" "$tmp/partial.hiv" "$tmp/partial.reg"
run scan --format json --fail-on never "$tmp/partial.hiv"
is "detect: a partial hive with Optional Posix is Windows 7" 'r["baseline"]["name"]' windows-7
printf '"Optional\\0x"=multi:""\n' >>"$tmp/partial.reg"
"$GEN" "$tmp/partial2.hiv" "$tmp/partial.reg"
run scan --format json --fail-on never "$tmp/partial2.hiv"
is "detect: the Optional smss.exe reads (the last, cut at its NUL) decides" \
  'r["baseline"]["name"]' windows-10
done_testing
