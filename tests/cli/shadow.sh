#!/bin/sh
# Volume shadow copies inside disk images (source/vss.c): the reader held
# against vshadowinfo and the stated facts of a real volume made by
# Windows, then volumes whose stores hold older SYSTEM hives, written by
# testdata/gen-vss from the on-disk format.
. "$(dirname "$0")/setup.sh"
. "$(dirname "$0")/formats-lib.sh"
. "$(dirname "$0")/images-lib.sh"
VSSGEN="$top_builddir/testdata/gen-vss"
READ="$top_builddir/tests/vss-read"
VSHADOWINFO=$(tool vshadowinfo)
if ! have_python; then
  echo "1..0 # SKIP python3 is not available"
  exit 0
fi
# creation_times: vshadowinfo's stores as "N ID ISO-TIME" lines.
vinfo() {
  "$VSHADOWINFO" "$1" | "$PYTHON3" -c '
import re, sys, datetime
n = None
for line in sys.stdin:
    m = re.match(r"Store: (\d+)", line)
    if m: n = m.group(1)
    m = re.match(r"\s*Identifier\s*: (\S+)", line)
    if m: ident = m.group(1)
    m = re.match(r"\s*Creation time\s*: (\w+ \d+, \d+ \d+:\d+:\d+)", line)
    if m:
        t = datetime.datetime.strptime(m.group(1), "%b %d, %Y %H:%M:%S")
        print(n, "{%s}" % ident, t.strftime("%Y-%m-%dT%H:%M:%SZ"))'
}

# 1. The real volume: two stores made by Windows 2013-12-03.
VSS="${SMAUDIT_CORPUS:-$top_srcdir/../shared/hives}/../vss/vsstest.qcow2"
if [ ! -f "$VSS" ]; then
  skip "real volume: stores, ids, times, files" "no ../shared/vss/vsstest.qcow2"
elif [ -z "$(tool qemu-img)" ] || [ -z "$VSHADOWINFO" ]; then
  skip "real volume: stores, ids, times, files" "qemu-img or vshadowinfo (Debian qemu-utils, libvshadow-utils) not found"
else
  qemu-img convert -O raw "$VSS" "$tmp/real.raw"
  "$READ" "$tmp/real.raw" >"$tmp/ours" 2>&1
  vinfo "$tmp/real.raw" >"$tmp/theirs"
  sed -n 's/^store \([0-9]*\) \([^ ]*\) \([^ ]*\) .*/\1 \2 \3/p' "$tmp/ours" >"$tmp/ours3"
  check "real volume: two stores" [ "$(grep -c . "$tmp/theirs")" = 2 ]
  check "real volume: ids and creation times as vshadowinfo's" cmp -s "$tmp/ours3" "$tmp/theirs" || diff "$tmp/ours3" "$tmp/theirs" >&2
  # README: the first store is empty, the second adds two files, the
  # live volume a third (password.txt).
  for f in another_file syslog.gz password.txt; do
    "$READ" "$tmp/real.raw" "$f" | grep '^file' >"$tmp/f.$f"
  done
  check "real volume: store 1 holds none of the three files" [ "$(cat "$tmp"/f.* | grep -c '^file 1 absent')" = 3 ]
  check "real volume: store 2 holds two, not password.txt" sh -c "grep -q '^file 2 absent' '$tmp/f.password.txt' && ! grep -q '^file 2 absent' '$tmp/f.syslog.gz' '$tmp/f.another_file'"
  for f in another_file syslog.gz; do
    check "real volume: $f in store 2 is the live file, byte for byte" [ "$(sed -n 's/^file 2 //p' "$tmp/f.$f")" = "$(sed -n 's/^file live //p' "$tmp/f.$f")" ]
  done
  run scan --format json "$tmp/real.raw"
  check "real volume: no Windows in it or its stores: exit 2, said" sh -c "[ $rc = 2 ] && grep -q 'shadow copy store 2: NTFS without Windows' '$tmp/err'"
fi

# 2. Generated: the volume in 2019 held a subsystem and a BootExecute
# entry that a later state and the live volume no longer have.
SM='ControlSet001\Control\Session Manager'
gen_overlay "$tmp/old.hiv" win-10 "[$SM\\SubSystems]
\"Evil\"=\"C:\\\\Windows\\\\evil.exe\"
[$SM]
\"BootExecute\"=hex(7):61,00,75,00,74,00,6f,00,63,00,68,00,65,00,63,00,6b,00,20,00,61,00,75,00,74,00,6f,00,63,00,68,00,6b,00,20,00,2a,00,00,00,78,00,2e,00,65,00,78,00,65,00,00,00,00,00"
cfg=Windows/System32/config/SYSTEM
ntfs "$tmp/old.img" 16 "$cfg=$tmp/old.hiv"
cp "$tmp/old.img" "$tmp/mid.img"
"$GEN" "$tmp/mid.img" "$cfg=$FIXTURES/win-10.hiv"
cp "$tmp/mid.img" "$tmp/live.img"
# 2019-06-01 and 2019-09-01: before the fixture's keys were written.
T1=1559347200 T2=1567296000
"$VSSGEN" "$tmp/vol.img" "$tmp/live.img" "$tmp/old.img@$T1" "$tmp/mid.img@$T2"
check "generated: vshadowinfo reads two stores at the times given" [ "$(vinfo "$tmp/vol.img" 2>/dev/null | cut -d' ' -f3 | tr '\n' ' ')" = "2019-06-01T00:00:00Z 2019-09-01T00:00:00Z " ] || [ -z "$VSHADOWINFO" ]
"$READ" "$tmp/vol.img" >"$tmp/ours"
vinfo "$tmp/vol.img" >"$tmp/theirs" 2>/dev/null
sed -n 's/^store \([0-9]*\) \([^ ]*\) \([^ ]*\) .*/\1 \2 \3/p' "$tmp/ours" >"$tmp/ours3"
if [ -n "$VSHADOWINFO" ]; then
  check "generated: ids and times as vshadowinfo's" cmp -s "$tmp/ours3" "$tmp/theirs"
