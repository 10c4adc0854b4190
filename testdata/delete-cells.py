#!/usr/bin/env python3
"""delete-cells: delete values and keys from a hive the way Windows does,
for the tests of deleted-cell recovery.

    delete-cells.py IN OUT (value KEY NAME | key KEY)...

Windows takes a value out of its key's value list in place (the entries
after it move down, the key's count drops by one; the list cell keeps its
size, so its slack still holds the last entry) and frees the vk cell and
its data cell; it takes a key out of its parent's subkey list the same way
and frees its nk cell, value list, values and data, leaving the nk's own
fields as they were.  A freed cell is merged with free neighbours in its
hive bin.  KEY is a path below the root, backslash-separated; names match
case-insensitively.  Written from the regf format (msuhanov/regf), with no
code shared with smaudit."""
import struct
import sys

BINS = 0x1000


class Hive:
    def __init__(self, data):
        self.b = bytearray(data)
        self.freed = set()

    def u16(self, o):
        return struct.unpack_from("<H", self.b, o)[0]

    def u32(self, o):
        return struct.unpack_from("<I", self.b, o)[0]

    def i32(self, o):
        return struct.unpack_from("<i", self.b, o)[0]

    def put32(self, o, v):
        struct.pack_into("<I", self.b, o, v & 0xffffffff)

    def cell(self, rel):
        return BINS + rel  # the cell's size field; its data at +4

    def name_of(self, rec, name_off, nlen, ascii):
        raw = bytes(self.b[rec + name_off:rec + name_off + nlen])
        return raw.decode("latin-1" if ascii else "utf-16-le")

    def subkeys(self, nk):
        """(list cell, entry size, [(entry index, child nk cell)])"""
        n = self.u32(nk + 4 + 0x14)
        rel = self.u32(nk + 4 + 0x1c)
        if n == 0 or rel == 0xffffffff:
            return None, 0, []
        lc = self.cell(rel)
        sig = bytes(self.b[lc + 4:lc + 6])
        cnt = self.u16(lc + 6)
        step = 4 if sig == b"li" else 8
        if sig not in (b"lf", b"lh", b"li"):
            raise SystemExit("delete-cells: %s subkey lists are not handled" % sig)
        return lc, step, [(i, self.cell(self.u32(lc + 8 + step * i)))
                          for i in range(cnt)]

    def key_name(self, nk):
        return self.name_of(nk + 4, 0x4c, self.u16(nk + 4 + 0x48),
                            self.u16(nk + 4 + 2) & 0x20)

    def find(self, path):
        nk = self.cell(self.u32(0x24))
        parent = None
        for comp in [c for c in path.split("\\") if c]:
            _, _, kids = self.subkeys(nk)
            for _, kid in kids:
                if self.key_name(kid).lower() == comp.lower():
                    parent, nk = nk, kid
                    break
            else:
                raise SystemExit("delete-cells: no key %s" % path)
        return parent, nk

    def values(self, nk):
        n = self.u32(nk + 4 + 0x24)
        rel = self.u32(nk + 4 + 0x28)
        if n == 0 or rel == 0xffffffff:
            return None, []
        lc = self.cell(rel)
        return lc, [self.cell(self.u32(lc + 4 + 4 * i)) for i in range(n)]

    def free(self, c):
        size = self.i32(c)
        if size < 0:
            self.put32(c, -size)
        self.freed.add(c)

    def free_value(self, vk):
        ln = self.u32(vk + 4 + 4)
        if not ln & 0x80000000 and ln:
            self.free(self.cell(self.u32(vk + 4 + 8)))
        self.free(vk)

    def delete_value(self, path, name):
        _, nk = self.find(path)
        lc, vks = self.values(nk)
        for i, vk in enumerate(vks):
            vname = self.name_of(vk + 4, 0x14, self.u16(vk + 4 + 2),
                                 self.u16(vk + 4 + 0x10) & 1)
            if vname.lower() == name.lower():
                break
        else:
            raise SystemExit("delete-cells: no value %s in %s" % (name, path))
        n = len(vks)
        for j in range(i, n - 1):  # the entries after it move down
            self.put32(lc + 4 + 4 * j, self.u32(lc + 4 + 4 * (j + 1)))
        self.put32(nk + 4 + 0x24, n - 1)
        self.free_value(vk)

    def delete_key(self, path):
        parent, nk = self.find(path)
        lc, step, kids = self.subkeys(parent)
        i = [k for _, k in kids].index(nk)
        n = len(kids)
        for j in range(i, n - 1):
            self.b[lc + 8 + step * j:lc + 8 + step * (j + 1)] = \
                self.b[lc + 8 + step * (j + 1):lc + 8 + step * (j + 2)]
        struct.pack_into("<H", self.b, lc + 6, n - 1)
        self.put32(parent + 4 + 0x14, n - 1)
        vlc, vks = self.values(nk)
        for vk in vks:
            self.free_value(vk)
        if vlc is not None:
            self.free(vlc)
        self.free(nk)

    def coalesce(self):
        """Merge each freed cell with free cells right after it."""
        off = BINS
        end = BINS + self.u32(0x28)
        while off < end:
            size = self.u32(off + 8)
            c = off + 0x20
            while c < off + size:
                s = self.i32(c)
                if s > 0 and c in self.freed:
                    while c + s < off + size and self.i32(c + s) > 0:
                        s += self.i32(c + s)
                    self.put32(c, s)
                c += abs(s)
            off += size


def main(argv):
    if len(argv) < 4:
        raise SystemExit(__doc__)
    h = Hive(open(argv[1], "rb").read())
    args = argv[3:]
    while args:
        if args[0] == "value" and len(args) >= 3:
            h.delete_value(args[1], args[2])
            args = args[3:]
        elif args[0] == "key" and len(args) >= 2:
            h.delete_key(args[1])
            args = args[2:]
        else:
            raise SystemExit(__doc__)
    h.coalesce()
    open(argv[2], "wb").write(h.b)


main(sys.argv)
