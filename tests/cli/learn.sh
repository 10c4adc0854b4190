#!/bin/sh
# smaudit learn: the learned baseline scans its hive clean and catches drift.
. "$(dirname "$0")/setup.sh"
. "$(dirname "$0")/formats-lib.sh"
write_baseline "$tmp/b.yaml"

# findings FILE: the rule ids of the findings of a JSON Lines scan.
findings() {
  if have_python; then
    "$PYTHON3" -c 'import json, sys
for l in open(sys.argv[1]):
  for f in json.loads(l)["findings"]: print("\n".join(f["rules"]))' "$1"
  else
    grep -o '"rule":"[^"]*"' "$1" | sed 's/"rule":"//;s/"$//'
  fi
}

for fam in win-xp win-7 win-8.1 win-10 sample values two-sets; do
  run learn --extends "$tmp/b.yaml" -o "$tmp/$fam.yaml" "$FIXTURES/$fam.hiv"
  check "$fam: learn exits 0" [ "$rc" = 0 ]
  run check-baseline "$tmp/$fam.yaml"
  check "$fam: the learned baseline passes check-baseline" [ "$rc" = 0 ]
  # learn pins one control set; the others Select names may differ.
  run scan --baseline "$tmp/$fam.yaml" --control-set current --format json --fail-on info "$FIXTURES/$fam.hiv"
  check "$fam: scanning it with its learned baseline: exit 0" [ "$rc" = 0 ]
  check "$fam: and zero findings" [ -z "$(findings "$tmp/out")" ]
done

# Learned twice, the same baseline (ids derived from names, stable order).
run learn --extends "$tmp/b.yaml" "$FIXTURES/win-10.hiv"
check "learning again gives the same file" cmp -s "$tmp/out" "$tmp/win-10.yaml"
check "ids are LEARN-<key>-<value>" grep -q '^  - id: LEARN-SUBSYSTEMS-REQUIRED$' "$tmp/win-10.yaml"
check "extends: the baseline given, as an absolute path" grep -qxF "extends: \"$tmp/b.yaml\"" "$tmp/win-10.yaml"
check "every scalar double-quoted" sh -c "! grep -E '^ *(title|key|value|normal|message|equals): [^\"]' '$tmp/win-10.yaml'"

# -o never overwrites, the hive least of all.
cp "$FIXTURES/win-10.hiv" "$tmp/copy.hiv"
sum_before=$(cksum <"$tmp/copy.hiv")
run learn --extends "$tmp/b.yaml" -o "$tmp/copy.hiv" "$tmp/copy.hiv"
check "-o over the hive: exit 2" [ "$rc" = 2 ]
check "-o over the hive: the hive is unchanged" [ "$(cksum <"$tmp/copy.hiv")" = "$sum_before" ]
run learn --extends "$tmp/b.yaml" -o "$tmp/win-10.yaml" "$FIXTURES/win-10.hiv"
check "-o over an existing file: exit 2" [ "$rc" = 2 ]
check "-o over an existing file: says so" grep -q "refusing to overwrite" "$tmp/err"
# --force replaces an existing baseline, atomically: the whole new file or
# the old one, never a part.
printf 'old content\n' >"$tmp/old.yaml"
run learn --force --extends "$tmp/b.yaml" -o "$tmp/old.yaml" "$FIXTURES/win-10.hiv"
check "--force -o over an existing file: exit 0" [ "$rc" = 0 ]
check "--force -o: the file is the new baseline, whole" cmp -s "$tmp/old.yaml" "$tmp/win-10.yaml"
check "--force -o: no temporary file left" sh -c "! ls -a '$tmp' | grep -q '^\.old\.yaml\.'"
printf 'old content\n' >"$tmp/old.yaml"
run learn --force --extends "$tmp/b.yaml" -o "$tmp/old.yaml" "$tmp/absent.hiv"
check "--force over a file, failing learn: exit 2" [ "$rc" = 2 ]
check "--force over a file, failing learn: the old file is untouched" [ "$(cat "$tmp/old.yaml")" = "old content" ]
mkdir "$tmp/adir"
run learn --force --extends "$tmp/b.yaml" -o "$tmp/adir" "$FIXTURES/win-10.hiv"
check "--force over a folder: exit 2" [ "$rc" = 2 ] && [ -d "$tmp/adir" ]
ln -s "$tmp/old.yaml" "$tmp/link.yaml"
run learn --force --extends "$tmp/b.yaml" -o "$tmp/link.yaml" "$FIXTURES/win-10.hiv"
check "--force over a symbolic link: exit 2, the link kept" [ "$rc" = 2 ] && [ -L "$tmp/link.yaml" ]
mkdir "$tmp/hv" && cp "$FIXTURES/win-10.hiv" "$tmp/hv/SYSTEM" && ln "$tmp/hv/SYSTEM" "$tmp/hardlink.yaml"
sum_before=$(cksum <"$tmp/hv/SYSTEM")
run learn --force --extends "$tmp/b.yaml" -o "$tmp/hardlink.yaml" "$tmp/hv/SYSTEM"
check "--force over a hard link to the hive: exit 2" [ "$rc" = 2 ] && grep -q "is the hive" "$tmp/err"
check "--force over a hard link to the hive: the hive is unchanged" [ "$(cksum <"$tmp/hv/SYSTEM")" = "$sum_before" ]
run learn --extends "$tmp/b.yaml" "$tmp/absent.hiv"
check "an absent hive: exit 2" [ "$rc" = 2 ]
run learn --extends "$tmp/b.yaml" --control-set 7 "$FIXTURES/win-10.hiv"
check "an absent control set: exit 2" [ "$rc" = 2 ]

