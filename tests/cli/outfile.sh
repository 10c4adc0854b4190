#!/bin/sh
# Output files (-o of scan, learn and recover): never a target, never
# beside a hive (its folder is evidence) unless --force says it is not,
# never under a hive's or its logs' names; --force replaces a report
# atomically; a full file system is said; every signal that ends smaudit
# removes the temporary file, and the workers end with their parent.
. "$(dirname "$0")/setup.sh"

if [ ! -f "$FIXTURES/sample.hiv" ]; then
  echo "1..0 # SKIP fixtures not generated"
  exit 0
fi
ev="$tmp/evidence"
mkdir "$ev" "$tmp/out.d"
cp "$FIXTURES/sample.hiv" "$ev/SYSTEM"
# no_temp DIR: no temporary file of ours is left in DIR.
no_temp() { ! ls -A "$1" | grep -q '^\..*\.[A-Za-z0-9]\{6\}$'; }

# Beside a file target.
for name in SYSTEM.LOG1 system.log2 System.LOG; do
  run scan --force -o "$ev/$name" "$ev/SYSTEM"
  check "scan --force -o $name beside the hive: refused" sh -c \
    '[ "$1" = 2 ] && [ ! -e "$2" ]' _ "$rc" "$ev/$name"
  check "scan --force -o $name: would be read as a log" \
    grep -q "$name: would be read as the hive .* or one of its logs" "$tmp/err"
done
run scan --force -o "$ev/SYSTEM" "$ev/SYSTEM"
check "scan --force -o the hive itself: refused, unchanged" sh -c \
  '[ "$1" = 2 ] && grep -q "is a target" "$2" && cmp -s "$3" "$4"' _ "$rc" "$tmp/err" "$ev/SYSTEM" "$FIXTURES/sample.hiv"
run scan -o "$ev/report.txt" "$ev/SYSTEM"
check "scan -o beside the hive: refused (exit 2)" [ "$rc" = 2 ]
check "scan -o beside the hive: says why and how" grep -q "report.txt: in the folder of the hive .*--force" "$tmp/err"
mkdir "$ev/sub"
run scan -o "$ev/sub/report.txt" "$ev/SYSTEM"
check "scan -o below the hive's folder: refused" sh -c '[ "$1" = 2 ] && [ ! -e "$2" ]' _ "$rc" "$ev/sub/report.txt"
rmdir "$ev/sub"
run scan --force -o "$ev/report.txt" "$ev/SYSTEM"
check "scan --force -o beside the hive: written" sh -c '[ "$1" != 2 ] && [ -s "$2" ]' _ "$rc" "$ev/report.txt"
rm -f "$ev/report.txt"
run learn -o "$ev/learned.yaml" "$ev/SYSTEM"
check "learn -o beside the hive: refused" sh -c '[ "$1" = 2 ] && [ ! -e "$2" ]' _ "$rc" "$ev/learned.yaml"
run learn --force -o "$ev/SYSTEM.LOG2" "$ev/SYSTEM"
check "learn --force -o SYSTEM.LOG2: refused" sh -c '[ "$1" = 2 ] && [ ! -e "$2" ]' _ "$rc" "$ev/SYSTEM.LOG2"
run recover --force -o "$ev/SYSTEM.LOG2" "$ev/SYSTEM"
check "recover --force -o SYSTEM.LOG2: refused" sh -c '[ "$1" = 2 ] && [ ! -e "$2" ]' _ "$rc" "$ev/SYSTEM.LOG2"
run recover --force -o "$ev/copy.hiv" "$ev/SYSTEM"
check "recover --force -o beside the hive: written (not evidence)" [ -s "$ev/copy.hiv" ]
rm -f "$ev/copy.hiv"
check "no temporary file left beside the hive" no_temp "$ev"

# --force replaces an existing report, atomically; never a target.
run scan --format json -o "$tmp/out.d/r.json" "$FIXTURES/sample.hiv"
echo old >"$tmp/out.d/r.json"
ino=$(stat -c %i "$tmp/out.d/r.json")
run scan --format json -o "$tmp/out.d/r.json" "$FIXTURES/sample.hiv"
check "-o over a report: refused, and --force suggested" sh -c \
  '[ "$1" = 2 ] && grep -q "already exists.*--force" "$2" && [ "$(cat "$3")" = old ]' _ "$rc" "$tmp/err" "$tmp/out.d/r.json"
