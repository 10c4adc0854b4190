#!/bin/sh
# bench/run.sh: smaudit against the tools users would pick instead.
#
#   bench/run.sh [--smoke] [--ratios] [--runs N] [--rounds N]
#                [--sizes "10 100 500"] [--batch N] [--no-real] [--out DIR]
#
# See docs/performance.md.  On each hive (the real ones of the corpus, then
# generated SYSTEM-like hives of the sizes given, in MB) measures with
# hyperfine the median wall-clock time, and with GNU time the peak memory,
# of: cat (the floor), hivexget of one value (the cost of opening the hive
# with hivex), smaudit scan (current control set, then all: by default,
# with --no-hash, and from a private copy with SMAUDIT_NO_VIEW=1), RegRipper's
# Session Manager plugin set (one rip.pl process, -f with a profile listing
# the plugins) and reglookup of the Session Manager subtree.  The commands
# of a hive are timed in --rounds rounds of --runs runs each, one after the
# other, so that a change of load touches them all alike; a command's
# median is over all its runs.  Then a batch of --batch hard links of a
# real-size hive with smaudit scan -j1 and -j2, with and without the
# digest, in three interleaved rounds.  Prints a Markdown table and writes
# it to OUT/results-DATE.md, with the hyperfine JSON in OUT/results-DATE/
# (not tracked: only the Markdown summary is kept in git).  Last, a SYSTEM
# hive inside raw, E01 and VHDX disk images against icat reading it out
# (bench/images.sh).
#
# --smoke: a 1 MB hive and a batch of 10, one run each, output to a
# temporary directory: checks that the script works (make check runs it).
#
# --ratios: only what issue 24's ratios need (hivexget, openssl, the full
# audit with and without the digest, the floor of a hive with logs, the
# batch, the disk images), 2 rounds: every ratio in about a third of the
# time (make bench BENCH_ARGS=--ratios).
#
# Environment: top_srcdir, top_builddir (default: this script's checkout,
# built in place), SMAUDIT_BENCH_DIR (the cache of generated hives; default
# BUILDDIR/bench/.cache), SMAUDIT_CORPUS (the real hives; default
# SRCDIR/../shared/hives), SMAUDIT_BENCH_NO_BUILD=1 (make bench built it).
set -eu

me=bench/run.sh
die() { echo "$me: $*" >&2; exit 2; }

smoke=no runs= rounds= sizes="10 100 500" batch=1000 real=yes out= ratios=no
while [ $# -gt 0 ]; do
  case $1 in
    --smoke) smoke=yes ;;
    --ratios) ratios=yes ;;
    --runs) runs=$2; shift ;;
    --sizes) sizes=$2; shift ;;
    --batch) batch=$2; shift ;;
    --no-real) real=no ;;
    --out) out=$2; shift ;;
    --rounds) rounds=$2; shift ;;
    -h|--help) sed -n '2,36p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
  shift
done

here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
export top_srcdir top_builddir


