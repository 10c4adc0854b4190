#!/bin/sh
# The SHA-256 of a hive of 1 MiB or more is computed on a second thread
# while the audit runs, unless every processor already has work: a batch
# with a worker per processor (the default -j), or a single processor.
# The digest is the file's either way.
. "$(dirname "$0")/setup.sh"

if ! have_corpus; then
  skip "hash thread" "corpus not found at $CORPUS (hives of 1 MiB and more)"
  done_testing
  exit 0
fi
H="$CORPUS/xp-sp3-x86/SYSTEM"
mkdir "$tmp/b"
for i in 1 2 3; do cp "$H" "$tmp/b/h$i.hiv"; done
want=$(sha256sum <"$H" | cut -d' ' -f1)
cpus=$(nproc)

# digests FILE: every result's hive.sha256 is the file's.
digests() {
  "$PYTHON3" -c '
import json, sys
rs = [json.loads(l) for l in open(sys.argv[1])]
sys.exit(not (len(rs) == int(sys.argv[3]) and
              all(r["hive"]["sha256"] == sys.argv[2] for r in rs)))' "$1" "$want" "$2"
}
run scan --fail-on never --format json -j "$cpus" "$tmp/b/h1.hiv" "$tmp/b/h2.hiv" "$tmp/b/h3.hiv"
check "a batch of -j $cpus: each digest is the file's (exit $rc)" digests "$tmp/out" 3
run scan --fail-on never --format json -j 1 "$tmp/b/h1.hiv" "$tmp/b/h2.hiv" "$tmp/b/h3.hiv"
check "a batch of -j 1: each digest is the file's (exit $rc)" digests "$tmp/out" 3

if ! command -v strace >/dev/null 2>&1 || ! strace -o /dev/null true 2>/dev/null; then
  skip "threads counted" "strace is not installed (or cannot trace here)"
  done_testing
  exit 0
fi
# threads ARGS...: how many threads every process of the run started.
threads() {
  ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
    strace -f -e trace=clone,clone3 -o "$tmp/trace" "$SMAUDIT_BIN" "$@" \
    >"$tmp/out" 2>"$tmp/err" || true
  grep -c 'CLONE_THREAD' "$tmp/trace"
}
n=$(threads scan --fail-on never -j "$cpus" "$tmp/b/h1.hiv" "$tmp/b/h2.hiv" "$tmp/b/h3.hiv")
check "a batch of a worker per processor: no hashing thread (started $n)" [ "$n" = 0 ]
n=$(threads scan --fail-on never "$tmp/b/h1.hiv")
if [ "$cpus" -gt 1 ]; then
  check "one hive, $cpus processors: hashed on a second thread (started $n)" [ "$n" = 1 ]
else
  check "one hive, one processor: no hashing thread (started $n)" [ "$n" = 0 ]
fi
if command -v taskset >/dev/null 2>&1 && [ "$cpus" -gt 1 ]; then
  ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
    taskset -c 0 strace -f -e trace=clone,clone3 -o "$tmp/trace" "$SMAUDIT_BIN" \
    scan --fail-on never "$tmp/b/h1.hiv" >"$tmp/out" 2>"$tmp/err" || true
  n=$(grep -c 'CLONE_THREAD' "$tmp/trace")
  check "one hive on one processor (taskset): no hashing thread (started $n)" [ "$n" = 0 ]
fi
done_testing
