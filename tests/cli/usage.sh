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
done_testing
