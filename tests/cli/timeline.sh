#!/bin/sh
# --format timeline: one flat JSON line per finding with Timesketch's
# mandatory fields; --min-severity filters what is shown, not the exit.
. "$(dirname "$0")/setup.sh"
. "$(dirname "$0")/formats-lib.sh"
if ! have_python; then
  skip "timeline" "python3 not found"
  done_testing
  exit 0
fi
tl() {
  _desc=$1
  check "$_desc" "$PYTHON3" -c 'import json, sys, datetime
lines = open(sys.argv[1]).read().splitlines()
ev = [json.loads(l) for l in lines]
sys.exit(0 if eval(sys.argv[2]) else 1)' "$tmp/out" "$2"
}

run scan --format json "$FIXTURES/sample.hiv" "$tmp/absent.hiv"
cp "$tmp/out" "$tmp/json"
run scan --format timeline "$FIXTURES/sample.hiv" "$tmp/absent.hiv"
check "timeline: exit as json (2: a hive could not be audited)" [ "$rc" = 2 ]
check "timeline: ASCII only" sh -c "! LC_ALL=C grep -q '[^ -~]' '$tmp/out'"
tl "one line per finding, one for the hive that failed" \
  'len(ev) == sum(len(json.loads(l)["findings"]) or 1 for l in open(sys.argv[1].replace("out", "json")))'
tl "every line: message, datetime (ISO 8601 UTC), timestamp_desc, timestamp" \
  'all(isinstance(e["message"], str) and e["message"] and datetime.datetime.strptime(e["datetime"], "%Y-%m-%dT%H:%M:%SZ") and e["timestamp_desc"] and isinstance(e["timestamp"], int) for e in ev)'
tl "flat: no nested object" 'all(not isinstance(v, dict) for e in ev for v in e.values())'
tl "datetime is the key last write; timestamp its microseconds" \
  '[e for e in ev if e.get("rule") == "SM-SUBSYS-CSRSS-SERVERDLLS" and e["datetime"] == "2020-01-01T00:00:00Z" and e["timestamp"] == 1577836800000000 and e["timestamp_desc"] == "Registry key last written"]'
tl "the finding and the host on the line" \
  '[e for e in ev if e.get("rule") == "SM-SUBSYS-CSRSS-SERVERDLLS" and e["severity"] == "critical" and e["computer_name"] == "DESKTOP-PM6C56D" and e["value"] == "Windows" and "ServerDll=evil,5" in e["stored"] and e["message"].startswith("[critical] ") and e["data_type"] == "smaudit:finding"]'
tl "a hive that failed: an error event naming it" \
  '[e for e in ev if e["data_type"] == "smaudit:error" and e["severity"] == "error" and "absent.hiv" in e["message"] and e["timestamp_desc"] == "Audit time"]'

# A finding about a key without a last write (a SOFTWARE hive's): the
# hive's store time.
mkdir -p "$tmp/v/Windows/System32/config"
cp "$FIXTURES/win-10.hiv" "$tmp/v/Windows/System32/config/SYSTEM"
"$top_builddir/testdata/gen-hive" "$tmp/v/Windows/System32/config/SOFTWARE" \
  "$top_srcdir/testdata/reg/software-7.reg"
run scan --format timeline "$tmp/v"
tl "no key time: the hive's last written time" \
  '[e for e in ev if e["rule"] == "SM-FAMILY-SOFTWARE-OLDER" and e["timestamp_desc"] == "Hive last written"]'

# --min-severity: fewer findings shown, same exit status, in every format.
for fmt in json timeline csv text sarif; do
  run scan --format $fmt "$FIXTURES/sample.hiv"
  all_rc=$rc
  cp "$tmp/out" "$tmp/all.$fmt"
  run scan --format $fmt --min-severity high "$FIXTURES/sample.hiv"
  check "--min-severity high, $fmt: exit status unchanged ($all_rc)" [ "$rc" = "$all_rc" ]
  cp "$tmp/out" "$tmp/high.$fmt"
done
check "--min-severity high: only critical and high shown (json)" "$PYTHON3" -c '
import json, sys
a = json.load(open(sys.argv[1]))["findings"]; h = json.load(open(sys.argv[2]))
assert h["findings"] and all(f["severity"] in ("critical", "high") for f in h["findings"])
assert len(h["findings"]) == len([f for f in a if f["severity"] in ("critical", "high")])
assert h["summary"] == json.load(open(sys.argv[1]))["summary"]' "$tmp/all.json" "$tmp/high.json"
check "--min-severity high: timeline lines filtered" sh -c "! grep -q '\"severity\":\"info\"' '$tmp/high.timeline' && grep -q '\"severity\":\"info\"' '$tmp/all.timeline'"
check "--min-severity high: text shows no INFO finding" sh -c "! grep -q '^  INFO ' '$tmp/high.text' && grep -q '^  INFO ' '$tmp/all.text'"
run scan --min-severity bogus "$FIXTURES/sample.hiv"
check "--min-severity bogus: exit 2, says which values" sh -c '[ "$1" = 2 ] && grep -q "min-severity takes info, low, medium, high or critical" "$2"' _ "$rc" "$tmp/err"
done_testing
