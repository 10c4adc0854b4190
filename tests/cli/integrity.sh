#!/bin/sh
# Evidence integrity: no command changes what it reads.  For every command
# (show, scan in each format, check-baseline, recover -o into another
# folder, and learn and diff when they exist), each target's bytes, size,
# mtime and ctime, and its access time where the file system records it,
# are the same after as before, with the targets and their folder writable,
# and read-only (0444 files in a 0555 folder).  Under strace, no open of a
# target asks for O_WRONLY, O_RDWR, O_CREAT or O_TRUNC.
. "$(dirname "$0")/setup.sh"

if [ ! -f "$FIXTURES/win-10.hiv" ]; then
  skip "integrity" "fixtures not generated at $FIXTURES (run make check)"
  done_testing
  exit 0
fi
ev="$tmp/evidence"
out="$tmp/out.d"
mkdir "$ev" "$out"
cp "$FIXTURES/win-10.hiv" "$ev/clean.hiv"
cp "$top_srcdir/tests/fuzz/seed.yaml" "$ev/site.yaml"
# A dirty hive with its logs: the real Windows 10 one when present, else
# a fixture made dirty (its logs are then absent, and looked for).
if have_corpus && [ -f "$CORPUS/win10-1709-x64/SYSTEM.LOG1" ]; then
  cp "$CORPUS/win10-1709-x64/SYSTEM" "$CORPUS/win10-1709-x64/SYSTEM.LOG1" \
    "$CORPUS/win10-1709-x64/SYSTEM.LOG2" "$ev/"
  dirty_note="the real Windows 10 hive and its two logs"
else
  make_dirty "$FIXTURES/win-10.hiv" "$ev/SYSTEM"
  dirty_note="a fixture made dirty, without logs"
