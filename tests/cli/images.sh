#!/bin/sh
# smaudit scan DISK-IMAGE: raw (MBR, GPT, no table), split raw, E01, VHD,
# VHDX and VMDK images built here from the fixture hives (nothing binary in
# the repository), read without mounting: the findings of each equal those
# of the hive file scanned directly, the image never changes, and every bad
# image gives its clear error.
. "$(dirname "$0")/setup.sh"
. "$(dirname "$0")/images-lib.sh"

W=WINDOWS/system32/CONFIG # letter case as it may be stored
# disk OUT LABEL VOLUME: a 30 MiB disk, an EFI partition (4 MiB, no file
# system) and an NTFS data volume (8 MiB) before the Windows one (16 MiB).
disk() {
  _o=$1
  rm -f "$_o"
  truncate -s 30M "$_o"
  if [ "$2" = gpt ]; then
    printf '%s\n' 'label: gpt' \
      'start=2048, size=8192, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name="EFI system partition"' \
      'size=16384, type=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7, name="Data"' \
      'size=32768, type=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7, name="Basic data partition"'
  else
    printf '%s\n' 'label: dos' 'start=2048, size=8192, type=ef' \
      'size=16384, type=7' 'size=32768, type=7'
  fi | "$SFDISK" -q "$_o" >/dev/null &&
    dd if="$tmp/data.ntfs" of="$_o" bs=512 seek=10240 conv=notrunc status=none &&
    dd if="$3" of="$_o" bs=512 seek=26624 conv=notrunc status=none
}
# strip: the results on stdin without where they came from, one per line.
strip() {
  "$PYTHON3" -c '
import json, sys
for line in sys.stdin:
    o = json.loads(line)
    for k in ("target", "origin", "image", "role", "volume",
              "live_differences", "removed"):
        o.pop(k, None)
    for f in o.get("findings", []):
        f.pop("history", None)
    if o.get("hive"):
        for k in ("path", "in_place", "access"):
            o["hive"].pop(k, None)
    # The files findings name are looked up in the volume (tests/cli/files.sh).
    for f in o.get("findings", []):
        f.pop("files", None)
    print(json.dumps(o, sort_keys=True))'
}
# field EXPR: a Python expression on each result (as o), one line each.
field() {
  "$PYTHON3" -c '
import json, sys
for line in sys.stdin:
    o = json.loads(line)
    r = eval(sys.argv[1])
    print(" ".join(map(str, r)) if isinstance(r, tuple) else r)' "$1" <"$tmp/out"
}
ntfs "$tmp/data.ntfs" 8 "Data/readme.txt=$top_srcdir/README.md" &&
  ntfs "$tmp/win.ntfs" 16 "$W/SYSTEM=$FIXTURES/win-10.hiv" \
    "$W/RegBack/SYSTEM=$FIXTURES/win-7.hiv"
check "an NTFS volume is built from the fixtures" [ $? = 0 ]

# The same hives scanned as files: what every image must give.
mkdir "$tmp/direct"
run scan --format json "$FIXTURES/win-10.hiv"
strip <"$tmp/out" >"$tmp/want-system"
run scan --format json "$FIXTURES/win-7.hiv"
strip <"$tmp/out" >"$tmp/want-regback"
# RegBack against live: what smaudit diff says of the two hive files.
run diff --format json "$FIXTURES/win-7.hiv" "$FIXTURES/win-10.hiv"
"$PYTHON3" -c 'import json, sys
print(json.dumps(json.load(sys.stdin)["differences"], sort_keys=True))' \
  <"$tmp/out" >"$tmp/want-live"

# hist: each finding's history and what was removed, of the first result.
hist() {
  head -n 1 | "$PYTHON3" -c 'import json, sys
o = json.load(sys.stdin)
def k(f):
    return [f["rule"], f["key"], f["value"], f["observed"],
            [s["source"] for s in f.get("history", {}).get("sources", [])]]
print(json.dumps(sorted(map(k, o["findings"] + o.get("removed", [])))))'
}
# The same hives as a mounted volume: the history the image must give.
mkdir -p "$tmp/fvol/WINDOWS/system32/CONFIG/RegBack"
cp "$FIXTURES/win-10.hiv" "$tmp/fvol/WINDOWS/system32/CONFIG/SYSTEM"
cp "$FIXTURES/win-7.hiv" "$tmp/fvol/WINDOWS/system32/CONFIG/RegBack/SYSTEM"
run scan --format json --fail-on never "$tmp/fvol"
hist <"$tmp/out" >"$tmp/want-hist"
check "a volume: the live hive's removed[] lists what only RegBack holds" \
  "$PYTHON3" -c 'import json, sys
