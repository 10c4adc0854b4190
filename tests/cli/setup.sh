# Sourced by every end-to-end test: TAP helpers, paths, a temporary folder.
set -u
LC_ALL=C
export LC_ALL
: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_srcdir:=$top_builddir}"
: "${PYTHON3:=python3}"
SMAUDIT_BIN="$top_builddir/smaudit"
# SMAUDIT_VALGRIND=1 runs every smaudit call under memcheck; any report
# fails.  SMAUDIT_VALGRIND=N (N > 1) runs a test's first call and every N-th
# after it under memcheck, the others plainly (tests/cli/valgrind-some).
SMAUDIT="$SMAUDIT_BIN"
case ${SMAUDIT_VALGRIND:-0} in
0 | "") ;;
1) SMAUDIT="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect $SMAUDIT_BIN" ;;
*[!0-9]*) echo "setup.sh: SMAUDIT_VALGRIND must be a number" >&2; exit 99 ;;
*) SMAUDIT="sh $top_srcdir/tests/cli/valgrind-some $SMAUDIT_BIN" ;;
esac
if [ "$SMAUDIT" != "$SMAUDIT_BIN" ]; then
  # Valgrind 3.19 does not know open_tree (it warns on stderr and fails
  # it): hives are read from a copy, which memcheck can follow.
  SMAUDIT_NO_VIEW=1
  export SMAUDIT_NO_VIEW
fi
CORPUS="${SMAUDIT_CORPUS:-$top_srcdir/../shared/hives}"
FIXTURES="$top_builddir/testdata"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/smaudit-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
SMAUDIT_VALGRIND_COUNT="$tmp/valgrind-count"
export SMAUDIT_VALGRIND_COUNT
tap_n=0

