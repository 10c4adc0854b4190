#!/bin/sh
# Disk images kept to the promises docs/security.md makes for hive files:
# logs inside an image read as lazily and as far as in a folder (sparse
# logs past 2 GiB too), the files container libraries open checked like
# evidence, errors inside an image said, floods of partitions capped.
# Every image is built here, small and sparse.
. "$(dirname "$0")/setup.sh"
. "$(dirname "$0")/images-lib.sh"

C=Windows/System32/config
# peak_rss ARG...: "EXIT PEAK-KIB" of smaudit ARG... (within the time
# limit, no memory limit), output in $tmp/out.
peak_rss() {
  "$PYTHON3" -c '
import resource, subprocess, sys
with open(sys.argv[1], "w") as out:
    rc = subprocess.call(sys.argv[2:], stdout=out, stderr=subprocess.DEVNULL)
print(rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' \
    "$tmp/out" timeout "$limit_s" $SMAUDIT "$@" || echo "error 0"
}
# warning: the recovery warning of the one JSON result in $tmp/out.
warning() { field '(r["hive"]["recovery"]["warning"] or "")'; }

# 1. A dirty hive whose LOG1 (one entry, then a sparse tail past 2 GiB) and
# LOG2 (2 GiB of zeros) sit beside it in an image: both read as in a
# folder, never "no transaction logs found".
mkdir "$tmp/hl"
"$PYTHON3" "$top_srcdir/tests/cli/hostile-log.py" "$FIXTURES/win-10.hiv" \
  "$tmp/hl/SYSTEM" "$tmp/hl/SYSTEM.LOG1"
: >"$tmp/empty"
big=$((2147483648 + 4096))
ntfs "$tmp/hl.img" 16 "$C/SYSTEM=$tmp/hl/SYSTEM" \
  "$C/SYSTEM.LOG1@$big=$tmp/hl/SYSTEM.LOG1" \
  "$C/SYSTEM.LOG2@2147483648=$tmp/empty"
truncate -s "$big" "$tmp/hl/SYSTEM.LOG1"
truncate -s 2147483648 "$tmp/hl/SYSTEM.LOG2"
limited scan --fail-on never --format json "$tmp/hl/SYSTEM"
warning >"$tmp/want"
limited scan --fail-on never --format json "$tmp/hl.img"
warning >"$tmp/got"
check "sparse logs past 2 GiB in an image: read (exit $rc; $(head -c 200 "$tmp/got"))" \
  grep -q "SYSTEM.LOG1: bad log entry at offset 512" "$tmp/got"
check "sparse logs past 2 GiB in an image: never 'no transaction logs found'" \
  sh -c '! grep -q "no transaction logs found" "$1"' _ "$tmp/got"
check "sparse logs past 2 GiB: the same warning as in a folder" \
  cmp -s "$tmp/got" "$tmp/want"

# The real dirty Windows 10 hive: LOG1 with a sparse tail past 2 GiB
# replays its entries in an image as in a folder (20 of 24 before).
src="$CORPUS/win10-1709-x64"
if have_corpus && [ -f "$src/SYSTEM.LOG1" ]; then
  ntfs "$tmp/w10.img" 40 "$C/SYSTEM=$src/SYSTEM" \
    "$C/SYSTEM.LOG1@$big=$src/SYSTEM.LOG1" "$C/SYSTEM.LOG2=$src/SYSTEM.LOG2"
  limited scan --format json "$tmp/w10.img"
  is "real dirty hive, LOG1 padded past 2 GiB, in an image: 24 entries from both logs" \
    '(r["hive"]["recovery"]["entries"], r["hive"]["recovery"]["logs"])' \
    "(24, 'SYSTEM.LOG1,SYSTEM.LOG2')"
else
  skip "real dirty hive with a padded log in an image" "win10-1709-x64 with its logs not found in $CORPUS"
fi

# 2. A clean hive beside a 2 GiB sparse SYSTEM.LOG1: the log is not read
# at all (before: 2 GiB read, 4.2 GB for show), within 1 GiB.
ntfs "$tmp/clean.img" 16 "$C/SYSTEM=$FIXTURES/win-10.hiv" \
  "$C/SYSTEM.LOG1@2147483648=$tmp/empty"
for cmd in scan show; do
  rss=$(peak_rss $cmd "$tmp/clean.img")
  check "clean hive, 2 GiB LOG1 in an image: $cmd exits 0 ($rss)" [ "${rss%% *}" = 0 ]
  if [ "${SMAUDIT_ASAN:-}" = yes ] || [ "${SMAUDIT_VALGRIND:-0}" != 0 ]; then
    skip "$cmd: peak resident memory below 200 MB" "not measured under the sanitizers or valgrind"
  else
    check "clean hive, 2 GiB LOG1 in an image: $cmd peaks below 200 MB (${rss#* } KiB)" \
      [ "${rss#* }" -lt 204800 ]
  fi
done

# 6. A seccomp filter that kills on open_tree (428) or mount_setattr (442),
# as systemd's SystemCallFilter= does: the read-only view is tried in a
# helper, which dies; smaudit goes on (SIGSYS before, nothing printed).
if [ "${SMAUDIT_VALGRIND:-0}" != 0 ]; then
  skip "seccomp filter killing on open_tree" "valgrind runs without the view (SMAUDIT_NO_VIEW)"
else
  for nr in 428 442; do
    for args in "scan $FIXTURES/win-10.hiv" "show $FIXTURES/win-10.hiv" "scan $tmp/clean.img"; do
      rc=0
      "$PYTHON3" "$top_srcdir/tests/cli/seccomp-kill.py" $nr $SMAUDIT $args \
        >"$tmp/out" 2>"$tmp/err" || rc=$?
      if [ "$rc" = 77 ]; then
        skip "filter killing on system call $nr: $args" "$(cat "$tmp/err")"
      else
        check "filter killing on system call $nr: $(echo "$args" | sed 's| .*/| |') exits 0 (exit $rc)" [ "$rc" = 0 ]
      fi
    done
  done
fi

# 3. The files a container library opens itself (split raw segments, E01
# segments, a VMDK's flat extent) are checked like any evidence: a FIFO
# (a hang before), a symbolic link out of the folder (followed before) and
# a device node (read as image data before) are refused, named, exit 2.
ntfs "$tmp/win.ntfs" 16 "$C/SYSTEM=$FIXTURES/win-10.hiv"
outside=$(mktemp -d "${TMPDIR:-/tmp}/smaudit-outside.XXXXXX")
# planted NAME DIR FILE: FILE of the image in DIR replaced by a FIFO, a
# link to a copy outside DIR and a device node in turn; each refused.
planted() {
  cp "$2/$3" "$outside/$3"
  for kind in fifo link device; do
    rm -f "$2/$3"
    case $kind in
    fifo) mkfifo "$2/$3" ;;
    link) ln -s "$outside/$3" "$2/$3" ;;
    device) mknod "$2/$3" c 1 5 2>/dev/null || {
      skip "$1: $3 a device node" "mknod is not permitted here"
      continue
    } ;;
    esac
    rc=0
    timeout 20 $SMAUDIT scan "$2/$4" >"$tmp/out" 2>"$tmp/err" || rc=$?
    check "$1: $3 as a $kind: exit 2, not a hang ($rc: $(head -c 300 "$tmp/err"))" [ "$rc" = 2 ]
    case $kind in
    fifo) why="$3: not a regular file (a FIFO)" ;;
    link) why="$3: symbolic link, not followed" ;;
    device) why="$3: not a regular file (a character device)" ;;
    esac
    check "$1: $3 as a $kind: said, naming it" grep -qF "$why" "$tmp/err"
  done
  rm -f "$2/$3"
  cp "$outside/$3" "$2/$3"
  rc=0
  timeout 20 $SMAUDIT scan "$2/$4" >"$tmp/out" 2>"$tmp/err" || rc=$?
  check "$1: whole again, audited (exit $rc)" [ "$rc" = 0 ]
}
mkdir "$tmp/split"
split -b 6M -d -a 3 --numeric-suffixes=1 "$tmp/win.ntfs" "$tmp/split/disk.raw."
planted "split raw" "$tmp/split" disk.raw.002 disk.raw.001
if EWF=$(tool ewfacquirestream); then
  mkdir "$tmp/ewf"
  "$EWF" -q -t "$tmp/ewf/disk" -c none -S 8MiB <"$tmp/win.ntfs" >/dev/null 2>&1
  planted "E01" "$tmp/ewf" disk.E02 disk.E01
