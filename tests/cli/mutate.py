# Systematic mutations of hives, for tests/cli/mutations.sh.
#
#   mutate.py TMPDIR SEED CMD... -- HIVE...
#
# For each HIVE (copied bytes, never written back) and each mutation, writes
# the mutated copy to TMPDIR and runs `CMD show`, `CMD show --unsafe`,
# `CMD scan ...` and `CMD scan --unsafe ...` on it, each under a timeout and
# an address-space limit.  Every run must exit 0 (or 1 for none here: scan
# runs with --fail-on never) or 2 with exactly one stderr line
# "smaudit: FILE: reason"; never a signal, a hang, a sanitizer report, or
# invalid JSON.  A tolerant run that succeeds must say so: the hive is
# damaged, or (scan, when a strict open accepts it) opened tolerantly.
# Prints one result line per hive and family: "ok|DESC" or "not ok|DESC",
# then "# ..." lines naming each failing mutation (its name includes the
# seeded index, so it can be made again).  MUTATE_JOBS mutants run at once
# (default: the number of cores).
import concurrent.futures
import json
import os
import random
import struct
import subprocess
import sys

TIMEOUT = 20
MEM_LIMIT = 2 << 30


def u32(b, off):
    return struct.unpack_from("<I", b, off)[0]


def i32(b, off):
    return struct.unpack_from("<i", b, off)[0]


def put32(b, off, v):
    struct.pack_into("<I", b, off, v & 0xFFFFFFFF)


def checksum(b):
    s = 0
    for k in range(0, 508, 4):
        s ^= u32(b, k)
    return s


def fix_checksum(b):
    put32(b, 508, checksum(b))


def hbin_starts(b):
    out = []
    off = 4096
    while off + 32 <= len(b) and b[off:off + 4] == b"hbin":
        out.append(off)
        size = u32(b, off + 8)
        if size < 4096:
            break
        off += size
    return out


def cells(b):
    """(offset, size, used) of every cell, walking the hive bins."""
    out = []
    off = 4096
    while off + 32 <= len(b) and b[off:off + 4] == b"hbin":
        size = u32(b, off + 8)
        if size < 4096 or off + size > len(b):
            break
        c = off + 32
        while c + 4 <= off + size:
            n = i32(b, c)
            if n == 0:
                break
            out.append((c, abs(n), n < 0))
            c += abs(n)
        off += size
    return out


def cell_id(b, c):
    return bytes(b[c + 4:c + 6])


def nk_children(b, nk):
    """Offsets of the nk cells in nk's subkey list (lf/lh/li, one level)."""
    if u32(b, nk + 24) == 0:
        return None, []
    lst = 4096 + u32(b, nk + 32)
    if lst + 8 > len(b):
        return None, []
    kind = cell_id(b, lst)
    n = struct.unpack_from("<H", b, lst + 6)[0]
    step = 8 if kind in (b"lf", b"lh") else 4
    kids = []
    for k in range(n):
        p = lst + 8 + k * step
        if p + 4 <= len(b):
            kids.append(4096 + u32(b, p))
    return lst, kids


def nk_name(b, nk):
    n = struct.unpack_from("<H", b, nk + 76)[0]
    return bytes(b[nk + 80:nk + 80 + n]).decode("latin-1")


def find_key(b, path):
    nk = 4096 + u32(b, 36)
    for part in path.split("\\"):
        _, kids = nk_children(b, nk)
        for k in kids:
            if k + 80 <= len(b) and cell_id(b, k) == b"nk" and \
                    nk_name(b, k).lower() == part.lower():
                nk = k
                break
        else:
            return None
    return nk


