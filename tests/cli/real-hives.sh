#!/bin/sh
# show on the real hives of ../shared/hives: CurrentControlSet, dirty flags,
# values equal to hivexget's, and bad input refused with a reason.
. "$(dirname "$0")/setup.sh"

if ! have_corpus; then
  skip "real hives" "corpus not found at $CORPUS (set SMAUDIT_CORPUS)"
  done_testing
  exit 0
fi

for name in xp-sp3-x86 win7-sp1-x86 win81-x64 win10-1709-x64; do
  hive="$CORPUS/$name/SYSTEM"
  if [ ! -f "$hive" ]; then
    skip "$name" "hive absent from the corpus"
    continue
  fi
  run show --format json "$hive"
  check "$name: show exits 0" [ "$rc" = 0 ]
  current=$(hivexget "$hive" '\Select' Current)
  check "$name: CurrentControlSet is Select\\Current ($current)" \
    "$PYTHON3" -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(d["current_control_set"]!=int(sys.argv[2]))' "$tmp/out" "$current"
  case $name in
  win81-x64 | win10-1709-x64) want=True ;;
  *) want=False ;;
  esac
  check "$name: dirty is $want" \
    "$PYTHON3" -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(str(d["hive"]["base_block"]["dirty"])!=sys.argv[2])' "$tmp/out" "$want"
  # Every SubSystems value as hivexget prints it.
  cs=$(printf 'ControlSet%03d' "$current")
  "$PYTHON3" - "$tmp/out" "$cs" >"$tmp/values" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for k in d["keys"]:
    if k["path"] == sys.argv[2] + "\\Control\\Session Manager\\SubSystems":
        for v in k["values"]:
            data = v["data"]
            if isinstance(data, list):
                data = "\n".join(data)
            print(json.dumps([v["name"], str(data)]))
PY
  nvalues=0
  mismatch=""
  while IFS= read -r line; do
    vname=$("$PYTHON3" -c 'import json,sys; print(json.loads(sys.argv[1])[0])' "$line")
    vdata=$("$PYTHON3" -c 'import json,sys; print(json.loads(sys.argv[1])[1])' "$line")
    [ -n "$vname" ] || vname='@'
    hx=$(hivexget "$hive" "\\$cs\\Control\\Session Manager\\SubSystems" "$vname")
    [ "$hx" = "$vdata" ] || mismatch="$mismatch $vname"
    nvalues=$((nvalues + 1))
  done <"$tmp/values"
  check "$name: all $nvalues SubSystems values equal hivexget's${mismatch:+ (differ:$mismatch)}" \
    [ "$nvalues" -ge 5 ] && [ -z "$mismatch" ]
  run show "$hive"
  check "$name: text report names the CurrentControlSet" grep -q "^CurrentControlSet: $cs\$" "$tmp/out"
done

for f in "$CORPUS"/bad/*; do
  [ -f "$f" ] || continue
  run show "$f"
  b=$(basename "$f")
  check "bad/$b: exit 2" [ "$rc" = 2 ]
  check "bad/$b: one line naming the file and a reason" \
    sh -c '[ "$(wc -l <"$1")" = 1 ] && grep -qF "smaudit: $2: " "$1"' _ "$tmp/err" "$f"
  for u in "" --unsafe; do
    run scan $u --fail-on never --format json -b "$top_srcdir/tests/fuzz/seed.yaml" "$f"
    check "bad/$b: scan $u: exit 0, or 2 with one line naming the file (exit $rc)" sh -c \
      '[ "$1" = 0 ] || { [ "$1" = 2 ] && [ "$(wc -l <"$2")" = 1 ] && grep -qF "smaudit: $3: " "$2"; }' _ "$rc" "$tmp/err" "$f"
    check "bad/$b: scan $u: valid JSON with the error" "$PYTHON3" -c '
import json, sys
d = json.loads(open(sys.argv[1]).readline())
sys.exit(not (d["error"] or d["hive"]["unsafe"]))' "$tmp/out"
  done
done

for f in "$CORPUS"/edge/*; do
  [ -f "$f" ] || continue
  run show "$f"
  b=$(basename "$f")
  # Edge hives are not SYSTEM hives: a clean refusal, never a crash.
  check "edge/$b: handled without a crash (exit $rc)" sh -c '[ "$1" = 0 ] || [ "$1" = 2 ]' _ "$rc"
  check "edge/$b: says why when refused" sh -c '[ "$1" = 0 ] || grep -qF "smaudit: $2: " "$3"' _ "$rc" "$f" "$tmp/err"
  for u in "" --unsafe; do
    run scan $u --fail-on never -b "$top_srcdir/tests/fuzz/seed.yaml" "$f"
    check "edge/$b: scan $u: exit 0, or 2 with one line naming the file (exit $rc)" sh -c \
      '[ "$1" = 0 ] || { [ "$1" = 2 ] && [ "$(wc -l <"$2")" = 1 ] && grep -qF "smaudit: $3: " "$2"; }' _ "$rc" "$tmp/err" "$f"
  done
done
done_testing
