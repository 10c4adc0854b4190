#!/bin/sh
# Evidence where it lies: with -r, disk images found by their content
# (never their names) and audited, E01 segments and VMDK extents not taken
# for images of their own; a hive inside an image named as results name it
# (IMAGE:pN:/PATH); Velociraptor collections extracted, %-encoded volume
# names, shadow copies collected as volumes given role shadow.
. "$(dirname "$0")/setup.sh"

tool() { PATH="$PATH:/usr/sbin:/sbin" command -v "$1" 2>/dev/null; }
GEN="$top_builddir/testdata/gen-image"
MKNTFS=$(tool mkntfs)
need_fixtures win-10 win-7 win-xp sample
boot_baseline "$tmp/b.yaml"
scan() { run scan -q -b "$tmp/b.yaml" --format json --no-hash -j 2 "$@"; }
mk() { mkdir -p "$(dirname "$1")" && cp "$FIXTURES/$2.hiv" "$1"; }

# A Velociraptor collection, extracted: volumes %-encoded under
# uploads/<accessor>/, shadow copies as volumes of their own.
v="$tmp/velo/uploads"
C='%5C%5C.%5CC%3A'
VSS='%5C%5C%3F%5CGLOBALROOT%5CDevice%5CHarddiskVolumeShadowCopy3'
mk "$v/ntfs/$C/Windows/System32/config/SYSTEM" win-10
mk "$v/ntfs/$C/Windows/System32/config/RegBack/SYSTEM" win-7
mk "$v/ntfs/$VSS/Windows/System32/config/SYSTEM" win-7
mk "$v/ntfs/$VSS/Windows/System32/config/RegBack/SYSTEM" win-xp
mk "$v/auto/C%3A/Windows/System32/config/SYSTEM" sample
mkdir -p "$tmp/velo/results" && echo '{}' >"$tmp/velo/results/Windows.KapeFiles.Targets%2FAll File Metadata.json"
scan "$tmp/velo"
check "collection: exit 0 or 1" [ "$rc" -le 1 ]
expect_roles "collection: every volume, the shadow copy's hives with role shadow" <<EOF
velo/uploads/auto/C%3A/Windows/System32/config/SYSTEM system ok
velo/uploads/ntfs/$C/Windows/System32/config/RegBack/SYSTEM regback ok
velo/uploads/ntfs/$C/Windows/System32/config/SYSTEM system ok
velo/uploads/ntfs/$VSS/Windows/System32/config/RegBack/SYSTEM shadow ok
velo/uploads/ntfs/$VSS/Windows/System32/config/SYSTEM shadow ok
EOF
# A name that only looks like one is not a shadow copy.
mk "$tmp/notvss/HarddiskVolumeShadowCopy1x/Windows/System32/config/SYSTEM" sample
scan "$tmp/notvss"
expect_roles "a volume merely named like a shadow copy: role system" <<EOF
notvss/HarddiskVolumeShadowCopy1x/Windows/System32/config/SYSTEM system ok
EOF

if [ ! -x "$GEN" ] || [ -z "$MKNTFS" ]; then
  skip "disk images found by content" "no NTFS volume can be built: needs testdata/gen-image (libntfs-3g) and mkntfs (Debian ntfs-3g)"
  done_testing
  exit 0
fi
W=Windows/System32/config
ntfs() {
  _f=$1 _mb=$2
  shift 2
  rm -f "$_f"
  truncate -s "${_mb}M" "$_f" && "$MKNTFS" -F -q -Q "$_f" >/dev/null 2>&1 &&
    "$GEN" "$_f" "$@"
}
ntfs "$tmp/win.ntfs" 16 "$W/SYSTEM=$FIXTURES/win-10.hiv" \
  "$W/RegBack/SYSTEM=$FIXTURES/win-7.hiv"
check "an NTFS volume is built from the fixtures" [ $? = 0 ]

# A tree of evidence as it lies: images under names that say nothing.
e="$tmp/ev"
mkdir -p "$e/host1" "$e/host2" "$e/host3" "$e/misc"
cp "$tmp/win.ntfs" "$e/host1/evidence.bin"
mk "$e/host4/C/$W/SYSTEM" sample
# An NTFS boot sector kept as a file ($Boot): not a disk.
head -c 8192 "$tmp/win.ntfs" >"$e/misc/\$Boot"
echo "notes" >"$e/misc/notes.txt"
QEMU=$(tool qemu-img)
if [ -n "$QEMU" ]; then
  "$QEMU" convert -f raw -O vhdx "$tmp/win.ntfs" "$e/host2/HOST2"
  # A VMDK in 2 GB extents: the descriptor is the image, its extents are not.
  "$QEMU" convert -f raw -O vmdk -o subformat=twoGbMaxExtentSparse "$tmp/win.ntfs" "$e/host3/disk.vmdk"
  "$QEMU" convert -f raw -O vmdk -o subformat=monolithicFlat "$tmp/win.ntfs" "$e/misc/flat.vmdk"
  # KAPE's container: a VHDX whose volume keeps C/Windows/... (here in a
  # collection folder) beside other files.
  mkdir -p "$e/kape"
  ntfs "$tmp/kape.ntfs" 16 "2026-12-07T101010_HOST30/C/$W/SYSTEM=$FIXTURES/win-7.hiv" \
    "2026-12-07T101010_HOST30/C/Users/u/NTUSER.DAT=$FIXTURES/sample.hiv" &&
    "$QEMU" convert -f raw -O vhdx "$tmp/kape.ntfs" "$e/kape/HOST30.vhdx"
