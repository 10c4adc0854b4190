#!/bin/sh
# Fail closed: a rule that cannot be evaluated because its key is damaged
# makes the result visibly incomplete in every format and in the exit
# status.  The fixture: the Environment key's record without its signature
# (tests/cli/nk-patch.py), which Windows' load-time checker would mend, a
# repair smaudit does not model (docs/reading.md): the key fails closed.
. "$(dirname "$0")/setup.sh"
. "$(dirname "$0")/formats-lib.sh"

if [ ! -x "$top_builddir/testdata/gen-hive" ] || ! have_python; then
  echo "1..0 # SKIP gen-hive or python3 (with json and csv) not available"
  exit 0
fi
gen_overlay "$tmp/planted.hiv" win-10 '[HKEY_LOCAL_MACHINE\SYSTEM\ControlSet001\Control\Session Manager]
"BootExecute"=hex(7):61,00,75,00,74,00,6f,00,63,00,68,00,65,00,63,00,6b,00,20,00,61,00,75,00,74,00,6f,00,63,00,68,00,6b,00,20,00,2a,00,00,00,65,00,76,00,69,00,6c,00,00,00,00,00'
h="$tmp/damaged.hiv"
"$PYTHON3" "$top_srcdir/tests/cli/nk-patch.py" "$FIXTURES/win-10.hiv" "$h" Environment sig
SM='ControlSet001\Control\Session Manager\Environment'

# The planted entry alone is found (the fixture is what it claims to be).
run scan --format json "$tmp/planted.hiv"
check "undamaged: the planted BootExecute entry is found (exit 1)" sh -c \
  '[ "$1" = 1 ] && grep -q SM-BOOT-BOOTEXECUTE "$2"' _ "$rc" "$tmp/out"

# py EXPR: EXPR holds for d, the first JSON object of $tmp/out.
py() {
  "$PYTHON3" -c 'import json, sys
d = json.loads(open(sys.argv[1]).readline())
sys.exit(not eval(sys.argv[2]))' "$tmp/out" "$1"
}

# N: the rules on the Session Manager key that cannot be evaluated (as
# many as the baseline has rules there; more than a handful).
run scan --format json "$h"
n=$("$PYTHON3" -c 'import json, sys; print(len(json.loads(open(sys.argv[1]).readline())["rule_errors"]))' "$tmp/out")
check "the damage makes many rules unevaluable (N=$n)" [ "$n" -ge 10 ]

for fail_on in info default never; do
  opt="--fail-on $fail_on"
  want=2
  case $fail_on in
  default) opt="" ;;
  never) want=0 ;;
  esac
  # shellcheck disable=SC2086
  run scan $opt "$h"
  check "$fail_on: text: exit $want" [ "$rc" = "$want" ]
  check "$fail_on: text: a high finding names the damaged key" sh -c \
    'grep -qF "[$2]" "$1" && grep -q "HIGH     SM-AUDIT-DAMAGED-KEY" "$1" && grep -q "the audited key is damaged; $3 rules could not be evaluated" "$1"' \
    _ "$tmp/out" "$SM" "$n"
  check "$fail_on: text: the summary counts it, and says incomplete" \
    grep -q "summary:   [0-9]* findings\{0,1\} (1 high[,)].* $n could not be evaluated: the audit is incomplete" "$tmp/out"
  check "$fail_on: text: a damaged: line" grep -q "^  damaged:   " "$tmp/out"
  check "$fail_on: stderr: one line naming the hive" sh -c \
    '[ "$(wc -l <"$1")" = 1 ] && grep -qxF "smaudit: $2: audit incomplete: $3 rules could not be evaluated (a damaged key)" "$1"' \
    _ "$tmp/err" "$h" "$n"

  # shellcheck disable=SC2086
  run scan $opt --format json "$h"
  check "$fail_on: json: exit $want" [ "$rc" = "$want" ]
  check "$fail_on: json: the finding, counted, with the rule errors" py \
    '[f["rule"] for f in d["findings"] if f["severity"] != "info"] == ["SM-AUDIT-DAMAGED-KEY"] and [f for f in d["findings"] if f["severity"] != "info"][0]["key"] == "ControlSet001\\Control\\Session Manager\\Environment" and d["summary"]["by_severity"]["high"] == 1 and d["summary"]["rule_errors"] == '"$n"' == len(d["rule_errors"]) and d["hive"]["damaged"] is True and d["error"] is None'

  # shellcheck disable=SC2086
  run scan $opt --format csv "$h"
  check "$fail_on: csv: exit $want" [ "$rc" = "$want" ]
  check "$fail_on: csv: a row for the damaged key" "$PYTHON3" -c '
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1], newline="")) if r["severity"] != "info"]
sys.exit(not (len(rows) == 1 and rows[0]["rule"] == "SM-AUDIT-DAMAGED-KEY" and rows[0]["severity"] == "high" and rows[0]["key"] == sys.argv[2]))' "$tmp/out" "$SM"

  # shellcheck disable=SC2086
  run scan $opt --format sarif "$h"
  check "$fail_on: sarif: exit $want" [ "$rc" = "$want" ]
  check "$fail_on: sarif: executionSuccessful false, notifications, the result" "$PYTHON3" -c '
import json, sys
run = json.load(open(sys.argv[1]))["runs"][0]
inv = run["invocations"][0]
notes = inv["toolExecutionNotifications"]
sys.exit(not (inv["executionSuccessful"] is False and len(notes) == int(sys.argv[2]) and all(n["level"] == "error" for n in notes) and [r["ruleId"] for r in run["results"] if r["level"] != "note"] == ["SM-AUDIT-DAMAGED-KEY"]))' "$tmp/out" "$n"
done

# In a batch, the summary line counts it.
run scan --format json "$h" "$tmp/planted.hiv"
check "batch: exit 2, the summary counts the incomplete hive" sh -c \
  '[ "$1" = 2 ] && grep -q "errors: 0, incomplete: 1, skipped: 0$" "$2"' _ "$rc" "$tmp/err"

# --unsafe on a clean hive does not say damaged; on the damaged one it does.
run scan --unsafe "$FIXTURES/win-10.hiv"
check "--unsafe, clean hive: no 'damaged', a tolerant: line" sh -c \
  '! grep -qi damaged "$1" && grep -q "^  tolerant:  opened in tolerant mode" "$1"' _ "$tmp/out"
run scan --unsafe --format json "$FIXTURES/win-10.hiv"
check "--unsafe, clean hive: json unsafe true, damaged false" py \
  'd["hive"]["unsafe"] is True and d["hive"]["damaged"] is False'
run show --unsafe "$FIXTURES/win-10.hiv"
check "show --unsafe, clean hive: no 'damaged', a tolerant: line" sh -c \
  '! grep -qi damaged "$1" && grep -q "^tolerant:      opened in tolerant mode" "$1"' _ "$tmp/out"
run scan --unsafe "$h"
check "--unsafe, damaged key: a damaged: line" grep -q "^  damaged:   opened in tolerant mode" "$tmp/out"
done_testing
