#!/bin/sh
# Deleted values and keys of the audited keys, recovered from free cells:
# hives in which values and keys were deleted the way Windows deletes them
# (testdata/delete-cells.py) or with hivex's writer (gen-hive), audited with
# each recovered finding marked.  The recovered values are checked against
# hivexget's reading of the hive before the deletion, against a reader
# of the cell written here and against reglookup-recover.
. "$(dirname "$0")/setup.sh"
. "$(dirname "$0")/formats-lib.sh"
SM='ControlSet001\Control\Session Manager'
if ! have_python; then
  skip "deleted values and keys" "python3 is not available"
  done_testing
  exit 0
fi
gen_overlay "$tmp/before.hiv" win-10 "[$SM\\SubSystems]
\"Evil\"=\"C:\\\\Windows\\\\evil.exe\"
[$SM\\AppCertDlls]
\"Hook\"=\"C:\\\\Windows\\\\hook.dll\""
"$PYTHON3" "$top_srcdir/testdata/delete-cells.py" "$tmp/before.hiv" \
  "$tmp/after.hiv" value "$SM\\SubSystems" Evil key "$SM\\AppCertDlls"
check "the fixture: values and key deleted" [ $? = 0 ]
check "the fixture: hivexget no longer sees the value" sh -c \
  "! hivexget '$tmp/after.hiv' '$SM\\SubSystems' Evil >/dev/null 2>&1"

run scan --format json "$tmp/after.hiv"
check "a recovered high finding fails --fail-on (exit 1)" [ "$rc" = 1 ]
cp "$tmp/out" "$tmp/after.json"
"$PYTHON3" - "$tmp/after.json" "$tmp/after.hiv" >"$tmp/py" 2>&1 <<'PY'
import json, struct, sys
r = json.load(open(sys.argv[1]))
rec = [f for f in r["findings"] if f.get("recovered")]
assert all(f["recovered"] == "deleted" for f in rec)
got = {(f["rule"], f["key"], f["value"]) for f in rec}
sm = "ControlSet001\\Control\\Session Manager"
assert ("SM-SUBSYS-UNLISTED", sm + "\\SubSystems", "Evil") in got, got
assert ("SM-DLL-APPCERTDLLS", sm + "\\AppCertDlls", "Hook") in got, got
assert not any(f.get("recovered") is None and f["value"] in ("Evil", "Hook")
               for f in r["findings"]), "a recovered finding not marked"
d = {(x["key"], x.get("value"), x.get("subkey")): x for x in r["deleted"]}
v = d[(sm + "\\SubSystems", "Evil", None)]
k = d[(sm, None, "AppCertDlls")]
assert k["values"] == 1 and k["last_write"], k
# A reader of the vk cell, apart from smaudit's: name, type and data.
b = open(sys.argv[2], "rb").read()
o = 0x1000 + v["cell"]
assert b[o + 4:o + 6] == b"vk"
nlen, dlen, doff, typ = struct.unpack_from("<HIII", b, o + 6)
name = b[o + 0x18:o + 0x18 + nlen].decode("latin-1")
data = b[0x1000 + doff + 4:0x1000 + doff + 4 + dlen].decode("utf-16-le")
print(name, typ, data.rstrip("\0"))
PY
check "json: recovered findings marked, what was recovered listed" [ $? = 0 ] || cat "$tmp/py" >&2
want="Evil 1 $(hivexget "$tmp/before.hiv" "$SM\\SubSystems" Evil)"
check "the recovered cell holds what hivexget read before the deletion" [ "$(tail -n 1 "$tmp/py")" = "$want" ]
# A second implementation: reglookup-recover (Debian's reglookup) lists
# the same cells, at file offset 0x1000 + cell, with the same names and data.
if command -v reglookup-recover >/dev/null 2>&1; then
  reglookup-recover "$tmp/after.hiv" >"$tmp/rr.csv" 2>/dev/null
  "$PYTHON3" - "$tmp/after.json" "$tmp/rr.csv" <<'PY'
import csv, json, sys
r = json.loads(open(sys.argv[1]).readline())
rows = {int(x["OFFSET"], 16): x for x in csv.DictReader(open(sys.argv[2]))}
assert r["deleted"], "nothing recovered"
for d in r["deleted"]:
    row = rows[0x1000 + d["cell"]]
    if "value" in d:
        assert (row["REC_TYPE"], row["NAME"], row["VK_VALUE"]) == \
            ("VALUE", d["value"], "C:\\Windows\\evil.exe"), row
    else:
        assert (row["REC_TYPE"], row["NAME"], int(row["NK_NVAL"])) == \
            ("KEY", d["subkey"], d["values"]), row
PY
  check "reglookup-recover finds each recovered cell, with its name and data" [ $? = 0 ]
else
  skip "reglookup-recover finds each recovered cell" "reglookup-recover is not installed (Debian package reglookup)"
fi
"$PYTHON3" -c 'import json, sys
r = json.load(open(sys.argv[1]))
print([f["observed"] for f in r["findings"]
       if f.get("recovered") and f["rule"] == "SM-SUBSYS-UNLISTED"][0])' \
  "$tmp/after.json" >"$tmp/obs"
check "the finding quotes the recovered data" [ "$(cat "$tmp/obs")" = "$(hivexget "$tmp/before.hiv" "$SM\\SubSystems" Evil)" ]

run scan --color never "$tmp/after.hiv"
check "text: the finding marked" grep -q 'evil.exe" \[recovered: deleted\]$' "$tmp/out"
check "text: the deleted block" grep -q '^  deleted:   2 recovered from free cells' "$tmp/out"
check "text: the deleted key, with its values" grep -qF "$SM  subkey AppCertDlls  (cell 0x" "$tmp/out"

# The live hive before the deletion: nothing recovered, nothing marked.
run scan --format json --fail-on never "$tmp/before.hiv"
is "no deleted cells: no deleted list" '"deleted" in r' False
is "no deleted cells: no finding marked" 'sum(1 for f in r["findings"] if "recovered" in f)' 0

# hivex's writer clears a key's value list before freeing it: the deleted
# key is recovered, without values it can no longer name.
cat >"$tmp/del.reg" <<REG
Windows Registry Editor Version 5.00

[-$SM\\AppCertDlls]
REG
"$top_builddir/testdata/gen-hive" "$tmp/hx.hiv" "$top_srcdir/testdata/reg/win-10.reg" \
  "$tmp/overlay.reg" "$tmp/del.reg"
run scan --format json --fail-on never "$tmp/hx.hiv"
is "hivex's writer: the deleted key recovered" '[(x["subkey"], x["values"]) for x in r["deleted"]]' "[('AppCertDlls', 0)]"

# A value deleted from the middle of its list leaves no offset to follow:
# nothing is guessed.
gen_overlay "$tmp/mid.hiv" win-10 "[$SM\\SubSystems]
\"Evil\"=\"C:\\\\Windows\\\\evil.exe\"
\"Later\"=\"x\""
"$PYTHON3" "$top_srcdir/testdata/delete-cells.py" "$tmp/mid.hiv" \
  "$tmp/mid-after.hiv" value "$SM\\SubSystems" Evil
run scan --format json --fail-on never "$tmp/mid-after.hiv"
is "a value not last in its list: not attributed" '[f["value"] for f in r["findings"] if f.get("recovered")]' "[]"
done_testing
