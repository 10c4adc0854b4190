#!/bin/sh
# One change, one result: the findings several rules make about the same
# change merge into one, at the highest severity any of them gives it,
# with every rule that fired (rules[]) and their reasons (also[]).
. "$(dirname "$0")/setup.sh"
. "$(dirname "$0")/formats-lib.sh"
need_fixtures win-10
if ! have_python; then
  skip "one result" "python3 not found"
  done_testing
  exit 0
fi
run learn -o "$tmp/learned.yaml" "$FIXTURES/win-10.hiv"
check "learn: exit 0" [ "$rc" = 0 ]
SM='ControlSet001\Control\Session Manager'
# One BootExecute edit (a program added) and one KnownDLL removed.
gen_overlay "$tmp/changed.hiv" win-10 "[$SM]
\"BootExecute\"=multi:\"autocheck autochk *\",\"evilprog -x\"
[$SM\\KnownDLLs]
\"kernel32\"=-"
run scan --baseline "$tmp/learned.yaml" --format json "$tmp/changed.hiv"
check "scan: exit 1" [ "$rc" = 1 ]
"$PYTHON3" - "$tmp/out" >"$tmp/facts" <<'PY'
import json, sys
r = json.loads(open(sys.argv[1]).readline())
for f in r["findings"]:
    print(f["value"], len([x for x in r["findings"] if x["value"] == f["value"]]),
          f["severity"], " ".join(f["rules"]),
          "also-ok" if [a["rule"] for a in f["also"]] == f["rules"][1:] and
          all(a["detail"] and a["severity"] for a in f["also"]) else "also-bad",
          "max-ok" if all(["info", "low", "medium", "high", "critical"].index(a["severity"]) <=
                          ["info", "low", "medium", "high", "critical"].index(f["severity"])
                          for a in f["also"]) else "max-bad")
s = r["summary"]["by_severity"]
print("summary", s["critical"], s["high"], s["medium"])
PY
check "BootExecute: one result" grep -q "^BootExecute 1 " "$tmp/facts"
check "BootExecute: critical (the learned rule's), with the boot plan's rule too" \
  grep -q "^BootExecute 1 critical LEARN-SESSION-MANAGER-BOOTEXECUTE .*SM-BOOT-BOOTEXECUTE" "$tmp/facts"
check "kernel32: one result" grep -q "^kernel32 1 " "$tmp/facts"
check "kernel32: high (the learned rule's), the shipped rule's medium merged" \
  grep -q "^kernel32 1 high LEARN-KNOWNDLLS-KERNEL32 SM-DLL-KNOWNDLLS-REQUIRED " "$tmp/facts"
check "also[]: every other rule, with its severity and reason" sh -c "! grep -q also-bad '$tmp/facts'"
check "the result's severity is the highest of its rules" sh -c "! grep -q max-bad '$tmp/facts'"
check "summary: one critical, one high, no medium" grep -qx "summary 1 1 0" "$tmp/facts"

# Text, CSV, SARIF and the timeline carry every rule too.
run scan --baseline "$tmp/learned.yaml" --color never "$tmp/changed.hiv"
check "text: the merged rule on an also line" grep -q "^           also:     SM-DLL-KNOWNDLLS-REQUIRED (medium): " "$tmp/out"
run scan --baseline "$tmp/learned.yaml" --format csv "$tmp/changed.hiv"
check "csv: the rules column" grep -q "LEARN-KNOWNDLLS-KERNEL32;SM-DLL-KNOWNDLLS-REQUIRED" "$tmp/out"
run scan --baseline "$tmp/learned.yaml" --format sarif "$tmp/changed.hiv"
check "sarif: properties.rules" "$PYTHON3" -c '
import json, sys
s = json.load(open(sys.argv[1]))
rs = s["runs"][0]["results"]
sys.exit(not [x for x in rs if x["properties"]["rules"] == ["LEARN-KNOWNDLLS-KERNEL32", "SM-DLL-KNOWNDLLS-REQUIRED"]])' "$tmp/out"
run scan --baseline "$tmp/learned.yaml" --format timeline "$tmp/changed.hiv"
check "timeline: rules" grep -q '"rules":\["LEARN-KNOWNDLLS-KERNEL32","SM-DLL-KNOWNDLLS-REQUIRED"\]' "$tmp/out"

# Findings of one rule stay apart: two entries added, two results of the
# boot plan's rule (the learned rule's whole-value finding joins the first).
gen_overlay "$tmp/two.hiv" win-10 "[$SM]
\"BootExecute\"=multi:\"autocheck autochk *\",\"evila\",\"evilb\""
run scan --format json "$tmp/two.hiv"
check "two entries added: two results" [ "$("$PYTHON3" -c '
import json, sys
r = json.loads(open(sys.argv[1]).readline())
print(len([f for f in r["findings"] if f["value"] == "BootExecute"]))' "$tmp/out")" = 2 ]
done_testing
