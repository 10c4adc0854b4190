#!/bin/sh
# smaudit scan -j: the same results at any parallelism, one per hive,
# per-hive errors and bounds, exit codes, -o, and the xargs -P equivalent.
. "$(dirname "$0")/setup.sh"

good="win-10 win-7 win-xp win-8.1 sample two-sets long-value"
for f in $good; do
  if [ ! -f "$FIXTURES/$f.hiv" ]; then
    echo "1..0 # SKIP fixtures not generated"
    exit 0
  fi
done
cat >"$tmp/b.yaml" <<'YAML'
smaudit-baseline: 1
name: t
rules:
  - id: SM-T-BOOT
    title: BootExecute
    key: Control\Session Manager
    value: BootExecute
    severity: high
    normal: n
    message: m
    expect: { exact: ["autocheck autochk *"] }
YAML
B="-b $tmp/b.yaml"

# 100 hives: 91 good (copies and hard links), 9 corrupt.  The hard links
# are to private copies: a link to a fixture itself would change its
# ctime while other tests read it in place, which smaudit rightly refuses.
h="$tmp/hives"
mkdir -p "$h" "$tmp/src"
for f in $good; do cp "$FIXTURES/$f.hiv" "$tmp/src/$f.hiv"; done
i=0
while [ $i -lt 91 ]; do
  for f in $good; do
    [ $i -lt 91 ] || break
    n=$(printf '%s/h%03d.hiv' "$h" $i)
    if [ $((i % 2)) = 0 ]; then cp "$FIXTURES/$f.hiv" "$n"; else ln "$tmp/src/$f.hiv" "$n"; fi
    i=$((i + 1))
  done
done
for k in 1 2 3; do
  head -c $((k * 3000)) "$FIXTURES/win-10.hiv" >"$h/trunc$k.hiv"
  echo "not a hive $k" >"$h/text$k.hiv"
  : >"$h/zero$k.hiv"
done

# Results of a run as "target error|ok", sorted by target.
results() {
  "$PYTHON3" -c '
import json, sys
rs = [json.loads(l) for l in open(sys.argv[1])]
for o in sorted(rs, key=lambda o: o["target"]):
    print(o["target"], "error" if o["error"] else "ok")' "$1"
}

# Evidence integrity, on the copies: the hard links share their times with
# the private copies in $tmp/src.
hashes() { find "$h" -type f | sort | xargs sha256sum; }
stats() { find "$h" -type f -links 1 | sort | while read -r f; do echo "$f $(stat -c '%s %Y %X' "$f")"; done; }
hashes >"$tmp/before.sha"
find "$h" -type f -links 1 | xargs touch -a -d 2001-01-01
stats >"$tmp/before.stat"