# Prerequisites: all Debian packages.
missing=
need() { command -v "$1" >/dev/null 2>&1 || missing="$missing
  $1 (Debian package $2)"; }
need hyperfine hyperfine
need hivexget libhivex-bin
need regripper regripper
need reglookup reglookup
need python3 python3
need make make
need openssl openssl
if ! /usr/bin/time -f %M true >/dev/null 2>&1; then
  missing="$missing
  /usr/bin/time, GNU time, for peak memory (Debian package time)"
fi
if [ -n "$missing" ]; then
  echo "$me: missing prerequisites:$missing" >&2
  exit 3
fi

if [ $smoke = yes ]; then
  sizes=1 batch=10 real=no
  runs=${runs:-1} rounds=${rounds:-1}
fi
[ $ratios = yes ] && rounds=${rounds:-2}
runs=${runs:-5} rounds=${rounds:-4}
hf_runs="--warmup $([ "$runs" = 1 ] && echo 0 || echo 1) --runs $runs"

# Build what the bench needs (make bench has done it already).
if [ "${SMAUDIT_BENCH_NO_BUILD:-}" != 1 ]; then
  [ -f "$top_builddir/Makefile" ] ||
    die "$top_builddir is not configured (autoreconf -fi && ./configure)"
  make -s -C "$top_builddir" smaudit bench/gen-big-hive testdata/win-10.hiv \
    >/dev/null || die "build failed"
  # For the disk images, where libntfs-3g is there.
  make -s -C "$top_builddir" testdata/gen-image >/dev/null 2>&1 || true
fi
smaudit=$top_builddir/smaudit
gen=$top_builddir/bench/gen-big-hive
fixture=$top_builddir/testdata/win-10.hiv
for f in "$smaudit" "$gen" "$fixture"; do
  [ -e "$f" ] || die "$f is missing: build first (make bench)"
done

date=$(date +%Y-%m-%d)
load_start=$(cut -d" " -f1-3 /proc/loadavg)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/smaudit-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 2' INT TERM
if [ $smoke = yes ]; then
  cache=$tmp/cache
  out=${out:-$tmp/out}
else
  cache=${SMAUDIT_BENCH_DIR:-$top_builddir/bench/.cache}
  out=${out:-$top_srcdir/bench}
fi
raw=$out/results-$date
mkdir -p "$cache" "$raw"
corpus=${SMAUDIT_CORPUS:-$top_srcdir/../shared/hives}

: >"$raw/memory.tsv"
: >"$raw/hives.tsv"

# The stand-in baseline, used for a hive no shipped baseline is found for.
python3 "$here/baseline.py" "$top_srcdir/testdata/reg/win-10.reg" \
  >"$tmp/bench-baseline.yaml"
"$smaudit" check-baseline "$tmp/bench-baseline.yaml" >/dev/null ||
  die "the stand-in baseline does not validate"
export SMAUDIT_BASELINE_PATH=${SMAUDIT_BASELINE_PATH:-$top_srcdir/baselines}

# --baseline option for hive $1: none when the shipped baseline detected
# for it loads, else the stand-in.  Sets bl_opt and bl_name.
pick_baseline() {
  if "$smaudit" scan --format json --fail-on never "$1" >"$tmp/probe.json" \
       2>/dev/null &&
     python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); sys.exit(r["error"] is not None)' "$tmp/probe.json"; then
    bl_opt= bl_name="shipped ($(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["baseline"]["name"])' "$tmp/probe.json"), detected)"
  else
    bl_opt="--baseline $tmp/bench-baseline.yaml"
    bl_name="stand-in ($(grep -c '^  - id:' "$tmp/bench-baseline.yaml") rules)"
  fi
}

# RegRipper's Session Manager plugins, as one profile.  rip.pl looks
# profiles up in its plugin directory, so the profile is named by a path
# relative to it.
plugins="appcertdlls pending environment pagefile source_os lsa"
for p in $plugins; do echo "$p"; done >"$tmp/sm-profile"
rip=$(readlink -f "$(command -v regripper)")
plugdir=/usr/lib/regripper/plugins
[ -d "$plugdir" ] || plugdir=$(dirname "$rip")/plugins
profile=$(python3 -c 'import os,sys; print(os.path.relpath(sys.argv[1], sys.argv[2]))' \
  "$tmp/sm-profile" "$plugdir")

# The floor of a dirty hive: its bytes and its logs' read (cat), and hivex's
# open of the hive (hivexget of one value).
cat >"$tmp/logs-floor.sh" <<'SH'
h=$1
cat "$h" "$h".LOG* >/dev/null
exec hivexget "$h" '\ControlSet001\Control\Session Manager' BootExecute
SH

peak_kb() { # peak_kb LABEL HIVE COMMAND...: max RSS of one run
  label=$1 hive=$2
  shift 2
  /usr/bin/time -f %M -o "$tmp/rss" "$@" >/dev/null 2>&1 || true
  printf '%s\t%s\t%s\n' "$hive" "$label" "$(tail -n 1 "$tmp/rss")" \
    >>"$raw/memory.tsv"
}

