#!/bin/sh
# smaudit plan: the boot plan as a timeline and as JSON Lines, each finding
# on the action it judges, every value read accounted for; on a planted
# fixture, a volume folder, a disk image and every real hive of the corpus.
. "$(dirname "$0")/setup.sh"

PLANTED="$FIXTURES/plan.hiv"
if [ ! -f "$PLANTED" ]; then
  echo "1..0 # SKIP fixtures not generated"
  exit 0
fi

# The planted fixture, as text.
run plan "$PLANTED"
check "text: exit 1 (findings at medium or above)" [ "$rc" = 1 ]
check "text: the coverage line" grep -q "^  coverage: .* values read: .* 2 unmodelled" "$tmp/out"
phases=$(grep -o '^  *[0-9][0-9]* [a-z-]*:' "$tmp/out" | awk '{print $1}' | tr '\n' ' ')
check "text: phases in Windows' order ($phases)" \
  "$PYTHON3" -c 'import sys; v=[int(x) for x in sys.argv[1].split()]; sys.exit(v != sorted(v) or len(v) < 10)' "$phases"
check "text: the planted BootExecute program, resolved in System32" \
  grep -q 'program .*c:\\windows\\system32\\evilprog.exe  \[system\]' "$tmp/out"
check "text: the planted Execute program is user-writable" \
  grep -q 'program .*c:\\programdata\\x.exe  \[user-writable\]' "$tmp/out"
check "text: the unmodelled kernel value is named" \
  grep -q 'unmodelled: .*kernel\\FutureKernelKnob' "$tmp/out"

# The same as JSON Lines: findings on their actions.
run plan --format json "$PLANTED"
check "json: exit 1" [ "$rc" = 1 ]
check "json: one object" [ "$(wc -l <"$tmp/out")" = 1 ]
check "json: findings and actions point at each other" "$PYTHON3" -c '
import json, sys
r = json.load(open(sys.argv[1]))
acts = r["plan"]["actions"]
for i, f in enumerate(r["findings"]):
    a = f["action"]
    if a is not None and i not in acts[a]["findings"]:
        sys.exit(1)
for j, a in enumerate(acts):
    for i in a["findings"]:
        if r["findings"][i]["action"] != j:
            sys.exit(1)
' "$tmp/out"
check "json: the BootExecute finding is on the evilprog action" "$PYTHON3" -c '
import json, sys
r = json.load(open(sys.argv[1]))
acts = r["plan"]["actions"]
hits = [f for f in r["findings"] if "SM-BOOT-BOOTEXECUTE" in f["rules"]]
sys.exit(not hits or any(acts[f["action"]]["item"] != "evilprog -x" for f in hits))
' "$tmp/out"
check "json: the rename over kernel32.dll is on the replace action" "$PYTHON3" -c '
import json, sys
r = json.load(open(sys.argv[1]))
acts = r["plan"]["actions"]
hits = [f for f in r["findings"] if f["value"] == "PendingFileRenameOperations2"
        and "kernel32" in (f["observed"] or "")]
sys.exit(not hits or any(acts[f["action"]]["kind"] != "replace" for f in hits))
' "$tmp/out"
check "json: the Setup findings are on the setup command" "$PYTHON3" -c '
import json, sys
r = json.load(open(sys.argv[1]))
acts = r["plan"]["actions"]
hits = [f for f in r["findings"] if f["rule"] in ("SM-SETUP-TYPE", "SM-SETUP-CMDLINE")]
sys.exit(len(hits) != 2 or any(f["action"] is None or acts[f["action"]]["kind"]
                               not in ("setup-command", "policy") for f in hits))
' "$tmp/out"
check "json: coverage adds up and lists every value" "$PYTHON3" -c '
import json, sys
r = json.load(open(sys.argv[1]))
c, v = r["coverage"], r["plan"]["values"]
sys.exit(c["values_read"] != len(v) or
         c["consumed"] + c["inert"] + c["unmodelled"] != c["values_read"] or
         any(x["coverage"] == "inert" and not x["reason"] for x in v))
' "$tmp/out"
check "json: each unmodelled value is a medium SM-PLAN-UNMODELLED finding" "$PYTHON3" -c '
import json, sys
r = json.load(open(sys.argv[1]))
un = sorted(x["name"] for x in r["plan"]["values"] if x["coverage"] == "unmodelled")
fs = sorted(f["value"] for f in r["findings"] if f["rule"] == "SM-PLAN-UNMODELLED"
            and f["severity"] == "medium")
sys.exit(un != ["FutureKernelKnob", "FutureLoaderKnob"] or un != fs)
' "$tmp/out"

