#!/bin/sh
# smaudit scan: exit codes, the JSON Lines contract, baselines, suppressions.
. "$(dirname "$0")/setup.sh"

# jq-like checks on the first JSON line of $tmp/out.
js() {
  "$PYTHON3" -c '
import json, sys
d = json.loads(open(sys.argv[1]).readline())
f = [x for x in d["findings"]]
sys.exit(0 if eval(sys.argv[2]) else 1)' "$tmp/out" "$1"
}

sample="$FIXTURES/sample.hiv"
clean="$FIXTURES/win-10.hiv"

run scan --format json "$sample"
check "sample: exit 1 (findings at medium or above)" [ "$rc" = 1 ]
check "sample: one JSON object per hive" sh -c '[ "$(wc -l <"$1")" = 1 ]' _ "$tmp/out"
check "sample: hive facts" js 'd["hive"]["sha256"] and len(d["hive"]["sha256"]) == 64 and d["hive"]["current_control_set"] == 1 and d["hive"]["control_sets"] == [1] and d["hive"]["dirty"] is False and d["error"] is None'
check "sample: baseline detected as windows-10 with a reason" js 'd["baseline"]["name"] == "windows-10" and d["baseline"]["selected"] == "detected" and d["baseline"]["reason"] and d["baseline"]["extends"] == ["windows-common"]'
check "sample: planted ServerDll found with all contract fields" js '[x for x in f if x["rule"] == "SM-SUBSYS-CSRSS-SERVERDLLS" and x["severity"] == "critical" and x["observed"] == "evil,5" and x["key"] == "ControlSet001\\Control\\Session Manager\\SubSystems" and x["value"] == "Windows" and x["type"] == "REG_EXPAND_SZ" and x["control_set"] == 1 and "T1547" in x["attack"] and x["last_write"] and x["expected"] and x["message"] and x["normal"] and x["suppressed"] is False]'
check "sample: planted BootExecute entry found" js '[x for x in f if "SM-BOOT-BOOTEXECUTE" in x["rules"] and "c:\\windows\\system32\\bootsvc.exe" in [x["observed"]] + [a["observed"] for a in x["also"]]]'
check "sample: every finding has every field" js 'all(set(x) >= {"rule","title","severity","control_set","key","value","type","observed","expected","message","detail","normal","attack","last_write","suppressed","justification","suppression_expired"} for x in f)'
check "sample: summary counts match the findings" js 'sum(d["summary"]["by_severity"][s] for s in ["critical","high","medium","low","info"]) == len(f) and d["summary"]["by_severity"]["critical"] == 1'

run scan --fail-on never "$sample"
check "--fail-on never: exit 0" [ "$rc" = 0 ]
run scan --fail-on critical "$sample"
check "--fail-on critical: exit 1" [ "$rc" = 1 ]
run scan --fail-on high "$clean"
check "clean win-10 fixture: exit 0" [ "$rc" = 0 ]
run scan --fail-on bogus "$clean"
check "--fail-on bogus: exit 2" [ "$rc" = 2 ]
run scan --format yaml "$clean"
check "--format yaml: exit 2" [ "$rc" = 2 ]

run scan --format json --baseline windows-7 "$sample"
check "--baseline NAME overrides detection" js 'd["baseline"]["name"] == "windows-7" and d["baseline"]["selected"] == "given"'
run scan --baseline "$tmp/none.yaml" "$sample"
check "missing baseline file: exit 2, says which" sh -c '[ "$1" = 2 ] && grep -q "none.yaml" "$2"' _ "$rc" "$tmp/err"
printf 'smaudit-baseline: 1\nname: bad\nrules:\n  - id: X\n    severty: high\n' >"$tmp/bad.yaml"
run scan --baseline "$tmp/bad.yaml" "$sample"
check "invalid baseline: exit 2 with file:line:col" sh -c '[ "$1" = 2 ] && grep -q "bad.yaml:5:5: " "$2"' _ "$rc" "$tmp/err"

cat >"$tmp/site.yaml" <<'YAML'
smaudit-baseline: 1
name: site
extends: windows-10
suppressions:
  - rule: SM-SUBSYS-CSRSS-SERVERDLLS
    observed: "evil,*"
    justification: "Lab image with a test ServerDll (LAB-1)"
  - rule: SM-BOOT-BOOTEXECUTE-UNSAFE-ARGS
    justification: "Lab image with a test boot program (LAB-2)"
  - rule: SM-BOOT-BOOTEXECUTE
    justification: "Expired exception"
    expires: 2000-01-01
