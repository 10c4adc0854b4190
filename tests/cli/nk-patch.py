# Damage one key of a hive the way an attacker who can write it would:
#
#   nk-patch.py IN OUT KEYNAME DELTA|sig
#
# copies IN to OUT with DELTA added to the value count of every key node
# (nk cell) named KEYNAME (case-insensitive, ASCII names).  The value list
# is left as it is, so reading the key's values runs past its end (Windows'
# load-time checker drops the entries that are not values: docs/reading.md).
# With sig, the key's signature is broken instead ("xk"), which the checker
# would rewrite: a repair smaudit does not model, so the key fails closed.
import struct
import sys


def main():
    src, dst, name, delta = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
    data = bytearray(open(src, "rb").read())
    want = name.encode("ascii").lower()
    hits = 0
    off = 4096
    while True:
        off = data.find(b"nk", off)
        if off < 0:
            break
        # nk: name length at 0x48, name at 0x4C (compressed ASCII).
        if off + 0x4C + len(want) <= len(data):
            (nlen,) = struct.unpack_from("<H", data, off + 0x48)
            if nlen == len(want) and data[off + 0x4C:off + 0x4C + nlen].lower() == want:
                (count,) = struct.unpack_from("<I", data, off + 0x24)
                if delta == "sig":
                    data[off:off + 2] = b"xk"
                else:
                    struct.pack_into("<I", data, off + 0x24, count + int(delta))
                hits += 1
        off += 2
    if not hits:
        sys.exit("nk-patch.py: no key named %s in %s" % (name, src))
    open(dst, "wb").write(bytes(data))


main()
