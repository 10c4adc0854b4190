#!/bin/sh
# Reading in place: a hive needing no repair is read where it lies, through
# its own read-only mount or else through a private read-only view of the
# file system, and the report is the one a private copy gives (the copy is
# made where no view can be had, or with SMAUDIT_NO_VIEW); --no-hash.
# The read-only mount is made in a user and mount namespace of its own
# (unshare -rm): no privilege needed, nothing outside sees it.
. "$(dirname "$0")/setup.sh"

# compare A B: the two JSON results are the same, but for where the hive
# was read, its path and the target.
same_report() {
  "$PYTHON3" -c '
import json, sys
a, b = (json.loads(open(p).readline()) for p in sys.argv[1:3])
for d in (a, b):
    d.pop("target")
    for k in ("path", "in_place", "access"):
        d["hive"].pop(k)
sys.exit(0 if a == b else 1)' "$1" "$2"
}
same_report3() { same_report "$1" "$2" && same_report "$1" "$3"; }
js() {
  "$PYTHON3" -c '
import json, sys
d = json.loads(open(sys.argv[1]).readline())
sys.exit(0 if eval(sys.argv[2]) else 1)' "$1" "$2"
}

hives="win-xp win-7 win-8.1 win-10 sample two-sets"

# --no-hash works anywhere.
run scan --format json --no-hash --fail-on never "$FIXTURES/sample.hiv"
cp "$tmp/out" "$tmp/nohash.json"
check "--no-hash: exit 0" [ "$rc" = 0 ]
check "--no-hash: sha256 is null" js "$tmp/nohash.json" 'd["hive"]["sha256"] is None'
run scan --format json --fail-on never "$FIXTURES/sample.hiv"
check "--no-hash: same findings as with the digest" sh -c '
  "$1" -c "