else
  skip "E01 segments" "ewfacquirestream (Debian ewf-tools) not found"
fi
if QEMU=$(tool qemu-img); then
  mkdir "$tmp/vmdk"
  "$QEMU" convert -f raw -O vmdk -o subformat=monolithicFlat "$tmp/win.ntfs" "$tmp/vmdk/disk.vmdk"
  planted "VMDK" "$tmp/vmdk" disk-flat.vmdk disk.vmdk
else
  skip "VMDK extents" "qemu-img (Debian qemu-utils) not found"
fi
rm -rf "$outside"

# 4. As a user who does not own the image: its access time is kept (the
# read-only view), or the result says it may have changed, naming it.
why=$(nobody_why)
if [ -n "$why" ]; then
  skip "access time of an image read by a non-owner" "$why"
else
  chmod 0755 "$tmp" "$tmp/split" && chmod 0644 "$tmp/win.ntfs" "$tmp/split/"*
  for img in "$tmp/win.ntfs" "$tmp/split/disk.raw.001"; do
    n=$(basename "$img")
    for view in yes no; do
      touch -a -d 2001-01-01 "$img" "$tmp/split/"*
      facts "$img" >"$tmp/before"
      rc=0
      if [ $view = yes ]; then
        setpriv --reuid=65534 --regid=65534 --clear-groups $SMAUDIT scan --format json "$img" >"$tmp/out" 2>"$tmp/err" || rc=$?
      else
        SMAUDIT_NO_VIEW=1 setpriv --reuid=65534 --regid=65534 --clear-groups $SMAUDIT scan --format json "$img" >"$tmp/out" 2>"$tmp/err" || rc=$?
      fi
      facts "$img" >"$tmp/after"
      said=no
      grep -qF "access time of $img not protected (not its owner)" "$tmp/out" && said=yes
      kept=no
      cmp -s "$tmp/before" "$tmp/after" && kept=yes
      check "$n as nobody, view $view: exit 0 ($rc), atime kept ($kept) or said ($said)" \
        sh -c '[ "$1" = 0 ] && { [ "$2" = yes ] || [ "$3" = yes ]; }' _ "$rc" "$kept" "$said"
      if [ $view = no ]; then
        check "$n as nobody without the view: the warning names the image" [ $said = yes ]
      fi
    done
  done
