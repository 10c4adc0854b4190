#!/bin/sh
# smaudit scan TARGET: volumes, RegBack, triage trees, -r, links out of the
# target, and nothing read or changed outside or inside.
. "$(dirname "$0")/setup.sh"

need_fixtures win-10 win-7 win-xp sample
boot_baseline "$tmp/b.yaml"

# results: one line per result, "target role volume ok|error", $tmp cut.
results() {
  "$PYTHON3" -c '
import json, sys
for line in sys.stdin:
    o = json.loads(line)
    print(o["target"], o["role"], o["volume"] or "-",
          "error" if o["error"] else "ok")' <"$tmp/out" | sed "s|$tmp/||g"
}
# expect DESCRIPTION: the results equal the lines on standard input.
expect() {
  cat >"$tmp/expected"
  results >"$tmp/got"
  if diff -u "$tmp/expected" "$tmp/got" >&2; then ok "$1"; else not_ok "$1"; fi
}
scan() { run scan -q -b "$tmp/b.yaml" --format json --sort -j 2 "$@"; }

e="$tmp/ev"
mk() { mkdir -p "$(dirname "$1")" && cp "$FIXTURES/$2.hiv" "$1"; }
# A volume as NTFS mounts show it, with SOFTWARE and a RegBack copy.
mk "$e/vol1/WINDOWS/system32/CONFIG/system" win-10
mk "$e/vol1/WINDOWS/system32/CONFIG/SOFTWARE" win-7
mk "$e/vol1/WINDOWS/system32/CONFIG/RegBack/SYSTEM" win-7
# Windows 10 1803 and later: an empty RegBack copy.
mk "$e/vol2/Windows/System32/config/SYSTEM" win-xp
mkdir -p "$e/vol2/Windows/System32/config/RegBack"
: >"$e/vol2/Windows/System32/config/RegBack/SYSTEM"
# A triage collection.
mk "$e/tri/host1/C/Windows/System32/config/SYSTEM" win-7
mk "$e/tri/host2/C/Windows/System32/config/SYSTEM" sample
# A folder of volumes and loose hives for -r.
mk "$e/r/v1/Windows/System32/config/SYSTEM" win-10
mk "$e/r/v2/windows/system32/config/system" win-7
mk "$e/r/v3/Windows/System32/config/SYSTEM" win-xp
mk "$e/r/loose/SYSTEM" sample
mkdir -p "$e/r/junk" "$e/r/empty" "$e/r/fifo"
echo "not a hive" >"$e/r/junk/SYSTEM"
: >"$e/r/empty/system"
mkfifo "$e/r/fifo/SYSTEM"
# Outside every target.
mk "$tmp/outside/SYSTEM" win-8.1
mkdir -p "$e/r/outfile" "$e/r/in" "$e/vol3/Windows/System32/config"
ln -s "$tmp/outside" "$e/r/out"
ln -s "$tmp/outside/SYSTEM" "$e/r/outfile/SYSTEM"
ln -s ../loose/SYSTEM "$e/r/in/SYSTEM"
ln -s v1 "$e/r/indir"
ln -s "$tmp/outside/SYSTEM" "$e/vol3/Windows/System32/config/SYSTEM"

# Evidence integrity: hashes, then every access time made old (so that
# any read would move it, even with relatime), then sizes and times.
files() { find "$e" "$tmp/outside" -type f | sort; }
hashes() { files | xargs sha256sum; }
stats() { files | while read -r f; do echo "$f $(stat -c '%s %Y %X' "$f")"; done; }
hashes >"$tmp/before.sha"
files | xargs touch -a -d 2001-01-01
stats >"$tmp/before.stat"

scan "$e/vol1"
check "volume: exit 0 or 1" [ "$rc" -le 1 ]
expect "volume: SYSTEM in any case, and the RegBack copy" <<EOF
ev/vol1/WINDOWS/system32/CONFIG/RegBack/SYSTEM regback ev/vol1 ok
ev/vol1/WINDOWS/system32/CONFIG/system system ev/vol1 ok
EOF
"$PYTHON3" -c '
import json, sys
for l in open(sys.argv[1]):
    assert json.loads(l)["hive"]["sha256"]' "$tmp/out" 2>/dev/null
check "volume: both hives audited and hashed" [ $? = 0 ]

scan "$e/vol2"
expect "volume: an empty RegBack copy is not reported" <<EOF
ev/vol2/Windows/System32/config/SYSTEM system ev/vol2 ok
EOF

scan "$e/tri"
expect "triage tree: a volume per host" <<EOF
ev/tri/host1/C/Windows/System32/config/SYSTEM system ev/tri/host1/C ok
ev/tri/host2/C/Windows/System32/config/SYSTEM system ev/tri/host2/C ok
EOF

scan "$e/r"
check "without -r, loose hives are not taken" [ "$(results | grep -c loose)" = 0 ]
check "without -r, the volumes are found" [ "$(results | wc -l)" = 3 ]

