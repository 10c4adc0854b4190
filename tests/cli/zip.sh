#!/bin/sh
# Velociraptor collections kept as zip files: each volume's hives read from
# the zip (uploads/<accessor>/<%-encoded volume>/...), named ZIP:PATH, the
# shadow copies collected as volumes given role shadow; bounded, refusing
# names that would leave their place; nothing left behind.
. "$(dirname "$0")/setup.sh"
need_fixtures win-10 win-7 win-xp sample
if ! "$PYTHON3" -c 'import zipfile' 2>/dev/null; then
  skip "zip collections" "python3 with zipfile not found"
  done_testing
  exit 0
fi
boot_baseline "$tmp/b.yaml"
# A private TMPDIR: what smaudit writes there is seen, and must go.
mkdir "$tmp/t"
TMPDIR="$tmp/t"
export TMPDIR
scan() { run scan -q -b "$tmp/b.yaml" --format json --no-hash "$@"; }
# mkzip ZIP NAME=FILE...: a zip of those entries (deflated).
mkzip() {
  _z=$1
  shift
  "$PYTHON3" - "$_z" "$@" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("collection_context.json", "{}")
    z.writestr("results/Windows.KapeFiles.Targets%2FUploads.json", "{}")
    for a in sys.argv[2:]:
        name, _, path = a.partition("=")
        z.write(path, name)
PY
}
C='%5C%5C.%5CC%3A'
VSS='%5C%5C%3F%5CGLOBALROOT%5CDevice%5CHarddiskVolumeShadowCopy3'
W=Windows/System32/config
mkzip "$tmp/Collection-HOST1.zip" \
  "uploads/ntfs/$C/$W/SYSTEM=$FIXTURES/win-10.hiv" \
  "uploads/ntfs/$C/$W/RegBack/SYSTEM=$FIXTURES/win-7.hiv" \
  "uploads/ntfs/$VSS/$W/SYSTEM=$FIXTURES/win-7.hiv" \
  "uploads/auto/C%3A/$W/SYSTEM=$FIXTURES/sample.hiv"
scan "$tmp/Collection-HOST1.zip"
check "zip collection: exit 0 or 1" [ "$rc" -le 1 ]
expect_roles "zip collection: every volume's hive, named ZIP:PATH, the shadow copy's with role shadow" <<EOF2
Collection-HOST1.zip:uploads/auto/C%3A/$W/SYSTEM system ok
Collection-HOST1.zip:uploads/ntfs/$C/$W/RegBack/SYSTEM regback ok
Collection-HOST1.zip:uploads/ntfs/$C/$W/SYSTEM system ok
Collection-HOST1.zip:uploads/ntfs/$VSS/$W/SYSTEM shadow ok
EOF2
check "zip collection: the volume decoded" grep -q '"volume_name":"\\\\\\\\.\\\\C:"' "$tmp/out"
check "zip collection: the shadow copy's volume decoded" grep -q '"volume_name":"\\\\\\\\?\\\\GLOBALROOT\\\\Device\\\\HarddiskVolumeShadowCopy3"' "$tmp/out"
check "zip collection: the collected shadow copy's shadow object, what is known" "$PYTHON3" -c '
import json, sys
for l in open(sys.argv[1]):
    o = json.loads(l)
    if o["role"] == "shadow":
        s = o["shadow"]
        sys.exit(not (s["store"] == 3 and s["id"] is None and s["created"] is None and s["path"] == "/Windows/System32/config/SYSTEM"))
sys.exit(1)' "$tmp/out"
check "nothing left in TMPDIR" [ -z "$(ls -A "$tmp/t")" ]

# The same as an extracted collection: the same findings.
mkdir "$tmp/x" && (cd "$tmp/x" && "$PYTHON3" -m zipfile -e "$tmp/Collection-HOST1.zip" .)
run scan -q -b "$tmp/b.yaml" --format csv --no-hash "$tmp/Collection-HOST1.zip"
cut -d, -f3- "$tmp/out" | sort >"$tmp/zip.csv"
run scan -q -b "$tmp/b.yaml" --format csv --no-hash "$tmp/x"
cut -d, -f3- "$tmp/out" | sort >"$tmp/dir.csv"
check "zip and extracted: the same findings" cmp -s "$tmp/zip.csv" "$tmp/dir.csv"

# With -r, a zip in a folder of evidence.
mkdir "$tmp/ev" && cp "$tmp/Collection-HOST1.zip" "$tmp/ev/"
scan -r "$tmp/ev"
check "-r: the zip's hives are found" [ "$(target_roles | grep -c 'ev/Collection-HOST1.zip:uploads/')" = 4 ]

# Names that would leave their place are refused, and said.
mkzip "$tmp/evil.zip" "uploads/ntfs/$C/$W/SYSTEM=$FIXTURES/win-10.hiv"
"$PYTHON3" - "$tmp/evil.zip" "$FIXTURES/win-10.hiv" <<'PY'
import sys, zipfile
# ZipInfo keeps the names as given (ZipFile.write would normalise them).
with zipfile.ZipFile(sys.argv[1], "a") as z:
    for name in ("uploads/ntfs/../Windows/System32/config/SYSTEM",
                 "/uploads/ntfs/abs/Windows/System32/config/SYSTEM"):
        z.writestr(zipfile.ZipInfo(name), open(sys.argv[2], "rb").read())