else
  skip "generated: ids and times as vshadowinfo's" "vshadowinfo (libvshadow-utils) not found"
fi
"$READ" "$tmp/vol.img" "$cfg" | sed -n 's/^file \([^ ]*\) [0-9]* \(.*\)/\1 \2/p' >"$tmp/hashes"
h() { sha256sum "$1" | cut -d' ' -f1; }
check "generated: each store holds its own SYSTEM, byte for byte" [ "$(tr '\n' ' ' <"$tmp/hashes")" = "live $(h "$FIXTURES/win-10.hiv") 1 $(h "$tmp/old.hiv") 2 $(h "$FIXTURES/win-10.hiv") " ]

# In a partition, as Windows lays out a disk.
if [ -n "$SFDISK" ]; then
  sectors=$(($(stat -c %s "$tmp/vol.img") / 512))
  truncate -s $(((2048 + sectors) * 512)) "$tmp/disk.img"
  printf 'label: dos\nstart=2048, size=%s, type=7\n' "$sectors" | "$SFDISK" -q "$tmp/disk.img" >/dev/null
  dd if="$tmp/vol.img" of="$tmp/disk.img" bs=512 seek=2048 conv=notrunc status=none
  img="$tmp/disk.img"
else
  img="$tmp/vol.img"
fi
run scan --format json --fail-on never "$img"
check "scan: exit 0" [ "$rc" = 0 ]
cp "$tmp/out" "$tmp/scan.json"
"$PYTHON3" - "$tmp/out" "$img" >"$tmp/py" 2>&1 <<'PY'
import json, sys
rs = [json.loads(l) for l in open(sys.argv[1])]
roles = sorted(r["role"] for r in rs)
assert roles == ["shadow", "shadow", "system"], roles
live = [r for r in rs if r["role"] == "system"][0]
sh = {r["shadow"]["store"]: r for r in rs if r["role"] == "shadow"}
for n, t in ((1, "2019-06-01T00:00:00Z"), (2, "2019-09-01T00:00:00Z")):
    s = sh[n]["shadow"]
    assert s["created"] == t, s
    assert s["id"].startswith("{") and s["id"].endswith("}") and s["id"].lower() == s["id"], s
    assert s["path"] == "/Windows/System32/config/SYSTEM", s
    assert s["volume"] + ":vss%d:/Windows/System32/config/SYSTEM" % n == sh[n]["target"], (s, sh[n]["target"])
    assert sh[n]["error"] is None, sh[n]["error"]
    assert sh[n]["live_differences"]["live"] == live["target"]
# The oldest store holds the subsystem as a finding of its own.
old = {(f["rule"], f["value"]) for f in sh[1]["findings"]}
assert ("SM-SUBSYS-UNLISTED", "Evil") in old, old
assert ("SM-SUBSYS-UNLISTED", "Evil") not in {(f["rule"], f["value"]) for f in sh[2]["findings"]}
d = {(x["value"], x["change"]) for x in sh[1]["live_differences"]["differences"]}
assert ("Evil", "removed") in d and ("BootExecute", "changed") in d, d
# The live hive: gone, last seen in store 1, removed by store 2's time.
rm = {(f["rule"], f["value"]): f for f in live["removed"]}
f = rm[("SM-SUBSYS-UNLISTED", "Evil")]
h = f["history"]
assert [x["source"] for x in h["sources"]] == ["shadow"], h
assert h["last_seen"]["time"] == "2019-06-01T00:00:00Z", h
assert h["last_seen"]["store"] == sh[1]["shadow"]["id"], h
assert f["removed_since"] == "2019-09-01T00:00:00Z", f
# A finding present throughout: seen in both stores, then live.
both = [g for g in live["findings"] if g.get("history") and len(g["history"]["sources"]) == 3]
assert both, "no finding seen in both stores and live"
assert [x["source"] for x in both[0]["history"]["sources"]] == ["shadow", "shadow", "live"]
assert both[0]["history"]["first_seen"]["time"] == "2019-06-01T00:00:00Z"
print("ok")
PY
check "json: role shadow, the shadow object, history and removed since the next store" grep -qx ok "$tmp/py" || cat "$tmp/py" >&2
run scan --fail-on never "$img"
check "text: removed since the next store's time, seen in the store" sh -c "grep -q 'removed since 2019-09-01T00:00:00Z: high *SM-SUBSYS-UNLISTED' '$tmp/out' && grep -q 'history: seen in shadow {[0-9a-f-]*} 2019-06-01T00:00:00Z' '$tmp/out'"