fi

# 8. A device node named SYSTEM.LOG1 beside a dirty hive (a tar archive
# extracted as root recreates them; some devices act on open) is refused
# without being opened: looked at with O_PATH, never opened to read.
mkdir "$tmp/dev"
make_dirty "$FIXTURES/win-10.hiv" "$tmp/dev/SYSTEM"
if ! mknod "$tmp/dev/SYSTEM.LOG1" c 1 3 2>/dev/null; then
  skip "a device node beside a hive" "mknod is not permitted here"
elif ! command -v strace >/dev/null 2>&1 || ! strace -o /dev/null true 2>/dev/null; then
  skip "a device node beside a hive" "strace is not installed (or cannot trace here)"
else
  ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
    strace -f -e trace=open,openat,openat2 -o "$tmp/trace" "$SMAUDIT_BIN" \
    scan --fail-on never --format json "$tmp/dev/SYSTEM" >"$tmp/out" 2>"$tmp/err" || true
  check "device node SYSTEM.LOG1: named, not used" \
    grep -q "SYSTEM.LOG1 skipped: not a regular file (a character device)" "$tmp/out"
  check "device node SYSTEM.LOG1: never opened, only looked at (O_PATH)" \
    sh -c '! grep "SYSTEM.LOG1" "$1" | grep -v O_PATH | grep -q .' _ "$tmp/trace"
