# Sourced by the disk-image tests after setup.sh: the tools that build
# images, and helpers.  Skips the whole test (exit 0) when no NTFS volume
# can be built.
tool() { PATH="$PATH:/usr/sbin:/sbin" command -v "$1" 2>/dev/null; }
GEN="$top_builddir/testdata/gen-image"
MKNTFS=$(tool mkntfs)
SFDISK=$(tool sfdisk)
for f in win-10 win-7; do
  if [ ! -f "$FIXTURES/$f.hiv" ]; then
    echo "1..0 # SKIP fixtures not generated"
    exit 0
  fi
done
if [ ! -x "$GEN" ] || [ -z "$MKNTFS" ]; then
  echo "1..0 # SKIP no NTFS volume can be built: needs testdata/gen-image (libntfs-3g, Debian ntfs-3g-dev) and mkntfs (Debian ntfs-3g)"
  exit 0
fi

# ntfs FILE MIB DEST[@SIZE]=SRC...: an NTFS volume holding the given files
# (@SIZE: made SIZE bytes long by a hole, a sparse file).
ntfs() {
  _f=$1 _mb=$2
  shift 2
  rm -f "$_f"
  truncate -s "${_mb}M" "$_f" && "$MKNTFS" -F -q -Q "$_f" >/dev/null 2>&1 &&
    "$GEN" "$_f" "$@"
}
# facts FILE: size, times and SHA-256, read without touching its access time.
facts() {
  "$PYTHON3" -c '
import hashlib, os, sys
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_NOATIME)
h = hashlib.sha256()
while True:
    b = os.read(fd, 1 << 20)
    if not b:
        break
    h.update(b)
st = os.fstat(fd)
print(st.st_size, st.st_mtime_ns, st.st_atime_ns, st.st_ctime_ns, h.hexdigest())' "$1"
}
