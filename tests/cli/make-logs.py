#!/usr/bin/env python3
"""make-logs.py BASE DIRTY [--bad-base] (LOG VARIANT DELTA)...: write DIRTY,
a copy of the hive BASE made dirty (primary sequence number one more than
the secondary S), and for each LOG a new-format transaction log whose base
block has sequence S + DELTA and whose one entry, sequence S + DELTA, holds
every 4096-byte page of the hive bins of VARIANT (a hive generated from
BASE) that differs from BASE: replaying that log alone turns BASE into
VARIANT.  --bad-base breaks DIRTY's base-block checksum."""
import struct
import sys

from regf import checksum, marvin32

args = sys.argv[1:]
base_path, dirty_path = args[0], args[1]
args = args[2:]
bad_base = args[:1] == ["--bad-base"]
if bad_base:
    args = args[1:]
base = bytearray(open(base_path, "rb").read())
seq = struct.unpack_from("<I", base, 8)[0]
struct.pack_into("<I", base, 4, seq + 1)
struct.pack_into("<I", base, 508, checksum(base) ^ (1 if bad_base else 0))
open(dirty_path, "wb").write(base)

for k in range(0, len(args), 3):
    log_path, variant_path, delta = args[k], args[k + 1], int(args[k + 2])
    var = open(variant_path, "rb").read()
    hbins = struct.unpack_from("<I", var, 40)[0]
    pages = []
    for off in range(0, hbins, 4096):
        new = var[4096 + off:4096 + off + 4096]
        if base[4096 + off:4096 + off + 4096] != new:
            pages.append((off, new))
    head = bytearray(var[:512])
    struct.pack_into("<II", head, 4, seq + delta, seq + delta)
    struct.pack_into("<I", head, 28, 6)  # a new-format log
    struct.pack_into("<I", head, 508, checksum(head))
    size = 40 + 8 * len(pages) + 4096 * len(pages)
    size = (size + 511) // 512 * 512
    entry = bytearray(size)
    entry[0:4] = b"HvLE"
    struct.pack_into("<IIIII", entry, 4, size, 1, seq + delta, hbins,
                     len(pages))
    at = 40 + 8 * len(pages)
    for i, (off, data) in enumerate(pages):
        struct.pack_into("<II", entry, 40 + 8 * i, off, 4096)
        entry[at + 4096 * i:at + 4096 * (i + 1)] = data
    struct.pack_into("<Q", entry, 24, marvin32(bytes(entry[40:])))
    struct.pack_into("<Q", entry, 32, marvin32(bytes(entry[:32])))
    open(log_path, "wb").write(bytes(head) + bytes(entry))
