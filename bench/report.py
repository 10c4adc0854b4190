#!/usr/bin/env python3
"""Markdown report of one bench/run.sh run: report.py RAWDIR DATE."""
import json
import os
import sys

raw, date = sys.argv[1], sys.argv[2]


def tsv(name):
    path = os.path.join(raw, name)
    return [l.rstrip('\n').split('\t') for l in open(path) if l.strip()]


machine = dict(r[:2] for r in tsv('machine.tsv'))
hives = tsv('hives.tsv')
rss = {(r[0], r[1]): int(r[2]) for r in tsv('memory.tsv') if r[2].isdigit()}


def medians(name):
    """Per command: the median over the runs of all rounds (NAME.rN.json,
    or NAME.json)."""
    import glob
    import statistics
    files = sorted(glob.glob(os.path.join(raw, name + '.r*.json'))) or \
        [os.path.join(raw, name + '.json')]
    times = {}
    for f in files:
        for r in json.load(open(f))['results']:
            times.setdefault(r['command'], []).extend(r['times'])
    return {c: {'median': statistics.median(t), 'runs': len(t)}
            for c, t in times.items()}


def batch_cpu(name):
    """Per command: the mean CPU time (user + system, all processes) of a
    run, over the rounds."""
    import glob
    cpu = {}
    for f in sorted(glob.glob(os.path.join(raw, name + '.r*.json'))):
        for r in json.load(open(f))['results']:
            cpu.setdefault(r['command'], []).append(r['user'] + r['system'])
    return {c: sum(v) / len(v) for c, v in cpu.items()}


def ms(s):
    return f'{s * 1000:.1f}' if s < 10 else f'{s * 1000:.0f}'


def mb(kb):
    return f'{kb / 1024:.1f}' if kb is not None else '?'


def ok(b):
    return 'met' if b else '**not met**'


print(f'# smaudit benchmark, {date}\n')
print('Machine: ' + ', '.join(f'{k} {machine[k]}' for k in
      ('cpu', 'cores', 'memory', 'kernel', 'disk', 'load')) + '.')
print(f"SHA-NI: {machine['sha_ni']}. smaudit {machine['smaudit']}; "
      f"{machine['hyperfine']} ({machine['runs']}, the rounds one after "
      "the other), medians of wall-clock time over all runs; peak memory is "
      "the max RSS of one run (GNU time %M). Each hive is read once before "
      "its commands run: the figures are for a hive in the page cache. "
      f"RegRipper: one rip.pl process with a profile of the plugins "
      f"{machine['regripper-plugins']}. Run as {machine.get('user', '?')}; "
      f"a writable file's hive is read {machine.get('view', '?')}.\n")

print('| hive | size (MB) | in page cache | baseline | command | median (ms) '
      '| × cat | × hivexget | peak RSS (MB) |')
print('|---|---:|---:|---|---|---:|---:|---:|---:|')
targets = []
lin = []
for name, size, bl, cached, _, access, *rest in hives:
    if name == 'batch':
        continue
    load = rest[0] if rest else '?'
    m = medians(name)
    size = int(size)
    cat, hx = m['cat']['median'], m['hivexget']['median']
    try:
        pct = f'{100 * int(cached) / size:.0f} %'
    except ValueError:
        pct = '?'
    for cmd, r in m.items():
        t = r['median']
        print(f'| {name} | {size / 1e6:.1f} | {pct} | {bl} | {cmd} | {ms(t)} '
              f'| {t / cat:.2f} | {t / hx:.2f} | {mb(rss.get((name, cmd)))} |')

    def med(cmd):
        return m[cmd]['median'] if cmd in m else None

    peak = max(rss.get((name, c), 0) for c in m if c.startswith('scan'))
    nohash = med('scan-all-nohash')
    floor = max(med('openssl-sha256') or 0, nohash)
    copy, rr = med('scan-all-copy-nohash'), med('regripper')
    targets.append({'name': name, 'access': access, 'nohash': nohash / hx,
                    'hash': med('scan-all') / floor,
                    'logs': (med('scan-all') / med('logs-floor')
                             if med('logs-floor') else None),
                    'copy': copy / hx if copy else None,
                    'rr': rr / med('scan-all') if rr else None,
                    'rss': peak / 1024 - size / 2**20, 'load': load})
    if name.startswith('generated-'):
        lin.append((size, med('scan-all'), m['hivexget']['median']))


print('\n## Targets\n')
print('Full audit (`smaudit scan --control-set all`), each against the floor '
      'of its own path (issue 24): without the digest (`--no-hash`) ÷ '
      'hivexget of one value, target ≤ 1.3 on a clean hive; by default '
      '(SHA-256) ÷ the larger of `openssl dgst -sha256 HIVE` and '
      '`--no-hash`, target ≤ 1.15 (the digest wholly overlapped with the '
      'audit); a hive with transaction logs ÷ (`cat HIVE LOGS` + hivexget), '
      'target ≤ 1.3; peak RSS over the hive size, target ≤ 64 MB. '
      '`access`: in place through a read-only mount or view, or from a copy. '
      'From a private copy (`SMAUDIT_NO_VIEW=1`) and RegRipper ÷ default for '
      'comparison, without a target.\n')