PY
run scan -b "$tmp/b.yaml" --format json --no-hash "$tmp/evil.zip"
check "traversal: the good volume audited" grep -q "evil.zip:uploads/ntfs/$C/$W/SYSTEM" "$tmp/out"
check "traversal: '..' refused, said" grep -q "entry uploads/ntfs/../$W/SYSTEM refused" "$tmp/err"
check "traversal: an absolute name refused, said" grep -q "entry /uploads/ntfs/abs/$W/SYSTEM refused" "$tmp/err"
check "traversal: nothing written outside" [ ! -e "$tmp/t/uploads" ] && [ -z "$(ls -A "$tmp/t")" ]

# A zip bomb: a hive's entry that decompresses past the bound stops there.
"$PYTHON3" - "$tmp/bomb.zip" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    with z.open("uploads/ntfs/C/Windows/System32/config/SYSTEM", "w", force_zip64=True) as f:
        chunk = b"\0" * (1 << 20)
        for _ in range(80):
            f.write(chunk)
PY
run scan -b "$tmp/b.yaml" --format json --no-hash "$tmp/bomb.zip"
check "zip bomb: exit 2" [ "$rc" = 2 ]
check "zip bomb: one line naming the zip and the bound" grep -q "bomb.zip: more than 67108864 bytes of hives once decompressed" "$tmp/err"
check "zip bomb: nothing left in TMPDIR" [ -z "$(ls -A "$tmp/t")" ]

# A name twice in one zip: the same bytes are one hive; different
# contents are ambiguous evidence, said of that volume's hives (an error,
# exit 2), while the other volumes are audited.
"$PYTHON3" - "$tmp/twice.zip" "$FIXTURES/win-10.hiv" "$FIXTURES/win-7.hiv" \
  "$C" "$VSS" "$W" <<'PY'
import sys, warnings, zipfile
warnings.simplefilter("ignore")  # zipfile warns of the duplicate name
z, a, b, c, vss, w = sys.argv[1:]
with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as f:
    f.writestr("collection_context.json", "{}")
    f.write(a, "uploads/ntfs/%s/%s/SYSTEM" % (c, w))
    f.write(b, "uploads/ntfs/%s/%s/SYSTEM" % (c, w))
    f.write(a, "uploads/ntfs/%s/%s/SYSTEM" % (vss, w))
    f.write(a, "uploads/ntfs/%s/%s/SYSTEM" % (vss, w))
PY
scan "$tmp/twice.zip"
check "a name twice with different contents: exit 2" [ "$rc" = 2 ]
check "the note names the member and says it is ambiguous" \
  grep -q "twice.zip: entry uploads/ntfs/$C/$W/SYSTEM appears twice, with different contents" "$tmp/err"
expect_roles "its volume's hive is an error; the other volume's (the same bytes twice) is audited" <<EOF2
twice.zip:uploads/ntfs/$C/$W/SYSTEM system error
twice.zip:uploads/ntfs/$VSS/$W/SYSTEM shadow ok
EOF2
check "the error says which is the evidence cannot be told" \
  grep -q "appears twice in the zip with different contents: which is the evidence cannot be told" "$tmp/out"
check "the same bytes twice: a note, taken once" \
  grep -q "entry uploads/ntfs/$VSS/$W/SYSTEM appears twice, with the same bytes: taken once" "$tmp/err"
check "nothing left in TMPDIR" [ -z "$(ls -A "$tmp/t")" ]

# Not a collection; not a zip at all; a damaged zip.
mkzip "$tmp/other.zip" "notes/SYSTEM=$FIXTURES/win-10.hiv"
run scan -b "$tmp/b.yaml" --no-hash "$tmp/other.zip"
check "a zip without a collection's hive: exit 2, said" [ "$rc" = 2 ] && grep -q "other.zip: a zip file, but no collection's SYSTEM hive" "$tmp/err"
head -c 3000 "$tmp/Collection-HOST1.zip" >"$tmp/cut.zip"
run scan -b "$tmp/b.yaml" --no-hash "$tmp/cut.zip"
check "a truncated zip: exit 2, one line naming it" [ "$rc" = 2 ] && grep -q "cut.zip: " "$tmp/err"
check "nothing left in TMPDIR at the end" [ -z "$(ls -A "$tmp/t")" ]

# Ended by a signal while its hives are held: the private folder goes too
# (it holds copies of the evidence).
for sig in TERM HUP; do
  paused_scan "$tmp/fifo" "$tmp/out" "$tmp/err" -q --no-hash -b "$tmp/b.yaml" \
    "$tmp/Collection-HOST1.zip"
  check "SIG$sig: the hives were taken out before it" [ -n "$(ls -A "$tmp/t")" ]
  kill -$sig $pid
  wait $pid
  check "SIG$sig: ends the run, by that signal" [ $? -gt 128 ]
  check "SIG$sig: nothing left in TMPDIR" [ -z "$(ls -A "$tmp/t")" ]
done
done_testing
