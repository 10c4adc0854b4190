# Damage one chunk of an E01 (EWF version 1, as ewfacquire and
# ewfacquirestream write it, its chunks stored or zlib-compressed):
#
#   ewf-damage.py E01 RAW FILE OFFSET [head|mid|tail]
#
# RAW is the disk the E01 was made from; the chunk damaged is the one
# holding FILE's 512 bytes at OFFSET (found in RAW).  Its stored bytes are
# flipped in place, at the start of the chunk (a compressed chunk's zlib
# header), its middle (default) or over its last 4 bytes (its checksum):
# libewf then finds the chunk failing its checksum when it is read.  Prints
# the chunk's number and whether it is compressed.  The sections are
# walked from the file header (13 bytes) by their 76-byte descriptors; the
# first "table" section gives each chunk's offset (bit 31: compressed)
# from its base offset (libyal's EWF format documentation).
import struct
import sys


def main():
    e01, raw, src, pos = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    where = sys.argv[5] if len(sys.argv) > 5 else "mid"
    b = bytearray(open(e01, "rb").read())
    want = open(src, "rb").read()[pos:pos + 512]
    at = open(raw, "rb").read().find(want)
    if len(want) < 512 or at < 0:
        sys.exit("ewf-damage.py: %s: those bytes are not in %s" % (src, raw))
    off, chunk, table = 13, 0, None
    while off + 76 <= len(b):
        kind = bytes(b[off:off + 16]).rstrip(b"\0")
        nxt = struct.unpack_from("<Q", b, off + 16)[0]
        if kind in (b"volume", b"disk"):
            per_chunk, sector = struct.unpack_from("<II", b, off + 76 + 8)
            chunk = per_chunk * sector
        if kind == b"table" and table is None:
            table = off
        if kind in (b"done", b"next") or nxt <= off:
            break
        off = nxt
    if not chunk or table is None:
        sys.exit("ewf-damage.py: %s: no volume or table section" % e01)
    count = struct.unpack_from("<I", b, table + 76)[0]
    base = struct.unpack_from("<Q", b, table + 76 + 8)[0]
    entry = [struct.unpack_from("<I", b, table + 76 + 24 + 4 * i)[0]
             for i in range(count)]
    i = at // chunk
    if i >= count:
        sys.exit("ewf-damage.py: chunk %d is not in the first table" % i)
    start = base + (entry[i] & 0x7FFFFFFF)
    end = base + (entry[i + 1] & 0x7FFFFFFF) if i + 1 < count else table
    at, n = {"head": (start, 16), "mid": ((start + end) // 2, 16),
             "tail": (end - 4, 4)}[where]
    b[at:at + n] = bytes(x ^ 0xFF for x in b[at:at + n])
    open(e01, "wb").write(b)
    print(i, "compressed" if entry[i] >> 31 else "stored")


main()
