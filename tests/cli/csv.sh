#!/bin/sh
# smaudit scan --format csv: RFC 4180, formula injection neutralised.
. "$(dirname "$0")/setup.sh"
. "$(dirname "$0")/formats-lib.sh"
write_baseline "$tmp/b.yaml"

if ! have_python; then
  skip "csv" "python3 not found"
  done_testing
  exit 0
fi

# Values under SubSystems are findings of SM-SUBSYS-UNLISTED, whose name
# and data land in the value and observed cells.
gen_overlay "$tmp/hostile.hiv" win-10 '[ControlSet001\Control\Session Manager\SubSystems]
"Comma,\"Quoted\""="=HYPERLINK(\"http://x.invalid\",\"click\")"
"+plus"="-2+3"
"@at"="@SUM(A1)"
"Newline"=hex(1):61,00,0d,00,0a,00,62,00,00,00
"Tab"=hex(1):09,00,3d,00,31,00,00,00
"Escape"=hex(1):1b,00,5b,00,33,00,31,00,6d,00,00,00
"Lone"=hex(1):41,00,00,d8,42,00,00,00
"Accent"="café 😀"'
check "gen-hive made the hostile fixture" [ -f "$tmp/hostile.hiv" ]

targets="$tmp/hostile.hiv $FIXTURES/sample.hiv $FIXTURES/values.hiv $tmp/absent.hiv"
run scan --baseline "$tmp/b.yaml" --format csv $targets
cp "$tmp/out" "$tmp/report.csv"
check "a hive that failed: exit 2" [ "$rc" = 2 ]
run scan --baseline "$tmp/b.yaml" --format json $targets
cp "$tmp/out" "$tmp/report.jsonl"

py() {
  _desc=$1
  shift
  check "$_desc" "$PYTHON3" -c "
import csv, io, json
raw = open('$tmp/report.csv', 'rb').read()
rows = list(csv.reader(io.StringIO(raw.decode('utf-8'), newline='')))
head, body = rows[0], rows[1:]
results = [json.loads(l) for l in open('$tmp/report.jsonl')]
col = {n: i for i, n in enumerate(head)}
def cells(name): return [r[col[name]] for r in body]
$*
"
}
py "valid UTF-8" 'raw.decode("utf-8")'
py "one header row with the documented columns" '
assert head == ["target", "sha256", "control_set", "key", "value", "type", "rule", "severity", "title", "observed", "expected", "detail", "attack", "last_write", "suppressed", "data", "computer_name", "product", "build", "time_zone", "shutdown_time", "rules"], head'
py "every row has every column" 'assert all(len(r) == len(head) for r in body)'
py "one row per finding, one per failed or clean hive" '
n = sum(len(r["findings"]) or 1 for r in results)
assert len(body) == n, (len(body), n)'
py "rows end in CRLF, never a bare LF outside quotes" '
assert raw.endswith(b"\r\n")
assert raw.count(b"\r\n") >= len(rows)
assert raw.split(b"\r\n")[0].decode() == ",".join(head)'
py "a value with a comma and quotes round-trips" '
assert "Comma,\"Quoted\"" in cells("value")
assert b"\"Comma,\"\"Quoted\"\"\"" in raw'
py "a newline inside a cell is escaped: one line per finding" '
r = [x for x in body if x[col["value"]] == "Newline"][0]
assert r[col["observed"]] == "a\\x0D\\x0Ab", repr(r[col["observed"]])'
py "formulas are neutralised with a leading apostrophe" '
obs = {r[col["value"]]: r[col["observed"]] for r in body if r[col["target"]].endswith("hostile.hiv")}
assert obs["Comma,\"Quoted\""] == "\x27=HYPERLINK(\"http://x.invalid\",\"click\")"
assert obs["\x27+plus"] == "\x27-2+3"
assert obs["\x27@at"] == "\x27@SUM(A1)"
assert obs["Tab"] == "\\x09=1"
for r in body:
  for c in r: assert c[:1] not in ("=", "+", "-", "@", "\t", "\r"), r'
py "control characters escaped as in the text report; U+FFFD and non-ASCII kept" '
obs = {r[col["value"]]: r[col["observed"]] for r in body if r[col["target"]].endswith("hostile.hiv")}
assert obs["Escape"] == "\\x1B[31m"
assert obs["Lone"] == "A\ufffdB"
assert obs["Accent"] == "caf\u00e9 \U0001F600"'
py "a failed hive: one ERROR row with the reason in detail" '
e = [r for r in body if r[col["rule"]] == "ERROR"]
assert len(e) == 1 and "absent.hiv" in e[0][col["target"]] and e[0][col["detail"]]'
py "attack ids joined with ;, suppressed true/false" '
assert "T1547.001;T1574" in cells("attack")
assert set(cells("suppressed")) == {"true", "false"}'
py "sha256 of each hive" '
import hashlib
h = hashlib.sha256(open("'"$FIXTURES"'/sample.hiv", "rb").read()).hexdigest()
assert h in cells("sha256")'
run scan --baseline "$tmp/b.yaml" --format csv "$FIXTURES/win-xp.hiv"
check "no finding: exit 0" [ "$rc" = 0 ]
check "no finding: the header and one row saying so" [ "$(wc -l <"$tmp/out")" = 2 ]
check "no finding: rule NONE, severity none, the host named" \
  grep -q '^[^,]*win-xp.hiv,[0-9a-f]\{64\},,,,,NONE,none,,,,"audited: no finding ([0-9]* rules held, [0-9]* did not apply)",,,false,,[A-Z0-9-]\+,' "$tmp/out"
done_testing
