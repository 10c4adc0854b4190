#!/bin/sh
# extends: detected: one site baseline over each hive's own family, its
# rules and suppressions working on every family; a baseline written for
# one family, used on a hive of another, is warned about.
. "$(dirname "$0")/setup.sh"
. "$(dirname "$0")/formats-lib.sh"
if ! have_corpus || ! have_python; then
  skip "overlay" "no corpus at $CORPUS, or no python3"
  done_testing
  exit 0
fi
W7="$CORPUS/win7-sp1-x86/SYSTEM"
W10="$CORPUS/win10-1709-x64/SYSTEM"

# site.yaml: a site rule every hive breaks (a BootExecute value present),
# the suppression of a rule of every family (SM-ENV-UNLISTED, low on the
# Windows 7 hive), of one the Windows 10 hive has (SM-PFRO-SERVICING), and
# of one Windows 7 lacks (SM-DLL-KNOWNDLLS-WOW64: kept for the families
# that have it, skipped on the others).
cat >"$tmp/site.yaml" <<'YAML'
smaudit-baseline: 1
name: site
extends: detected
rules:
  - id: SITE-BOOTEXECUTE-SET
    title: BootExecute is set
    key: Control\Session Manager
    value: BootExecute
    presence: forbidden
    severity: low
    normal: "Our imaging removes it."
    message: "Present."
suppressions:
  - rule: SM-ENV-UNLISTED
    justification: "McAfee's folder in the system environment on every desktop"
  - rule: SM-PFRO-SERVICING
    justification: "servicing leftovers"
  - rule: SM-DLL-KNOWNDLLS-WOW64
    justification: "site policy"
YAML
run check-baseline "$tmp/site.yaml"
check "check-baseline: an overlay validates (over every family)" [ "$rc" = 0 ]

run scan --baseline "$tmp/site.yaml" --format json --fail-on low -j2 "$W7" "$W10"
check "one batch over two families: exit 1 (the site rule)" [ "$rc" = 1 ]
"$PYTHON3" - "$tmp/out" >"$tmp/facts" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    b = r["baseline"]
    fam = b["family"]
    print(fam, "selected", b["selected"], b["name"])
    print(fam, "extends", b["extends"][0])
    for f in r["findings"]:
        print(fam, "finding", f["rule"], "suppressed" if f["suppressed"] else "open")
    print(fam, "warnings", len(r["warnings"]))
PY
for fam in windows-7 windows-10; do
  check "$fam: selected overlay, named site" grep -qx "$fam selected overlay site" "$tmp/facts"
  check "$fam: over its own family" grep -qx "$fam extends $fam" "$tmp/facts"
  check "$fam: the site rule fires" grep -qx "$fam finding SITE-BOOTEXECUTE-SET open" "$tmp/facts"
  check "$fam: no warning" grep -qx "$fam warnings 0" "$tmp/facts"
done
check "windows-7: its SM-ENV-UNLISTED findings suppressed" grep -qx "windows-7 finding SM-ENV-UNLISTED suppressed" "$tmp/facts"
check "windows-7: none left open" sh -c "! grep -q 'windows-7 finding SM-ENV-UNLISTED open' '$tmp/facts'"
check "windows-10: its SM-PFRO-SERVICING findings suppressed" grep -qx "windows-10 finding SM-PFRO-SERVICING suppressed" "$tmp/facts"
check "windows-10: none left open" sh -c "! grep -q 'windows-10 finding SM-PFRO-SERVICING open' '$tmp/facts'"

run scan --baseline "$tmp/site.yaml" "$W7"
check "text: the baseline line says given, over the family detected" grep -q "baseline:  site (given, over windows-7 detected: " "$tmp/out"

# The same without extends: detected, written for Windows 10.
sed 's/^extends: detected$/extends: windows-10/; /SM-DLL-KNOWNDLLS-WOW64/,+1d; /SM-ENV-UNLISTED/,+1d' \
  "$tmp/site.yaml" >"$tmp/site10.yaml"
run scan --baseline "$tmp/site10.yaml" --format json "$W7" "$W10"
"$PYTHON3" - "$tmp/out" >"$tmp/facts" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    b = r["baseline"]
    print(b["hive_family"], b["selected"], b["family"], len(r["warnings"]))
    for w in r["warnings"]:
        print(b["hive_family"], "warning", w)
PY
check "windows-10 baseline on the Windows 10 hive: no warning" grep -qx "windows-10 given windows-10 0" "$tmp/facts"
check "windows-10 baseline on the Windows 7 hive: JSON family and hive_family" grep -qx "windows-7 given windows-10 1" "$tmp/facts"
check "windows-10 baseline on the Windows 7 hive: warned in JSON" grep -q "^windows-7 warning the baseline site is for windows-10, but the hive is Windows Vista, 7" "$tmp/facts"
run scan --baseline "$tmp/site10.yaml" "$W7"
check "windows-10 baseline on the Windows 7 hive: warned in text" grep -q "warning:   the baseline site is for windows-10, but the hive is Windows Vista, 7" "$tmp/out"

# A suppression of a rule no family has is still an error, naming it.
printf '  - rule: SM-NO-SUCH-RULE\n    justification: "typo"\n' >>"$tmp/site.yaml"
run check-baseline "$tmp/site.yaml"
check "a suppression of a rule in no family: exit 2" [ "$rc" = 2 ]
check "a suppression of a rule in no family: says where" grep -q "site.yaml:[0-9]*:[0-9]*: suppression of an unknown rule 'SM-NO-SUCH-RULE' (in no family)" "$tmp/err"
run scan --baseline "$tmp/site.yaml" "$W7"
check "scan with it: exit 2" [ "$rc" = 2 ]
done_testing