for j in 1 2 4; do
  run scan $B --format json --sort -j $j "$h"/*
  cp "$tmp/out" "$tmp/out.j$j"
  check "-j $j: exit 2 (some hives are corrupt)" [ "$rc" = 2 ]
  check "-j $j: one JSON object per hive" [ "$(wc -l <"$tmp/out")" = 100 ]
  check "-j $j: the corrupt hives carry an error" \
    [ "$(results "$tmp/out" | grep -c ' error$')" = 9 ]
  check "-j $j: the others are audited" \
    [ "$(results "$tmp/out" | grep -c ' ok$')" = 91 ]
  check "-j $j: every corrupt hive is named on stderr" \
    [ "$(grep '^smaudit: ' "$tmp/err" | grep -c -e trunc -e text -e zero)" = 9 ]
  check "-j $j: no progress line when stderr is not a terminal" \
    sh -c "! grep -q 'hives/s' '$tmp/err' && ! tr '\r' '\n' <'$tmp/err' | grep -q '^\['"
  check "-j $j: a summary on stderr" \
    grep -q '^smaudit: 100 hives in .* errors: 9, skipped: 0$' "$tmp/err"
done
check "-j 1 and -j 2: the same output with --sort" cmp -s "$tmp/out.j1" "$tmp/out.j2"
check "-j 1 and -j 4: the same output with --sort" cmp -s "$tmp/out.j1" "$tmp/out.j4"
"$PYTHON3" -c '
import json, sys
t = [json.loads(l)["target"] for l in open(sys.argv[1])]
sys.exit(t != sorted(t))' "$tmp/out.j2"
check "--sort: by target" [ $? = 0 ]

run scan -q $B --format json -j 3 "$h"/*
results "$tmp/out" >"$tmp/streamed"
results "$tmp/out.j1" >"$tmp/sorted"
check "without --sort: the same results, as they come" cmp -s "$tmp/streamed" "$tmp/sorted"
check "-q: nothing on stderr but the hives' errors" [ "$(wc -l <"$tmp/err")" = 9 ]

run scan -q $B --format json --fail-on never -j 2 "$h"/h0*.hiv
check "--fail-on never, good hives only: exit 0" [ "$rc" = 0 ]
run scan -q $B --format json -j 2 "$h"/h0*.hiv
check "findings at --fail-on, no error: exit 1" [ "$rc" = 1 ]
run scan -q $B --format json -j 2 "$h"/h001.hiv "$h"/zero1.hiv
check "findings and an error: exit 2" [ "$rc" = 2 ]

# -o: a new file, complete, or nothing.
run scan -q $B --format json --sort -j 2 -o "$tmp/report.jsonl" "$h"/*
check "-o: exit 2 as on stdout" [ "$rc" = 2 ]
check "-o: nothing on stdout" [ ! -s "$tmp/out" ]
check "-o: the report is the same as on stdout" cmp -s "$tmp/report.jsonl" "$tmp/out.j1"
run scan -q $B --format json -o "$tmp/report.jsonl" "$h"/h001.hiv
check "-o: an existing file is refused with exit 2" [ "$rc" = 2 ]
check "-o: an existing file is left alone" cmp -s "$tmp/report.jsonl" "$tmp/out.j1"
check "-o: an existing file: says so" grep -q 'report.jsonl: already exists' "$tmp/err"
run scan -q $B --format json -r -o "$h/new.jsonl" "$h"
check "-o inside a target folder: refused" [ "$rc" = 2 ]
check "-o inside a target folder: nothing written" [ ! -e "$h/new.jsonl" ]
check "-o: no temporary file left" [ -z "$(ls -A "$tmp" | grep '^\.')" ]

# Bounds: each worker fails alone, the batch goes on.
run scan -q $B --format json --max-memory 1 -j 2 "$h"/h00*.hiv
check "--max-memory 1: a result per hive" [ "$(wc -l <"$tmp/out")" = 10 ]
# ASan reserves terabytes of address space: the workers of a sanitizer
# build set no address-space limit, and ASan handles SIGSEGV itself.
if [ "${SMAUDIT_ASAN:-no}" = yes ]; then
  skip "--max-memory 1: exit 2" "no address-space limit in an ASan build"
  skip "--max-memory 1: every one an error" "no address-space limit in an ASan build"
else
  check "--max-memory 1: exit 2" [ "$rc" = 2 ]
  check "--max-memory 1: every one an error" \
    [ "$(results "$tmp/out" | grep -c ' error$')" = 10 ]
fi
SMAUDIT_TEST_WORKER=crash run scan -q $B --format json -j 2 "$h"/h00[0-3].hiv
check "a crashing worker: a result per hive" [ "$(wc -l <"$tmp/out")" = 4 ]
if [ "${SMAUDIT_ASAN:-no}" = yes ]; then
  check "a crashing worker: each result says the audit aborted" \
    [ "$(grep -c '"error":"audit aborted: ' "$tmp/out")" = 4 ]
else
  check "a crashing worker: killed by signal 11" \
    [ "$(grep -c '"error":"audit aborted: killed by signal 11"' "$tmp/out")" = 4 ]
fi
start=$(date +%s)
SMAUDIT_TEST_WORKER=hang run scan -q $B --format json --timeout 1 -j 2 "$h"/h00[0-3].hiv
end=$(date +%s)
check "a hanging worker: exit 2" [ "$rc" = 2 ]
check "a hanging worker: the time limit in each result" \
  [ "$(grep -c '"error":"audit exceeded the time limit of 1 s"' "$tmp/out")" = 4 ]
check "a hanging worker: killed on time" [ $((end - start)) -le 6 ]

# One hive and no bound asked for: audited in the smaudit process itself
# (the worker's test hook never runs); --timeout or --max-memory isolate it
# in a worker as in a batch.
SMAUDIT_TEST_WORKER=crash run scan -q $B --format json "$h/h000.hiv"
check "one hive, no bounds: audited without a worker" sh -c \
  '[ "$1" != 2 ] && grep -q "\"error\":null" "$2"' _ "$rc" "$tmp/out"
for bound in "--timeout 60" "--max-memory 4096"; do
  # shellcheck disable=SC2086
  SMAUDIT_TEST_WORKER=crash run scan -q $B --format json $bound "$h/h000.hiv"
  check "one hive, $bound: audited in a worker" sh -c \
    '[ "$1" = 2 ] && grep -q "\"error\":\"audit aborted: " "$2"' _ "$rc" "$tmp/out"
done
if [ "${SMAUDIT_ASAN:-no}" = yes ]; then
  skip "one hive, no bounds: no fork and no pipe (strace)" "LeakSanitizer clones a tracer at exit in an ASan build"
elif command -v strace >/dev/null 2>&1; then
  rc=0
  # The read-only view is made in a helper process of its own (a seccomp
  # filter may kill what makes it): counted apart, so left out here.
  SMAUDIT_NO_VIEW=1 strace -f -qq -e trace=fork,vfork,clone,clone3,pipe,pipe2 -o "$tmp/trace" \
    $SMAUDIT_BIN scan -q --no-hash $B --format json "$h/h000.hiv" >/dev/null 2>&1 || rc=$?
  check "one hive, no bounds: no fork and no pipe (strace)" sh -c \
    '! grep -qE "(fork|clone|pipe)" "$1"' _ "$tmp/trace"
else
  skip "one hive, no bounds: no fork and no pipe (strace)" "strace not installed"
fi

# Workers are reused: 20 hives at -j 2 start two worker processes, not 20;
# a crash or a time-out costs its worker, and the next hive gets a new one.
if [ "${SMAUDIT_ASAN:-no}" = yes ]; then
  skip "-j 2, 20 hives: two workers (strace)" "LeakSanitizer clones a tracer at exit in an ASan build"
elif command -v strace >/dev/null 2>&1; then
  rc=0
  SMAUDIT_NO_VIEW=1 strace -f -qq -e trace=fork,vfork,clone,clone3 -o "$tmp/trace" \
    $SMAUDIT_BIN scan -q --no-hash $B --format json -j 2 "$h"/h0[01]?.hiv >"$tmp/out" 2>/dev/null || rc=$?
  check "-j 2, 20 hives: a result each" [ "$(wc -l <"$tmp/out")" = 20 ]
  check "-j 2, 20 hives: two workers (strace)" \
    [ "$(grep -cE 'fork|clone' "$tmp/trace")" = 2 ]
else
  skip "-j 2, 20 hives: two workers (strace)" "strace not installed"
fi
mkdir "$tmp/mixed"
for i in 0 1 2 3 4 5; do cp "$FIXTURES/win-7.hiv" "$tmp/mixed/h$i.hiv"; done
: >"$tmp/mixed/h2.hiv"
head -c 5000 "$FIXTURES/win-10.hiv" >"$tmp/mixed/h4.hiv"
run scan -q $B --format json --sort -j 2 "$tmp/mixed"/h*.hiv
check "reused workers: a bad hive between good ones is its own error" sh -c \
  '[ "$(grep -c "\"error\":null" "$1")" = 4 ] && [ "$(wc -l <"$1")" = 6 ]' _ "$tmp/out"
check "reused workers: the same results as one at a time" sh -c \
  'for f in "$1"/h*.hiv; do "$2" scan -q -b "$3" --format json --timeout 60 "$f"; done >"$4.one"; cmp -s "$4" "$4.one"' \
  _ "$tmp/mixed" "$SMAUDIT_BIN" "$tmp/b.yaml" "$tmp/out"

# The local fan-out: xargs -P over shards, each to its own file, merged.
mkdir "$tmp/shards"
find "$h" -type f -name '*.hiv' -print0 |
  xargs -0 -P 2 -n 10 sh -c \
    'b=$1 d=$2; shift 2; exec "$0" scan -q --format json -b "$b" "$@" >"$(mktemp "$d/shard.XXXXXX")"' \
    "$SMAUDIT_BIN" "$tmp/b.yaml" "$tmp/shards" 2>"$tmp/xargs.err"
check "xargs -P: shards exit 123 (some hives are corrupt)" [ $? = 123 ]
cat "$tmp/shards"/shard.* >"$tmp/merged"
"$PYTHON3" -c '
import json, sys
lines = open(sys.argv[1]).read().splitlines()
for l in sorted(lines, key=lambda l: json.loads(l)["target"]):
    print(l)' \
  "$tmp/merged" >"$tmp/merged.sorted"
check "xargs -P 2 merged JSON Lines equal scan -j 2 --sort" \
  cmp -s "$tmp/merged.sorted" "$tmp/out.j2"

stats >"$tmp/after.stat"
hashes >"$tmp/after.sha"
check "the hives are unchanged: sizes and times" cmp -s "$tmp/before.stat" "$tmp/after.stat"
check "the hives are unchanged: hashes" cmp -s "$tmp/before.sha" "$tmp/after.sha"

cp -a "$h" "$tmp/ro"
chmod -R a-w "$tmp/ro"
run scan -q $B --format json --sort -j 2 "$tmp/ro"/*
check "a read-only copy: the same results" \
  [ "$(results "$tmp/out" | sed "s|/ro/|/hives/|" | cmp -s - "$tmp/sorted" && echo y)" = y ]
chmod -R u+w "$tmp/ro"

done_testing