scan -r "$e/r"
check "-r: exit 0 or 1" [ "$rc" -le 1 ]
expect "-r: volumes, loose hives and a link inside" <<EOF
ev/r/in/SYSTEM system - ok
ev/r/loose/SYSTEM system - ok
ev/r/v1/Windows/System32/config/SYSTEM system ev/r/v1 ok
ev/r/v2/windows/system32/config/system system ev/r/v2 ok
ev/r/v3/Windows/System32/config/SYSTEM system ev/r/v3 ok
EOF
check "-r: the link to a folder outside is reported" \
  grep -qxF "smaudit: $e/r/out: skipped: symbolic link leaving the target" "$tmp/err"
check "-r: the link to a hive outside is reported" \
  grep -qxF "smaudit: $e/r/outfile/SYSTEM: skipped: symbolic link leaving the target" "$tmp/err"
check "-r: the link inside is not reported" sh -c "! grep -q '/in/' '$tmp/err'"
check "-r: nothing from outside the target" sh -c "! grep -q outside '$tmp/out'"
check "-r: the hive outside is not hashed" \
  sh -c "! grep -q $(grep outside/SYSTEM "$tmp/before.sha" | cut -c1-64) '$tmp/out'"
run scan -b "$tmp/b.yaml" --format json -r "$e/r"
check "the summary counts what was skipped" grep -q 'skipped: 2$' "$tmp/err"
check "the summary names the hives" grep -q '^smaudit: 5 hives in ' "$tmp/err"

scan "$e/vol3"
check "a volume whose SYSTEM leaves it: exit 2" [ "$rc" = 2 ]
check "a volume whose SYSTEM leaves it: reported" \
  grep -qxF "smaudit: $e/vol3/Windows/System32/config/SYSTEM: skipped: symbolic link leaving the target" "$tmp/err"
expect "a volume whose SYSTEM leaves it: an error result" <<EOF
ev/vol3 system - error
EOF

scan "$e/r/junk"
check "a folder without hives: exit 2" [ "$rc" = 2 ]
scan "$e/r/fifo/SYSTEM"
check "a FIFO named as a target is not opened: exit 2" [ "$rc" = 2 ]
check "a FIFO named as a target: says why" grep -q 'not a regular file' "$tmp/err"

scan "$e/vol1/WINDOWS/system32/CONFIG/system" "$e/r/loose/SYSTEM"
expect "hive files named on the command line" <<EOF
ev/r/loose/SYSTEM system - ok
ev/vol1/WINDOWS/system32/CONFIG/system system - ok
EOF

stats >"$tmp/after.stat"
hashes >"$tmp/after.sha"
check "nothing read or changed: sizes and times" cmp -s "$tmp/before.stat" "$tmp/after.stat"
check "nothing changed: hashes" cmp -s "$tmp/before.sha" "$tmp/after.sha"

# A read-only copy of the tree (links and FIFO included).
cp -a "$e" "$tmp/ro"
rm -f "$tmp/ro/r/fifo/SYSTEM"
chmod -R a-w "$tmp/ro"
run scan -q -b "$tmp/b.yaml" --format json --sort -r "$tmp/ro/r"
check "read-only tree: exit 0 or 1" [ "$rc" -le 1 ]
check "read-only tree: the same hives" [ "$(wc -l <"$tmp/out")" = 5 ]
run scan -q -b "$tmp/b.yaml" --format json "$tmp/ro/vol1"
check "read-only volume: both hives" [ "$(wc -l <"$tmp/out")" = 2 ]
chmod -R u+w "$tmp/ro"

# A hive named twice, or found again through its volume: audited once.
run scan -b "$tmp/b.yaml" --format json "$FIXTURES/win-10.hiv" "$FIXTURES/win-10.hiv"
check "a target given twice: one result" [ "$(wc -l <"$tmp/out")" = 1 ]
check "a target given twice: a note" grep -qxF "smaudit: $FIXTURES/win-10.hiv: named or found twice; audited once" "$tmp/err"
mkdir -p "$tmp/twice/Windows/System32/config"
cp "$FIXTURES/win-7.hiv" "$tmp/twice/Windows/System32/config/SYSTEM"
run scan -b "$tmp/b.yaml" --format json "$tmp/twice" "$tmp/twice/Windows/System32/config/SYSTEM"
check "a hive given again inside its volume: one result" [ "$(wc -l <"$tmp/out")" = 1 ]
check "a hive given again inside its volume: a note" grep -qxF \
  "smaudit: $tmp/twice/Windows/System32/config/SYSTEM: named or found twice; audited once" "$tmp/err"
cp "$FIXTURES/win-7.hiv" "$tmp/twice/copy.hiv"
ln -s copy.hiv "$tmp/twice/link.hiv"
ln "$tmp/twice/copy.hiv" "$tmp/twice/hardlink.hiv"
run scan -b "$tmp/b.yaml" --format json "$tmp/twice/copy.hiv" "$tmp/twice/link.hiv" "$tmp/twice/hardlink.hiv"
check "a link to a hive given before: audited once, a note naming both" sh -c '
  grep -qxF "smaudit: $2/link.hiv: the same hive as $2/copy.hiv; audited once" "$1"' _ "$tmp/err" "$tmp/twice"