fi
echo "# dirty hive: $dirty_note"
# Old access times, older than the modification times: a read without
# O_NOATIME updates them even under relatime.
for f in "$ev"/* "$ev"; do
  touch -m -d '2002-02-02 02:02:02' "$f"
  touch -a -d '2001-01-01 01:01:01' "$f"
done
# Does this file system record access times at all?
cp "$top_srcdir/tests/fuzz/seed.yaml" "$tmp/probe"
touch -m -d '2002-02-02 02:02:02' "$tmp/probe"
touch -a -d '2001-01-01 01:01:01' "$tmp/probe"
before=$(stat -c %X "$tmp/probe")
cat "$tmp/probe" >/dev/null
if [ "$(stat -c %X "$tmp/probe")" != "$before" ]; then
  atime=yes
else
  atime=no
  echo "# this file system does not update access times: they are not compared"
fi

# state: one line per target (and the folder): name, SHA-256, size, mtime,
# ctime, and atime when recorded.  Read with O_NOATIME: the check must not
# itself move the access times it compares.
state() {
  "$PYTHON3" -c '
import hashlib, os, sys
ev, atime = sys.argv[1], sys.argv[2] == "yes"
NOATIME = getattr(os, "O_NOATIME", 0)
dfd = os.open(ev, os.O_RDONLY | os.O_DIRECTORY | NOATIME)
names = sorted(os.listdir(dfd))
os.close(dfd)
for name in names + ["."]:
    f = os.path.join(ev, name)
    st = os.stat(f)
    if os.path.isfile(f):
        fd = os.open(f, os.O_RDONLY | NOATIME)
        h = hashlib.sha256()
        while True:
            b = os.read(fd, 1 << 20)
            if not b:
                break
            h.update(b)
        os.close(fd)
        digest = h.hexdigest()
    else:
        digest = "dir"
    print(name, digest, st.st_size, st.st_mtime_ns, st.st_ctime_ns,
          st.st_atime_ns if atime else "-")' "$ev" "$atime"
}

commands() {
  run show "$ev/clean.hiv"
  echo "show: $rc"
  run show --format json "$ev/SYSTEM"
  echo "show dirty json: $rc"
  for fmt in text json sarif csv; do
    run scan --fail-on never --format "$fmt" -b "$ev/site.yaml" "$ev/clean.hiv" "$ev/SYSTEM"
    echo "scan $fmt: $rc"
  done
  run scan --no-recover --unsafe --fail-on never -b "$ev/site.yaml" "$ev/SYSTEM"
  echo "scan unsafe: $rc"
  run check-baseline "$ev/site.yaml"
  echo "check-baseline: $rc"
  rm -f "$out/recovered.hiv"
  run recover --force "$ev/SYSTEM" -o "$out/recovered.hiv"
  echo "recover: $rc"
  run learn --help
  if [ "$rc" = 0 ]; then
    run learn "$ev/clean.hiv"
    echo "learn: $rc"
  fi
  run diff --help
  if [ "$rc" = 0 ]; then
    run diff "$ev/clean.hiv" "$ev/SYSTEM"
    echo "diff: $rc"
  fi
}

for mode in writable read-only; do
  if [ "$mode" = read-only ]; then
    chmod 0444 "$ev"/*
    chmod 0555 "$ev"
  fi
  state >"$tmp/before"
  commands >"$tmp/codes"
  state >"$tmp/after"
  sed 's/^/# /' "$tmp/codes"
  check "$mode: every command ran (show 0, recover 0)" \
    sh -c 'grep -q "^show: 0$" "$1" && grep -q "^recover: 0$" "$1" && grep -q "^check-baseline: 0$" "$1"' _ "$tmp/codes"
  check "$mode: bytes, size, mtime, ctime${atime:+ and atime ($atime)} of every target unchanged" \
    cmp -s "$tmp/before" "$tmp/after"
  if ! cmp -s "$tmp/before" "$tmp/after"; then
    diff "$tmp/before" "$tmp/after" | sed 's/^/# /'
  fi
  check "$mode: recover wrote its output in the other folder" [ -s "$out/recovered.hiv" ]
done
chmod 0755 "$ev"
chmod 0644 "$ev"/*

if command -v strace >/dev/null 2>&1 && strace -o /dev/null true 2>/dev/null; then
  strace -f -e trace=open,openat,openat2,creat,truncate,rename,renameat,renameat2,unlink,unlinkat \
    -o "$tmp/trace" $SMAUDIT_BIN scan --fail-on never --format json -b "$ev/site.yaml" \
    "$ev/clean.hiv" "$ev/SYSTEM" >/dev/null 2>&1
  strace -f -e trace=open,openat,openat2,creat,truncate,rename,renameat,renameat2,unlink,unlinkat \
    -o "$tmp/trace2" $SMAUDIT_BIN recover --force "$ev/SYSTEM" -o "$out/again.hiv" >/dev/null 2>&1
  cat "$tmp/trace2" >>"$tmp/trace"
  check "strace: the targets were opened" grep -q "\"$ev/SYSTEM\"" "$tmp/trace"
  check "strace: no target opened for writing, created, truncated, renamed or removed" \
    "$PYTHON3" -c '
import re, sys
ev = sys.argv[2]
bad = []
for line in open(sys.argv[1]):
    # Logs are opened by name beneath the folder (openat2).
    if ev not in line and "openat2(" not in line:
        continue
    call = re.search(r"(\w+)\(", line)
    if call and call.group(1) in ("creat", "truncate", "rename", "renameat",
                                  "renameat2", "unlink", "unlinkat"):
        bad.append(line.strip())
    elif re.search(r"O_WRONLY|O_RDWR|O_CREAT|O_TRUNC", line):
        bad.append(line.strip())
for b in bad:
    print("# " + b)
sys.exit(1 if bad else 0)' "$tmp/trace" "$ev/"
  check "strace: the evidence and its folder were opened with O_NOATIME" sh -c \
    'grep "\"$1/clean.hiv\"" "$2" | grep -q O_NOATIME &&
     grep "\"$1/\", O_RDONLY" "$2" | grep -q O_NOATIME &&
     { [ ! -f "$1/SYSTEM.LOG1" ] || grep -E "\"($1/)?SYSTEM.LOG1\"" "$2" | grep -q O_NOATIME; }' _ "$ev" "$tmp/trace"
else
  skip "strace" "strace is not installed (or cannot trace here)"
fi
done_testing
