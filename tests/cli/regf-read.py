# A second reader of hives for the tests, independent of hivex and of
# smaudit: names read by their stored length (Latin-1 or UTF-16LE), as
# Windows stores them.
#
#   regf-read.py HIVE 'Key\Path' [NAME [by-name|enumerated]]
#
# Without NAME: one JSON line per value of the key, in stored order:
# {"name": name with "<NUL>" for each NUL, "type": N, "strings": [...]}.
# With NAME: the one value a consumer takes (by-name: the first whose
# stored name is NAME; enumerated: the last whose name cut at its first NUL
# is NAME, as smss.exe reads the keys it enumerates), or "null".
# Resident data (length bit 31), data of one cell, and big data (a "db"
# record, hive version 1.4 and later, data over 16,344 bytes) as Windows
# assembles it: 16,344 bytes from each segment's cell, the last one the rest
# (msuhanov/regf, "Data segment").  Value-list entries Windows' load-time
# checker would drop (a free cell, not a value record) are left out.
import json
import struct
import sys

BASE = 4096


def cell(b, off):
    """The record at hive offset off, without its size field."""
    at = BASE + off
    (size,) = struct.unpack_from("<i", b, at)
    if size >= 0:
        raise ValueError("free cell at 0x%x" % off)
    return b[at + 4:at - size]


SEGMENT = 16344


def big_data(b, db, dlen):
    if db[:2] != b"db":
        raise ValueError("no big-data record")
    count, lst = struct.unpack_from("<HI", db, 2)
    segs = cell(b, lst)
    out = b""
    for j in range(count):
        take = min(SEGMENT, dlen - len(out))
        if take <= 0:
            break
        out += cell(b, struct.unpack_from("<I", segs, 4 * j)[0])[:take]
    return out


def name_of(raw, narrow):
    if narrow:
        return raw.decode("latin-1")
    return raw.decode("utf-16-le", errors="replace")


def key_name(nk):
    (flags,) = struct.unpack_from("<H", nk, 2)
    (nlen,) = struct.unpack_from("<H", nk, 72)
    return name_of(nk[76:76 + nlen], flags & 0x20)


def subkeys(b, nk):
    (lst,) = struct.unpack_from("<I", nk, 28)
    out = []
    todo = [lst]
    while todo:
        rec = cell(b, todo.pop(0))
        sig, n = rec[:2], struct.unpack_from("<H", rec, 2)[0]
        if sig == b"ri":
            todo += [struct.unpack_from("<I", rec, 4 + 4 * i)[0] for i in range(n)]
        else:
            step = 4 if sig == b"li" else 8
            out += [struct.unpack_from("<I", rec, 4 + step * i)[0] for i in range(n)]
    keys = []
    for o in out:
        try:
            c = cell(b, o)
        except ValueError:
            continue  # a free cell: Windows' checker drops the entry
        if c[:2] == b"nk":
            keys.append(c)
    return keys


def fold(s):
    return s.upper()


def find_key(b, path):
    (root,) = struct.unpack_from("<I", b, 36)
    nk = cell(b, root)
    for part in [p for p in path.split("\\") if p]:
        nk = next(c for c in subkeys(b, nk) if fold(key_name(c)) == fold(part))
    return nk


def values(b, nk):
    (count,) = struct.unpack_from("<I", nk, 36)
    (lst,) = struct.unpack_from("<I", nk, 40)
    out = []
    if not count:
        return out
    offs = cell(b, lst)
    for i in range(count):
        try:
            vk = cell(b, struct.unpack_from("<I", offs, 4 * i)[0])
        except ValueError:
            continue  # a free cell: Windows' checker drops the entry
        if vk[:2] != b"vk":
            continue
        nlen, dlen, doff, typ, flags = struct.unpack_from("<HIIIH", vk, 2)
        name = name_of(vk[20:20 + nlen], flags & 1)
        if dlen & 0x80000000:
            data = struct.pack("<I", doff)[:dlen & 0x7FFFFFFF]
        elif dlen > SEGMENT and struct.unpack_from("<I", b, 24)[0] >= 4:
            data = big_data(b, cell(b, doff), dlen)
        else:
            data = cell(b, doff)[:dlen]
        out.append((name, typ, data))
    return out


def strings(typ, data):
    if typ not in (1, 2, 7):
        return None
    text = data.decode("utf-16-le", errors="replace")
    if typ != 7:
        return [text.split("\0")[0]]
    items = text.split("\0")
    while items and items[-1] == "":
        items.pop()
    return items


def main():
    b = open(sys.argv[1], "rb").read()
    vals = values(b, find_key(b, sys.argv[2]))
    shown = [{"name": n.replace("\0", "<NUL>"), "type": t,
              "strings": strings(t, d)} for n, t, d in vals]
    if len(sys.argv) < 4:
        for v in shown:
            print(json.dumps(v))
        return
    want, rule = fold(sys.argv[3]), sys.argv[4] if len(sys.argv) > 4 else "by-name"
    pick = None
    for (n, _, _), v in zip(vals, shown):
        if rule == "by-name" and fold(n) == want:
            pick = v
            break
        if rule == "enumerated" and fold(n.split("\0")[0]) == want:
            pick = v
    print(json.dumps(pick))


main()