# hf NAME ARGS...: hyperfine --rounds times over the same commands, into
# NAME.rN.json.
hf() {
  hf_name=$1
  shift
  r=1
  while [ $r -le "$rounds" ]; do
    hyperfine -N $hf_runs --style none --export-json "$raw/$hf_name.r$r.json" \
      "$@" >"$tmp/hf.out" 2>&1 ||
      { cat "$tmp/hf.out" >&2; die "hyperfine failed on $hf_name"; }
    r=$((r + 1))
  done
}

bench_hive() { # bench_hive NAME PATH
  name=$1 h=$2
  pick_baseline "$h"
  size=$(stat -c %s "$h")
  cat "$h" >/dev/null # into the page cache; hyperfine warms it up too
  # How smaudit reads it: through a read-only mount (its own or the
  # private view) or from a copy.
  access=$("$smaudit" scan --format json --fail-on never $bl_opt "$h" 2>/dev/null |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["hive"].get("access", "?"))' ||
    echo "?")
  echo "$me: $name ($size bytes, baseline $bl_name, read: $access)" >&2
  sm_key='\ControlSet001\Control\Session Manager'
  all="scan --control-set all --fail-on never $bl_opt"
  # The floors of issue 24's ratios: the digest alone (openssl), and for a
  # hive with transaction logs, reading hive and logs plus hivexget.
  set -- -n openssl-sha256 "openssl dgst -sha256 '$h'"
  if [ -f "$h.LOG1" ] || [ -f "$h.LOG2" ] || [ -f "$h.LOG" ]; then
    set -- "$@" -n logs-floor "sh '$tmp/logs-floor.sh' '$h'"
  fi
  # The comparisons beyond issue 24's ratios (--ratios leaves them out).
  if [ $ratios = no ]; then
    set -- "$@" -n scan "'$smaudit' scan --fail-on never $bl_opt '$h'" \
      -n scan-all-copy "env SMAUDIT_NO_VIEW=1 '$smaudit' $all '$h'" \
      -n scan-all-copy-nohash "env SMAUDIT_NO_VIEW=1 '$smaudit' $all --no-hash '$h'" \
      -n regripper "regripper -r '$h' -f '$profile'" \
      -n reglookup "reglookup -p '/ControlSet001/Control/Session Manager' '$h'"
  fi
  load=$(cut -d" " -f1 /proc/loadavg)
  # hyperfine -N runs each command without a shell; arguments are split as
  # a shell would, so paths are quoted.
  hf "$name" \
    -n cat "cat '$h'" \
    -n hivexget "hivexget '$h' '$sm_key' BootExecute" \
    -n scan-all "'$smaudit' $all '$h'" \
    -n scan-all-nohash "'$smaudit' $all --no-hash '$h'" \
    "$@"
  load="$load → $(cut -d" " -f1 /proc/loadavg)"
  peak_kb cat "$name" cat "$h"
  peak_kb hivexget "$name" hivexget "$h" "$sm_key" BootExecute
  peak_kb scan-all "$name" "$smaudit" $all "$h"
  peak_kb scan-all-nohash "$name" "$smaudit" $all --no-hash "$h"
  if [ $ratios = no ]; then
    peak_kb scan "$name" "$smaudit" scan --fail-on never $bl_opt "$h"
    peak_kb scan-all-copy "$name" env SMAUDIT_NO_VIEW=1 "$smaudit" $all "$h"
    peak_kb scan-all-copy-nohash "$name" env SMAUDIT_NO_VIEW=1 "$smaudit" $all --no-hash "$h"
    peak_kb regripper "$name" regripper -r "$h" -f "$profile"
    peak_kb reglookup "$name" reglookup -p '/ControlSet001/Control/Session Manager' "$h"
  fi
  cached=$(fincore -nb -o RES "$h" 2>/dev/null | tr -d ' ' || true)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$size" "$bl_name" "${cached:-?}" \
    "$h" "$access" "$load" >>"$raw/hives.tsv"
}