ok() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $*"; }
not_ok() { tap_n=$((tap_n + 1)); echo "not ok $tap_n - $*"; }
skip() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $1 # SKIP $2"; }
# check DESCRIPTION COMMAND...: one test point from a command's status.
check() {
  _desc=$1
  shift
  if "$@"; then ok "$_desc"; else not_ok "$_desc"; fi
}
# run: smaudit with its output in $tmp/out, $tmp/err and status in $rc.
run() {
  rc=0
  $SMAUDIT "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
}
# make_dirty SRC DEST: a copy of the hive SRC made dirty (primary sequence
# number one more than the secondary), with a correct base-block checksum.
make_dirty() {
  "$PYTHON3" -c '
import struct, sys
b = bytearray(open(sys.argv[1], "rb").read())
struct.pack_into("<I", b, 8, struct.unpack_from("<I", b, 4)[0] + 1)
s = 0
for k in range(0, 508, 4):
    s ^= struct.unpack_from("<I", b, k)[0]
struct.pack_into("<I", b, 508, s)
open(sys.argv[2], "wb").write(b)' "$1" "$2"
}
# need_fixtures NAME...: the whole test skips unless testdata/NAME.hiv
# were generated.
need_fixtures() {
  for _f in "$@"; do
    if [ ! -f "$FIXTURES/$_f.hiv" ]; then
      echo "1..0 # SKIP fixtures not generated"
      exit 0
    fi
  done
}
# boot_baseline FILE: a baseline of one rule (BootExecute, high), for the
# tests of which hives are audited rather than of what is found in them.
boot_baseline() {
  cat >"$1" <<'YAML'
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
YAML
}
have_corpus() { [ -d "$CORPUS" ] && [ -f "$CORPUS/README.md" ]; }
done_testing() { echo "1..$tap_n"; }
# paused_scan FIFO OUT ERR SCAN-ARGS...: smaudit scan in the background,
# stopped once discovery is done (SMAUDIT_TEST_PAUSE); returns when it says
# so (at most 60 s), its pid in $pid.  Writing a line to FIFO lets it go on.
paused_scan() {
  _fifo=$1 _out=$2 _err=$3
  shift 3
  rm -f "$_fifo" "$_err"
  mkfifo "$_fifo"
  SMAUDIT_TEST_PAUSE="$_fifo" $SMAUDIT scan "$@" >"$_out" 2>"$_err" &
  pid=$!
  _i=0
  while ! grep -q "test: discovered" "$_err" 2>/dev/null && [ $_i -lt 600 ]; do
    sleep 0.1
    _i=$((_i + 1))
  done
}
# target_roles: "TARGET ROLE ok|error" for each JSON result in $tmp/out,
# $tmp/ cut, sorted.
target_roles() {
  "$PYTHON3" -c '
import json, sys
for line in sys.stdin:
    o = json.loads(line)
    print(o["target"], o["role"], "error" if o["error"] else "ok")' <"$tmp/out" |
    sed "s|$tmp/||g" | sort
}
# expect_roles DESCRIPTION: one test point, target_roles is the lines on
# stdin (in any order).
expect_roles() {
  sort >"$tmp/expected"
  target_roles >"$tmp/got"
  if diff -u "$tmp/expected" "$tmp/got" >&2; then ok "$1"; else not_ok "$1"; fi
}
# hexpath TEXT: TEXT as UTF-16LE in a .reg file's hex list ("5c,00,...").
hexpath() { "$PYTHON3" -c 'import sys; print(",".join("%02x,00" % ord(c) for c in sys.argv[1]))' "$1"; }
# link_hive OUT TARGET: win-10's hive with ControlSet001's Session Manager
# a stored symbolic link to TARGET (REG_LINK SymbolicLinkValue; gen-hive
# sets KEY_SYM_LINK), and ControlSet002's holding a payload (evil.exe in
# BootExecute); OUT.reg is its .reg text.
link_hive() {
  cat >"$1.reg" <<REG
Windows Registry Editor Version 5.00
[ControlSet002\\Control\\Session Manager]
"BootExecute"=multi:"autocheck autochk *","evil \\\\??\\\\C:\\\\ProgramData\\\\evil.exe"
[-ControlSet001\\Control\\Session Manager]
[ControlSet001\\Control\\Session Manager]
"SymbolicLinkValue"=hex(6):$(hexpath "$2")
REG
  "$top_builddir/testdata/gen-hive" --base "$FIXTURES/win-10.hiv" "$1" "$1.reg"
}
# nobody_why: nothing when this run can become nobody (root, setpriv, and
# uid 65534 mapped: a user namespace of a rootless container maps only
# root); else why not, for a skip.
nobody_why() {
  if [ "$(id -u)" != 0 ]; then
    echo "not run as root, so cannot become another user"
  elif ! command -v setpriv >/dev/null 2>&1; then
    echo "setpriv is not installed"
  elif ! setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null; then
    echo "setpriv cannot switch to nobody (uid 65534 not mapped here)"
  fi
}
# field EXPR: a Python expression on the one JSON result "r" in $tmp/out.
field() {
  "$PYTHON3" -c 'import json, sys
r = json.loads(open(sys.argv[1]).read())
print(eval(sys.argv[2]))' "$tmp/out" "$1"
}
# is DESCRIPTION EXPR WANT: one test point, EXPR printed equals WANT.
is() {
  got=$(field "$2")
  if [ "$got" = "$3" ]; then ok "$1"; else not_ok "$1 (got $got)"; fi
}
# limited ARG...: as run, smaudit under 20 s, the ASan + UBSan build too
# (valgrind runs it some 50 times slower: 600 s there), and 1 GiB of
# address space where the sanitizers do not reserve more.
limit_s=20
[ "${SMAUDIT_VALGRIND:-0}" != 0 ] && limit_s=600
limited() {
  rc=0
  (
    [ "${SMAUDIT_ASAN:-}" = yes ] || [ "${SMAUDIT_VALGRIND:-0}" != 0 ] ||
      ulimit -v 1048576
    exec timeout $limit_s $SMAUDIT "$@"
  ) >"$tmp/out" 2>"$tmp/err" || rc=$?
}
