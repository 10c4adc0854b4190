#!/bin/sh
# Every finding about a value carries the value as stored ("data"), beside
# the normalised "observed"; the text report quotes it, escaped.
. "$(dirname "$0")/setup.sh"
. "$(dirname "$0")/formats-lib.sh"
if ! have_python; then
  skip "stored data" "python3 not found"
  done_testing
  exit 0
fi

# jq-like: a Python expression on the findings "f" of the JSON result.
js() {
  _desc=$1
  check "$_desc" "$PYTHON3" -c 'import json, sys
f = json.loads(open(sys.argv[1]).read())["findings"]
sys.exit(0 if eval(sys.argv[2]) else 1)' "$tmp/out" "$2"
}

run scan --format json "$FIXTURES/sample.hiv"
js "BootExecute: observed normalised, data the list as stored" '[x for x in f if "SM-BOOT-BOOTEXECUTE" in x["rules"] and "c:\\windows\\system32\\bootsvc.exe" in [x["observed"]] + [a["observed"] for a in x["also"]] and x["data"] == {"type": "REG_MULTI_SZ", "value": ["autocheck autochk *", "bootsvc \\??\\C:\\ProgramData\\bootsvc.exe"], "hex": None, "size": x["data"]["size"], "truncated": False} and x["data"]["size"] > 80]'
js "csrss line: the whole REG_EXPAND_SZ as stored" '[x for x in f if x["rule"] == "SM-SUBSYS-CSRSS-SERVERDLLS" and x["data"]["type"] == "REG_EXPAND_SZ" and "ServerDll=evil,5" in x["data"]["value"] and x["data"]["value"].startswith("%SystemRoot%")]'
js "a finding about no stored value has data null" 'all((x["data"] is None) == (x["type"] is None) for x in f)'

run scan --format json "$FIXTURES/wrong-types.hiv"
js "binary data as hex, value null" '[x for x in f if x["value"] == "Kmode" and x["data"] == {"type": "REG_BINARY", "value": None, "hex": "5c0053000000", "size": 6, "truncated": False}]'
js "a string where a number belongs: the string" '[x for x in f if x["value"] == "ProtectionMode" and x["data"]["value"] == "1" and x["data"]["type"] == "REG_SZ"]'

gen_overlay "$tmp/dword.hiv" win-10 '[ControlSet001\Control\Session Manager]
"GlobalFlag"=dword:02000100'
run scan --format json "$tmp/dword.hiv"
js "a DWORD as a number" '[x for x in f if x["value"] == "GlobalFlag" and x["data"]["value"] == 0x02000100 and x["data"]["type"] == "REG_DWORD" and x["data"]["size"] == 4]'

run scan --format json "$FIXTURES/long-value.hiv"
js "64 KiB Path: data cut at 4096 bytes and marked truncated" '[x for x in f if x["value"] == "Path"] and all(x["data"]["truncated"] and len(x["data"]["value"].encode()) <= 4096 and x["data"]["size"] > 60000 for x in f if x["value"] == "Path")'

# Hostile data: exact in JSON, escaped in text.
gen_overlay "$tmp/hostile.hiv" win-10 '[ControlSet001\Control\Session Manager\SubSystems]
"Evil"=hex(1):1b,00,5b,00,33,00,31,00,6d,00,22,00,78,00,00,00'
run scan --format json "$tmp/hostile.hiv"
js "JSON: control characters kept exactly" '[x for x in f if x["value"] == "Evil" and x["data"]["value"] == "\x1b[31m\"x"]'
run scan "$tmp/hostile.hiv"
check "text: a stored: line quotes the data" grep -q 'stored:   Evil: REG_SZ "\\x1B\[31m\\"x"' "$tmp/out"
check "text: no raw escape character" sh -c "! grep -q \"$(printf '\033')\" '$tmp/out'"
run scan "$FIXTURES/sample.hiv"
check "text: the BootExecute list quoted once" [ "$(grep -c 'stored:   BootExecute: REG_MULTI_SZ \["autocheck autochk \*", "bootsvc \\??\\C:\\ProgramData\\bootsvc.exe"\]' "$tmp/out")" = 1 ]
done_testing