run scan --force --format json -o "$tmp/out.d/r.json" "$FIXTURES/sample.hiv"
check "--force: the report is replaced" sh -c '[ "$1" != 2 ] && grep -q "\"target\"" "$2"' _ "$rc" "$tmp/out.d/r.json"
check "--force: by a new file renamed over it (atomic)" [ "$(stat -c %i "$tmp/out.d/r.json")" != "$ino" ]
check "--force: no temporary file left" no_temp "$tmp/out.d"
cp "$FIXTURES/sample.hiv" "$tmp/out.d/t.hiv"
run scan --force -o "$tmp/out.d/t.hiv" "$tmp/out.d/t.hiv"
check "--force -o TARGET: refused" sh -c '[ "$1" = 2 ] && grep -q "is a target" "$2" && cmp -s "$3" "$4"' _ "$rc" "$tmp/err" "$tmp/out.d/t.hiv" "$FIXTURES/sample.hiv"
ln "$tmp/out.d/t.hiv" "$tmp/out.d/hard"
run scan --force -o "$tmp/out.d/hard" "$tmp/out.d/t.hiv"
check "--force -o a hard link to a target: refused" sh -c '[ "$1" = 2 ] && cmp -s "$2" "$3"' _ "$rc" "$tmp/out.d/hard" "$FIXTURES/sample.hiv"
mkdir "$tmp/out.d/dir"
run scan --force -o "$tmp/out.d/dir" "$FIXTURES/sample.hiv"
check "--force -o a folder: refused" sh -c '[ "$1" = 2 ] && grep -q "not a regular file" "$2"' _ "$rc" "$tmp/err"

# A full file system: the reason on stderr, nothing left behind.
full_fs() {
  # A tmpfs of one page, in a mount namespace of our own.
  if [ "$(id -u)" = 0 ]; then set -- unshare -m; else set -- unshare -rm; fi
  command -v unshare >/dev/null 2>&1 && "$@" true 2>/dev/null || return 1
  mkdir -p "$tmp/full"
  "$@" sh -c 'mount -t tmpfs -o size=4k smaudit-full "$1" && shift && "$@"; echo "$?" >"$0"' \
    "$tmp/full.rc" "$tmp/full" $SMAUDIT scan --format json -o "$tmp/full/r.json" \
    "$FIXTURES/win-10.hiv" "$FIXTURES/win-7.hiv" "$FIXTURES/win-xp.hiv" "$FIXTURES/sample.hiv" \
    >"$tmp/out" 2>"$tmp/err"
}
if [ "${SMAUDIT_TEST_NO_USERNS:-0}" = 0 ] && full_fs; then
  check "a full file system: exit 2" [ "$(cat "$tmp/full.rc")" = 2 ]
  check "a full file system: the reason on stderr" grep -q "r.json: write error: No space left on device" "$tmp/err"
else
  skip "a full file system" "cannot mount a small tmpfs here (no mount namespace: unshare -m fails)"
  skip "a full file system: the reason" "cannot mount a small tmpfs here (no mount namespace: unshare -m fails)"
fi

# Signals: whatever ends smaudit removes its temporary report, and the
# workers end with it.
# live PID: the process exists and is not a zombie.
live() { [ -e "/proc/$1" ] && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }
for sig in TERM INT HUP QUIT USR1 USR2 ALRM PIPE KILL; do
  d="$tmp/sig-$sig"
  mkdir "$d"
  SMAUDIT_TEST_WORKER=hang $SMAUDIT_BIN scan -q -j 2 --format json -o "$d/report.jsonl" \
    "$FIXTURES/sample.hiv" "$FIXTURES/win-10.hiv" >/dev/null 2>&1 &
  pid=$!
  # Wait for the temporary report and both workers.
  i=0
  while [ $i -lt 100 ]; do
    kids=$(cat /proc/$pid/task/*/children 2>/dev/null)
    [ -n "$(ls -A "$d")" ] && [ "$(echo $kids | wc -w)" = 2 ] && break
    sleep 0.05
    i=$((i + 1))
  done
  kill -s "$sig" "$pid"
  wait "$pid" 2>/dev/null
  i=0
  while [ $i -lt 40 ]; do
    alive=""
    for k in $kids; do live "$k" && alive="$alive $k"; done
    [ -z "$alive" ] && break
    sleep 0.05
    i=$((i + 1))
  done
  if [ "$sig" = KILL ]; then
    # Nothing can remove a file after SIGKILL; the workers still end.
    check "SIGKILL: the workers end with their parent" sh -c '[ -n "$1" ] && [ -z "$2" ]' _ "$kids" "$alive"
    for k in $alive; do kill -9 "$k"; done
    continue
  fi
  check "SIG$sig: no temporary report left" [ -z "$(ls -A "$d")" ]
  check "SIG$sig: the workers end too" sh -c '[ -n "$1" ] && [ -z "$2" ]' _ "$kids" "$alive"
  for k in $alive; do kill -9 "$k"; done
done
done_testing
