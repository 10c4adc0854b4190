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
    res = json.load(open(os.path.join(raw, name + '.json')))['results']
    return {r['command']: r for r in res}


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
      f"{machine['hyperfine']} ({machine['runs']}), medians of wall-clock "
      "time; peak memory is the max RSS of one run (GNU time %M). Each hive "
      "is read once before its commands run (and hyperfine's warm-up runs "
      "read it again): the figures are for a hive in the page cache. "
      f"RegRipper: one rip.pl process with a profile of the plugins "
      f"{machine['regripper-plugins']}. Read-only views: "
      f"{machine.get('read-only-views', 'none')}.\n")

print('| hive | size (MB) | in page cache | baseline | command | median (ms) '
      '| × cat | × hivexget | peak RSS (MB) |')
print('|---|---:|---:|---|---|---:|---:|---:|---:|')
targets = []
lin = []
for name, size, bl, cached, _, in_place in hives:
    if name == 'batch':
        continue
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

    def ratio(cmd):
        return m[cmd]['median'] / hx if cmd in m else None

    best = min(m[c]['median'] for c in m if c.startswith('scan-all'))
    peak = max(rss.get((name, c), 0) for c in m if c.startswith('scan'))
    targets.append((name, in_place,
                    [ratio(c) for c in ('scan-all', 'scan-all-nohash',
                                        'scan-all-ro', 'scan-all-ro-nohash')],
                    m['regripper']['median'] / m['scan-all']['median'],
                    m['regripper']['median'] / best,
                    peak / 1024 - size / 2**20))
    if name.startswith('generated-'):
        lin.append((size, m['scan']['median'], m['hivexget']['median']))


def cell(r):
    return '–' if r is None else f'{r:.2f} ({ok(r <= 1.3)})'


print('\n## Targets\n')
print('Full audit (`smaudit scan --control-set all`) ÷ hivexget, target '
      '≤ 1.3: from a private copy (a hive on a writable file system), with '
      'and without the SHA-256 (`--no-hash`), and read in place (the same '
      'file through a read-only mount). RegRipper ÷ full audit, target '
      '≥ 20: against the default (copy, SHA-256) and the fastest variant.\n')
print('| hive | read in place | copy | copy, --no-hash | in place '
      '| in place, --no-hash | RegRipper ÷ default | RegRipper ÷ fastest '
      '| peak RSS − hive size, MB (≤ 32) |')
print('|---|---|---:|---:|---:|---:|---:|---:|---:|')
for name, inp, rs, rr, rb, c in targets:
    print(f'| {name} | {inp} | ' + ' | '.join(cell(r) for r in rs) +
          f' | {rr:.2f} ({ok(rr >= 20)}) | {rb:.2f} ({ok(rb >= 20)}) '
          f'| {c:.1f} ({ok(c <= 32)}) |')
print('\n"read in place": what `hive.in_place` said for the read-only path '
      '(no: the hive needs a copy there too, e.g. logs to replay).')

if len(lin) >= 2:
    lin.sort()
    print('\n## Growth with hive size (generated hives)\n')
    print('| size (MB) | scan (ms) | scan ms per MB | hivexget (ms) '
          '| hivexget ms per MB |')
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
    print(f'\n## Batch: {n} hives (hard links of a {int(b[0][1]) // 1024} KiB '
          f'fixture), baseline {b[0][2]}\n')
    print('| command | median (s) | hives per second |')
    print('|---|---:|---:|')
    for cmd, r in m.items():
        print(f"| {cmd} | {r['median']:.3f} | {n / r['median']:.0f} |")
    if 'scan-j1' in m and 'scan-j2' in m:
        sp = m['scan-j1']['median'] / m['scan-j2']['median']
        print(f'\n-j2 throughput ÷ -j1: {sp:.2f} ({ok(sp >= 1.8)}; target ≥ 1.8)')
    else:
        print('\n`smaudit scan` has no `--jobs` yet: one process, one hive '
              'after another; the -j1/-j2 comparison is not measured.')

opens = open(os.path.join(raw, 'baseline-opens.txt')).read().strip()
print(f'\nBaseline files opened by one `smaudit scan` of 3 hives: {opens} '
      '(target: each file once per run).')
print(f'\nRaw hyperfine JSON: `{os.path.basename(raw)}/`.')
