#!/bin/sh
# smaudit diff, and scan --control-set all's control_set_differences.
. "$(dirname "$0")/setup.sh"
. "$(dirname "$0")/formats-lib.sh"
write_baseline "$tmp/b.yaml"
B="--baseline $tmp/b.yaml"
SM='ControlSet001\Control\Session Manager'

run diff $B "$FIXTURES/win-10.hiv" "$FIXTURES/win-10.hiv"
check "identical: exit 0" [ "$rc" = 0 ]
check "identical: says so" grep -q "no differences" "$tmp/out"
run diff $B "$FIXTURES/win-10.hiv" "$FIXTURES/sample.hiv"
check "different: exit 1" [ "$rc" = 1 ]
check "text: the key as a heading" grep -qxF '[Control\Session Manager]' "$tmp/out"
check "text: a changed value as ~" grep -qx '~ BootExecute' "$tmp/out"
check "text: its data before and after" grep -qF '+  BootExecute  REG_MULTI_SZ  ["autocheck autochk *", "bootsvc' "$tmp/out"

gen_overlay "$tmp/changed.hiv" win-10 "[$SM\\SubSystems]
\"Added\"=\"new\"
[$SM\\SubSystems\\NewKey]
[$SM\\KnownDLLs]
\"_wow64\"=-
[$SM]
\"AutoChkTimeout\"=dword:00000003
[$SM\\Environment]
\"Esc\"=hex(1):1b,00,5d,00,30,00,3b,00,74,00,07,00,00,00"
run diff $B "$FIXTURES/win-10.hiv" "$tmp/changed.hiv"
check "added, removed, subkey: exit 1" [ "$rc" = 1 ]
check "text: an added value as +" grep -q '^+  Added  REG_SZ  "new"' "$tmp/out"
check "text: a removed value as -" grep -q '^-  _wow64  REG_SZ' "$tmp/out"
check "text: an added subkey" grep -qx '+ subkey NewKey' "$tmp/out"
check "text: a tunable change is marked" grep -qx '~ AutoChkTimeout  (tunable)' "$tmp/out"
check "text: no raw ESC or BEL reaches the terminal" sh -c "! grep -q \"\$(printf '[\\033\\007]')\" '$tmp/out'"
check "text: the escape shown escaped" grep -qF '\x1B]0;t\x07' "$tmp/out"

if have_python; then
  run diff $B --format json "$FIXTURES/win-10.hiv" "$tmp/changed.hiv"
  cp "$tmp/out" "$tmp/d.json"
  check "json: exit 1" [ "$rc" = 1 ]
  check "json: one object with a, b, differences" "$PYTHON3" -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["a"]["path"].endswith("win-10.hiv") and d["b"]["path"].endswith("changed.hiv")
assert d["a"]["control_set"] == 1
by = {(x["key"], x["value"], x.get("subkey")): x for x in d["differences"]}
sm = "Control\\Session Manager"
x = by[(sm + "\\SubSystems", "Added", None)]
assert x["change"] == "added" and x["a"] is None and x["b"] == {"type": "REG_SZ", "data": "new"}
x = by[(sm + "\\KnownDLLs", "_wow64", None)]
assert x["change"] == "removed" and x["b"] is None and x["a"]["data"] == "wow64.dll"
x = by[(sm, "AutoChkTimeout", None)]
assert x["change"] == "changed" and x["tunable"] is True and x["a"]["data"] == 8 and x["b"]["data"] == 3
x = by[(sm + "\\SubSystems", None, "NewKey")]
assert x["change"] == "added"
x = by[(sm + "\\Environment", "Esc", None)]
assert x["b"]["data"] == "\x1b]0;t\x07"
assert "tunable" not in by[(sm + "\\SubSystems", "Added", None)]
' "$tmp/d.json"
  check "json: ASCII" "$PYTHON3" -c 'import sys; open(sys.argv[1], "rb").read().decode("ascii")' "$tmp/d.json"

  gen_overlay "$tmp/retyped.hiv" win-10 "[$SM]
\"GlobalFlag\"=\"0\""
  run diff $B --format json "$FIXTURES/win-10.hiv" "$tmp/retyped.hiv"
  check "json: a changed type" "$PYTHON3" -c '
import json, sys
d = json.load(open(sys.argv[1]))["differences"]
assert [(x["value"], x["a"]["type"], x["b"]["type"]) for x in d] == [("GlobalFlag", "REG_DWORD", "REG_SZ")], d
' "$tmp/out"

  run diff $B --format json "$FIXTURES/two-sets.hiv" --control-set 1 --control-set 2
  check "two control sets of one hive: exit 1" [ "$rc" = 1 ]
  check "two control sets: BootExecute, AutoChkTimeout and Windows differ" "$PYTHON3" -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["a"]["control_set"] == 1 and d["b"]["control_set"] == 2
v = {x["value"] for x in d["differences"]}
assert {"BootExecute", "AutoChkTimeout", "Windows"} <= v, v
' "$tmp/out"

  run scan $B --control-set all --format json "$FIXTURES/two-sets.hiv"
  check "scan --control-set all: control_set_differences" "$PYTHON3" -c '
import json, sys
r = json.loads(open(sys.argv[1]).readline())
c = r["control_set_differences"]
assert [x["control_set"] for x in c] == [1], c
v = {x["value"]: x for x in c[0]["differences"]}
assert v["AutoChkTimeout"]["a"]["data"] == 5 and v["AutoChkTimeout"]["b"] is None
assert v["AutoChkTimeout"]["change"] == "removed"
' "$tmp/out"
  run scan $B --format json "$FIXTURES/two-sets.hiv"
  check "scan --control-set current: control_set_differences empty" "$PYTHON3" -c '
import json, sys
assert json.loads(open(sys.argv[1]).readline())["control_set_differences"] == []
' "$tmp/out"
else
  skip "diff --format json" "python3 not found"
fi

run diff $B "$FIXTURES/two-sets.hiv" --control-set 1
check "one hive, one --control-set: exit 2" [ "$rc" = 2 ]
run diff $B "$FIXTURES/two-sets.hiv" --control-set 1 --control-set 9
check "an absent control set: exit 2" [ "$rc" = 2 ]
run diff $B "$FIXTURES/win-10.hiv" "$tmp/absent.hiv"
check "an absent hive: exit 2" [ "$rc" = 2 ]
run diff $B --format yaml "$FIXTURES/win-10.hiv" "$FIXTURES/win-10.hiv"
check "an unknown format: exit 2" [ "$rc" = 2 ]
run diff --help
check "--help: exit 0" [ "$rc" = 0 ]
done_testing