YAML
run scan --format json --baseline "$tmp/site.yaml" "$sample"
check "suppression: finding kept, marked, with its justification" js '[x for x in f if x["rule"] == "SM-SUBSYS-CSRSS-SERVERDLLS" and x["suppressed"] and x["justification"].startswith("Lab image")]'
check "expired suppression stops suppressing and says so" js '[x for x in f if x["rule"] == "SM-BOOT-BOOTEXECUTE" and not x["suppressed"] and x["suppression_expired"] == "2000-01-01"]'
check "suppressed findings are counted apart" js 'd["summary"]["by_severity"]["suppressed"] == 2 and d["summary"]["by_severity"]["critical"] == 0'
check "expired suppression still fails the scan (exit 1)" [ "$rc" = 1 ]
sed -i 's/expires: 2000-01-01/expires: 2999-12-31/' "$tmp/site.yaml"
run scan --baseline "$tmp/site.yaml" --fail-on high "$sample"
check "all high findings suppressed: exit 0" [ "$rc" = 0 ]
check "text report shows the suppression" grep -q "suppressed: Lab image" "$tmp/out"

run scan --format json "$sample" "$tmp/absent" "$clean"
check "mixed batch: exit 2 when a hive cannot be audited" [ "$rc" = 2 ]
check "mixed batch: one object per target" sh -c '[ "$(wc -l <"$1")" = 3 ]' _ "$tmp/out"
check "mixed batch: the missing hive carries its error" "$PYTHON3" -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
sys.exit(not (rows[1]["error"] and rows[1]["hive"] is None and rows[1]["findings"] == [] and rows[0]["error"] is None and rows[2]["error"] is None))' "$tmp/out"
check "mixed batch: error on stderr names the file" grep -qF "smaudit: $tmp/absent: " "$tmp/err"

run scan --format json --control-set all "$FIXTURES/two-sets.hiv"
check "--control-set all audits every control set" js 'd["control_sets_audited"] == [1, 2] and d["hive"]["current_control_set"] == 2'
run scan --format json --control-set current "$FIXTURES/two-sets.hiv"
check "current control set 2 is the one audited" js 'd["control_sets_audited"] == [2] and all(x["control_set"] in (None, 2) for x in f)'
run scan --format json "$FIXTURES/two-sets.hiv"
check "by default, current set 2 first, then LastKnownGood 1" js 'd["control_sets_audited"] == [2, 1]'

run scan --color always "$sample"
check "--color always colours the severities" grep -q "$(printf '\033')\\[" "$tmp/out"
run scan --color never "$sample"
check "--color never: no escape sequence" sh -c '! grep -q "$(printf "\033")" "$1"' _ "$tmp/out"
check "text report: key header, rule, why and ATT&CK" sh -c 'grep -q "^  \[ControlSet001\\\\Control\\\\Session Manager\\\\SubSystems\]" "$1" && grep -q "CRITICAL SM-SUBSYS-CSRSS-SERVERDLLS" "$1" && grep -q "why: " "$1" && grep -q "ATT&CK:   T1547" "$1"' _ "$tmp/out"

run scan --format json --fail-on never "$FIXTURES/wrong-types.hiv"
check "wrong types: audited, each reported as a type finding" js 'd["error"] is None and [x for x in f if x["rule"] == "SM-SUBSYS-REQUIRED" and x["type"] == "REG_SZ"] and [x for x in f if x["rule"] == "SM-KERNEL-PROTECTIONMODE" and x["type"] == "REG_SZ"]'
run scan --format json "$FIXTURES/dangling-current.hiv"
check "dangling Current: exit 2 with the reason in the result" sh -c '[ "$1" = 2 ] && grep -q "Current is 5" "$2"' _ "$rc" "$tmp/err"

if have_corpus; then
  for pair in xp-sp3-x86:windows-xp win7-sp1-x86:windows-7 win81-x64:windows-8.1 win10-1709-x64:windows-10; do
    name=${pair%%:*} family=${pair#*:}
    run scan --format json --fail-on medium "$CORPUS/$name/SYSTEM"
    check "$name: detected as $family, exit 0" sh -c '[ "$1" = 0 ]' _ "$rc"
    check "$name: baseline $family" js "d['baseline']['name'] == '$family'"
  done
  run scan --format json "$CORPUS/win10-1709-x64/SYSTEM"
  check "win10: dirty hive recovered from its logs, and says so" js 'd["hive"]["dirty"] and d["hive"]["recovery"]["recovered"] and d["hive"]["recovery"]["entries"] == 24'
  run scan "$CORPUS/win81-x64/SYSTEM"
  check "win81: dirty without logs is audited with a warning" grep -q "audited as it is on disk, without its transaction logs" "$tmp/out"
else
  skip "real hives" "corpus not found at $CORPUS"
fi
done_testing