# drift NAME OVERLAY RULE: a change planted on win-10 is caught by RULE.
drift() {
  gen_overlay "$tmp/$1.hiv" win-10 "$2"
  run scan --baseline "$tmp/win-10.yaml" --format json "$tmp/$1.hiv"
  check "$1: exit 1" [ "$rc" = 1 ]
  if findings "$tmp/out" | grep -qx "$3"; then
    ok "$1: caught by $3"
  else
    not_ok "$1: caught by $3 (found: $(findings "$tmp/out" | tr '\n' ' '))"
  fi
}
SM='ControlSet001\Control\Session Manager'
drift csrss "[$SM\\SubSystems]
\"Windows\"=str(2):\"%SystemRoot%\\\\system32\\\\csrss.exe ObjectDirectory=\\\\Windows SharedSection=1024,20480,768 Windows=On SubSystemType=Windows ServerDll=basesrv,1 ServerDll=winsrv:UserServerDllInitialization,3 ServerDll=sxssrv,4 ProfileControl=Off MaxRequestThreads=32\"" \
  LEARN-SUBSYSTEMS-WINDOWS-MAXREQUESTTHREADS
drift bootexecute "[$SM]
\"BootExecute\"=multi:\"autocheck autochk *\",\"autocheck autochk /k:C *\"" \
  LEARN-SESSION-MANAGER-BOOTEXECUTE
drift new-subsystem "[$SM\\SubSystems]
\"Evil\"=\"C:\\\\evil.exe\"" LEARN-SUBSYSTEMS
drift knowndll-deleted "[$SM\\KnownDLLs]
\"_wow64\"=-" LEARN-KNOWNDLLS-WOW64
drift type-changed "[$SM]
\"GlobalFlag\"=\"0\"" LEARN-SESSION-MANAGER-GLOBALFLAG
drift appcertdlls "[$SM\\AppCertDlls]
\"x\"=\"C:\\\\x.dll\"" LEARN-APPCERTDLLS-KEY
drift new-subkey "[$SM\\SubSystems\\Extra]" LEARN-SUBSYSTEMS

# A tunable part of a value may change: csrss SharedSection.
gen_overlay "$tmp/tuned.hiv" win-10 "[$SM\\SubSystems]
\"Windows\"=str(2):\"%SystemRoot%\\\\system32\\\\csrss.exe ObjectDirectory=\\\\Windows SharedSection=1024,20480,1024 Windows=On SubSystemType=Windows ServerDll=basesrv,1 ServerDll=winsrv:UserServerDllInitialization,3 ServerDll=sxssrv,4 ProfileControl=Off MaxRequestThreads=16\""
run scan --baseline "$tmp/win-10.yaml" "$tmp/tuned.hiv"
check "a changed SharedSection (tunable) is not a finding" [ "$rc" = 0 ]

