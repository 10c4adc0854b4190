#!/bin/sh
# Transaction logs (and anything else found beside a target) are opened by
# name beneath the hive's folder, following no symbolic link: a log that is
# a link to /dev/null or to another machine's log is a warning naming it,
# and is not replayed (docs/security.md).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/setup.sh"

mkdir "$tmp/d" "$tmp/elsewhere"
make_dirty "$FIXTURES/win-10.hiv" "$tmp/d/SYSTEM"

# A log that is a link to a device of the host.
ln -s /dev/null "$tmp/d/SYSTEM.LOG1"
run show "$tmp/d/SYSTEM"
check "show: SYSTEM.LOG1 -> /dev/null is skipped with a warning (exit $rc)" \
  sh -c '[ "$1" = 0 ] && grep -q "^warning: *SYSTEM.LOG1 skipped: symbolic link, not followed" "$2"' \
  _ "$rc" "$tmp/out"
run scan --fail-on never --format json "$tmp/d/SYSTEM"
check "scan: the JSON warning names the log" "$PYTHON3" -c '
import json, sys
r = json.loads(open(sys.argv[1]).readline())
w = r["hive"]["recovery"]["warning"]
sys.exit(0 if "SYSTEM.LOG1 skipped: symbolic link" in w else 1)' "$tmp/out"
# A log not read leaves the audit incomplete, in every format.
run scan "$tmp/d/SYSTEM"
check "scan: a log not read is never clean (exit $rc)" sh -c \
  '[ "$1" = 2 ] && grep -q "audit incomplete: 1 transaction log could not be read" "$2"' \
  _ "$rc" "$tmp/err"
run scan --fail-on never --format sarif "$tmp/d/SYSTEM"
check "scan: SARIF's run failed, a warning naming the log" "$PYTHON3" -c '
import json, sys
inv = json.load(open(sys.argv[1]))["runs"][0]["invocations"][0]
notes = [n for n in inv["toolExecutionNotifications"]
         if n["level"] == "warning" and "SYSTEM.LOG1 skipped" in n["message"]["text"]]
sys.exit(0 if inv["executionSuccessful"] is False and notes else 1)' "$tmp/out"
run recover "$tmp/d/SYSTEM" -o "$tmp/out.hiv"
check "recover: the link is named, nothing replayed from it (exit $rc)" \
  sh -c 'grep -q "SYSTEM.LOG1 skipped: symbolic link" "$1" && [ ! -e "$2" ]' \
  _ "$tmp/err" "$tmp/out.hiv"

# A link that stays in the folder is not followed either.
rm "$tmp/d/SYSTEM.LOG1"
cp "$tmp/d/SYSTEM" "$tmp/d/SYSTEM.LOG1.orig"
ln -s SYSTEM.LOG1.orig "$tmp/d/SYSTEM.LOG1"
run show "$tmp/d/SYSTEM"
check "show: a relative link to a file in the folder is not followed" \
  grep -q "SYSTEM.LOG1 skipped: symbolic link, not followed" "$tmp/out"

# A link to a log elsewhere: with a file there that would otherwise be
# read (and refused for what it holds), the warning says it was not read.
rm "$tmp/d/SYSTEM.LOG1"
cp "$tmp/d/SYSTEM" "$tmp/elsewhere/SYSTEM.LOG2"
ln -s "$tmp/elsewhere/SYSTEM.LOG2" "$tmp/d/SYSTEM.LOG2"
run show "$tmp/d/SYSTEM"
check "show: SYSTEM.LOG2 -> /elsewhere/SYSTEM.LOG2 is not read" \
  sh -c 'grep -q "SYSTEM.LOG2 skipped: symbolic link, not followed" "$1" &&
         ! grep -q "is not a log" "$1"' _ "$tmp/out"
rm "$tmp/d/SYSTEM.LOG2"

# A device or FIFO under a log's name, without a link: refused for what it is.
if mkfifo "$tmp/d/SYSTEM.LOG" 2>/dev/null; then
  run show "$tmp/d/SYSTEM"
  check "show: a FIFO log is refused as a FIFO (exit $rc)" \
    grep -q "SYSTEM.LOG skipped: not a regular file (a FIFO)" "$tmp/out"
  rm "$tmp/d/SYSTEM.LOG"
else
  skip "FIFO log" "mkfifo failed in $tmp"
fi

# A real dirty hive with its two logs: LOG2 moved elsewhere and linked.
H="$CORPUS/win10-1709-x64"
if have_corpus && [ -f "$H/SYSTEM.LOG2" ]; then
  mkdir "$tmp/r" "$tmp/one" "$tmp/away"
  cp "$H/SYSTEM" "$H/SYSTEM.LOG1" "$tmp/r/"
  cp "$H/SYSTEM" "$H/SYSTEM.LOG1" "$tmp/one/"
  cp "$H/SYSTEM.LOG2" "$tmp/away/SYSTEM.LOG2"
  ln -s "$tmp/away/SYSTEM.LOG2" "$tmp/r/SYSTEM.LOG2"
  run scan --fail-on never --format json "$tmp/r/SYSTEM"
  check "scan: only SYSTEM.LOG1 replayed, SYSTEM.LOG2 named in the warning" \
    "$PYTHON3" -c '
import json, sys
rec = json.loads(open(sys.argv[1]).readline())["hive"]["recovery"]
ok = rec["logs"] == "SYSTEM.LOG1" and "SYSTEM.LOG2 skipped: symbolic link" in rec["warning"]
sys.exit(0 if ok else 1)' "$tmp/out"
  run recover "$tmp/r/SYSTEM" -o "$tmp/r.hiv"
  check "recover: warns about SYSTEM.LOG2 (exit $rc)" \
    grep -q "SYSTEM.LOG2 skipped: symbolic link" "$tmp/out" "$tmp/err"
  run recover "$tmp/one/SYSTEM" -o "$tmp/one.hiv"
  check "recover: the result is what LOG1 alone gives" cmp -s "$tmp/r.hiv" "$tmp/one.hiv"
else
  skip "real logs" "no win10-1709-x64 hive with logs in $CORPUS"
fi
done_testing
