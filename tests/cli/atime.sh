#!/bin/sh
# When the kernel refuses O_NOATIME (smaudit is not the file's owner), the
# hive's access time may change: the result says so, naming each file
# (docs/security.md).  Run as nobody on files owned by root.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/setup.sh"

why=$(nobody_why)
if [ -n "$why" ]; then
  skip "access time warnings" "needs to run smaudit as nobody on files it does not own: $why"
  done_testing
  exit 0
fi
as_nobody() {
  SMAUDIT_NO_VIEW=1 setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
}
if ! as_nobody "$SMAUDIT_BIN" --version >/dev/null 2>&1; then
  skip "access time warnings" "nobody cannot run $SMAUDIT_BIN (its folders are not open to others)"
  done_testing
  exit 0
fi
# run_nobody: as run, as nobody, without the read-only view (through which
# the access time cannot change, O_NOATIME or not).
run_nobody() {
  rc=0
  as_nobody $SMAUDIT "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
}

chmod 0711 "$tmp"
mkdir -m 0755 "$tmp/ev"
cp "$FIXTURES/win-10.hiv" "$tmp/ev/SYSTEM"
chmod 0644 "$tmp/ev/SYSTEM"
want="access time of $tmp/ev/SYSTEM not protected (not its owner)"

run_nobody scan --fail-on never "$tmp/ev/SYSTEM"
check "scan as nobody: the text names the hive (exit $rc)" grep -qF "warning:   $want" "$tmp/out"
run_nobody scan --fail-on never --format json "$tmp/ev/SYSTEM"
check "scan as nobody: warnings[] in the JSON" "$PYTHON3" -c '
import json, sys
r = json.loads(open(sys.argv[1]).readline())
sys.exit(0 if sys.argv[2] in r["warnings"] else 1)' "$tmp/out" "$want"
run_nobody show "$tmp/ev/SYSTEM"
check "show as nobody: a warning line" grep -qF "warning:       $want" "$tmp/out"
run scan --fail-on never --format json "$tmp/ev/SYSTEM"
check "scan as the owner (root): no such warning" sh -c '! grep -q "access time of" "$1"' _ "$tmp/out"

# A dirty hive: its folder is listed and its log read as well.
make_dirty "$FIXTURES/win-10.hiv" "$tmp/ev/SYSTEM"
cp "$tmp/ev/SYSTEM" "$tmp/ev/SYSTEM.LOG1"
chmod 0644 "$tmp/ev/SYSTEM.LOG1"
run_nobody scan --fail-on never --format json "$tmp/ev/SYSTEM"
check "scan as nobody, dirty hive: the hive, its folder and its log are named" "$PYTHON3" -c '
import json, sys
r = json.loads(open(sys.argv[1]).readline())
d = sys.argv[2]
want = ["access time of %s not protected (not its owner)" % f
        for f in (d + "/SYSTEM", d + "/", d + "/SYSTEM.LOG1")]
sys.exit(0 if r["warnings"] == want else 1)' "$tmp/out" "$tmp/ev"
done_testing
