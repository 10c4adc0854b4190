#!/bin/sh
# The control sets that will run: by default the current one and every
# other set Select names, each other set reported by what differs.
. "$(dirname "$0")/setup.sh"

for f in win-7 two-sets; do
  if [ ! -f "$FIXTURES/$f.hiv" ]; then
    echo "1..0 # SKIP fixtures not generated"
    exit 0
  fi
done
GEN="$top_builddir/testdata/gen-hive"

boot='[(f["control_set"], f["severity"]) for f in r["findings"] if f["rule"] == "SM-BOOT-BOOTEXECUTE-UNSAFE"]'

# win-7: Current 1, Default 1, LastKnownGood 2.  ControlSet002 gets a
# BootExecute program and becomes the set Windows boots next.
cat >"$tmp/next.reg" <<'REG'
Windows Registry Editor Version 5.00
[Select]
"Default"=dword:00000002
[ControlSet002\Control\Session Manager]
"BootExecute"=multi:"autocheck autochk *","\\??\\C:\\ProgramData\\evil.exe"
REG
"$GEN" --base "$FIXTURES/win-7.hiv" "$tmp/next.hiv" "$tmp/next.reg"
run scan --format json --fail-on never "$tmp/next.hiv"
is "the sets Select names are audited by default" \
  'r["control_sets_audited"]' "[1, 2]"
is "a change in the set that boots next is at its rule's severity" \
  "$boot" "[(2, 'critical')]"
is "the finding says the set boots next" \
  '"Select Default: Windows boots it next" in [f["detail"] for f in r["findings"] if f["control_set"] == 2][0]' \
  True
is "what the other set shares with the current one is not repeated" \
  'len([f for f in r["findings"] if f["control_set"] == 2])' 1
run scan --fail-on high "$tmp/next.hiv"
check "the change fails --fail-on high" [ "$rc" = 1 ]
run scan --format json --fail-on never --control-set current "$tmp/next.hiv"
is "--control-set current audits the current set only" \
  'r["control_sets_audited"]' "[1]"

# The same change in LastKnownGood only: audited too.
cat >"$tmp/lkg.reg" <<'REG'
Windows Registry Editor Version 5.00
[ControlSet002\Control\Session Manager]
"BootExecute"=multi:"autocheck autochk *","\\??\\C:\\ProgramData\\evil.exe"
REG
"$GEN" --base "$FIXTURES/win-7.hiv" "$tmp/lkg.hiv" "$tmp/lkg.reg"
run scan --format json --fail-on never "$tmp/lkg.hiv"
is "a change in LastKnownGood is reported" "$boot" "[(2, 'critical')]"

# Untouched: the other set adds nothing.
run scan --format json --fail-on never "$FIXTURES/win-7.hiv"
is "an untouched second set adds no finding" \
  'len([f for f in r["findings"] if f["control_set"] == 2])' 0
is "rule counts are the current set's" \
  'r["summary"]["rules_passed"] > 0' True
done_testing
