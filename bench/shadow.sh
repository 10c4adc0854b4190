#!/bin/sh
# bench/shadow.sh: what the volume shadow copies of a disk image cost
# (docs/images.md, "Volume shadow copies"): about one audit per store.
#
#   bench/shadow.sh SMAUDIT GEN-IMAGE GEN-VSS HIVE WORKDIR STORES RUNS
#
# Builds (in WORKDIR) an NTFS volume holding HIVE as its live SYSTEM and
# the same volume with STORES shadow copy stores, each holding HIVE
# changed (one more value per store, so that each store's hive differs),
# written by testdata/gen-vss; then measures the user+sys CPU time of
# smaudit scan (the median of RUNS runs) of the hive file, of the volume
# without stores and of the volume with them, and prints the cost of one
# store in audits of the hive: (with - without) / STORES / file.
set -eu
[ $# = 7 ] || { echo "usage: $0 SMAUDIT GEN-IMAGE GEN-VSS HIVE WORKDIR STORES RUNS" >&2; exit 2; }
smaudit=$1 gen=$2 genvss=$3 hive=$4 work=$5 stores=$6 runs=$7
tool() { PATH="$PATH:/usr/sbin:/sbin" command -v "$1" 2>/dev/null; }
for t in mkntfs python3; do
  tool "$t" >/dev/null || { echo "$0: $t not found" >&2; exit 3; }
done
[ -x "$gen" ] && [ -x "$genvss" ] || { echo "$0: gen-image or gen-vss not built (Debian ntfs-3g-dev)" >&2; exit 3; }
mkdir -p "$work"
size=$(stat -c %s "$hive")
mb=$((size / 1048576 * 2 + 16))
truncate -s 0 "$work/live.ntfs"
truncate -s "${mb}M" "$work/live.ntfs"
"$(tool mkntfs)" -F -q -Q "$work/live.ntfs" >/dev/null 2>&1
"$gen" "$work/live.ntfs" "Windows/System32/config/SYSTEM=$hive"
# Each store: the volume with the hive's last 4 KiB bin changed (a byte of
# slack), so that each store holds blocks of its own.
set --
i=1
while [ "$i" -le "$stores" ]; do
  cp "$work/live.ntfs" "$work/old$i.ntfs"
  python3 -c 'import sys; b = bytearray(open(sys.argv[1], "rb").read()); b[-1] = int(sys.argv[3]) & 0xff; open(sys.argv[2], "wb").write(b)' "$hive" "$work/old$i.hiv" "$i"
  "$gen" "$work/old$i.ntfs" "Windows/System32/config/SYSTEM=$work/old$i.hiv"
  set -- "$@" "$work/old$i.ntfs"
  i=$((i + 1))
done
"$genvss" "$work/vss.img" "$work/live.ntfs" "$@"
rm -f "$work"/old*.ntfs "$work"/old*.hiv
python3 - "$smaudit" "$hive" "$work/live.ntfs" "$work/vss.img" "$stores" "$runs" <<'PY'
import os, resource, statistics, subprocess, sys
smaudit, hive, live, vss, stores, runs = sys.argv[1:5] + [int(sys.argv[5]), int(sys.argv[6])]
def cpu(target):
    times = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run([smaudit, "scan", "--fail-on", "never", target],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        times.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(times)
f, w0, w = cpu(hive), cpu(live), cpu(vss)
print("## Shadow copies (bench/shadow.sh)\n")
print("| what | user+sys CPU, s |\n|---|---|")
print("| scan of the hive file | %.3f |" % f)
print("| scan of the volume | %.3f |" % w0)
print("| scan of the volume with %d stores | %.3f |" % (stores, w))
print("\none store costs %.2f audits of the hive file" % ((w - w0) / stores / f))
PY
