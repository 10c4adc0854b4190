#!/bin/sh
# The command line itself: help, version, exit codes for usage errors.
. "$(dirname "$0")/setup.sh"

run --help
check "--help exits 0" [ "$rc" = 0 ]
check "--help lists show" grep -q '^  show ' "$tmp/out"
run --version
check "--version exits 0 and names the version" sh -c '[ "$1" = 0 ] && grep -q "^smaudit [0-9]" "$2"' _ "$rc" "$tmp/out"
run
check "no command: exit 2" [ "$rc" = 2 ]
run frobnicate
check "unknown command: exit 2" [ "$rc" = 2 ]
check "unknown command: says so" grep -q "^smaudit: unknown command 'frobnicate'" "$tmp/err"
run show
check "show without a hive: exit 2" [ "$rc" = 2 ]
run show --format xml /dev/null
check "show with a bad format: exit 2" [ "$rc" = 2 ]
run show "$tmp/absent"
check "missing file: exit 2" [ "$rc" = 2 ]
check "missing file: names it and the reason" grep -qF "smaudit: $tmp/absent: No such file or directory" "$tmp/err"
run show "$tmp"
check "a directory: exit 2 with a reason" sh -c '[ "$1" = 2 ] && grep -q "is a directory" "$2"' _ "$rc" "$tmp/err"
: >"$tmp/empty"
run show "$tmp/empty"
check "an empty file: exit 2, not a hive" sh -c '[ "$1" = 2 ] && grep -q "not a registry hive" "$2"' _ "$rc" "$tmp/err"

# Usage errors: one line saying what is wrong, then a one-line hint.
# usage_error DESC EXPECTED-FIRST-LINE CMD...: exit 2, exactly two lines.
usage_error() {
  _desc=$1 _want=$2
  shift 2
  run "$@"
  check "$_desc: exit 2" [ "$rc" = 2 ]
  check "$_desc: says what is wrong" sh -c '[ "$(head -n 1 "$1")" = "$2" ]' _ "$tmp/err" "$_want"
  check "$_desc: then one hint line, not the whole help" sh -c \
    '[ "$(wc -l <"$1")" = 2 ] && tail -n 1 "$1" | grep -q "^Try .smaudit .*--help. for more information\.$"' _ "$tmp/err"
}
usage_error "unknown option" "smaudit: scan: unrecognized option '--bogus'" scan --bogus "$FIXTURES/sample.hiv"
usage_error "unknown option with a value" "smaudit: show: unrecognized option '--bogus'" show --bogus=1 "$FIXTURES/sample.hiv"
usage_error "unknown short option" "smaudit: learn: invalid option -- 'Z'" learn -Z "$FIXTURES/sample.hiv"
usage_error "missing option argument" "smaudit: recover: option '--output' requires an argument" recover "$FIXTURES/sample.hiv" --output
usage_error "ambiguous option" "smaudit: scan: option '--co' is ambiguous" scan --co x "$FIXTURES/sample.hiv"
usage_error "argument to a flag" "smaudit: scan: option '--sort' doesn't allow an argument" scan --sort=yes "$FIXTURES/sample.hiv"
usage_error "show with two hives" "smaudit: show takes one hive, 2 given" show "$FIXTURES/sample.hiv" "$FIXTURES/win-10.hiv"
usage_error "show with none" "smaudit: show takes one hive, 0 given" show
usage_error "recover without -o" "smaudit: recover needs -o FILE, the new file to write" recover "$FIXTURES/sample.hiv"
usage_error "recover with two hives" "smaudit: recover takes one hive, 2 given" recover -o "$tmp/x" "$FIXTURES/sample.hiv" "$FIXTURES/win-10.hiv"
usage_error "learn with none" "smaudit: learn takes one hive, 0 given" learn
usage_error "diff with three" "smaudit: diff takes two hives (or one with --control-set twice), 3 given" diff a b c
usage_error "scan without a target" "smaudit: scan needs at least one TARGET (a hive, a volume or a folder)" scan
usage_error "check-baseline without a file" "smaudit: check-baseline needs at least one FILE" check-baseline
usage_error "no command" "smaudit: no command given" 
usage_error "an option before the command" "smaudit: unrecognized option '--bogus' (a command comes first)" --bogus
usage_error "help of an unknown command" "smaudit: help: unknown command 'nope'" help nope

# One format table: the help lists each format, the messages name them.
run scan --help
for fmt in text json sarif csv; do
  check "scan --help lists the format $fmt" grep -q "^ *$fmt  *[A-Za-z]" "$tmp/out"