# scan reports the same coverage.
run scan --format json "$PLANTED"
check "scan json: coverage counts" [ "$(field 'r["coverage"]["unmodelled"]')" = 2 ]
run scan "$PLANTED"
check "scan text: the coverage line" grep -q "^  coverage: " "$tmp/out"

# A volume folder and a bad hive.
mkdir -p "$tmp/vol/Windows/System32/config"
cp "$PLANTED" "$tmp/vol/Windows/System32/config/SYSTEM"
run plan --format json "$tmp/vol"
check "folder: a plan for the volume's hive" \
  [ "$(field 'r["role"], len(r["plan"]["actions"]) > 20')" = "('system', True)" ]
printf 'regf but not a hive' >"$tmp/bad"
run plan "$tmp/bad"
check "bad hive: exit 2" [ "$rc" = 2 ]
check "bad hive: one line naming the file" grep -q "^smaudit: $tmp/bad" "$tmp/err"
run plan --format sarif "$PLANTED"
check "plan --format sarif: exit 2" [ "$rc" = 2 ]
run plan
check "plan without a target: exit 2" [ "$rc" = 2 ]

# A disk image: a raw NTFS volume holding the fixture.
GEN="$top_builddir/testdata/gen-image"
MKNTFS=$(PATH="$PATH:/usr/sbin:/sbin" command -v mkntfs 2>/dev/null)
if [ -x "$GEN" ] && [ -n "$MKNTFS" ]; then
  truncate -s 16M "$tmp/vol.img" && "$MKNTFS" -F -q -Q "$tmp/vol.img" >/dev/null 2>&1 &&
    "$GEN" "$tmp/vol.img" "Windows/System32/config/SYSTEM=$PLANTED"
  run plan --format json "$tmp/vol.img"
  check "image: the plan of the hive inside" \
    [ "$(field 'r["coverage"]["unmodelled"], r["image"]["file"] is not None')" = "(2, True)" ]
else
  skip "image" "needs testdata/gen-image and mkntfs (Debian ntfs-3g)"
fi

# Every real hive: every value of every key the plan reads accounted for,
# none unmodelled, nothing of the plan at medium or above.
if ! have_corpus; then
  skip "real hives" "corpus not found at $CORPUS (set SMAUDIT_CORPUS)"
  done_testing
  exit 0
fi
KEYS='Session Manager|kernel|Memory Management|DOS Devices|Environment|KnownDLLs|SubSystems|AppCertDlls|Setup'
for name in xp-sp3-x86 win7-sp1-x86 win81-x64 win10-1709-x64; do
  hive="$CORPUS/$name/SYSTEM"
  if [ ! -f "$hive" ]; then
    skip "$name" "hive absent from the corpus"
    continue
  fi
  run plan --format json --no-hash "$hive"
  check "$name: plan does not fail" [ "$rc" != 2 ]
  cs=$(printf 'ControlSet%03d' "$(field 'r["plan"]["control_set"]')")
  # hivexget's count of each key's values, against the plan's.
  want=
  printf '%s\n' "$KEYS" | tr '|' '\n' >"$tmp/keys"
  while read -r k; do
    case $k in "Session Manager") path="$cs\\Control\\Session Manager" ;;
    Setup) path='\Setup' ;;
    *) path="$cs\\Control\\Session Manager\\$k" ;; esac
    n=$(hivexget "$hive" "$path" 2>/dev/null | grep -c '^\("\|@=\)' || true)
    want="$want$k=$n "
  done <"$tmp/keys"
  got=$("$PYTHON3" -c '
import json, sys
r = json.load(open(sys.argv[1]))
out = ""
for k in sys.argv[2].split("|"):
    key = "Setup" if k == "Setup" else "Control\\Session Manager" + ("" if k == "Session Manager" else "\\" + k)
    out += "%s=%d " % (k, sum(1 for v in r["plan"]["values"] if v["key"] == key))
print(out, end="")' "$tmp/out" "$KEYS")
  if [ "$got" = "$want" ]; then
    ok "$name: every value of the plan's keys read ($want)"
  else
    not_ok "$name: every value of the plan's keys read (hivexget $want; plan $got)"
  fi
  check "$name: every value consumed or inert" \
    [ "$(field 'r["coverage"]["unmodelled"], r["coverage"]["consumed"] + r["coverage"]["inert"] == r["coverage"]["values_read"]')" = "(0, True)" ]
  check "$name: no SM-PLAN finding at medium or above" \
    [ "$(field 'len([f for f in r["findings"] if f["rule"].startswith("SM-PLAN") and f["severity"] in ("medium", "high", "critical")])')" = 0 ]
  run plan --no-hash "$hive"
  check "$name: the text plan has the BootExecute phase" grep -q "boot-execute: " "$tmp/out"
done
done_testing
