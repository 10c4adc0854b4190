#!/bin/sh
# Transaction logs replayed as Windows does (docs/recovery.md): two
# new-format logs that nothing orders allow two outcomes, and both are
# audited; with a wrong base-block checksum only the latest log counts.
# Hives and logs are generated here (gen-hive, make-logs.py).
. "$(dirname "$0")/setup.sh"

if [ ! -f "$FIXTURES/win-10.hiv" ]; then
  echo "1..0 # SKIP fixtures not generated"
  exit 0
fi
GEN="$top_builddir/testdata/gen-hive"
LOGS="$PYTHON3 $top_srcdir/tests/cli/make-logs.py"
base="$tmp/base.hiv"
cp "$FIXTURES/win-10.hiv" "$base"

cat >"$tmp/benign.reg" <<'REG'
Windows Registry Editor Version 5.00
[ControlSet001\Control\Session Manager]
"AutoChkTimeout"=dword:00000005
REG
cat >"$tmp/payload.reg" <<'REG'
Windows Registry Editor Version 5.00
[ControlSet001\Control\Session Manager]
"BootExecute"=multi:"autocheck autochk *","evil \\??\\C:\\ProgramData\\evil.exe"
REG
"$GEN" --base "$base" "$tmp/benign.hiv" "$tmp/benign.reg"
"$GEN" --base "$base" "$tmp/payload.hiv" "$tmp/payload.reg"

evil='[f["detail"] for f in r["findings"] if f["rule"].startswith("SM-BOOT-BOOTEXECUTE") and "evil" in (f["observed"] or "")]'

# Both logs start at the same sequence: nothing says which Windows takes.
mkdir "$tmp/tie"
$LOGS "$base" "$tmp/tie/SYSTEM" "$tmp/tie/SYSTEM.LOG1" "$tmp/benign.hiv" 0 \
  "$tmp/tie/SYSTEM.LOG2" "$tmp/payload.hiv" 0
run scan --format json --fail-on never "$tmp/tie/SYSTEM"
is "two logs nothing orders: two outcomes" 'r["hive"]["recovery"]["outcomes"]' 2
is "the payload of the other outcome is found, and said to be from it" \
  "sorted(set(d.startswith('in the other outcome of the transaction logs') for d in $evil))" "[True]"
is "a warning says both were audited" \
  '[w for w in r["warnings"] if "both were audited" in w] != []' True

# LOG2 is newer and continues LOG1: one outcome, both logs, the payload's.
mkdir "$tmp/order"
$LOGS "$base" "$tmp/order/SYSTEM" "$tmp/order/SYSTEM.LOG1" "$tmp/benign.hiv" 0 \
  "$tmp/order/SYSTEM.LOG2" "$tmp/payload.hiv" 1
run scan --format json --fail-on never "$tmp/order/SYSTEM"
is "logs in order: one outcome" 'r["hive"]["recovery"]["outcomes"]' 1
is "LOG2 continues LOG1: both replayed, in turn" \
  'r["hive"]["recovery"]["logs"]' SYSTEM.LOG1,SYSTEM.LOG2
is "the payload is found, as what Windows boots" \
  "len($evil) > 0 and not any(d.startswith('in the other outcome') for d in $evil)" True

# The same logs the other way round: LOG1 is the newer, so LOG2 goes
# first and LOG1 continues it.
mkdir "$tmp/swap"
$LOGS "$base" "$tmp/swap/SYSTEM" "$tmp/swap/SYSTEM.LOG1" "$tmp/benign.hiv" 1 \
  "$tmp/swap/SYSTEM.LOG2" "$tmp/payload.hiv" 0
run scan --format json --fail-on never "$tmp/swap/SYSTEM"
is "the log with the earlier entries goes first, whatever its name" \
  'r["hive"]["recovery"]["logs"]' SYSTEM.LOG2,SYSTEM.LOG1

# A wrong base-block checksum: only the latest log (LOG2, the payload).
mkdir "$tmp/bad"
$LOGS "$base" "$tmp/bad/SYSTEM" --bad-base "$tmp/bad/SYSTEM.LOG1" \
  "$tmp/benign.hiv" 0 "$tmp/bad/SYSTEM.LOG2" "$tmp/payload.hiv" 1
run scan --format json --fail-on never "$tmp/bad/SYSTEM"
is "invalid base block: only the latest log is replayed" \
  'r["hive"]["recovery"]["logs"]' SYSTEM.LOG2
is "and its payload is found" "len($evil) > 0" True
mkdir "$tmp/bad2"
$LOGS "$base" "$tmp/bad2/SYSTEM" --bad-base "$tmp/bad2/SYSTEM.LOG1" \
  "$tmp/payload.hiv" 0 "$tmp/bad2/SYSTEM.LOG2" "$tmp/benign.hiv" 1
run scan --format json --fail-on never "$tmp/bad2/SYSTEM"
is "the older log's payload is not replayed then" "$evil" "[]"
done_testing