done
run scan --format xml "$FIXTURES/sample.hiv"
check "scan --format xml: exit 2, the formats named" sh -c '[ "$1" = 2 ] && grep -qxF "smaudit: scan: unknown format '"'xml'"' (text, json, sarif, csv or timeline)" "$2"' _ "$rc" "$tmp/err"
run show --format sarif "$FIXTURES/sample.hiv"
check "show --format sarif: text or json only" sh -c '[ "$1" = 2 ] && grep -qxF "smaudit: show: unknown format '"'sarif'"' (text or json)" "$2"' _ "$rc" "$tmp/err"
run show --help
check "show --help: the formats from the table" grep -q "^Usage: smaudit show \[--format text|json\] \[--timeout SECONDS\] \[--max-memory MB\] HIVE" "$tmp/out"

# --baseline FILE of any name; an unknown name lists the known ones.
cp "$top_srcdir/baselines/windows-10.yaml" "$tmp/notes.txt"
run scan --baseline "$tmp/notes.txt" --format json "$FIXTURES/win-10.hiv"
check "--baseline a file with a path, any name: audited" [ "$rc" != 2 ]
(cd "$tmp" && $SMAUDIT scan --baseline notes.txt --format json "$FIXTURES/win-10.hiv" >"$tmp/out" 2>"$tmp/err")
rc=$?
check "--baseline notes.txt in the current folder: read as a file" sh -c '[ "$1" != 2 ] && grep -q "\"name\": *\"windows-10\"" "$2"' _ "$rc" "$tmp/out"
run scan --baseline windows-11 "$FIXTURES/win-10.hiv"
check "--baseline an unknown name: exit 2, the known ones listed" sh -c '[ "$1" = 2 ] &&
  grep -q "^smaudit: scan: unknown baseline .windows-11.: .*(known: .*windows-10.*)$" "$2"' _ "$rc" "$tmp/err"
run diff --baseline nope "$FIXTURES/win-10.hiv" "$FIXTURES/win-10.hiv"
check "diff --baseline an unknown name: the known ones listed" sh -c '[ "$1" = 2 ] && grep -q "known: .*windows-xp" "$2"' _ "$rc" "$tmp/err"

# learn --extends a family's baseline that is not the hive's: refused.
run learn --extends windows-xp "$FIXTURES/win-10.hiv"
check "learn --extends another family: refused, saying which fits" sh -c '[ "$1" = 2 ] && [ ! -s "$3" ] &&
  grep -q "is Windows 10.*not the family of --extends windows-xp.*extend windows-10" "$2"' _ "$rc" "$tmp/err" "$tmp/out"
run learn --extends windows-10 "$FIXTURES/win-10.hiv"
check "learn --extends the hive's family: written" sh -c '[ "$1" = 0 ] && grep -q "^extends:.*windows-10" "$2"' _ "$rc" "$tmp/out"
run learn --extends windows-common "$FIXTURES/win-xp.hiv"
check "learn --extends a baseline that is no family's: taken as given" [ "$rc" = 0 ]

# smaudit help [COMMAND]: the same text as --help.
run help
check "help: exit 0" [ "$rc" = 0 ]
check "help: lists the commands and itself" grep -q '^  help \[COMMAND\]' "$tmp/out"
for cmd in scan show recover check-baseline learn diff; do
  run "$cmd" --help
  cp "$tmp/out" "$tmp/help1"
  run help "$cmd"
  check "help $cmd: exit 0, the text of $cmd --help" sh -c '[ "$1" = 0 ] && [ -s "$2" ] && cmp -s "$2" "$3"' _ "$rc" "$tmp/out" "$tmp/help1"
done

# -j 0 is every usable CPU (the affinity mask), and said so.
run scan --help
check "scan --help documents -j 0" grep -q 'default, and 0: the number of usable CPUs' "$tmp/out"
run scan -q -j 0 --format json "$FIXTURES/sample.hiv" "$FIXTURES/win-10.hiv"
check "-j 0: both hives audited" [ "$(wc -l <"$tmp/out")" = 2 ]

# --max-memory: a failure names the limit.
if [ "${SMAUDIT_ASAN:-no}" = yes ]; then
  skip "--max-memory 1 names the limit" "no address-space limit in an ASan build"
elif [ -n "${SMAUDIT_VALGRIND:-}" ]; then
  skip "--max-memory 1 names the limit" "valgrind itself needs more than a 1 MiB address space"
else
  run scan --max-memory 1 --format json "$FIXTURES/sample.hiv"
  check "--max-memory 1 names the limit" sh -c '[ "$1" = 2 ] &&
    grep -q "limited to 1 MiB: --max-memory" "$2" &&
    grep -q "limited to 1 MiB: --max-memory" "$3"' _ "$rc" "$tmp/out" "$tmp/err"
fi
done_testing