fi

# 5. A GPT disk with two Windows volumes, the second's config folder a
# broken MFT record: the second is an error result naming the folder,
# exit 2 (before: only the first, clean, exit 0).
# break_record VOLUME NAME: the MFT record whose file name is NAME made
# unreadable (the update sequence of its first sector broken, as a torn
# write leaves it).
break_record() {
  "$PYTHON3" -c '
import struct, sys
p, want = sys.argv[1], sys.argv[2].encode("utf-16-le")
b = bytearray(open(p, "rb").read())
hit = 0
for off in range(0, len(b) - 1024, 1024):
    if b[off:off + 4] != b"FILE":
        continue
    a = off + struct.unpack_from("<H", b, off + 0x14)[0]
    while a + 8 < off + 1024:
        t, n = struct.unpack_from("<II", b, a)
        if t == 0xFFFFFFFF or n == 0:
            break
        if t == 0x30 and b[a + 8] == 0:  # a resident $FILE_NAME
            c = a + struct.unpack_from("<H", b, a + 0x14)[0]
            if b[c + 0x42:c + 0x42 + 2 * b[c + 0x40]] == want:
                b[off + 510] ^= 0xFF
                hit += 1
        a += n
open(p, "wb").write(b)
sys.exit(0 if hit else 1)' "$1" "$2"
}
if [ -z "$SFDISK" ]; then
  skip "two Windows volumes, the second damaged" "sfdisk (Debian fdisk) not found"
else
  ntfs "$tmp/w2.ntfs" 16 "$C/SYSTEM=$FIXTURES/win-7.hiv"
  break_record "$tmp/w2.ntfs" config
  check "a broken MFT record is made" [ $? = 0 ]
  truncate -s 40M "$tmp/two.img"
  printf '%s\n' 'label: gpt' \
    'start=2048, size=32768, type=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7' \
    'size=32768, type=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7' |
    "$SFDISK" -q "$tmp/two.img" >/dev/null &&
    dd if="$tmp/win.ntfs" of="$tmp/two.img" bs=512 seek=2048 conv=notrunc status=none &&
    dd if="$tmp/w2.ntfs" of="$tmp/two.img" bs=512 seek=34816 conv=notrunc status=none
  run scan --format json "$tmp/two.img"
  check "damaged second Windows volume: exit 2 ($rc)" [ "$rc" = 2 ]
  check "damaged second Windows volume: the first audited, the second an error naming its folder" \
    "$PYTHON3" -c '
import json, sys
rs = [json.loads(l) for l in open(sys.argv[1])]
ok = [r for r in rs if not r["error"]]
bad = [r for r in rs if r["error"] and "/Windows/System32/config cannot be read" in r["error"]]
sys.exit(0 if len(ok) == 1 and len(bad) == 1 else 1)' "$tmp/out"
  # show too: the damaged volume may be the one meant (before: the first
  # shown, exit 0, the second never mentioned).
  run show "$tmp/two.img"
  check "damaged second Windows volume: show exits 2 ($rc)" [ "$rc" = 2 ]
  check "damaged second Windows volume: show names the folder and the readable hive ($(head -c 400 "$tmp/err"))" \
    grep -q "/Windows/System32/config cannot be read.*two.img:p[0-9]*:/Windows/System32/config/SYSTEM can be read" "$tmp/err"
fi