def mutations(data, seed):
    """(family, name, bytes) of each mutation of one hive."""
    size = len(data)
    rnd = random.Random(seed)
    pages = size // 4096

    for at in sorted({0, 1, 4095, 4096, 4097, 4096 + 2048,
                      4096 + (size - 4096) // 2, size - 1}):
        if 0 <= at < size:
            yield "truncation", "truncate-%d" % at, bytes(data[:at])

    def zero(pg):
        b = bytearray(data)
        b[pg * 4096:(pg + 1) * 4096] = bytes(4096)
        return bytes(b)
    yield "zeroed pages", "zero-base-block", zero(0)
    if pages > 1:
        yield "zeroed pages", "zero-first-hbin", zero(1)
    for k in range(6):
        if pages > 2:
            pg = rnd.randrange(2, pages)
            yield "zeroed pages", "zero-page-%d" % pg, zero(pg)

    for k in range(FLIPS):
        b = bytearray(data)
        for _ in range(rnd.choice((1, 1, 2, 4, 16))):
            # Half the flips hit the first 16 KiB, where the base block,
            # Select and the root's lists live.
            lim = min(size, 16384) if rnd.random() < 0.5 else size
            b[rnd.randrange(lim)] ^= 1 << rnd.randrange(8)
        if rnd.random() < 0.3:
            fix_checksum(b)
        yield "byte flips", "flip-%03d" % k, bytes(b)

    root = 4096 + u32(data, 36)
    targets = [("root", root)]
    for p in ("Select", "ControlSet001", "ControlSet001\\Control",
              "ControlSet001\\Control\\Session Manager"):
        nk = find_key(data, p)
        if nk:
            targets.append((p, nk))
    for label, nk in targets:
        lst, kids = nk_children(data, nk)
        b = bytearray(data)
        put32(b, nk + 32, nk - 4096)  # the subkey list is the key itself
        yield "loops", "%s: subkey list is the key" % label, bytes(b)
        if lst is None:
            continue
        b = bytearray(data)
        b[lst + 4:lst + 6] = b"ri"  # an index of lists whose list is itself
        struct.pack_into("<H", b, lst + 6, 1)
        put32(b, lst + 8, lst - 4096)
        yield "loops", "%s: ri list points to itself" % label, bytes(b)
        if kids:
            for to, what in ((nk, "the key"), (root, "the root")):
                b = bytearray(data)
                put32(b, lst + 8, to - 4096)  # first subkey is ...
                yield "loops", "%s: first subkey is %s" % (label, what), \
                    bytes(b)

    for v in (0x80000010, 0x7FFFFFF0, 0, 0x80000000, 0xFFFFFFFC):
        b = bytearray(data)
        put32(b, root, v)
        yield "absurd lengths", "root cell length 0x%08x" % v, bytes(b)
    vks = [c for c, s, used in cells(data) if used and cell_id(data, c) == b"vk"]
    for v in (0x7FFFFFFF, 0xFFFFFFFF, 0x80000005, 0x00004000, 0x00003FD9):
        b = bytearray(data)
        for c in vks:
            put32(b, c + 8, v)
        yield "absurd lengths", "every vk data length 0x%08x" % v, bytes(b)
    for k in range(4):
        if vks:
            c = rnd.choice(vks)
            b = bytearray(data)
            put32(b, c + 8, 0x7FFFFFFF)
            put32(b, c + 12, rnd.choice((0, 0xFFFFFFF0, u32(data, c + 12) + 1)))
            yield "absurd lengths", "vk at 0x%x: length 0x7fffffff, bad offset" % c, bytes(b)
        if vks:
            c = rnd.choice(vks)
            b = bytearray(data)
            struct.pack_into("<H", b, c + 6, 0xFFFF)  # name length
            yield "absurd lengths", "vk at 0x%x: name length 0xffff" % c, bytes(b)

    for v, fix in ((0x7FFFF000, True), (0x7FFFF000, False),
                   (size, True), (0xFFFFFFFF, True)):
        b = bytearray(data)
        put32(b, 40, v)
        if fix:
            fix_checksum(b)
        yield "hbins size", "hbins size 0x%x%s" % (
            v, "" if fix else ", stale checksum"), bytes(b)
    # fuzz-hive's first crash: a file cut mid-page, a damaged hbin header
    # (so that hivex seeks for the next one) and a base block declaring
    # far more hive bins than the file holds.
    starts = hbin_starts(data)
    if len(starts) > 1:
        cut = size - 4096 + 1916
        b = bytearray(data[:cut])
        last = max(o for o in starts if o < cut)
        b[last:last + 4] = b"L\xb9\x97F"
        put32(b, 40, 0xB39000)
        fix_checksum(b)
        yield "hbins size", "cut mid-page, bad hbin, hbins size 0xb39000", bytes(b)


def run(cmd, path):
    """None when the run is acceptable, else why not."""
    if LIMIT_AS:
        # The limit set by the shell that execs the command: preexec_fn is
        # not safe with the threads that run mutants side by side.
        cmd = ["sh", "-c", 'ulimit -v %d && exec "$@"' % (MEM_LIMIT // 1024),
               "sh"] + cmd
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return "hung (more than %d s)" % TIMEOUT
    err = p.stderr.decode("utf-8", "replace")
    if p.returncode < 0:
        return "killed by signal %d" % -p.returncode
    if "Sanitizer" in err or "==ERROR" in err or p.returncode == 99:
        return "sanitizer or valgrind report: " + err.splitlines()[0][:200]
    if p.returncode not in (0, 2):
        return "exit %d" % p.returncode
    if p.returncode == 2:
        lines = err.splitlines()
        if len(lines) != 1 or not lines[0].startswith("smaudit: %s: " % path):
            return "exit 2 without one line 'smaudit: FILE: reason': %r" % err[:300]
        return None
    if "--format" in cmd and "json" in cmd:
        try:
            out = p.stdout.decode("utf-8")
            # scan writes JSON Lines, show one document.
            docs = out.splitlines() if "scan" in cmd else [out]
            for line in docs:
                d = json.loads(line)
                if "--unsafe" in cmd and d.get("hive") and \
                        d["hive"].get("unsafe") is not True:
                    return "tolerant scan without hive.unsafe true"
        except ValueError as e:
            return "invalid JSON: %s" % e
    elif "--unsafe" in cmd and b"damaged" not in p.stdout and \
            b"tolerant:" not in p.stdout:
        return "tolerant run without a 'damaged' or 'tolerant:' line"
    return None


def main():
    global FLIPS, LIMIT_AS
    FLIPS = int(os.environ.get("MUTATE_FLIPS", "75"))
    if sys.argv[1] == "--write":
        # mutate.py --write HIVE NAME OUT: that one mutant, to OUT.
        data = open(sys.argv[2], "rb").read()
        for family, name, b in mutations(data, 1):
            if name == sys.argv[3]:
                open(sys.argv[4], "wb").write(b)
                return
        sys.exit("mutate.py: no mutation named %r" % sys.argv[3])
    tmpdir, seed = sys.argv[1], int(sys.argv[2])
    sep = sys.argv.index("--")
    cmd, hives = sys.argv[3:sep], sys.argv[sep + 1:]
    baseline = os.environ["MUTATE_BASELINE"]
    LIMIT_AS = os.environ.get("MUTATE_LIMIT_AS", "1") == "1"
    runs = [["show"],
            ["scan", "--fail-on", "never", "--format", "json", "-b", baseline],
            ["scan", "--fail-on", "never", "--unsafe", "-b", baseline]]
    if os.environ.get("MUTATE_RUNS") != "quick":
        runs += [["show", "--unsafe"], ["show", "--format", "json", "--unsafe"]]
    # Mutants run MUTATE_JOBS at a time (default: the cores), each from its
    # own file; the report keeps the mutations' order.
    jobs = max(1, int(os.environ.get("MUTATE_JOBS", "0")) or os.cpu_count() or 1)
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=jobs)

    def check(slot, b):
        path = os.path.join(tmpdir, "mutant-%d.hiv" % slot)
        with open(path, "wb") as f:
            f.write(b)
        try:
            return [(args, run(cmd + args + [path], path)) for args in runs]
        finally:
            os.unlink(path)

    for hive in hives:
        data = open(hive, "rb").read()
        label = os.path.basename(os.path.dirname(hive)) + "/" + \
            os.path.basename(hive)
        results = {}
        batch = []

        def settle():
            futures = [(family, name, pool.submit(check, k, b))
                       for k, (family, name, b) in enumerate(batch)]
            for family, name, fut in futures:
                bad = results.setdefault(family, [0, []])
                bad[0] += 1
                for args, why in fut.result():
                    if why:
                        bad[1].append("%s: %s: %s" % (name, " ".join(args[:2]), why))
            del batch[:]
        for mutant in mutations(data, seed):
            batch.append(mutant)
            if len(batch) == jobs:
                settle()
        settle()
        for family, (n, bad) in results.items():
            print("%s|%s: %d %s mutations (seed %d): no signal, hang or "
                  "unexplained failure" % ("not ok" if bad else "ok", label,
                                           n, family, seed))
            for line in bad[:20]:
                print("# " + line)
        sys.stdout.flush()


main()