check "a hard link elsewhere is another name: audited as given" [ "$(wc -l <"$tmp/out")" = 2 ]

# Folders an ordinary user cannot read: named, counted, never "clean".
# As root, the scan runs as nobody (setpriv); otherwise as ourselves.
as_user=""
why=""
if [ "$(id -u)" = 0 ]; then
  if command -v setpriv >/dev/null 2>&1 &&
    setpriv --reuid=nobody --regid=nogroup --clear-groups true 2>/dev/null; then
    as_user="setpriv --reuid=nobody --regid=nogroup --clear-groups --"
  else
    why="running as root, and setpriv cannot switch to nobody"
  fi
fi
u="$tmp/unreadable"
mkdir -p "$u/tree/a" "$u/tree/locked" "$u/vol/Windows/System32/config"
cp "$FIXTURES/win-7.hiv" "$u/tree/a/SYSTEM"
cp "$FIXTURES/win-xp.hiv" "$u/tree/locked/SYSTEM"
cp "$FIXTURES/win-10.hiv" "$u/vol/Windows/System32/config/SYSTEM"
chmod -R a+rX "$u"
chmod 755 "$tmp"
chmod 700 "$u/tree/locked" "$u/vol/Windows/System32/config"
[ "$(id -u)" = 0 ] || chmod 000 "$u/tree/locked" "$u/vol/Windows/System32/config"
if [ -z "$why" ] && $as_user cat "$u/tree/locked/SYSTEM" >/dev/null 2>&1; then
  why="this user can read a folder of mode 000 (CAP_DAC_OVERRIDE?)"
fi
if [ -z "$why" ]; then
  rc=0
  $as_user $SMAUDIT scan -b "$tmp/b.yaml" --format json -r "$u/tree" >"$tmp/out" 2>"$tmp/err" || rc=$?
  check "-r, an unreadable folder: the others are audited" [ "$(wc -l <"$tmp/out")" = 1 ]
  check "-r, an unreadable folder: named, with the reason" grep -qxF \
    "smaudit: $u/tree/locked: skipped: cannot read this folder: Permission denied" "$tmp/err"
  check "-r, an unreadable folder: counted in the summary" grep -q 'skipped: 1, unreadable folders: 1$' "$tmp/err"
  check "-r, an unreadable folder: exit 2, never clean" [ "$rc" = 2 ]
  rc=0
  $as_user $SMAUDIT scan -b "$tmp/b.yaml" --format json "$u/vol" >"$tmp/out" 2>"$tmp/err" || rc=$?
  check "a volume whose config folder is unreadable: says so, exit 2" sh -c '[ "$1" = 2 ] &&
    grep -qF "$2: no SYSTEM hive found, but 1 folder could not be read: $2/Windows/System32/config (Permission denied)" "$3"' \
    _ "$rc" "$u/vol" "$tmp/err"
  check "a volume whose config folder is unreadable: not \"no ... SYSTEM found\"" sh -c '! grep -q "no Windows/System32/config/SYSTEM found" "$1"' _ "$tmp/err"
else
  for t in "-r, an unreadable folder" "a volume whose config folder is unreadable"; do
    skip "$t" "$why"
  done
fi
chmod -R u+rwx "$u"

# Two Windows folders that differ only in case (a copy on a case-sensitive
# file system): both audited, and the ambiguity said, never one silently.
mk "$tmp/twocase/Windows/System32/config/SYSTEM" win-10
mk "$tmp/twocase/WINDOWS/System32/config/SYSTEM" sample
mk "$tmp/twocase/WINDOWS/system32/config/SYSTEM" win-7
scan "$tmp/twocase"
check "Windows and WINDOWS: exit 0 or 1" [ "$rc" -le 1 ]
"$PYTHON3" -c '
import json, sys
for line in open(sys.argv[1]):
    o = json.loads(line)
    print(o["target"], o["role"], o["volume"] or "-", "error" if o["error"] else "ok")' "$tmp/out" |
  sed "s|$tmp/||g" >"$tmp/got"
printf '%s\n' "twocase/WINDOWS/System32/config/SYSTEM system twocase ok" \
  "twocase/WINDOWS/system32/config/SYSTEM system twocase ok" \
  "twocase/Windows/System32/config/SYSTEM system twocase ok" >"$tmp/expected"
check "Windows and WINDOWS: each audited" cmp -s "$tmp/expected" "$tmp/got"
check "Windows and WINDOWS: the ambiguity said" \
  grep -qxF "smaudit: $tmp/twocase: 2 folders named WINDOWS that differ only in case (WINDOWS, Windows): each is looked at" "$tmp/err"
check "System32 and system32: the ambiguity said" \
  grep -qxF "smaudit: $tmp/twocase/WINDOWS: 2 folders named System32 that differ only in case (System32, system32): each is looked at" "$tmp/err"

done_testing
