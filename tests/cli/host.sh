#!/bin/sh
# Host identity in every result (computer name, product, build, install
# date, time zone, last shutdown), in every format; a SOFTWARE hive that
# contradicts the SYSTEM hive is reported and changes no family.
. "$(dirname "$0")/setup.sh"
. "$(dirname "$0")/formats-lib.sh"
if ! have_python; then
  skip "host" "python3 not found"
  done_testing
  exit 0
fi
gen() { "$top_builddir/testdata/gen-hive" "$@"; }

# volume NAME SYSTEM.hiv SOFTWARE.hiv: a volume folder with both hives.
volume() {
  mkdir -p "$tmp/$1/Windows/System32/config"
  cp "$2" "$tmp/$1/Windows/System32/config/SYSTEM"
  [ -z "$3" ] || cp "$3" "$tmp/$1/Windows/System32/config/SOFTWARE"
}
printf 'Windows Registry Editor Version 5.00\n
[Microsoft\\Windows NT\\CurrentVersion]
"CurrentBuild"="19045"
"CurrentBuildNumber"="19045"
"UBR"=dword:00000ecb
"ProductName"="Windows 10 Pro"
"InstallDate"=dword:5f5e1000\n' >"$tmp/sw.reg"
gen "$tmp/sw.hiv" "$tmp/sw.reg"
# ShutdownTime 2023-01-02T03:04:05Z as a FILETIME.
ft=$("$PYTHON3" -c 'import struct; t = (1672628645 + 11644473600) * 10**7
print(",".join("%02x" % b for b in struct.pack("<Q", t)))')
gen_overlay "$tmp/sys.hiv" win-10 '[ControlSet001\Control\ComputerName\ComputerName]
"ComputerName"="WS-042"
[ControlSet001\Control\TimeZoneInformation]
"TimeZoneKeyName"="W. Europe Standard Time"
"StandardName"="@tzres.dll,-322"
[ControlSet001\Control\Windows]
"ShutdownTime"=hex:'"$ft"
volume v1 "$tmp/sys.hiv" "$tmp/sw.hiv"
run scan --format json --fail-on never "$tmp/v1"
is "JSON: the host block from SYSTEM and SOFTWARE" 'r["host"]' \
  "{'computer_name': 'WS-042', 'product': 'Windows 10 Pro', 'build': '19045.3787', 'install_date': '2020-09-13T12:26:40Z', 'time_zone': 'W. Europe Standard Time', 'shutdown_time': '2023-01-02T03:04:05Z', 'software': 'read'}"
run scan --fail-on never "$tmp/v1"
check "text: host line" grep -q '^  host:      WS-042, Windows 10 Pro, build 19045.3787$' "$tmp/out"
check "text: time zone, shutdown, install date" sh -c "grep -q '^  time zone: W. Europe Standard Time$' '$tmp/out' && grep -q '^  shutdown:  2023-01-02T03:04:05Z$' '$tmp/out' && grep -q '^  installed: 2020-09-13T12:26:40Z$' '$tmp/out'"
run scan --format csv --fail-on never "$tmp/v1"
check "CSV: every row names the host" "$PYTHON3" -c '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
assert rows and all((r["computer_name"], r["product"], r["build"], r["time_zone"], r["shutdown_time"]) == ("WS-042", "Windows 10 Pro", "19045.3787", "W. Europe Standard Time", "2023-01-02T03:04:05Z") for r in rows), rows[0]' "$tmp/out"
run scan --format sarif --fail-on never "$tmp/v1"
check "SARIF: the artifact and every result carry the host" "$PYTHON3" -c '
import json, sys
run = json.load(open(sys.argv[1]))["runs"][0]
assert run["artifacts"][0]["properties"]["host"]["computer_name"] == "WS-042"
assert run["results"] and all(x["properties"]["host"]["build"] == "19045.3787" for x in run["results"])' "$tmp/out"

# XP: no TimeZoneKeyName, StandardName is the zone; no SOFTWARE: nulls.
gen_overlay "$tmp/xp.hiv" win-xp '[ControlSet001\Control\TimeZoneInformation]
"StandardName"="Pacific Standard Time"'
run scan --format json --fail-on never "$tmp/xp.hiv"
is "StandardName when there is no TimeZoneKeyName; unknown is null" \
  '(r["host"]["time_zone"], r["host"]["product"], r["host"]["build"], r["host"]["shutdown_time"], r["host"]["software"])' \
  "('Pacific Standard Time', None, None, None, None)"
run scan --format json "$tmp/absent"
is "a hive that cannot be opened: every host field null" \
  'set(r["host"].values())' "{None}"

# Hostile names: exact in JSON, escaped in text and CSV.
gen_overlay "$tmp/evil.hiv" win-10 '[ControlSet001\Control\ComputerName\ComputerName]
"ComputerName"=hex(1):1b,00,5d,00,30,00,3b,00,58,00,07,00,3d,00,22,00,00,00'
run scan --format json --fail-on never "$tmp/evil.hiv"
is "JSON: a hostile computer name exactly" 'r["host"]["computer_name"]' \
  "$(printf '\033]0;X\007="')"
run scan --fail-on never "$tmp/evil.hiv"
check "text: escaped" grep -q '^  host:      \\x1B\]0;X\\x07="$' "$tmp/out"
run scan --format csv --fail-on never "$tmp/evil.hiv"
check "CSV: escaped, no raw control character" sh -c "grep -q '\\\\x1B\]0;X\\\\x07=' '$tmp/out' && ! grep -q \"$(printf '\033')\" '$tmp/out'"

# A whole Services key (the family exact) of Windows 7, and a Windows 10
# SOFTWARE hive beside it: a collection mistake.  The family stays 7, a
# medium finding says so, and no critical appears.
services=$(i=0; while [ $i -lt 45 ]; do echo "[ControlSet001\\Services\\Svc$i]"; i=$((i + 1)); done)
gen_overlay "$tmp/w7whole.hiv" win-7 "$services"
gen "$tmp/sw10.hiv" "$top_srcdir/testdata/reg/software-10.reg"
gen "$tmp/sw7.hiv" "$top_srcdir/testdata/reg/software-7.reg"
volume mixed "$tmp/w7whole.hiv" "$tmp/sw10.hiv"
run scan --format json "$tmp/mixed"
is "mismatched SOFTWARE: the family stays windows-7" 'r["baseline"]["name"]' windows-7
is "mismatched SOFTWARE: one medium finding, nothing higher" \
  '([(f["rule"], f["severity"]) for f in r["findings"] if f["severity"] in ("medium", "high", "critical")], r["host"]["software"])' \
  "([('SM-FAMILY-SOFTWARE-NEWER', 'medium')], 'contradicts')"
run scan "$tmp/mixed"
check "text: the host line says the product is not this machine's" \
  grep -q "host: .*(product and build from a SOFTWARE hive the SYSTEM hive contradicts)" "$tmp/out"
volume matched "$tmp/w7whole.hiv" "$tmp/sw7.hiv"
run scan --format json "$tmp/matched"
is "matching SOFTWARE: windows-7, no finding at medium or above" \
  '(r["baseline"]["name"], r["summary"]["by_severity"]["medium"] + r["summary"]["by_severity"]["high"] + r["summary"]["by_severity"]["critical"], r["host"]["software"])' \
  "('windows-7', 0, 'read')"
# An attacker's SOFTWARE claiming Windows 7 beside Windows 10 lowers nothing.
volume lower "$FIXTURES/win-10.hiv" "$tmp/sw7.hiv"
run scan --format json --fail-on never "$tmp/lower"
is "older SOFTWARE: the family stays windows-10, high finding" \
  '(r["baseline"]["name"], [f["severity"] for f in r["findings"] if f["rule"] == "SM-FAMILY-SOFTWARE-OLDER"])' \
  "('windows-10', ['high'])"
if have_corpus; then
  volume real7 "$CORPUS/win7-sp1-x86/SYSTEM" "$tmp/sw10.hiv"
  run scan --format json "$tmp/real7"
  is "real Windows 7 + a Windows 10 SOFTWARE: windows-7, exit 1 for the medium finding only" \
    '(r["baseline"]["name"], r["summary"]["by_severity"]["critical"], r["summary"]["by_severity"]["high"], r["host"]["computer_name"])' \
    "('windows-7', 0, 0, 'WKS-WIN732BITA')"
else
  skip "real Windows 7 + a Windows 10 SOFTWARE" "no corpus at $CORPUS"
fi

# A batch: one line per host worst first after the summary line, clean
# hosts counted; the CSV has a row for every hive.
gen_overlay "$tmp/b-clean.hiv" win-xp '[ControlSet001\Control\ComputerName\ComputerName]
"ComputerName"="CLEAN-1"'
gen_overlay "$tmp/b-low.hiv" win-7 '[ControlSet001\Control\ComputerName\ComputerName]
"ComputerName"="LOW-1"'
gen_overlay "$tmp/b-crit.hiv" win-10 '[ControlSet001\Control\ComputerName\ComputerName]
"ComputerName"="CRIT-1"
[ControlSet001\Control\Session Manager]
"BootExecute"=multi:"autocheck autochk *","evil \\??\\C:\\Users\\Public\\evil.exe"'
run scan --format csv -j 2 "$tmp/b-clean.hiv" "$tmp/b-low.hiv" "$tmp/absent.hiv" "$tmp/b-crit.hiv"
check "batch: exit 2 (a hive could not be audited)" [ "$rc" = 2 ]
sed -n '/by host, worst first/,$p' "$tmp/err" >"$tmp/hosts"
check "batch: the hosts worst first, the error first" "$PYTHON3" -c '
import sys
lines = open(sys.argv[1]).read().splitlines()
assert lines[0].endswith("by host, worst first (4 hosts):"), lines
assert lines[1].startswith("  (no computer name): ERROR"), lines
assert lines[2].startswith("  CRIT-1: 1 high")  and lines[2].endswith("b-crit.hiv"), lines
assert lines[3].startswith("  LOW-1: ") and "low" in lines[3], lines
assert lines[4] == "  1 host with no finding above info", lines
assert len(lines) == 5, lines' "$tmp/hosts"
check "batch CSV: a row for every hive, the clean one included" "$PYTHON3" -c '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
hives = {r["target"].rsplit("/", 1)[1] for r in rows}
assert hives == {"b-clean.hiv", "b-low.hiv", "absent.hiv", "b-crit.hiv"}, hives
assert [r["rule"] for r in rows if r["target"].endswith("b-clean.hiv")] == ["NONE"]
assert [r["computer_name"] for r in rows if r["target"].endswith("b-clean.hiv")] == ["CLEAN-1"]' "$tmp/out"
done_testing
