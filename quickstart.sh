#!/bin/sh
# Quick start on Debian 12: install what is missing, build, then either run
# smaudit on the bundled sample (demo) or run the whole test suite (check).
#   ./quickstart.sh demo
#   ./quickstart.sh check
# Runs as root or as a user who may sudo.  One line per stage on stderr;
# the output of each stage is kept in quickstart.log, the tests' own in
# test-suite.log and tests/**/*.log.
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

log=quickstart.log
: >"$log"
say() { echo "quickstart: $*" >&2; }
# stage TITLE COMMAND...: one line, the command's output in the log.
stage() {
  _title=$1
  shift
  say "$_title"
  echo "=== $_title: $*" >>"$log"
  if ! "$@" >>"$log" 2>&1; then
    say "FAILED: $_title; read $(pwd)/$log"
    tail -n 15 "$log" >&2
    exit 2
  fi
}

# Needed to build and test (the README's "Building" table) ...
deps="build-essential autoconf automake pkg-config
libhivex-dev libyaml-dev libjansson-dev nettle-dev libtsk-dev libewf-dev libssl-dev
libarchive-dev
libvshadow-dev libbfio-dev libcmocka-dev
libhivex-bin python3 python3-jsonschema"
# ... and optional tools whose tests skip without them (the disk-image
# tests: NTFS volumes, partition tables, VHD/VHDX/VMDK, E01, and icat for
# the benchmark).
[ "$mode" = check ] && deps="$deps strace groff-base man-db ntfs-3g-dev
ntfs-3g fdisk qemu-utils ewf-tools sleuthkit libvshadow-utils clang lld llvm osslsigncode python3-yaml
reglookup"
missing=""
for p in $deps; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
    missing="$missing $p"
done
if [ -n "$missing" ]; then
  sudo=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || {
      say "missing packages:$missing; install them as root, or install sudo"
      exit 2
    }
    sudo=sudo
  fi
  stage "updating the package lists" $sudo apt-get update -qq
  stage "installing$missing" $sudo env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq $missing
fi

if ! [ -x configure ] || [ configure.ac -nt configure ]; then
  stage "generating configure (autoreconf)" autoreconf -fi
fi
# Configure again when packages were just installed, or when the build was
# configured without libntfs-3g that is there now (by "demo", which does
# not install it): configure decides whether the image tests' gen-image is
# built, and a Makefile left from before would keep them skipped.
reconfigure=""
[ -n "$missing" ] && reconfigure=yes
if [ -f config.status ] && pkg-config --exists libntfs-3g 2>/dev/null &&
  grep -q '^S\["HAVE_NTFS3G_TRUE"\]="#"' config.status; then
  reconfigure=yes
fi
if [ ! -f Makefile ] || [ -n "$reconfigure" ]; then
  stage "configuring" ./configure --enable-werror
fi
jobs=$(nproc 2>/dev/null || echo 2)
stage "building smaudit" make -j"$jobs"

if [ "$mode" = demo ]; then
  exec make -s demo
fi

stage "building the tests and their fixtures" make -j"$jobs" check TESTS=
say "running the tests (a line per test program; about 1-3 minutes)"
find tests bench -name '*.trs' -exec rm -f {} +
{
  status=0
  make -j"$jobs" check >>"$log" 2>&1 || status=$?
  echo "$status" >quickstart-status
} &
pid=$!
# Each test program writes its .trs when it ends: say that it ended.
seen=""
report_ended() {
  for trs in $(find tests bench -name '*.trs' 2>/dev/null | sort); do
    case " $seen " in *" $trs "*) continue ;; esac
    r=$(sed -n 's/^:global-test-result: //p' "$trs" 2>/dev/null)
    [ -n "$r" ] || continue
    seen="$seen $trs"
    say "  ${trs%.trs}: $r"
  done
}
while kill -0 "$pid" 2>/dev/null; do
  sleep 2
  report_ended
done
wait "$pid" || true
report_ended
status=$(cat quickstart-status 2>/dev/null || echo 2)
rm -f quickstart-status

# Every skipped test point, with its reason, grouped by program and reason.
summary=$(grep -h '^SKIP: ' "$log" | awk '
  {
    prog = $2
    line = $0
    i = index(line, " # SKIP ")
    if (i) reason = substr(line, i + 8)
    else { j = index(line, " - "); reason = j ? substr(line, j + 3) : "" }
    key = prog ": " reason
    if (!(key in n)) order[++k] = key
    n[key]++
  }
  END { for (i = 1; i <= k; i++) printf "  skipped %d in %s\n", n[order[i]], order[i] }')
if [ -n "$summary" ]; then
  echo "Skipped tests, and why (install the tool or allow the facility named to run them):"
  echo "$summary"
fi
if [ "$status" != 0 ]; then
  echo "Failed:"
  grep -h '^FAIL: \|^ERROR: \|^XPASS: ' "$log" | head -50 || true
  logs=$(grep -l '^:global-test-result: \(FAIL\|ERROR\)' $(find tests bench -name '*.trs') 2>/dev/null |
    sed 's/\.trs$/.log/' | tr '\n' ' ')
  echo "Read ${logs:-$log} (all results: test-suite.log; make's output: $log)"
fi
# Automake counts TAP test points; say them as one closing line.
if [ -f test-suite.log ]; then
  awk '
    /^# PASS:/ { pass += $3 } /^# XFAIL:/ { pass += $3 }
    /^# SKIP:/ { skip += $3 }
    /^# FAIL:/ { fail += $3 } /^# XPASS:/ { fail += $3 } /^# ERROR:/ { fail += $3 }
    END { printf "%d passed, %d failed, %d skipped\n", pass, fail, skip }
  ' test-suite.log
else
  echo "0 passed, 1 failed, 0 skipped (no test-suite.log: read $log)"
  status=2
fi
exit "$status"
