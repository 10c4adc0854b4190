"""Shared by the tests that write hives and logs byte by byte
(hostile-log.py, make-logs.py): the base-block checksum and the Marvin32
hash of new-format log entries (msuhanov/regf)."""
import struct

SEED = 0x82EF4D887A4E55C5
M = 0xFFFFFFFF


def rotl(x, n):
    return ((x << n) | (x >> (32 - n))) & M


def mix(lo, hi):
    hi ^= lo
    lo = (rotl(lo, 20) + hi) & M
    hi = rotl(hi, 9) ^ lo
    lo = (rotl(lo, 27) + hi) & M
    hi = rotl(hi, 19)
    return lo, hi


def marvin32(data, seed=SEED):
    lo, hi = seed & M, seed >> 32
    i = 0
    while len(data) - i >= 4:
        lo = (lo + struct.unpack_from("<I", data, i)[0]) & M
        lo, hi = mix(lo, hi)
        i += 4
    last = 0x80
    for b in reversed(data[i:]):
        last = (last << 8) | b
    lo = (lo + last) & M
    lo, hi = mix(lo, hi)
    lo, hi = mix(lo, hi)
    return hi << 32 | lo


def checksum(b):
    s = 0
    for k in range(0, 508, 4):
        s ^= struct.unpack_from("<I", b, k)[0]
    return {0: 1, M: M - 1}.get(s, s)
