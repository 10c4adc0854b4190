#!/bin/sh
# bench/images.sh: the cost of auditing the SYSTEM hive inside a disk image
# against its floor, reading that one file out of the image with The Sleuth
# Kit's icat (docs/images.md, docs/performance.md).
#
#   bench/images.sh SMAUDIT GEN-IMAGE HIVE WORKDIR RUNS
#
# Builds (once, in WORKDIR) an NTFS volume holding HIVE as
# Windows/System32/config/SYSTEM behind a GPT table (raw), and the same
# disk as E01 and VHDX where ewfacquirestream and qemu-img exist; then times
# with hyperfine (RUNS runs each): icat of the hive from each image, smaudit
# scan of each image, and smaudit scan of HIVE itself (the audit without the
# image).  Prints a Markdown section: the medians and the ratio of each
# image scan to its icat.  Exit status 3 when a tool is missing.
set -eu
[ $# = 5 ] || { echo "usage: $0 SMAUDIT GEN-IMAGE HIVE WORKDIR RUNS" >&2; exit 2; }
smaudit=$1 gen=$2 hive=$3 work=$4 runs=$5
tool() { PATH="$PATH:/usr/sbin:/sbin" command -v "$1" 2>/dev/null; }
for t in mkntfs sfdisk icat ifind hyperfine python3; do
  tool "$t" >/dev/null || { echo "$0: $t not found" >&2; exit 3; }
done
[ -x "$gen" ] || { echo "$0: $gen not built (Debian ntfs-3g-dev)" >&2; exit 3; }
mkdir -p "$work"
size=$(stat -c %s "$hive")
img=$work/disk-$size.img
if [ ! -f "$img" ] || [ "$img" -ot "$hive" ]; then
  mb=$((size / 1048576 * 2 + 16))
  vol=$work/vol.ntfs
  rm -f "$vol" "$img" "$work"/disk-*.E01 "$work"/disk-*.vhdx
  truncate -s "${mb}M" "$vol"
  "$(tool mkntfs)" -F -q -Q "$vol" >/dev/null 2>&1
  "$gen" "$vol" "Windows/System32/config/SYSTEM=$hive"
  truncate -s "$((mb + 2))M" "$img"
  printf 'label: gpt\nstart=2048, size=%d\n' $((mb * 2048)) | "$(tool sfdisk)" -q "$img" >/dev/null
  dd if="$vol" of="$img" bs=1M seek=1 conv=notrunc status=none
  rm -f "$vol"
fi
inode=$(ifind -o 2048 -n /Windows/System32/config/SYSTEM "$img")
set -- -n icat-raw "icat -o 2048 '$img' $inode" \
  -n scan-raw "'$smaudit' scan --fail-on never '$img'"
if e=$(tool ewfacquirestream); then
  [ -f "$work/disk-$size.E01" ] ||
    "$e" -q -t "$work/disk-$size" -c fast <"$img" >/dev/null 2>&1
  set -- "$@" -n icat-e01 "icat -o 2048 '$work/disk-$size.E01' $inode" \
    -n scan-e01 "'$smaudit' scan --fail-on never '$work/disk-$size.E01'"
fi
if q=$(tool qemu-img); then
  [ -f "$work/disk-$size.vhdx" ] ||
    "$q" convert -f raw -O vhdx "$img" "$work/disk-$size.vhdx"
  set -- "$@" -n icat-vhdx "icat -o 2048 '$work/disk-$size.vhdx' $inode" \
    -n scan-vhdx "'$smaudit' scan --fail-on never '$work/disk-$size.vhdx'"
fi
cat "$img" >/dev/null
load=$(cut -d" " -f1 /proc/loadavg)
hyperfine -N --warmup 1 --runs "$runs" --style none \
  --export-json "$work/images.json" \
  -n scan-file "'$smaudit' scan --fail-on never '$hive'" "$@" >/dev/null 2>&1
load="$load → $(cut -d" " -f1 /proc/loadavg)"
python3 - "$work/images.json" "$size" "$load" <<'PY'
import json, statistics, sys
runs = json.load(open(sys.argv[1]))["results"]
res = {r["command"]: statistics.median(r["times"]) for r in runs}
# CPU time (user + system, means over the runs): on shared cores the wall
# clock measures the other work as much as this.
cpu = {r["command"]: r["user"] + r["system"] for r in runs}
size = int(sys.argv[2])
print("## Disk images: the hive read out of the image\n")
print("SYSTEM hive of %.1f MB in an NTFS volume behind a GPT table; `icat` "
      "of The Sleuth Kit reading that one file out of the image is the floor. "
      "`scan` audits it from the image (partition table, NTFS, the hive, its "
      "logs and SOFTWARE looked for, the audit); `scan-file` audits the hive "
      "file itself. Wall clock: medians; CPU: user + system, means. Load "
      "(1 min) during the runs: %s.\n" % (size / 1e6, sys.argv[3]))
print("| image | icat (ms) | scan of the image (ms) | scan of the hive file (ms) "
      "| scan / (icat + scan of the file), wall | the same in CPU time, "
      "target ≤ 1.3 |")
print("|---|---:|---:|---:|---:|---:|")
for fmt in ("raw", "e01", "vhdx"):
    if "icat-" + fmt not in res:
        continue
    i, s, f = res["icat-" + fmt], res["scan-" + fmt], res["scan-file"]
    ci, cs, cf = cpu["icat-" + fmt], cpu["scan-" + fmt], cpu["scan-file"]
    r, c = s / (i + f), cs / (ci + cf)
    print("| %s | %.1f (CPU %.1f) | %.1f (CPU %.1f) | %.1f (CPU %.1f) | %.2f "
          "| %.2f (%s) |" % (fmt, i * 1e3, ci * 1e3, s * 1e3, cs * 1e3,
                            f * 1e3, cf * 1e3, r, c,
                            "met" if c <= 1.3 else "**not met**"))
PY