o = json.loads(open(sys.argv[1]).readline())
assert o["removed"] and all(f["history"]["sources"][0]["source"] == "regback"
                            for f in o["removed"])' "$tmp/out"

# same NAME IMAGE PARTITION: the image gives exactly the direct findings.
same() {
  facts "$2" >"$tmp/before"
  run scan --format json "$2"
  check "$1: exit 0 ($(head -c 300 "$tmp/err"))" [ "$rc" = 0 ]
  n=$(wc -l <"$tmp/out")
  check "$1: two results, SYSTEM and RegBack (got $n)" [ "$n" = 2 ]
  head -n 1 "$tmp/out" | strip >"$tmp/got"
  check "$1: findings of SYSTEM equal the hive file's" cmp -s "$tmp/got" "$tmp/want-system"
  sed -n 2p "$tmp/out" | strip >"$tmp/got"
  check "$1: RegBack audited, equal to the hive file's" cmp -s "$tmp/got" "$tmp/want-regback"
  check "$1: origin named (partition $3, path inside)" [ "$(field '(o["image"]["partition"], o["image"]["path"], o["role"])' | head -n 1)" = "$3 /WINDOWS/system32/CONFIG/SYSTEM system" ]
  sed -n 2p "$tmp/out" | "$PYTHON3" -c 'import json, sys
o = json.load(sys.stdin)["live_differences"]
assert o["live"].endswith(":/WINDOWS/system32/CONFIG/SYSTEM"), o["live"]
print(json.dumps(o["differences"], sort_keys=True))' >"$tmp/got" 2>&1
  check "$1: RegBack against live, as diff of the two files says" cmp -s "$tmp/got" "$tmp/want-live"
  hist <"$tmp/out" >"$tmp/got"
  check "$1: history and removed, as for the volume's files" cmp -s "$tmp/got" "$tmp/want-hist"
  check "$1: RegBack's role and path" [ "$(field '(o["role"], o["image"]["path"])' | sed -n 2p)" = "regback /WINDOWS/system32/CONFIG/RegBack/SYSTEM" ]
  facts "$2" >"$tmp/after"
  check "$1: the image is unchanged (bytes, size, times)" cmp -s "$tmp/before" "$tmp/after"
}

# No partition table: the volume itself.
cp "$tmp/win.ntfs" "$tmp/volume.img"
same "raw volume" "$tmp/volume.img" None

if [ -z "$SFDISK" ]; then
  skip "MBR and GPT images" "sfdisk (Debian fdisk) not found"
else
  disk "$tmp/mbr.img" dos "$tmp/win.ntfs"
  same "raw MBR" "$tmp/mbr.img" 4
  disk "$tmp/gpt.img" gpt "$tmp/win.ntfs"
  same "raw GPT" "$tmp/gpt.img" 6
  check "GPT: the partition's name is its description" [ "$(field 'o["image"]["description"]' | head -n 1)" = "Basic data partition" ]

  # Split raw: the first segment names the image.
  mkdir "$tmp/split"
  split -b 10M -d -a 3 --numeric-suffixes=1 "$tmp/gpt.img" "$tmp/split/disk.raw."
  same "split raw" "$tmp/split/disk.raw.001" 6

  if QEMU=$(tool qemu-img); then
    for fmt in vpc vhdx vmdk; do
      "$QEMU" convert -f raw -O $fmt "$tmp/gpt.img" "$tmp/disk.$fmt"
      same "$fmt (qemu-img)" "$tmp/disk.$fmt" 6
    done
  else
    skip "VHD, VHDX and VMDK" "qemu-img (Debian qemu-utils) not found"
  fi

  if EWF=$(tool ewfacquirestream); then
    mkdir "$tmp/ewf"
    "$EWF" -q -t "$tmp/ewf/disk" -c none -S 10MiB <"$tmp/gpt.img" >/dev/null 2>&1
    same "E01 in segments" "$tmp/ewf/disk.E01" 6
    mv "$tmp/ewf/disk.E02" "$tmp/disk.E02"
    run scan --format json "$tmp/ewf/disk.E01"
    check "E01 with a segment missing: exit 2" [ "$rc" = 2 ]
    check "E01 with a segment missing: the image named" grep -q "^smaudit: $tmp/ewf/disk.E01: incomplete E01: segment 2 is missing" "$tmp/err"
    # A segment cut short: named, not read as zeros and blamed on the hive.
    head -c 3145728 "$tmp/disk.E02" >"$tmp/ewf/disk.E02"
    run scan --format json "$tmp/ewf/disk.E01"
    check "E01 with a segment cut short: exit 2" [ "$rc" = 2 ]
    check "E01 with a segment cut short: the segment named" grep -q "^smaudit: $tmp/ewf/disk.E01: damaged E01: segment 2 is truncated or damaged" "$tmp/err"
  else
    skip "E01" "ewfacquirestream (Debian ewf-tools) not found"
  fi

  # A damaged partition does not stop the others.
  cp "$tmp/mbr.img" "$tmp/bad.img"
  printf 'NTFS    \377\377' | dd of="$tmp/bad.img" bs=1 seek=$((10240 * 512 + 3)) conv=notrunc status=none
  run scan --format json "$tmp/bad.img"
  check "damaged partition: exit 2" [ "$rc" = 2 ]
  check "damaged partition: said, the others audited" [ "$(field '(o["error"] is None, o["role"])' | tr '\n' ' ')" = "False system True system True regback " ]
  check "damaged partition: named" grep -q "bad.img: partition 3 (NTFS / exFAT (0x07), offset 5242880): damaged NTFS volume" "$tmp/err"

  # Truncated: the Windows partition runs past the end.
  head -c 20M "$tmp/gpt.img" >"$tmp/short.img"
  run scan "$tmp/short.img"
  check "truncated image: exit 2" [ "$rc" = 2 ]
  check "truncated image: the image named" grep -q "^smaudit: $tmp/short.img" "$tmp/err"
