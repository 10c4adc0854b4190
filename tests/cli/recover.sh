#!/bin/sh
# Transaction-log replay on the real Windows 10 hive: show recovers in
# memory, recover writes a clean hive, and the evidence never changes.
. "$(dirname "$0")/setup.sh"

# What recover prints names the hive and the output as they are named,
# escaped: a folder name holding a terminal's control sequence (as one
# from a hostile machine may) reaches no terminal raw.
esc=$(printf 'e\033]0;x\007')
mkdir "$tmp/$esc"
cp "$FIXTURES/sample.hiv" "$tmp/$esc/SYSTEM"
run recover --force "$tmp/$esc/SYSTEM" -o "$tmp/$esc-out.hiv"
check "recover: exit 0 (exit $rc)" [ "$rc" = 0 ]
check "recover: no raw ESC or BEL on standard output" \
  sh -c "! grep -q \"\$(printf '[\\033\\007]')\" '$tmp/out'"
run recover "$tmp/$esc/SYSTEM" -o "$tmp/$esc-out2.hiv"
check "recover, a clean hive: no raw ESC or BEL on standard output" \
  sh -c "! grep -q \"\$(printf '[\\033\\007]')\" '$tmp/out'"

src="$CORPUS/win10-1709-x64"
if ! have_corpus || [ ! -f "$src/SYSTEM" ] || [ ! -f "$src/SYSTEM.LOG1" ] ||
  [ ! -f "$src/SYSTEM.LOG2" ]; then
  skip "recovery of the Windows 10 hive" "win10-1709-x64 with its logs not found in $CORPUS (set SMAUDIT_CORPUS)"
  done_testing
  exit 0
fi

# json FILE EXPR: evaluate a Python expression on the JSON in FILE (as d).
json() {
  "$PYTHON3" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}
# pfro FILE: length in bytes of PendingFileRenameOperations in show's JSON.
pfro() {
  json "$1" '[v["length"] for k in d["keys"] if k["path"].endswith("\\Control\\Session Manager") for v in k["values"] if v["name"] == "PendingFileRenameOperations"][0]'
}
facts() { (cd "$1" && for f in *; do echo "$f $(stat -c '%s %Y' "$f") $(sha256sum <"$f")"; done); }