if [ $real = yes ]; then
  for h in "$corpus"/*/SYSTEM; do
    [ -f "$h" ] || continue
    bench_hive "$(basename "$(dirname "$h")")" "$h"
  done
fi

# Generated hives: the win-10 layout plus N service keys (not timed).
for mb in $sizes; do
  g=$cache/system-${mb}mb.hiv
  if [ ! -f "$g" ] || [ "$g" -ot "$gen" ] || [ "$g" -ot "$fixture" ]; then
    echo "$me: generating $g" >&2
    "$gen" "$fixture" "$mb" "$g" >/dev/null
  fi
  bench_hive "generated-${mb}mb" "$g"
done

# A batch of hard links of one real-size hive: a copy of the corpus's win7
# hive (the corpus itself is never linked to: that would change the link
# count and ctime of its files), else a generated 11 MB hive; the fixture
# for --smoke.
bsrc=$fixture
if [ $smoke = no ] && [ -f "$corpus/win7-sp1-x86/SYSTEM" ]; then
  bsrc=$corpus/win7-sp1-x86/SYSTEM
elif [ $smoke = no ]; then
  bsrc=$cache/system-11mb.hiv
  [ -f "$bsrc" ] && [ "$bsrc" -nt "$gen" ] || "$gen" "$fixture" 11 "$bsrc" >/dev/null
fi
bdir=$cache/batch-$batch
if [ ! -f "$bdir/h$batch.hiv" ] || ! cmp -s "$bsrc" "$bdir/h1.hiv"; then
  rm -rf "$bdir"
  mkdir -p "$bdir"
  cp "$bsrc" "$bdir/h1.hiv"
  i=2
  while [ $i -le "$batch" ]; do
    ln "$bdir/h1.hiv" "$bdir/h$i.hiv" 2>/dev/null || cp "$bdir/h1.hiv" "$bdir/h$i.hiv"
    i=$((i + 1))
  done
fi
pick_baseline "$bdir/h1.hiv"
files=$(i=1; while [ $i -le "$batch" ]; do printf 'h%d.hiv ' $i; i=$((i + 1)); done)
half=$((batch / 2))
files1=$(i=1; while [ $i -le "$half" ]; do printf 'h%d.hiv ' $i; i=$((i + 1)); done)
files2=$(i=$((half + 1)); while [ $i -le "$batch" ]; do printf 'h%d.hiv ' $i; i=$((i + 1)); done)
scan="'$smaudit' scan --fail-on never $bl_opt"
echo "$me: batch of $batch (copies of $bsrc, baseline $bl_name)" >&2
# Three rounds, each running every command once: -j1 and -j2 alternate.
bload=$(cut -d" " -f1 /proc/loadavg)
r=1
nr=$([ $smoke = yes ] && echo 1 || echo 3)
while [ $r -le "$nr" ]; do
  (cd "$bdir" && hyperfine -N --warmup 0 --runs 1 --style none \
     --export-json "$raw/batch.r$r.json" \
     -n scan-j1 "$scan -j1 $files" -n scan-j2 "$scan -j2 $files" \
     -n scan-nohash-j1 "$scan --no-hash -j1 $files" \
     -n scan-nohash-j2 "$scan --no-hash -j2 $files" \
     -n halves-nohash "sh -c \"$scan --no-hash -j1 $files1 >/dev/null & $scan --no-hash -j1 $files2 >/dev/null; wait\"") \
     >"$tmp/hf.out" 2>&1 ||
    { cat "$tmp/hf.out" >&2; die "hyperfine failed on the batch"; }
  r=$((r + 1))
done
bload="$bload → $(cut -d" " -f1 /proc/loadavg)"
# Peak memory of the largest process of a -j2 batch (a worker).
(cd "$bdir" && peak_kb scan-j2 batch "$smaudit" scan --fail-on never $bl_opt -j2 $files)
printf 'batch\t%s\t%s\t?\t%s\t%s\t%s\n' "$(stat -c %s "$bsrc")" "$bl_name" "$bdir" \
  "$(basename "$(dirname "$bsrc")")/$(basename "$bsrc")" "$bload" >>"$raw/hives.tsv"

# Baselines parsed once per run: count the opens of the baseline file in a
# scan of 3 hives.
bfile=$tmp/bench-baseline.yaml
[ -z "$bl_opt" ] && bfile=$SMAUDIT_BASELINE_PATH
opens=n/a
if command -v strace >/dev/null 2>&1; then
  (cd "$bdir" && strace -f -e trace=open,openat -o "$tmp/strace" \
     "$smaudit" scan --fail-on never $bl_opt h1.hiv h2.hiv h3.hiv >/dev/null 2>&1) || true
  # O_PATH: the look before the open (base/evidence.c), not a read.
  opens=$(grep -v O_PATH "$tmp/strace" | grep -c "$(basename "$bfile")\|\.yaml" || true)
fi
echo "$opens" >"$raw/baseline-opens.txt"

# The machine, for the report.
{
  echo "cpu	$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
  echo "cores	$(nproc)"
  echo "sha_ni	$(grep -q sha_ni /proc/cpuinfo && echo yes || echo no)"
  echo "memory	$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
  echo "kernel	$(uname -sr)"
  echo "load	at start $load_start, at end $(cut -d" " -f1-3 /proc/loadavg)"
  echo "disk	$(df -h "$cache" | awk 'NR == 2 {print $1 " (" $2 ")"}')"
  echo "smaudit	$(cd "$top_srcdir" && git describe --always --dirty 2>/dev/null || echo unknown)"
  echo "hyperfine	$(hyperfine --version)"
  echo "runs	$rounds rounds of $hf_runs"
  echo "regripper-plugins	$plugins"
  echo "user	$(id -un)"
  echo "view	$("$smaudit" show "$fixture" 2>/dev/null | sed -n 's/^read: *//p')"
} >"$raw/machine.tsv"