import json, sys
a, b = (json.loads(open(p).readline()) for p in sys.argv[1:3])
a[\"hive\"].pop(\"sha256\"); b[\"hive\"].pop(\"sha256\")
sys.exit(0 if a == b else 1)" "$2" "$3"' _ "$PYTHON3" "$tmp/nohash.json" "$tmp/out"

# SMAUDIT_TEST_NO_USERNS=1 simulates a kernel without user namespaces.
why=""
if [ "${SMAUDIT_TEST_NO_USERNS:-0}" != 0 ]; then
  why="user namespaces disabled by SMAUDIT_TEST_NO_USERNS"
elif ! command -v unshare >/dev/null 2>&1; then
  why="unshare is not installed"
elif ! unshare -rm true 2>"$tmp/unshare.err"; then
  why="no user namespaces here: $(head -n 1 "$tmp/unshare.err")"
fi
if [ -n "$why" ]; then
  for h in $hives; do
    skip "$h: read in place on a read-only mount" "$why"
  done
  done_testing
  exit 0
fi

# The access time of a file as nanoseconds.
atime() { "$PYTHON3" -c 'import os,sys; print(os.stat(sys.argv[1]).st_atime_ns)' "$1"; }

# Can a read-only clone of the mount tree be made here (open_tree and
# mount_setattr, Linux 5.12; not under valgrind 3.19)?  Prints why not.
view_unavailable() {
  if [ -n "${SMAUDIT_NO_VIEW:-}" ]; then
    echo "SMAUDIT_NO_VIEW is set (valgrind runs)"
    return 0
  fi
  unshare -rm "$PYTHON3" -c '
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
fd = libc.syscall(428, -100, b"/", 1 | 0o2000000 | 0x8000)
if fd < 0:
    sys.exit("open_tree: " + os.strerror(ctypes.get_errno()))
attr = (ctypes.c_uint64 * 4)(1, 0, 1 << 18, 0)
if libc.syscall(442, fd, b"", 0x1000 | 0x8000, attr, 32) != 0:
    sys.exit("mount_setattr: " + os.strerror(ctypes.get_errno()))
sys.exit(1)' 2>&1 && return 1 || true
}
no_view=$(view_unavailable | tr '\n' ' ')

# Without privilege (root of a user namespace that does not own the mount
# namespace: the view is made by a helper in a namespace of its own), and
# where no user namespace can be made (a copy, with the same report).
cp "$FIXTURES/win-7.hiv" "$tmp/w7.hiv"
touch -a -d 2001-01-01 "$tmp/w7.hiv"
before=$(atime "$tmp/w7.hiv")
unshare -r $SMAUDIT scan --format json --fail-on never "$tmp/w7.hiv" \
  >"$tmp/w7.helper.json" 2>"$tmp/w7.helper.err" || true
if [ -z "$no_view" ]; then
  check "unprivileged: read through a private read-only view" \
    js "$tmp/w7.helper.json" 'd["hive"]["access"] == "read-only-view" and d["hive"]["in_place"] is True and d["error"] is None'
else
  skip "unprivileged: read through a private read-only view" "$no_view"
fi
check "unprivileged: the access time is kept" [ "$(atime "$tmp/w7.hiv")" = "$before" ]
unshare -r sh -c 'echo 0 >/proc/sys/user/max_user_namespaces && exec "$@"' _ \
  $SMAUDIT scan --format json --fail-on never "$tmp/w7.hiv" \
  >"$tmp/w7.nons.json" 2>"$tmp/w7.nons.err" || true
if [ -s "$tmp/w7.nons.json" ]; then
  check "no user namespaces: read from a copy" \
    js "$tmp/w7.nons.json" 'd["hive"]["access"] == "copy" and d["hive"]["in_place"] is False and d["error"] is None'
  check "no user namespaces: the same report" same_report "$tmp/w7.nons.json" "$tmp/w7.helper.json"
else
  skip "no user namespaces: read from a copy" "cannot limit user namespaces here"
  skip "no user namespaces: the same report" "cannot limit user namespaces here"
fi
# Not the file's owner (O_NOATIME refused): read through the view all the
# same, hive, logs and folder keeping their access times, and no warning.
# Needs root to become another user (setpriv), and a view.
nobody=$(nobody_why)
if [ -n "$nobody" ]; then
  skip "not the owner: access times kept through the view" "$nobody"
elif [ -n "$no_view" ]; then
  skip "not the owner: access times kept through the view" "$no_view"
else
  mkdir "$tmp/other"
  for f in SYSTEM SYSTEM.LOG1; do cp "$FIXTURES/win-7.hiv" "$tmp/other/$f"; done
  chmod 755 "$tmp" "$tmp/other"
  chmod 644 "$tmp/other"/*
  touch -a -d 2001-01-01 "$tmp/other" "$tmp/other"/*
  a0="$(atime "$tmp/other") $(atime "$tmp/other/SYSTEM") $(atime "$tmp/other/SYSTEM.LOG1")"
  setpriv --reuid=65534 --regid=65534 --clear-groups $SMAUDIT scan \
    --format json --fail-on never "$tmp/other/SYSTEM" >"$tmp/other.json" 2>"$tmp/other.err" || true
  a1="$(atime "$tmp/other") $(atime "$tmp/other/SYSTEM") $(atime "$tmp/other/SYSTEM.LOG1")"
  check "not the owner: access times kept through the view" sh -c '
    [ "$1" = "$2" ] && "$3" -c "
import json, sys
d = json.loads(open(sys.argv[1]).readline())
sys.exit(0 if d[\"hive\"][\"access\"] == \"read-only-view\" and not d[\"warnings\"] else 1)" "$4"' \
    _ "$a0" "$a1" "$PYTHON3" "$tmp/other.json"
fi
cat "$tmp/w7.hiv" >/dev/null
check "the access time test can see a read (cat changes it)" [ "$(atime "$tmp/w7.hiv")" != "$before" ]

# Everything that needs the mounts runs in one namespace; it leaves its
# results in $tmp.
mkdir "$tmp/rw" "$tmp/ro"
cat >"$tmp/in-ns.sh" <<'SH'
set -e
tmp=$1; shift
fixtures=$1; shift
mount -t tmpfs -o size=64m smaudit-test "$tmp/rw"
for h in "$@"; do cp "$fixtures/$h.hiv" "$tmp/rw/$h.hiv"; done
mount --bind "$tmp/rw" "$tmp/ro"
mount -o remount,bind,ro "$tmp/ro"
for h in "$@"; do
  $SMAUDIT scan --format json --fail-on never "$tmp/ro/$h.hiv" >"$tmp/$h.ro.json" 2>"$tmp/$h.ro.err" || echo $? >"$tmp/$h.ro.rc"
  touch -a -d 2001-01-01 "$tmp/rw/$h.hiv"
  stat -c %X "$tmp/rw/$h.hiv" >"$tmp/$h.atime0"
  $SMAUDIT scan --format json --fail-on never "$tmp/rw/$h.hiv" >"$tmp/$h.rw.json" 2>"$tmp/$h.rw.err" || echo $? >"$tmp/$h.rw.rc"
  stat -c %X "$tmp/rw/$h.hiv" >"$tmp/$h.atime1"
  SMAUDIT_NO_VIEW=1 $SMAUDIT scan --format json --fail-on never "$tmp/rw/$h.hiv" >"$tmp/$h.copy.json" 2>"$tmp/$h.copy.err" || echo $? >"$tmp/$h.copy.rc"
  sha256sum "$tmp/ro/$h.hiv" | cut -d' ' -f1 >"$tmp/$h.sum"
done
$SMAUDIT scan --format json --no-hash --fail-on never "$tmp/ro/sample.hiv" >"$tmp/nohash.ro.json"
$SMAUDIT show --format json "$tmp/ro/win-7.hiv" >"$tmp/show.ro.json"
SH
SMAUDIT="$SMAUDIT" unshare -rm sh "$tmp/in-ns.sh" "$tmp" "$FIXTURES" $hives 2>"$tmp/ns.err" || true

for h in $hives; do
  if [ ! -s "$tmp/$h.ro.json" ]; then
    not_ok "$h: scanned on the read-only mount ($(head -c 300 "$tmp/ns.err" "$tmp/$h.ro.err" 2>/dev/null | tr '\n' ' '))"
    continue
  fi
  check "$h: read in place on the read-only mount" js "$tmp/$h.ro.json" 'd["hive"]["in_place"] is True and d["hive"]["access"] == "read-only-mount" and d["error"] is None'
  if [ -z "$no_view" ]; then
    check "$h: through the private view on the writable mount" js "$tmp/$h.rw.json" 'd["hive"]["in_place"] is True and d["hive"]["access"] == "read-only-view" and d["error"] is None'
  else
    skip "$h: through the private view on the writable mount" "$no_view"
  fi
  check "$h: its access time kept on the writable mount" [ "$(cat "$tmp/$h.atime0")" = "$(cat "$tmp/$h.atime1")" ]
  check "$h: from a copy with SMAUDIT_NO_VIEW" js "$tmp/$h.copy.json" 'd["hive"]["in_place"] is False and d["hive"]["access"] == "copy" and d["error"] is None'
  check "$h: the same report every way" same_report3 "$tmp/$h.ro.json" "$tmp/$h.rw.json" "$tmp/$h.copy.json"
  check "$h: the digest read in place is the file's" js "$tmp/$h.ro.json" "d['hive']['sha256'] == '$(cat "$tmp/$h.sum")'"
done
check "--no-hash in place: sha256 null, same report" sh -c '
  "$1" -c "
import json, sys
a, b = (json.loads(open(p).readline()) for p in sys.argv[1:3])
ok = a[\"hive\"][\"sha256\"] is None and a[\"hive\"][\"in_place\"] is True
for d in (a, b):
    d[\"hive\"].pop(\"sha256\")
sys.exit(0 if ok and a == b else 1)" "$2" "$3"' _ "$PYTHON3" "$tmp/nohash.ro.json" "$tmp/sample.ro.json"
check "show --format json says in_place" "$PYTHON3" -c '
import json, sys
sys.exit(0 if json.load(open(sys.argv[1]))["hive"]["in_place"] is True else 1)' "$tmp/show.ro.json"

done_testing