# Hostile strings round-trip through the YAML: quotes, backslashes,
# control characters, ESC, C1, BOM, non-BMP and a lone surrogate.
gen_overlay "$tmp/hostile.hiv" win-10 "[$SM\\SubSystems]
\"Quote\\\"Name\\\\\"=\"a \\\"quoted\\\" \\\\ value: # not a comment\"
\"Controls\"=hex(1):61,00,09,00,62,00,0d,00,0a,00,1b,00,5b,00,33,00,31,00,6d,00,07,00,00,00
\"C1\"=hex(1):85,00,9b,00,ff,fe,ff,ff,00,00
\"Emoji\"=\"café 😀\"
\"Lone\"=hex(1):41,00,00,d8,42,00,00,00
\"Multi\"=hex(7):22,00,00,00,0a,00,00,00,00,00"
run learn --force --extends "$tmp/b.yaml" -o "$tmp/hostile.yaml" "$tmp/hostile.hiv"
check "hostile: learn exits 0" [ "$rc" = 0 ]
check "hostile: the YAML is ASCII" sh -c "! LC_ALL=C grep -q '[^ -~]' '$tmp/hostile.yaml'"
run check-baseline "$tmp/hostile.yaml"
check "hostile: it passes check-baseline" [ "$rc" = 0 ]
run scan --baseline "$tmp/hostile.yaml" --fail-on info --format json "$tmp/hostile.hiv"
check "hostile: the values round-trip (zero findings)" [ "$rc" = 0 ] && [ -z "$(findings "$tmp/out")" ]
gen_overlay "$tmp/hostile2.hiv" win-10 "[$SM\\SubSystems]
\"Quote\\\"Name\\\\\"=\"a \\\"quoted\\\" \\\\ value: # not a comment\"
\"Controls\"=hex(1):61,00,09,00,62,00,0d,00,0a,00,1b,00,5b,00,33,00,32,00,6d,00,07,00,00,00
\"C1\"=hex(1):85,00,9b,00,ff,fe,ff,ff,00,00
\"Emoji\"=\"café 😀\"
\"Lone\"=hex(1):41,00,00,d8,42,00,00,00
\"Multi\"=hex(7):22,00,00,00,0a,00,00,00,00,00"
run scan --baseline "$tmp/hostile.yaml" --format json "$tmp/hostile2.hiv"
check "hostile: one changed control character is caught" [ "$rc" = 1 ] && findings "$tmp/out" | grep -qx LEARN-SUBSYSTEMS-CONTROLS

# Another control set: learn ControlSet001 of two-sets, whose current is 2.
run learn --extends "$tmp/b.yaml" --control-set 1 -o "$tmp/cs1.yaml" "$FIXTURES/two-sets.hiv"
check "--control-set 1: exit 0" [ "$rc" = 0 ]
check "--control-set 1: says so" grep -q "ControlSet001" "$tmp/cs1.yaml"
run scan --baseline "$tmp/cs1.yaml" --format json "$FIXTURES/two-sets.hiv"
check "ControlSet002 differs from the learned ControlSet001" [ "$rc" = 1 ] && findings "$tmp/out" | grep -qx LEARN-SESSION-MANAGER-BOOTEXECUTE

# One pipeline: scan, learn and diff choose the same baseline for the same
# hive, a SOFTWARE hive beside it included (win-7 services, Windows 10
# build number: the SOFTWARE hive raises it).
mkdir -p "$tmp/cfg"
cp "$FIXTURES/win-7.hiv" "$tmp/cfg/SYSTEM"
cp "$FIXTURES/software-10.hiv" "$tmp/cfg/SOFTWARE"
run scan --format json "$tmp/cfg/SYSTEM"
check "SOFTWARE beside SYSTEM: scan detects windows-10" grep -q '"baseline":{"name":"windows-10"' "$tmp/out"
run learn "$tmp/cfg/SYSTEM"
check "SOFTWARE beside SYSTEM: learn extends windows-10, as scan chose" grep -qx 'extends: "windows-10"' "$tmp/out"
run diff --format json "$tmp/cfg/SYSTEM" "$FIXTURES/win-7.hiv"
check "SOFTWARE beside SYSTEM: diff compares through windows-10" grep -q '"baseline":"windows-10"' "$tmp/out"

run learn --help
check "--help: exit 0" [ "$rc" = 0 ]
done_testing