fi
EWF=$(tool ewfacquirestream)
if [ -n "$EWF" ]; then
  mkdir -p "$e/host5"
  "$EWF" -q -t "$e/host5/img" -c none -S 10MiB <"$tmp/win.ntfs" >/dev/null 2>&1
fi
scan -r "$e"
check "-r over images: exit 0 or 1 ($(head -c 300 "$tmp/err"))" [ "$rc" -le 1 ]
{
  echo "ev/host1/evidence.bin:/$W/RegBack/SYSTEM regback ok"
  echo "ev/host1/evidence.bin:/$W/SYSTEM system ok"
  if [ -n "$QEMU" ]; then
    echo "ev/host2/HOST2:/$W/RegBack/SYSTEM regback ok"
    echo "ev/host2/HOST2:/$W/SYSTEM system ok"
    echo "ev/host3/disk.vmdk:/$W/RegBack/SYSTEM regback ok"
    echo "ev/host3/disk.vmdk:/$W/SYSTEM system ok"
    echo "ev/kape/HOST30.vhdx:/2026-12-07T101010_HOST30/C/$W/SYSTEM system ok"
  fi
  echo "ev/host4/C/$W/SYSTEM system ok"
  if [ -n "$EWF" ]; then
    echo "ev/host5/img.E01:/$W/RegBack/SYSTEM regback ok"
    echo "ev/host5/img.E01:/$W/SYSTEM system ok"
  fi
  if [ -n "$QEMU" ]; then
    echo "ev/misc/flat.vmdk:/$W/RegBack/SYSTEM regback ok"
    echo "ev/misc/flat.vmdk:/$W/SYSTEM system ok"
  fi
} >"$tmp/want"
expect_roles "-r: every image by content, each once (no segment, extent or boot sector alone), KAPE's VHDX" <"$tmp/want"
[ -n "$QEMU" ] || skip "VHDX and VMDK found by content" "qemu-img (Debian qemu-utils) not found"
[ -n "$EWF" ] || skip "E01 found by content" "ewfacquirestream (Debian ewf-tools) not found"
scan "$e"
check "without -r, images are not looked for" sh -c '! grep -q "evidence.bin" "$1"' _ "$tmp/out"

# A hive inside an image, named as results name it.
scan "$e/host1/evidence.bin:/$W/RegBack/SYSTEM"
check "IMAGE:/PATH: exit 0 or 1" [ "$rc" -le 1 ]
expect_roles "IMAGE:/PATH: that hive alone" <<EOF
ev/host1/evidence.bin:/$W/RegBack/SYSTEM regback ok
EOF
scan "$e/host1/evidence.bin:/windows/system32/CONFIG/system"
expect_roles "IMAGE:/PATH: in any letter case" <<EOF
ev/host1/evidence.bin:/$W/SYSTEM system ok
EOF
scan "$e/host1/evidence.bin:/$W/SOFTWARE"
check "IMAGE:/PATH of no hive: exit 2" [ "$rc" = 2 ]
check "IMAGE:/PATH of no hive: said" grep -q "no such hive in this disk image" "$tmp/err"
run show "$e/host1/evidence.bin:/$W/RegBack/SYSTEM"
check "show IMAGE:/PATH: the RegBack copy (exit 0)" [ "$rc" = 0 ]
SFDISK=$(tool sfdisk)
if [ -n "$SFDISK" ]; then
  truncate -s 30M "$tmp/gpt.img"
  printf '%s\n' 'label: gpt' 'start=2048, size=8192, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B' \
    'size=32768, type=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7' | "$SFDISK" -q "$tmp/gpt.img" >/dev/null
  dd if="$tmp/win.ntfs" of="$tmp/gpt.img" bs=512 seek=10240 conv=notrunc status=none
  scan "$tmp/gpt.img:p5:/$W/RegBack/SYSTEM"
  expect_roles "IMAGE:pN:/PATH: that partition's hive" <<EOF
gpt.img:p5:/$W/RegBack/SYSTEM regback ok
EOF
  scan "$tmp/gpt.img:p4:/$W/SYSTEM"
  check "IMAGE:pN:/PATH of another partition: exit 2" [ "$rc" = 2 ]
  # Given back what a whole-image scan printed: the same results.
  scan "$tmp/gpt.img"
  target_roles >"$tmp/all"
  "$PYTHON3" -c 'import json,sys; print("\n".join(json.loads(l)["target"] for l in open(sys.argv[1])))' "$tmp/out" >"$tmp/targets"
  # Each printed target one argument (IFS left alone: $SMAUDIT may be a
  # command with arguments, as under valgrind).
  set --
  while IFS= read -r t; do set -- "$@" "$t"; done <"$tmp/targets"
  scan "$@"
  target_roles >"$tmp/again"
  check "the targets a scan printed, given back: the same results" cmp -s "$tmp/all" "$tmp/again"
else
  skip "IMAGE:pN:/PATH" "sfdisk (Debian fdisk) not found"
fi
done_testing
