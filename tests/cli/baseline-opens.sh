#!/bin/sh
# Each baseline file is read once per run, however many baselines extend it
# (windows-common.yaml, which the four families extend): the opens are
# counted with strace.  The results are those of one run per hive.
. "$(dirname "$0")/setup.sh"

fams="win-xp win-7 win-8.1 win-10"
for f in $fams; do
  if [ ! -f "$FIXTURES/$f.hiv" ]; then
    echo "1..0 # SKIP fixtures not generated"
    exit 0
  fi
done
if ! command -v strace >/dev/null 2>&1 || ! strace -o /dev/null true 2>/dev/null; then
  echo "1..0 # SKIP strace is not installed (or cannot trace here)"
  exit 0
fi

# A copy of the shipped baselines, so that only these opens are counted.
bl="$tmp/bl"
mkdir "$bl"
cp "$top_srcdir"/baselines/*.yaml "$bl/"
SMAUDIT_BASELINE_PATH=$bl
export SMAUDIT_BASELINE_PATH
hives=""
for f in $fams; do hives="$hives $FIXTURES/$f.hiv"; done

# traced ARGS...: run smaudit under strace; the baseline files opened, one
# line per open, in $tmp/opens.  LeakSanitizer cannot run under ptrace: in
# a sanitizer build it would end the traced run with a fatal error.
traced() {
  ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
    strace -f -e trace=open,openat -o "$tmp/trace" "$SMAUDIT_BIN" "$@" \
    >"$tmp/out" 2>"$tmp/err" || true
  # Each file is first looked at without being opened (O_PATH): what it
  # is, before an open; then opened.  The opens are counted.
  grep -v O_PATH "$tmp/trace" | grep -o "\"$bl/[^\"]*\"" | tr -d '"' | sed "s|^$bl/||" |
    sort >"$tmp/opens"
}
# opened FILE...: exactly these were opened, each once.
opened() {
  printf '%s\n' "$@" | sort | cmp -s - "$tmp/opens" && return 0
  sed 's/^/# opened: /' "$tmp/opens"
  return 1
}

traced scan --fail-on never -q -f json $hives
check "a batch of the four families: each baseline file opened once" \
  opened windows-common.yaml windows-xp.yaml windows-7.yaml \
  windows-8.1.yaml windows-10.yaml
check "a batch of the four families: four results" [ "$(wc -l <"$tmp/out")" = 4 ]
cp "$tmp/out" "$tmp/batch.json"

: >"$tmp/one.json"
for h in $hives; do
  "$SMAUDIT_BIN" scan --fail-on never -q -f json "$h" >>"$tmp/one.json" || true
done
check "the batch's results are those of one run per hive" "$PYTHON3" -c '
import json, sys
def load(p):
    out = []
    for line in open(p):
        o = json.loads(line)
        o["hive"].pop("sha256", None)
        out.append(o)
    return sorted(out, key=lambda o: o["target"])
a, b = load(sys.argv[1]), load(sys.argv[2])
sys.exit(0 if a == b and all(o["error"] is None for o in a) else 1)' \
  "$tmp/batch.json" "$tmp/one.json"

traced scan --fail-on never -q "$FIXTURES/win-10.hiv"
check "one hive: its family and windows-common, once each" \
  opened windows-common.yaml windows-10.yaml

cat >"$tmp/site.yaml" <<'YAML'
smaudit-baseline: 1
name: site
extends: windows-10
disable: [SM-ENV-PATHEXT]
rules: []
YAML
cat >"$tmp/site2.yaml" <<'YAML'
smaudit-baseline: 1
name: site2
extends: [windows-7, windows-10]
rules: []
YAML
traced scan --fail-on never -q -f json -b "$tmp/site.yaml" -b "$tmp/site2.yaml" $hives
check "--baseline twice, three baselines extending windows-common: each file once" \
  opened windows-common.yaml windows-7.yaml windows-10.yaml
check "--baseline twice: each hive audited with the merged baseline" "$PYTHON3" -c '
import json, sys
res = [json.loads(line) for line in open(sys.argv[1])]
sys.exit(0 if len(res) == 4 and all(
    o["error"] is None and o["baseline"]["name"] == "site2" for o in res) else 1)' \
  "$tmp/out"

traced check-baseline windows-xp windows-7 windows-8.1 windows-10 windows-common
check "check-baseline of five: each file opened once" \
  opened windows-common.yaml windows-xp.yaml windows-7.yaml \
  windows-8.1.yaml windows-10.yaml
check "check-baseline of five: five summaries" [ "$(grep -c ': ok: ' "$tmp/out")" = 5 ]
done_testing
