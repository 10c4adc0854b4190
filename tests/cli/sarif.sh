#!/bin/sh
# smaudit scan --format sarif: SARIF 2.1.0, valid against the schema.
. "$(dirname "$0")/setup.sh"
. "$(dirname "$0")/formats-lib.sh"
write_baseline "$tmp/b.yaml"
# Beside the corpus of real hives, or where SMAUDIT_SARIF_SCHEMA says.
SCHEMA="${SMAUDIT_SARIF_SCHEMA:-$(dirname "$CORPUS")/schemas/sarif-schema-2.1.0.json}"

if ! have_python; then
  skip "sarif" "python3 not found"
  done_testing
  exit 0
fi

# A name that needs percent-encoding in a URI.
cp "$FIXTURES/sample.hiv" "$tmp/my hive#1%:.hiv"
cd "$tmp" || exit 2
run scan --baseline "$tmp/b.yaml" --format sarif "my hive#1%:.hiv" \
  "$FIXTURES/values.hiv" "$tmp/absent.hiv"
cp "$tmp/out" "$tmp/a.sarif"
check "a hive that failed: exit 2" [ "$rc" = 2 ]
run scan --baseline "$tmp/b.yaml" --format sarif "my hive#1%:.hiv" \
  "$FIXTURES/values.hiv" "$tmp/absent.hiv"
cp "$tmp/out" "$tmp/b.sarif"
run scan --baseline "$tmp/b.yaml" --format sarif "$FIXTURES/win-10.hiv"
cp "$tmp/out" "$tmp/clean.sarif"
check "findings, no error: exit 1" [ "$rc" = 1 ]

why=""
"$PYTHON3" -c 'import jsonschema' 2>/dev/null ||
  why="the validator is missing: python3 cannot import jsonschema (Debian package python3-jsonschema)"
[ -f "$SCHEMA" ] ||
  why="${why:+$why; }the schema is missing: no $SCHEMA (set SMAUDIT_SARIF_SCHEMA)"
if [ -z "$why" ]; then
  for f in a clean; do
    check "$f.sarif is valid against the SARIF 2.1.0 schema" "$PYTHON3" -c '
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.validators.validator_for(schema)(schema).validate(json.load(open(sys.argv[2])))
' "$SCHEMA" "$tmp/$f.sarif"
  done
else
  skip "schema validation" "$why"
fi

py() {
  _desc=$1
  shift
  check "$_desc" "$PYTHON3" -c "
import json, sys, hashlib
d = json.load(open('$tmp/a.sarif', 'rb'))
run = d['runs'][0]
res = run['results']
rules = run['tool']['driver']['rules']
$*
"
}
py "version 2.1.0, one run" 'assert d["version"] == "2.1.0" and len(d["runs"]) == 1'
py "the output is ASCII, so valid UTF-8" 'open("'"$tmp"'/a.sarif", "rb").read().decode("ascii")'
py "driver name and version" '
drv = run["tool"]["driver"]
assert drv["name"] == "smaudit" and drv["version"] == drv["semanticVersion"]'
py "one rule per rule id seen, ruleIndex points at it" '
ids = [r["id"] for r in rules]
assert len(ids) == len(set(ids))
assert set(ids) == {r["ruleId"] for r in res}
for r in res: assert rules[r["ruleIndex"]]["id"] == r["ruleId"]'
py "rules: name, descriptions, help with ATT&CK links, tags, level" '
r = [x for x in rules if x["id"] == "SM-SUBSYS-CSRSS-SERVERDLL"][0]
assert r["name"] == "Unexpected csrss ServerDll"
assert r["shortDescription"]["text"] and r["fullDescription"]["text"]
assert "https://attack.mitre.org/techniques/T1547/001/" in r["help"]["text"]
assert "[T1547.001](https://attack.mitre.org/techniques/T1547/001/)" in r["help"]["markdown"]
assert "T1547.001" in r["properties"]["tags"] and "T1574" in r["properties"]["tags"]
assert r["defaultConfiguration"]["level"] == "error"'
py "levels: critical and high error, medium warning, low and info note" '
m = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
for r in res: assert r["level"] == m[r["properties"]["severity"]], r
assert {r["level"] for r in res} == {"error", "warning", "note"}'
py "message: detail with observed and expected" '
r = [x for x in res if x["ruleId"] == "SM-SUBSYS-CSRSS-SERVERDLL"][0]
t = r["message"]["text"]
assert "evil" in t and "observed: evil" in t and "expected: only:" in t, t'
py "logical locations: the key as HKLM\\SYSTEM\\..., kind object, and the value" '
for r in res:
  ll = r["locations"][0]["logicalLocations"]
  assert ll[0]["kind"] == "object"
  assert ll[0]["fullyQualifiedName"].startswith("HKLM\\SYSTEM\\ControlSet001\\Control\\Session Manager")
r = [x for x in res if x["ruleId"] == "SM-BOOTEXECUTE"][0]
ll = r["locations"][0]["logicalLocations"]
assert ll[0]["fullyQualifiedName"] == "HKLM\\SYSTEM\\ControlSet001\\Control\\Session Manager"
assert ll[1]["name"] == "BootExecute"'
py "artifact URIs: relative and percent-encoded, absolute as file://" '
uris = [a["location"]["uri"] for a in run["artifacts"]]
assert uris[0] == "my%20hive%231%25%3A.hiv", uris
assert uris[1].startswith("file:///") and uris[1].endswith("/values.hiv"), uris
assert res[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == uris[0]'
py "artifacts: the sha256 of each hive" '
a = run["artifacts"][0]
assert a["hashes"]["sha-256"] == hashlib.sha256(open("'"$tmp"'/my hive#1%:.hiv", "rb").read()).hexdigest()'
py "suppressed findings: an external suppression with the justification" '
s = [r for r in res if r.get("suppressions")]
assert len(s) == 1
assert s[0]["suppressions"][0]["kind"] == "external"
assert s[0]["suppressions"][0]["justification"] == "a test \"suppression\", with a comma"'
py "a hive that failed: an error notification, executionSuccessful false" '
inv = run["invocations"][0]
assert inv["executionSuccessful"] is False
n = [x for x in inv["toolExecutionNotifications"] if x["level"] == "error"]
assert len(n) == 1 and "absent.hiv" in n[0]["message"]["text"]'
py "partialFingerprints: present, and the same in a second run" '
d2 = json.load(open("'"$tmp"'/b.sarif"))
f1 = [r["partialFingerprints"] for r in res]
f2 = [r["partialFingerprints"] for r in d2["runs"][0]["results"]]
assert f1 == f2 and all(f1)
assert len({json.dumps(f) for f in f1}) == len(f1)'
py "hostile strings: decoded in JSON, ESC kept as data, not raw" '
r = [x for x in res if x["locations"][0]["logicalLocations"][-1]["name"] == "Escape"][0]
assert r["properties"]["observed"] == "\x1b[31mRED\x1b[0m"
assert b"\x1b" not in open("'"$tmp"'/a.sarif", "rb").read()'
check "clean run: executionSuccessful true" "$PYTHON3" -c '
import json, sys
assert json.load(open(sys.argv[1]))["runs"][0]["invocations"][0]["executionSuccessful"] is True
' "$tmp/clean.sarif"
run scan --baseline "$tmp/b.yaml" --format sarif
check "no target: usage error" [ "$rc" = 2 ]
done_testing
