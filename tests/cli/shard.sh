#!/bin/sh
# smaudit scan --shard K/N: N shards of one evidence store, each target in
# exactly one, their JSON Lines together the one-machine result, whatever
# the path the store is mounted at.
. "$(dirname "$0")/setup.sh"

need_fixtures win-10 win-7 win-xp sample
boot_baseline "$tmp/b.yaml"

# A store: 30 hosts' volumes (with RegBack), loose hives, one that is not
# a whole hive (its error result must be in one shard too).
e="$tmp/store"
mk() { mkdir -p "$(dirname "$1")" && cp "$FIXTURES/$2.hiv" "$1"; }
set -- win-10 win-7 win-xp sample
i=0
while [ $i -lt 30 ]; do
  eval "f=\${$((i % 4 + 1))}"
  mk "$e/host$i/C/Windows/System32/config/SYSTEM" "$f"
  [ $((i % 3)) = 0 ] && mk "$e/host$i/C/Windows/System32/config/RegBack/SYSTEM" win-7
  i=$((i + 1))
done
mk "$e/loose/a/SYSTEM" sample
mk "$e/loose/b/SYSTEM" win-xp
mkdir -p "$e/junk" && head -c 3000 "$FIXTURES/win-10.hiv" >"$e/junk/SYSTEM"

scan() { run scan -q -b "$tmp/b.yaml" --format json --no-hash -j 2 "$@"; }
# The lines of a result file with the store's path cut, sorted.
lines() { sed "s|$2/||g" "$1" | sort; }

scan -r "$e"
whole_rc=$rc
cp "$tmp/out" "$tmp/whole"
lines "$tmp/whole" "$e" >"$tmp/whole.sorted"
total=$(wc -l <"$tmp/whole")
check "one run: exit 2 (one hive is not a hive)" [ "$whole_rc" = 2 ]
check "one run: 43 results" [ "$total" = 43 ]

for n in 3 7; do
  : >"$tmp/merged"
  counts=
  worst=0
  k=1
  while [ $k -le $n ]; do
    scan -r --shard "$k/$n" "$e"
    cat "$tmp/out" >>"$tmp/merged"
    counts="$counts $(wc -l <"$tmp/out")"
    [ "$rc" -gt "$worst" ] && worst=$rc
    k=$((k + 1))
  done
  lines "$tmp/merged" "$e" >"$tmp/merged.sorted"
  if cmp -s "$tmp/whole.sorted" "$tmp/merged.sorted"; then
    ok "$n shards: together exactly the one-machine result (shard sizes:$counts)"
  else
    diff "$tmp/whole.sorted" "$tmp/merged.sorted" | head -5 >&2
    not_ok "$n shards: together exactly the one-machine result"
  fi
  dups=$("$PYTHON3" -c '
import collections, json, sys
c = collections.Counter(json.loads(l)["target"] for l in open(sys.argv[1]))
print(sum(1 for v in c.values() if v != 1))' "$tmp/merged")
  check "$n shards: every target exactly once" [ "$dups" = 0 ]
  check "$n shards: the worst exit status is the one run's" [ "$worst" = "$whole_rc" ]
done
# Every shard of 7 holds something: the hash spreads 43 names.
check "7 shards: none empty" sh -c 'for c in $1; do [ "$c" -gt 0 ] || exit 1; done' _ "$counts"

# Another machine mounts the store elsewhere (and names it with a slash):
# the same shard holds the same hives.
cp -a "$e" "$tmp/mnt-other"
scan -r --shard 2/3 "$e"
lines "$tmp/out" "$e" >"$tmp/here"
scan -r --shard 2/3 "$tmp/mnt-other/"
lines "$tmp/out" "$tmp/mnt-other" >"$tmp/there"
check "the shard is the same under another mount point" cmp -s "$tmp/here" "$tmp/there"
check "the shard is not empty" [ -s "$tmp/here" ]

# A disk image target goes whole to one shard; a hive named on the command
# line by its name as given.
scan --shard 1/1 "$e/loose/a/SYSTEM"
check "--shard 1/1 of a hive: audited" [ "$(wc -l <"$tmp/out")" = 1 ]

for bad in 0/3 4/3 3 /3 3/ -1/3 1/-3 1/0 1/65537 a/b 1/3x; do
  scan -r --shard "$bad" "$e"
  check "--shard $bad: exit 2, said" sh -c \
    '[ "$1" = 2 ] && grep -q -- "--shard takes K/N" "$2" && [ ! -s "$3" ]' _ "$rc" "$tmp/err" "$tmp/out"
done
done_testing
