#!/bin/sh
# The text report, for a person: the offending data once, list entries
# grouped, lines wrapped on a terminal, what to do next, one backslash,
# and an error said once on a terminal.
. "$(dirname "$0")/setup.sh"
. "$(dirname "$0")/formats-lib.sh"

if [ ! -x "$top_builddir/testdata/gen-hive" ] || ! have_python; then
  echo "1..0 # SKIP gen-hive or python3 not available"
  exit 0
fi
SM='[HKEY_LOCAL_MACHINE\SYSTEM\ControlSet001\Control\Session Manager'

# An unlisted environment variable: its name once, then its data.
gen_overlay "$tmp/env.hiv" win-10 "$SM\\Environment]
\"DEFLOGDIR\"=\"C:\\\\ProgramData\\\\Vendor\\\\Logs\""
run scan "$tmp/env.hiv"
check "unlisted value: the name once, the data shown" \
  grep -qF -e '- DEFLOGDIR: unexpected value (REG_SZ): "C:\ProgramData\Vendor\Logs"' "$tmp/out"
check "unlisted value: the name is not repeated" sh -c '! grep -qF "\"DEFLOGDIR\"" "$1"' _ "$tmp/out"

# 60 pending deletes and a spooler driver update, all of one rule: one
# heading with the count, the first ten entries, then how many more.
list='"\\??\\C:\\Windows\\System32\\spool\\DRIVERS\\x64\\3\\New\\unidrv.dll","\\??\\C:\\Windows\\System32\\spool\\DRIVERS\\x64\\3\\unidrv.dll"'
i=1
while [ $i -le 60 ]; do
  list="$list,\"\\\\??\\\\C:\\\\Windows\\\\TEMP\\\\INS_$i.TMP\",\"\""
  i=$((i + 1))
done
gen_overlay "$tmp/pending.hiv" win-10 "$SM]
\"PendingFileRenameOperations\"=multi:$list"
run scan --format json "$tmp/pending.hiv"
n=$("$PYTHON3" -c 'import json, sys
d = json.loads(open(sys.argv[1]).readline())
print(sum(1 for f in d["findings"] if "INS_" in (f["observed"] or "")))' "$tmp/out")
check "60 pending deletes: 60 findings in JSON" [ "$n" = 60 ]
run scan "$tmp/pending.hiv"
plain_rc=$rc
check "60 pending deletes: one heading with the count" \
  grep -qE '^           - PendingFileRenameOperations: .*\(61 entries\):$' "$tmp/out"
check "60 pending deletes: ten entries, then how many more" sh -c \
  '[ "$(grep -c "^               \"" "$1")" = 10 ] && grep -qF "... and 51 more (--format json lists every one)" "$1"' _ "$tmp/out"
check "60 pending deletes: the report is under 60 lines" [ "$(wc -l <"$tmp/out")" -lt 60 ]
check "a backslash is one backslash (spool\\DRIVERS\\x64)" sh -c \
  'grep -qF "spool\\DRIVERS\\x64\\3" "$1" && ! grep -qF "\\\\" "$1"' _ "$tmp/out"

# What to do next, after the summary.
check "summary: the finding to read first" grep -q '^  next:      read SM-[A-Z0-9-]* (.*) first, on ' "$tmp/out"
check "summary: how to suppress, how to get JSON" sh -c \
  'grep -q "accept a known-good finding with a suppression" "$1" && grep -q -- "--format json gives every field" "$1"' _ "$tmp/out"
run scan "$FIXTURES/win-xp.hiv"
check "a clean hive: no next: block" sh -c '! grep -q "next:" "$1"' _ "$tmp/out"

# On a terminal (a pseudo-terminal here): lines wrap to COLUMNS; an
# error is said once, in the report.
pty() {
  "$PYTHON3" -c '
import os, pty, sys
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
out = b""
while True:
    try:
        d = os.read(fd, 65536)
    except OSError:
        break
    if not d:
        break
    out += d
_, st = os.waitpid(pid, 0)
sys.stdout.buffer.write(out.replace(b"\r\n", b"\n"))
sys.exit(os.waitstatus_to_exitcode(st))' "$@"
}
if pty true 2>/dev/null; then
  rc=0
  COLUMNS=60 pty $SMAUDIT scan -q --color never "$tmp/pending.hiv" >"$tmp/tty" || rc=$?
  check "terminal: the exit status as without one" [ "$rc" = "$plain_rc" ]
  check "terminal: no line over COLUMNS=60" "$PYTHON3" -c '
import sys
sys.exit(max(len(l) for l in open(sys.argv[1], encoding="utf-8").read().splitlines()) > 60)' "$tmp/tty"
  check "terminal: wrapped text is all there" sh -c \
    'tr -s " \n" "  " <"$1" | grep -q "read SM-.* first, on"' _ "$tmp/tty"
  check "not a terminal: lines are not wrapped" "$PYTHON3" -c '
import sys
sys.exit(max(len(l) for l in open(sys.argv[1], encoding="utf-8").read().splitlines()) <= 60)' "$tmp/out"
  rc=0
  pty $SMAUDIT scan -q --color never "$tmp/absent.hiv" >"$tmp/tty" || rc=$?
  check "terminal: an error: exit 2" [ "$rc" = 2 ]
  check "terminal: the error is said once" [ "$(grep -c "absent.hiv: No such file" "$tmp/tty")" = 1 ]
  run scan "$tmp/absent.hiv"
  check "not a terminal: the error in the report and on stderr" sh -c \
    'grep -q "absent.hiv: No such file" "$1" && grep -q "absent.hiv: No such file" "$2"' _ "$tmp/out" "$tmp/err"
else
  skip "terminal tests" "no pseudo-terminal available"
fi
done_testing
