#!/bin/sh
# Quick start on Debian 12: install what is missing, build, then either run
# smaudit on the bundled sample (demo) or run the whole test suite (check).
#   ./quickstart.sh demo
#   ./quickstart.sh check
set -eu
cd "$(dirname "$0")"

mode=${1:-demo}
case $mode in
demo | check) ;;
*)
  echo "usage: $0 demo|check" >&2
  exit 2
  ;;
esac

deps="build-essential autoconf automake libtool pkg-config
libhivex-dev libhivex-bin libyaml-dev libjansson-dev nettle-dev libcmocka-dev
python3 python3-jsonschema"
missing=""
for p in $deps; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
    missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "quickstart: installing$missing" >&2
  sudo=""
  [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing >/dev/null
fi

[ -x configure ] && [ configure -nt configure.ac ] || autoreconf -fi
[ -f Makefile ] || ./configure --enable-werror
jobs=$(nproc 2>/dev/null || echo 2)
make -j"$jobs" >/dev/null

if [ "$mode" = demo ]; then
  exec make -s demo
fi

status=0
make -j"$jobs" check >/dev/null 2>&1 || status=$?
# Automake counts TAP test points; say them as one closing line.
awk '
  /^# PASS:/ { pass += $3 } /^# XFAIL:/ { pass += $3 }
  /^# SKIP:/ { skip += $3 }
  /^# FAIL:/ { fail += $3 } /^# XPASS:/ { fail += $3 } /^# ERROR:/ { fail += $3 }
  END { printf "%d passed, %d failed, %d skipped\n", pass, fail, skip }
' test-suite.log >quickstart-summary.txt || true
if [ "$status" != 0 ]; then
  grep -h '^not ok\|^ERROR\|^FAIL' tests/*.log tests/cli/*.log 2>/dev/null | head -50 >&2 || true
fi
cat quickstart-summary.txt
rm -f quickstart-summary.txt
exit "$status"