print('| hive | load (1 min, start → end) | access | --no-hash ÷ hivexget (≤ 1.3) '
      '| default ÷ max(openssl, --no-hash) (≤ 1.15) | with logs ÷ (cat + '
      'hivexget) (≤ 1.3) | copy: --no-hash ÷ hivexget | RegRipper ÷ default '
      '| peak RSS − hive size, MB (≤ 64) |')
print('|---|---|---|---:|---:|---:|---:|---:|---:|')
for t in targets:
    dirty = t['logs'] is not None
    nh = (f"{t['nohash']:.2f} ({ok(t['nohash'] <= 1.3)})" if not dirty
          else f"{t['nohash']:.2f} (dirty: next column)")
    lg = f"{t['logs']:.2f} ({ok(t['logs'] <= 1.3)})" if dirty else '–'
    opt = ['–' if t[k] is None else f'{t[k]:.2f}' for k in ('copy', 'rr')]
    print(f"| {t['name']} | {t['load']} | {t['access']} | {nh} "
          f"| {t['hash']:.2f} ({ok(t['hash'] <= 1.15)}) | {lg} "
          f"| {opt[0]} | {opt[1]} "
          f"| {t['rss']:.1f} ({ok(t['rss'] <= 64)}) |")

if len(lin) >= 2:
    lin.sort()
    print('\n## Growth with hive size (generated hives)\n')
    print('| size (MB) | scan --control-set all (ms) | scan ms per MB '
          '| hivexget (ms) | hivexget ms per MB |')
    print('|---:|---:|---:|---:|---:|')
    for size, t, h in lin:
        print(f'| {size / 1e6:.0f} | {ms(t)} | {t * 1e3 / (size / 1e6):.2f} '
              f'| {ms(h)} | {h * 1e3 / (size / 1e6):.2f} |')
    (s0, t0, _), (s1, t1, _) = lin[0], lin[-1]
    slope = (t1 - t0) / ((s1 - s0) / 1e6) * 1e3
    print(f'\nMarginal cost between {s0 / 1e6:.0f} and {s1 / 1e6:.0f} MB: '
          f'{slope:.2f} ms per MB; per-MB cost at the largest size is '
          f'{(t1 / s1) / (t0 / s0):.2f}× that of the smallest (linear growth '
          'keeps this at or below 1).')

b = [h for h in hives if h[0] == 'batch']
if b:
    m = medians('batch')
    n = len(os.listdir(b[0][4]))
    bload = b[0][6] if len(b[0]) > 6 else '?'
    print(f'\n## Batch: {n} hives (hard links of a copy of {b[0][5]}, '
          f'{int(b[0][1]) / 1e6:.1f} MB), baseline {b[0][2]}, load '
          f'{bload}\n')
    print('| command | runs | median (s) | hives per second |')
    print('|---|---:|---:|---:|')
    for cmd, r in m.items():
        print(f"| {cmd} | {r['runs']} | {r['median']:.2f} "
              f"| {n / r['median']:.0f} |")
    cpu = batch_cpu('batch')
    for mode in ('', 'nohash-'):
        j1, j2 = m.get(f'scan-{mode}j1'), m.get(f'scan-{mode}j2')
        c1 = cpu.get(f'scan-{mode}j1')
        if j1 and j2 and c1:
            r = j2['median'] / (c1 / 2)
            what = 'without the digest' if mode else 'by default'
            print(f'\n-j2 wall time ÷ half the CPU time (user + system) of '
                  f'-j1, {what}: {j2["median"]:.2f} s ÷ {c1 / 2:.2f} s = '
                  f'{r:.2f} ({ok(r <= 1.15)}; target ≤ 1.15); -j2 ÷ -j1 '
                  f'throughput {j1["median"] / j2["median"]:.2f}')
            halves = m.get('halves-nohash') if mode else None
            if halves:
                print(f'\nThe machine\'s floor for two processes at once: '
                      f'two independent `--no-hash -j1` runs of half the '
                      f'batch each, started together, {halves["median"]:.2f} '
                      f's, ÷ half the CPU time of -j1 = '
                      f'{halves["median"] / (c1 / 2):.2f}; -j2 ÷ that '
                      f'floor {j2["median"] / halves["median"]:.2f}')

    bp = rss.get(('batch', 'scan-j2'))
    if bp is not None:
        over = bp / 1024 - int(b[0][1]) / 2**20
        print(f'\nPeak RSS of the largest process of a -j2 batch: '
              f'{bp / 1024:.1f} MB, {over:.1f} MB over one hive '
              f'({ok(over <= 64)}; target ≤ 64 MB per worker)')

opens = open(os.path.join(raw, 'baseline-opens.txt')).read().strip()
print(f'\nBaseline files opened by one `smaudit scan` of 3 hives: {opens} '
      '(target: each file once per run).')
print(f'\nRaw hyperfine JSON: `{os.path.basename(raw)}/`.')
