#!/bin/sh
# A RegBack copy against the live hive beside it: each difference in the
# audited keys, with both values and both keys' last-write times.
. "$(dirname "$0")/setup.sh"
. "$(dirname "$0")/formats-lib.sh"
SM='ControlSet001\Control\Session Manager'
cfg="$tmp/vol/Windows/System32/config"
mkdir -p "$cfg/RegBack"
cp "$FIXTURES/win-10.hiv" "$cfg/SYSTEM"
# The older state kept an extra subsystem and a BootExecute entry that the
# live hive no longer has.
gen_overlay "$cfg/RegBack/SYSTEM" win-10 "[$SM\\SubSystems]
\"Optional\"=hex(7):45,00,76,00,69,00,6c,00,00,00,00,00
\"Evil\"=\"C:\\\\Windows\\\\evil.exe\"
[$SM]
\"BootExecute\"=hex(7):61,00,75,00,74,00,6f,00,63,00,68,00,65,00,63,00,6b,00,20,00,61,00,75,00,74,00,6f,00,63,00,68,00,6b,00,20,00,2a,00,00,00,78,00,2e,00,65,00,78,00,65,00,00,00,00,00"

if ! have_python; then
  skip "RegBack against live" "python3 is not available"
  done_testing
  exit 0
fi
run scan --format json --fail-on never "$tmp/vol"
check "scan of the volume: exit 0" [ "$rc" = 0 ]
"$PYTHON3" - "$tmp/out" "$tmp/vol" >"$tmp/py" 2>&1 <<'PY'
import json, sys
rs = [json.loads(l) for l in open(sys.argv[1])]
by = {r["role"]: r for r in rs}
assert set(by) == {"system", "regback"}, by.keys()
assert "live_differences" not in by["system"], "the live hive has no copy of itself"
ld = by["regback"]["live_differences"]
assert ld["live"] == by["system"]["target"], ld["live"]
d = {(x["key"], x["value"]): x for x in ld["differences"]}
sub = d[("Control\\Session Manager\\SubSystems", "Evil")]
assert sub["change"] == "removed", sub
assert sub["a"] == {"type": "REG_SZ", "data": "C:\\Windows\\evil.exe"}, sub
assert sub["b"] is None
opt = d[("Control\\Session Manager\\SubSystems", "Optional")]
assert opt["change"] == "changed" and opt["a"]["data"] == ["Evil"], opt
be = d[("Control\\Session Manager", "BootExecute")]
assert be["change"] == "changed", be
assert be["a"]["data"] == ["autocheck autochk *", "x.exe"], be
assert be["b"]["data"] == ["autocheck autochk *"], be
for x in ld["differences"]:
    assert x["a_last_write"] and x["b_last_write"], x
    assert x["a_last_write"].endswith("Z")
print("ok")
PY
check "json: each difference with both values and both last writes" grep -qx ok "$tmp/py" || cat "$tmp/py" >&2

# The history of each finding across RegBack and live: the subsystem only
# the RegBack copy holds is removed since the live key's last write.
"$PYTHON3" - "$tmp/out" >"$tmp/py" 2>&1 <<'PY'
import json, sys
rs = {r["role"]: r for r in map(json.loads, open(sys.argv[1]))}
live = rs["system"]
rm = {(r, f["value"]): f for f in live["removed"] for r in f["rules"]}
f = rm[("SM-SUBSYS-UNLISTED", "Evil")]
assert "C:\\Windows\\evil.exe" in [f["observed"]] + [a["observed"] for a in f["also"]], f
assert f["removed_since"] == live["findings"][0]["last_write"] or f["removed_since"], f
h = f["history"]
assert [s["source"] for s in h["sources"]] == ["regback"], h
assert h["first_seen"]["source"] == h["last_seen"]["source"] == "regback"
# A finding in both states: first seen in RegBack, last seen live.
both = [x for x in live["findings"] if x.get("history") and
        [s["source"] for s in x["history"]["sources"]] == ["regback", "live"]]
assert both, "no finding seen in both states"
for x in both:
    assert x["history"]["first_seen"]["source"] == "regback"
    assert x["history"]["last_seen"] == {"source": "live", "time": x["last_write"]}
# What the live hive has and the copy had not: first seen live.
assert not any("SM-SUBSYS-UNLISTED" in x["rules"] for x in live["findings"])
assert "removed" not in rs["regback"]
print("ok")
PY
check "json: history per finding, and removed[] on the live hive" grep -qx ok "$tmp/py" || cat "$tmp/py" >&2

# The same from the hivexget side: the live hive has no Evil value.
if command -v hivexget >/dev/null 2>&1; then
  check "hivexget: Evil only in the RegBack copy" sh -c "
    hivexget '$cfg/RegBack/SYSTEM' '$SM\\SubSystems' Evil | grep -q evil.exe &&
    ! hivexget '$cfg/SYSTEM' '$SM\\SubSystems' Evil 2>/dev/null"
else
  skip "hivexget: Evil only in the RegBack copy" "hivexget is not installed"
fi

run scan --fail-on never --color never "$tmp/vol"
check "text: the block names the live hive" grep -q "^  against live: .*config/SYSTEM$" "$tmp/out"
check "text: the removed value" grep -qxF '    -  Evil  REG_SZ  "C:\Windows\evil.exe"' "$tmp/out"
check "text: removed since, on the live hive" grep -q '^  removed since 20[0-9-]*T[0-9:]*Z: critical SM-SUBSYS-IMAGES  ControlSet001.Control.Session Manager.SubSystems.Evil: ' "$tmp/out"
check "text: a history line per finding" grep -q '^             history: seen in regback 20[0-9T:-]*Z, then live 20' "$tmp/out"
check "text: both last writes" grep -q '^    (key last written: RegBack 20[0-9-]*T[0-9:]*Z, live 20' "$tmp/out"

# A live hive that cannot be opened: said on the copy, the copy still audited.
printf 'not a hive' >"$cfg/SYSTEM"
run scan --format json --fail-on never "$tmp/vol"
"$PYTHON3" - "$tmp/out" >"$tmp/py" 2>&1 <<'PY'
import json, sys
rs = {r["role"]: r for r in map(json.loads, open(sys.argv[1]))}
rb = rs["regback"]
assert rb["error"] is None and rb["findings"], rb["error"]
ld = rb["live_differences"]
assert ld["differences"] is None and "SYSTEM" in ld["error"], ld
print("ok")
PY
check "json: a live hive that cannot be opened is said on the copy" grep -qx ok "$tmp/py" || cat "$tmp/py" >&2
done_testing