fi

# BitLocker: said so.
cp "$tmp/win.ntfs" "$tmp/bitlocker.img"
printf -- '-FVE-FS-' | dd of="$tmp/bitlocker.img" bs=1 seek=3 conv=notrunc status=none
run scan "$tmp/bitlocker.img"
check "BitLocker: exit 2" [ "$rc" = 2 ]
check "BitLocker: said so" grep -q "bitlocker.img: the volume: BitLocker-encrypted volume (-FVE-FS- signature)" "$tmp/err"

# No Windows volume: only a data volume.
cp "$tmp/data.ntfs" "$tmp/data.img"
run scan "$tmp/data.img"
check "no Windows volume: exit 2" [ "$rc" = 2 ]
check "no Windows volume: said, with what was found" grep -q "^smaudit: $tmp/data.img: no Windows volume in this disk image (the volume: NTFS without" "$tmp/err"

# Not NTFS: a volume with an MBR signature and no file system.
head -c 1M /dev/zero >"$tmp/zero.img"
printf '\125\252' | dd of="$tmp/zero.img" bs=1 seek=510 conv=notrunc status=none
run scan "$tmp/zero.img"
check "no NTFS: exit 2, said" [ "$rc" = 2 ] && grep -q "zero.img: no Windows volume" "$tmp/err"

# A hive, a folder and an image on one command line.
mkdir -p "$tmp/tree/C/Windows/System32/config"
cp "$FIXTURES/win-7.hiv" "$tmp/tree/C/Windows/System32/config/SYSTEM"
run scan --format json "$FIXTURES/win-10.hiv" "$tmp/tree" "$tmp/volume.img"
check "mixed targets: exit 0" [ "$rc" = 0 ]
check "mixed targets: hive, folder, image in order" [ "$(field '(o["image"] is None, o["role"])' | tr '\n' ' ')" = "True system True system False system False regback " ]

# Every format carries the origin.
run scan --format csv "$tmp/volume.img"
check "CSV names the image and the path inside" grep -q "volume.img:/WINDOWS/system32/CONFIG/SYSTEM" "$tmp/out"
run scan --format sarif "$tmp/volume.img"
check "SARIF locates the image file" "$PYTHON3" -c '
import json, sys
d = json.load(open(sys.argv[1]))
locs = [l for r in d["runs"][0]["results"] for l in r["locations"]]
assert locs, "no locations"
for l in locs:
    u = l["physicalLocation"]["artifactLocation"]["uri"]
    assert u.endswith("volume.img"), u
' "$tmp/out"
run scan "$tmp/volume.img"
check "text names the image and the path inside" grep -q "volume.img:/WINDOWS/system32/CONFIG/SYSTEM" "$tmp/out"

