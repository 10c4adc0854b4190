#!/usr/bin/env python3
"""hostile-log.py HIVE DIRTY LOG [SPARSE]: write DIRTY, a copy of HIVE made dirty,
and LOG, a 16 KiB new-format transaction log for it whose one valid entry
(correct Marvin32 hashes) declares 2 GiB of hive bins.  Replaying it must
not grow the image beyond what the hive and its logs can fill
(docs/security.md); also a seed of the fuzz-txlog harness.  SPARSE, when
given, is made a sparse file of 2147483000 zero bytes (no blocks on disk):
it holds no log data, so it must neither raise that bound nor be read."""
import struct
import sys

from regf import checksum, marvin32


hive = bytearray(open(sys.argv[1], "rb").read())
seq2 = struct.unpack_from("<I", hive, 8)[0]
struct.pack_into("<I", hive, 4, seq2 + 1)
struct.pack_into("<I", hive, 508, checksum(hive))
open(sys.argv[2], "wb").write(hive)

base = bytearray(hive[:512])
struct.pack_into("<III", base, 4, seq2, seq2, 0)  # sequences; time kept
base[12:20] = hive[12:20]
struct.pack_into("<I", base, 28, 6)  # a new-format log
struct.pack_into("<I", base, 508, checksum(base))

size = 40 + 8 + 4096
size = (size + 511) // 512 * 512
entry = bytearray(size)
entry[0:4] = b"HvLE"
struct.pack_into("<IIIII", entry, 4, size, 1, seq2, 0x7FFFF000, 1)
struct.pack_into("<II", entry, 40, 0, 4096)
entry[48:48 + 4096] = hive[4096:8192]
struct.pack_into("<Q", entry, 24, marvin32(bytes(entry[40:])))
struct.pack_into("<Q", entry, 32, marvin32(bytes(entry[:32])))
log = bytes(base) + bytes(entry)
log += b"\0" * (16384 - len(log))
open(sys.argv[3], "wb").write(log)
if len(sys.argv) > 4:
    with open(sys.argv[4], "wb") as f:
        f.truncate(2147483000)