# The commands that take one hive take the volume as it is, not its
# stores; a store's hive is named as results name it.
run show "$img"
check "show IMAGE: the live SYSTEM, not a store's" sh -c "[ $rc = 0 ] && grep -q '^hive: .*:/Windows/System32/config/SYSTEM' '$tmp/out' && ! grep -q vss '$tmp/out'"
store1=$(sed -n 's/.*"target":"\([^"]*:vss1:\)\/Windows\/System32\/config\/SYSTEM".*/\1\/WINDOWS\/system32\/config\/SYSTEM/p' "$tmp/scan.json")
run show "$store1"
check "show IMAGE:pN:vss1:/PATH (any case): store 1's hive, with the subsystem" sh -c "[ $rc = 0 ] && grep -q 'evil.exe' '$tmp/out'"
run scan --format json --fail-on never "$store1"
check "scan IMAGE:pN:vss1:/PATH: that hive alone, role shadow" sh -c "[ \$(wc -l <'$tmp/out') = 1 ] && grep -q '\"role\":\"shadow\"' '$tmp/out'"

# 3. A torn store is that store's error: the other store and the live
# hive are audited, and the run is not called clean.
"$VSSGEN" "$tmp/torn.img" "$tmp/live.img" "$tmp/old.img@$T1" "$tmp/mid.img@$T2" --torn 1
run scan --format json --fail-on never "$tmp/torn.img"
"$PYTHON3" - "$tmp/out" >"$tmp/py" 2>&1 <<'PY'
import json, sys
rs = [json.loads(l) for l in open(sys.argv[1])]
bad = [r for r in rs if r["error"]]
assert len(bad) == 1 and bad[0]["role"] == "shadow" and bad[0]["shadow"]["store"] == 1, bad
assert "shadow copy store 1" in bad[0]["error"], bad[0]["error"]
ok = sorted((r["role"], (r.get("shadow") or {}).get("store")) for r in rs if not r["error"])
assert ok == [("shadow", 2), ("system", None)], ok
print("ok")
PY
check "torn store: its own error result, the rest audited" grep -qx ok "$tmp/py" || cat "$tmp/py" >&2
check "torn store: exit 2 (part of the audit could not run)" [ "$rc" = 2 ]

# A store whose hives are torn (a scoped snapshot keeps no copy of them):
# that hive's error, the rest audited.
"$VSSGEN" "$tmp/tear.img" "$tmp/live.img" "$tmp/old.img@$T1" "$tmp/mid.img@$T2" --tear 1
run scan --format json --fail-on never "$tmp/tear.img"
"$PYTHON3" - "$tmp/out" >"$tmp/py" 2>&1 <<'PY'
import json, sys
rs = [json.loads(l) for l in open(sys.argv[1])]
bad = [r for r in rs if r["error"]]
assert len(bad) == 1 and bad[0]["target"].endswith(":vss1:/Windows/System32/config/SYSTEM"), bad
assert "not a registry hive" in bad[0]["error"] and bad[0]["shadow"]["store"] == 1, bad[0]
assert sorted(r["role"] for r in rs if not r["error"]) == ["shadow", "system"]
print("ok")
PY
check "torn hive in a store: that hive's error, the rest audited" grep -qx ok "$tmp/py" || cat "$tmp/py" >&2
check "torn hive in a store: exit 2" [ "$rc" = 2 ]

# A store whose data lies on another volume: said, not read.
"$VSSGEN" "$tmp/remote.img" "$tmp/live.img" "$tmp/old.img@$T1" "$tmp/mid.img@$T2" --remote 1
run scan --format json --fail-on never "$tmp/remote.img"
check "store on another volume: said as its own error" grep -q 'shadow copy store 1 ({[0-9a-f-]*}): its data lies on another volume' "$tmp/err"
check "store on another volume: exit 2, store 2 audited" sh -c "[ $rc = 2 ] && grep -q ':vss2:/Windows/System32/config/SYSTEM' '$tmp/out'"

# 4. More stores than Windows keeps (64): the newest 64 read, the rest
# said.  A volume without Windows keeps this fast.
ntfs "$tmp/data.img" 16 "notes.txt=$FIXTURES/win-10.hiv"
"$VSSGEN" "$tmp/many.img" "$tmp/data.img" --empty 65
run scan --format json "$tmp/many.img"
check "65 stores: exit 2" [ "$rc" = 2 ]
check "65 stores: refused with a message" grep -q '65 shadow copy stores, more than the 64 read: the 1 oldest were not read' "$tmp/err"

done_testing