# A dirty hive with its logs inside the image is replayed.
src="$CORPUS/win10-1709-x64"
if have_corpus && [ -f "$src/SYSTEM.LOG1" ]; then
  ntfs "$tmp/dirty.img" 40 "Windows/System32/config/SYSTEM=$src/SYSTEM" \
    "Windows/System32/config/SYSTEM.LOG1=$src/SYSTEM.LOG1" \
    "Windows/System32/config/SYSTEM.LOG2=$src/SYSTEM.LOG2"
  run scan --format json "$tmp/dirty.img"
  check "dirty hive in an image: replayed from both logs" [ "$(field '(o["hive"]["recovery"]["recovered"], o["hive"]["recovery"]["entries"], o["hive"]["recovery"]["logs"])')" = "True 24 SYSTEM.LOG1,SYSTEM.LOG2" ]
  mkdir "$tmp/dirty"
  cp "$src/SYSTEM" "$src/SYSTEM.LOG1" "$src/SYSTEM.LOG2" "$tmp/dirty/"
  strip <"$tmp/out" >"$tmp/got"
  run scan --format json "$tmp/dirty/SYSTEM"
  strip <"$tmp/out" >"$tmp/want"
  check "dirty hive in an image: findings equal the files'" cmp -s "$tmp/got" "$tmp/want"
else
  skip "dirty hive with logs in an image" "win10-1709-x64 with its logs not found in $CORPUS"
fi

# The commands that take one hive take an image with one Windows volume.
# (written outside the image's folder: smaudit never writes beside evidence)
outdir=$(mktemp -d "${TMPDIR:-/tmp}/smaudit-out.XXXXXX")
run show --format json "$tmp/volume.img"
check "show IMAGE: exit 0, the hive inside" [ "$rc" = 0 ] && grep -q '"volume.img:/WINDOWS/system32/CONFIG/SYSTEM"' "$tmp/out"
run learn "$tmp/volume.img" -o "$outdir/learned.yaml"
check "learn IMAGE: exit 0" [ "$rc" = 0 ]
run scan --format json --baseline "$outdir/learned.yaml" "$tmp/volume.img"
check "scan with the baseline learned from the image: SYSTEM has no finding" [ "$(field 'len(o["findings"])' | head -n 1)" = 0 ]
run diff "$tmp/volume.img" "$FIXTURES/win-10.hiv"
check "diff IMAGE HIVE: no differences" grep -q "no differences in the audited keys" "$tmp/out"
run recover "$tmp/volume.img" -o "$outdir/recovered.hiv"
check "recover IMAGE: a clean hive is not written (exit 0)" [ "$rc" = 0 ] && [ ! -e "$outdir/recovered.hiv" ]
if [ -f "$tmp/mbr.img" ]; then
  # A damaged volume may be the Windows volume meant: show says it, names
  # the readable one, and shows nothing (it picked the readable one,
  # silently, before); named, the readable hive is shown.
  run show "$tmp/bad.img"
  check "show of an image with a damaged volume besides a readable one: exit 2 ($rc)" [ "$rc" = 2 ]
  check "show of an image with a damaged volume: said, the readable hive named" \
    grep -q "partition 3 (NTFS / exFAT (0x07), offset 5242880): damaged NTFS volume.*bad.img:p[0-9]*:/WINDOWS/system32/CONFIG/SYSTEM can be read" "$tmp/err"
  good=$(sed -n 's/.*; \(.*bad.img:p[0-9]*:[^ ]*\) can be read.*/\1/p' "$tmp/err")
  run show "$good"
  check "show of the readable hive, named: exit 0 ($rc)" [ "$rc" = 0 ]
fi
run show "$tmp/data.img"
check "show of an image without Windows: exit 2, said" [ "$rc" = 2 ] && grep -q "data.img: no Windows volume" "$tmp/err"
rm -rf "$outdir"

# Nothing is ever opened for writing: every open of an image file, traced.
if command -v strace >/dev/null && strace -f -o /dev/null true 2>/dev/null; then
  for img in "$tmp/volume.img" "$tmp/disk.vmdk" "$tmp/disk.vhdx" "$tmp/disk.vpc" "$tmp/ewf/disk.E01"; do
    [ -f "$img" ] || continue
    strace -f -e trace=open,openat -o "$tmp/trace" "$SMAUDIT_BIN" scan "$img" >/dev/null 2>&1
    b=$(basename "$img" | sed 's/\.[^.]*$//')
    check "$(basename "$img"): opened read-only, never for writing" \
      sh -c '! grep "$1" "$2" | grep -q "O_WRONLY\|O_RDWR\|O_CREAT"' _ "$b" "$tmp/trace"
  done
else
  skip "image files opened read-only" "strace not available"
fi

# As an ordinary user who can read the image.
why=$(nobody_why)
if [ -z "$why" ]; then
  chmod 755 "$tmp" && chmod 644 "$tmp/volume.img"
  rc=0
  setpriv --reuid=65534 --regid=65534 --clear-groups "$SMAUDIT_BIN" scan "$tmp/volume.img" >/dev/null 2>"$tmp/err" || rc=$?
  check "works as an ordinary user (exit $rc)" [ "$rc" = 0 ]
else
  skip "as an ordinary user" "$why"
fi
done_testing