# 10. A chunk of an E01 that fails its checksum (bytes flipped inside the
# chunk holding the hive's first bin: stored, or compressed by zlib at its
# start, middle or checksum) is blamed on the container, naming the chunk,
# exit 2; the hive read through it is not audited (before: "corrupt hive
# structure", or a clean audit of damaged bytes).
if EWF=$(tool ewfacquirestream); then
  for damage in none:mid fast:head fast:tail; do
    comp=${damage%:*} where=${damage#*:}
    rm -rf "$tmp/chunk" && mkdir -p "$tmp/chunk"
    "$EWF" -q -t "$tmp/chunk/disk" -c "$comp" <"$tmp/win.ntfs" >/dev/null 2>&1
    kind=$("$PYTHON3" "$top_srcdir/tests/cli/ewf-damage.py" "$tmp/chunk/disk.E01" \
      "$tmp/win.ntfs" "$FIXTURES/win-10.hiv" 4096 "$where")
    run scan --format json "$tmp/chunk/disk.E01"
    check "E01 ($comp, chunk $kind, $where damaged): exit 2 ($rc)" [ "$rc" = 2 ]
    check "E01 ($comp, $where damaged): the container and the chunk named, never the hive" \
      sh -c 'grep -q "disk.E01: damaged E01: the chunk at sectors [0-9]* to [0-9]* (bytes [0-9]* to [0-9]* of the disk) fails its checksum" "$1" &&
        ! grep -qi "corrupt hive\|damaged hive" "$1" "$2"' _ "$tmp/err" "$tmp/out"
    # (The Sleuth Kit's open of the volume may meet the chunk first: then
    # the volume has its own error result, and the hive's says so again.)
    check "E01 ($comp, $where damaged): never clean, no finding from damaged bytes" \
      "$PYTHON3" -c '
import json, sys
rs = [json.loads(l) for l in open(sys.argv[1])]
hive = [r for r in rs if r["target"].endswith("config/SYSTEM")]
sys.exit(0 if len(hive) == 1 and
         all(r["error"] and "damaged E01" in r["error"] and r["findings"] == []
             for r in rs) else 1)' "$tmp/out"
    run show "$tmp/chunk/disk.E01"
    check "E01 ($comp, $where damaged): show exits 2, blaming the container ($rc)" \
      sh -c '[ "$1" = 2 ] && grep -q "damaged E01: the chunk at sectors" "$2"' _ "$rc" "$tmp/err"
  done

  # Damage met by the audit itself (the files it checks, read from the
  # volume after the hive) lands on that result, not on the next one (the
  # volume's RegBack copy was blamed, the live hive's audit said clean);
  # and each later result reading the same chunk is told too.  The chunk
  # damaged is one of autochk.exe that nothing reads before the audit
  # (scan --no-files, which reads no file, is then clean).
  "$PYTHON3" -c 'import random, sys; random.seed(20); sys.stdout.buffer.write(bytes(random.getrandbits(8) for _ in range(1000000)))' >"$tmp/autochk.exe"
  printf 'MZ' >"$tmp/smss.exe"
  ntfs "$tmp/files.ntfs" 16 "$C/SYSTEM=$FIXTURES/win-10.hiv" \
    "$C/RegBack/SYSTEM=$FIXTURES/win-10.hiv" \
    "Windows/System32/smss.exe=$tmp/smss.exe" \
    "Windows/System32/autochk.exe=$tmp/autochk.exe"
  rm -rf "$tmp/fe" && mkdir "$tmp/fe"
  "$EWF" -q -t "$tmp/fe/clean" -c fast <"$tmp/files.ntfs" >/dev/null 2>&1
  picked=
  for pos in 100000 300000 500000 700000 900000; do
    cp "$tmp/fe/clean.E01" "$tmp/fe/disk.E01"
    "$PYTHON3" "$top_srcdir/tests/cli/ewf-damage.py" "$tmp/fe/disk.E01" \
      "$tmp/files.ntfs" "$tmp/autochk.exe" "$pos" >/dev/null || break
    run scan --no-files --format json "$tmp/fe/disk.E01"
    if [ "$rc" != 2 ]; then picked=$pos; break; fi
  done
  if [ -n "$picked" ]; then
    run scan --format json "$tmp/fe/disk.E01"
    check "damage met by the live hive's audit (autochk.exe at $picked): exit 2 ($rc)" [ "$rc" = 2 ]
    check "damage met by the audit: on that result, naming the container and the chunk" \
      "$PYTHON3" -c '
import json, sys
rs = [json.loads(l) for l in open(sys.argv[1])]
live = [r for r in rs if r["role"] == "system"]
sys.exit(0 if len(live) == 1 and live[0]["findings"] == [] and
         "disk.E01: damaged E01: the chunk at sectors" in (live[0]["error"] or "") and
         "read for the audit of" in live[0]["error"] and
         live[0]["error"].endswith("config/SYSTEM, which is not complete") else 1)' "$tmp/out"
    check "the RegBack result, whose audit reads the same file, is told too (never clean)" \
      "$PYTHON3" -c '
import json, sys
rs = [json.loads(l) for l in open(sys.argv[1])]
rb = [r for r in rs if r["role"] == "regback"]
sys.exit(0 if len(rb) == 1 and "RegBack/SYSTEM, which is not complete" in (rb[0]["error"] or "") else 1)' "$tmp/out"
  else
    check "a chunk of autochk.exe read only by the audit" false
  fi
  # Named by a relative path from its folder (libewf opens the first
  # segment again by its absolute path): read, exit 0.
  mkdir -p "$tmp/rel"
  "$EWF" -q -t "$tmp/rel/disk" -c none <"$tmp/win.ntfs" >/dev/null 2>&1
  rc=0
  (cd "$tmp/rel" && $SMAUDIT scan disk.E01 >/dev/null 2>"$tmp/err") || rc=$?
  check "E01 named relative to its folder: audited ($rc: $(head -c 200 "$tmp/err"))" [ "$rc" = 0 ]
else
  skip "E01 with a damaged chunk" "ewfacquirestream (Debian ewf-tools) not found"
fi

# 9. Two Windows folders differing only in case in one volume: both are
# audited (Windows sees one of them; which, the image does not say).
ntfs "$tmp/cases.img" 16 "Windows/System32/config/SYSTEM=$FIXTURES/win-10.hiv" \
  "WINDOWS/System32/config/SYSTEM=$FIXTURES/win-7.hiv"
run scan --format json "$tmp/cases.img"
check "Windows and WINDOWS: both audited (exit $rc)" \
  "$PYTHON3" -c '
import json, sys
paths = sorted(json.loads(l)["image"]["path"] for l in open(sys.argv[1]))
sys.exit(0 if paths == ["/WINDOWS/System32/config/SYSTEM",
                        "/Windows/System32/config/SYSTEM"] else 1)' "$tmp/out"

# A per-run cap on results (a flood of hives): past --max-results, each
# result is an error, not kept, said once; exit 2.
run scan --max-results 1 --format json "$tmp/cases.img"
check "--max-results 1, two hives: exit 2 ($rc)" [ "$rc" = 2 ]
check "--max-results 1, two hives: one result kept, the other said" \
  sh -c '[ "$(wc -l <"$1")" = 1 ] && grep -q "1 result past the first 1 of this run was not kept (--max-results): the report is incomplete" "$2"' _ "$tmp/out" "$tmp/err"
run scan --format json "$tmp/cases.img"
check "default --max-results: both kept (exit $rc)" [ "$(wc -l <"$tmp/out")" = 2 ]

# 11. A GPT of 2,000 entries that all name one Windows volume: the volume
# is read once and the flood said (2,000 results before, 42 s and 412 MB
# for 20,000); past 256 distinct volumes the rest are said, not read.
# flood OUT N SAME: a GPT disk of N entries over win.ntfs (SAME: all at
# its start; else each a sector further, over the same bytes).
flood() {
  "$PYTHON3" -c '
import struct, sys, uuid, zlib
out, n, same = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "same"
vol = open(sys.argv[4], "rb").read()
start = 2048
disk = bytearray(start * 512 + len(vol) + n * 512 + 34 * 512)
disk[start * 512:start * 512 + len(vol)] = vol
basic = uuid.UUID("EBD0A0A2-B9E5-4433-87C0-68B6B72699C7").bytes_le
ents = bytearray()
for i in range(n):
    s = start if same else start + i
    ents += struct.pack("<16s16sQQQ72s", basic, uuid.uuid4().bytes_le, s,
                        s + len(vol) // 512 - 1, 0, b"")
disk[1024:1024 + len(ents)] = ents
last = len(disk) // 512 - 1
hdr = struct.pack("<8sIIIIQQQQ16sQIII", b"EFI PART", 0x10000, 92, 0, 0, 1,
                  last, 2048, last - 34, uuid.uuid4().bytes_le, 2, n, 128,
                  zlib.crc32(ents))
hdr = hdr[:16] + struct.pack("<I", zlib.crc32(hdr)) + hdr[20:]
disk[512:512 + len(hdr)] = hdr
mbr = struct.pack("<8BII", 0, 0, 2, 0, 0xEE, 0xFF, 0xFF, 0xFF, 1, last)
disk[446:446 + 16] = mbr
disk[510:512] = b"\x55\xaa"
open(out, "wb").write(disk)' "$1" "$2" "$3" "$tmp/win.ntfs"
}
flood "$tmp/flood.img" 2000 same
limited scan --format json "$tmp/flood.img"
check "2,000 entries naming one volume: exit 2 within $limit_s s ($rc)" [ "$rc" = 2 ]
check "2,000 entries naming one volume: one audit, and the flood said" \
  "$PYTHON3" -c '
import json, sys
rs = [json.loads(l) for l in open(sys.argv[1])]
ok = [r for r in rs if not r["error"]]
said = [r for r in rs if r["error"] and "1999 partition entries name a volume another entry names" in r["error"]]
sys.exit(0 if len(ok) == 1 and len(said) == 1 and len(rs) == 2 else 1)' "$tmp/out"
flood "$tmp/flood.img" 300 shifted
limited scan --format json "$tmp/flood.img"
check "300 distinct partitions: exit 2 within $limit_s s ($rc)" [ "$rc" = 2 ]
check "300 distinct partitions: 256 read, the other 44 said" \
  grep -q "44 partitions past the first 256 volumes were not read" "$tmp/out"
run show "$tmp/flood.img"
check "300 distinct partitions: show exits 2, the flood said ($rc)" \
  sh -c '[ "$1" = 2 ] && grep -q "44 partitions past the first 256 volumes were not read" "$2"' _ "$rc" "$tmp/err"

# show is bounded as scan's workers are (it had no limit at all): every
# read of the image made slow (strace delays each system call on it), show
# --timeout 1 gives up after a second, exit 2, saying so; --max-memory caps
# its address space (an allocation past it is an error, exit 2).
if command -v strace >/dev/null && strace -f -o /dev/null true 2>/dev/null; then
  rc=0
  strace -f -o /dev/null -P "$tmp/win.ntfs" -e inject=all:delay_enter=3000000 \
    $SMAUDIT show --timeout 1 "$tmp/win.ntfs" >/dev/null 2>"$tmp/err" || rc=$?
  check "show --timeout 1 of a slow image: exit 2 ($rc)" [ "$rc" = 2 ]
  check "show --timeout 1 of a slow image: said, naming it" \
    grep -q "win.ntfs: gave up after 1 seconds (--timeout): the audit is incomplete" "$tmp/err"
else
  skip "show --timeout" "strace cannot run here"
fi
if [ "${SMAUDIT_VALGRIND:-0}" != 1 ] && [ "${SMAUDIT_ASAN:-}" != yes ]; then
  run show --max-memory 1 "$tmp/win.ntfs"
  check "show --max-memory 1: exit 2, one line ($rc)" \
    sh -c '[ "$1" = 2 ] && [ "$(wc -l <"$2")" = 1 ] && grep -q "^smaudit: .*win.ntfs: " "$2"' _ "$rc" "$tmp/err"
  # as scan's workers do, the error names the limit and its option
  check "show --max-memory 1: the error names the limit and --max-memory ($(cat "$tmp/err"))" \
    grep -q "(the address space is limited to 1 MiB: --max-memory)$" "$tmp/err"
else
  skip "show --max-memory" "not set under AddressSanitizer; valgrind's own address space does not fit 1 MiB"
fi
run show "$tmp/win.ntfs"
check "show within the default bounds: exit 0 ($rc)" [ "$rc" = 0 ]

done_testing