ev="$tmp/evidence"
mkdir "$ev"
cp "$src/SYSTEM" "$src/SYSTEM.LOG1" "$src/SYSTEM.LOG2" "$ev/"
touch -d '2018-04-06 12:00:00' "$ev"/*
facts "$ev" >"$tmp/before"

run show --format json "$ev/SYSTEM"
check "show exits 0" [ "$rc" = 0 ]
check "recovery attempted and recovered" \
  [ "$(json "$tmp/out" 'd["hive"]["recovery"]["attempted"] and d["hive"]["recovery"]["recovered"]')" = True ]
entries=$(json "$tmp/out" 'd["hive"]["recovery"]["entries"]')
pages=$(json "$tmp/out" 'd["hive"]["recovery"]["pages"]')
check "24 log entries applied (got $entries, $pages pages)" [ "$entries" = 24 ]
check "both logs used" [ "$(json "$tmp/out" 'd["hive"]["recovery"]["logs"]')" = SYSTEM.LOG1,SYSTEM.LOG2 ]
check "no warning" [ "$(json "$tmp/out" 'd["hive"]["recovery"]["warning"]')" = None ]
check "the base block is reported as on disk (dirty 1622/1621)" \
  [ "$(json "$tmp/out" '(d["hive"]["base_block"]["sequence_primary"], d["hive"]["base_block"]["sequence_secondary"])')" = "(1622, 1621)" ]
n=$(pfro "$tmp/out")
check "PendingFileRenameOperations is 1254 bytes after recovery (got $n)" [ "$n" = 1254 ]

run show --no-recover --format json "$ev/SYSTEM"
check "--no-recover: not attempted" [ "$(json "$tmp/out" 'd["hive"]["recovery"]["attempted"]')" = False ]
n=$(pfro "$tmp/out")
check "--no-recover: PendingFileRenameOperations is 670 bytes (got $n)" [ "$n" = 670 ]

run show "$ev/SYSTEM"
check "text report says what was recovered" grep -q "^recovery:      recovered 24 entries, $pages pages from SYSTEM.LOG1,SYSTEM.LOG2\$" "$tmp/out"

run recover "$ev/SYSTEM" -o "$tmp/out.hiv"
check "recover exits 0" [ "$rc" = 0 ]
check "recover writes the output" [ -s "$tmp/out.hiv" ]
check "hivexget reads the recovered hive" sh -c 'hivexget "$1" "\\Select" Current >/dev/null' _ "$tmp/out.hiv"
run show --format json "$tmp/out.hiv"
check "recovered hive: base block clean, checksum ok" \
  [ "$(json "$tmp/out" '(d["hive"]["base_block"]["dirty"], d["hive"]["base_block"]["checksum_ok"])')" = "(False, True)" ]
seqs=$(json "$tmp/out" '(d["hive"]["base_block"]["sequence_primary"], d["hive"]["base_block"]["sequence_secondary"])')
check "recovered hive: sequence numbers agree $seqs" [ "$seqs" = "(2130, 2130)" ]
check "recovered hive: nothing left to replay" [ "$(json "$tmp/out" 'd["hive"]["recovery"]["attempted"]')" = False ]
n=$(pfro "$tmp/out")
check "recovered hive: PendingFileRenameOperations is 1254 bytes (got $n)" [ "$n" = 1254 ]

sha=$(sha256sum <"$tmp/out.hiv")
run recover "$ev/SYSTEM" -o "$tmp/out.hiv"
check "recover refuses an existing OUT (exit 2)" [ "$rc" = 2 ]
check "recover names the reason" grep -q "already exists" "$tmp/err"
check "the existing OUT is unchanged" [ "$(sha256sum <"$tmp/out.hiv")" = "$sha" ]
run recover "$ev/SYSTEM" -o "$ev/SYSTEM"
check "recover refuses OUT = the hive (exit 2)" sh -c '[ "$1" = 2 ] && grep -q "is the hive itself" "$2"' _ "$rc" "$tmp/err"
ln "$ev/SYSTEM" "$tmp/hardlink"
run recover "$ev/SYSTEM" -o "$tmp/hardlink"
check "recover refuses OUT = a hard link to the hive" sh -c '[ "$1" = 2 ] && grep -q "is the hive itself" "$2"' _ "$rc" "$tmp/err"
rm -f "$tmp/hardlink"
run recover "$ev/SYSTEM" -o "$ev/SYSTEM.LOG1"
check "recover refuses OUT = a log of the hive" sh -c '[ "$1" = 2 ] && grep -q "transaction log" "$2"' _ "$rc" "$tmp/err"
run recover "$ev/SYSTEM" -o "$tmp/no/such/dir/out"
check "recover into a missing folder: exit 2, nothing written" [ "$rc" = 2 ]
mkdir "$tmp/clean"
cp "$tmp/out.hiv" "$tmp/clean/out.hiv"
run recover "$tmp/clean/out.hiv" -o "$tmp/again.hiv"
check "a clean hive: exit 0, a note, nothing written" \
  sh -c '[ "$1" = 0 ] && grep -q "is clean" "$2" && [ ! -e "$3" ]' _ "$rc" "$tmp/out" "$tmp/again.hiv"
run recover --force "$tmp/clean/out.hiv" -o "$tmp/again.hiv"
check "a clean hive with --force: copied byte for byte" cmp -s "$tmp/out.hiv" "$tmp/again.hiv"
check "no temporary files left" sh -c '! ls -a "$1" "$2" | grep -q smaudit-recover' _ "$tmp" "$ev"

facts "$ev" >"$tmp/after"
check "evidence unchanged: size, mtime and sha256 of the hive and its logs" cmp -s "$tmp/before" "$tmp/after"

# Log names in another case, as a case-insensitive file system gives them.
lc="$tmp/lower"
mkdir "$lc"
cp "$src/SYSTEM" "$lc/SYSTEM"
cp "$src/SYSTEM.LOG1" "$lc/system.log1"
cp "$src/SYSTEM.LOG2" "$lc/System.Log2"
run show --format json "$lc/SYSTEM"
check "lower-case log names: 24 entries from system.log1,System.Log2" \
  [ "$(json "$tmp/out" '(d["hive"]["recovery"]["entries"], d["hive"]["recovery"]["logs"])')" = "(24, 'system.log1,System.Log2')" ]

# Only the first log: replay stops where LOG1 ends, and says so.
one="$tmp/one"
mkdir "$one"
cp "$src/SYSTEM" "$src/SYSTEM.LOG1" "$one/"
run show --format json "$one/SYSTEM"
check "LOG1 alone: its 4 entries, the chain ends with the log" \
  [ "$(json "$tmp/out" '(d["hive"]["recovery"]["entries"], d["hive"]["recovery"]["warning"] is None)')" = "(4, True)" ]

win81="$CORPUS/win81-x64/SYSTEM"
if [ -f "$win81" ]; then
  run show --format json "$win81"
  check "dirty hive without logs: attempted, not recovered, says no logs" \
    sh -c '[ "$1" = 0 ] && "$2" -c "import json,sys; r=json.load(open(sys.argv[1]))[\"hive\"][\"recovery\"]; sys.exit(not (r[\"attempted\"] and not r[\"recovered\"] and \"no transaction logs\" in r[\"warning\"]))" "$3"' _ "$rc" "$PYTHON3" "$tmp/out"
  run recover "$win81" -o "$tmp/win81.hiv"
  check "recover of a dirty hive without logs: exit 2, nothing written" \
    sh -c '[ "$1" = 2 ] && [ ! -e "$2" ]' _ "$rc" "$tmp/win81.hiv"
else
  skip "dirty hive without logs" "win81-x64 absent from the corpus"
fi
done_testing