python3 "$here/report.py" "$raw" "$date" | tee "$out/results-$date.md"

# Disk images: the hive audited inside an image, against icat reading it out
# (bench/images.sh; skipped, saying why, without its tools).
ihive=$fixture
if [ $smoke = no ] && [ -f "$corpus/win7-sp1-x86/SYSTEM" ]; then
  ihive=$corpus/win7-sp1-x86/SYSTEM
fi
if sh "$here/images.sh" "$smaudit" "$top_builddir/testdata/gen-image" "$ihive" \
  "$cache/images" "$runs" >"$tmp/images.md" 2>"$tmp/images.err"; then
  { echo; cat "$tmp/images.md"; } | tee -a "$out/results-$date.md"
else
  echo "$me: disk images not measured: $(tail -n 1 "$tmp/images.err")" >&2
fi
# The files behind the findings: what checking them adds to an image's
# scan (bench/files.sh; skipped, saying why, without ../shared/pe).
fhive=$fixture
[ $smoke = no ] && [ -f "$corpus/win10-1709-x64/SYSTEM" ] &&
  fhive=$corpus/win10-1709-x64/SYSTEM
if [ $ratios = yes ]; then
  echo "$me: files not measured (--ratios)" >&2
elif sh "$here/files.sh" "$smaudit" "$top_builddir/testdata/gen-image" "$fhive" \
  "$top_builddir/testdata/software-10.hiv" "${SMAUDIT_PE:-$(dirname "$corpus")/pe}" \
  "$cache/files" "$runs" >"$tmp/files.md" 2>"$tmp/files.err"; then
  { echo; cat "$tmp/files.md"; } | tee -a "$out/results-$date.md"
else
  echo "$me: files not measured: $(tail -n 1 "$tmp/files.err")" >&2
fi
echo "$me: wrote $out/results-$date.md and $raw/" >&2
