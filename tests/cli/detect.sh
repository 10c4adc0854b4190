#!/bin/sh
# Family detection end to end: a SOFTWARE hive beside SYSTEM, planted
# Session Manager values of an older family, and a family no baseline fits.
. "$(dirname "$0")/setup.sh"

for f in win-10 win-7 software-7 software-10 nt4 steer-posix steer-os2; do
  if [ ! -f "$FIXTURES/$f.hiv" ]; then
    echo "1..0 # SKIP fixtures not generated"
    exit 0
  fi
done

volume() {
  mkdir -p "$tmp/$1/Windows/System32/config"
  cp "$FIXTURES/$2.hiv" "$tmp/$1/Windows/System32/config/SYSTEM"
  cp "$FIXTURES/$3.hiv" "$tmp/$1/Windows/System32/config/SOFTWARE"
}
scan() { run scan --format json --fail-on never "$@"; }
finding='[f for f in r["findings"] if f["rule"] == "SM-FAMILY-SOFTWARE-OLDER"]'

# SOFTWARE claims Windows 7 beside a Windows 10 SYSTEM hive.
volume older win-10 software-7
scan "$tmp/older"
is "an older SOFTWARE build does not lower the family" \
  'r["baseline"]["name"]' windows-10
is "an older SOFTWARE build is a finding, high" \
  "[(f['severity'], f['value'], f['observed']) for f in $finding]" \
  "[('high', 'CurrentBuildNumber', '7601')]"

# SOFTWARE claims Windows 10 beside a Windows 7 SYSTEM hive: raises.
volume newer win-7 software-10
scan "$tmp/newer"
is "a newer SOFTWARE build raises the family" 'r["baseline"]["name"]' \
  windows-10
is "a newer SOFTWARE build is no finding" "len($finding)" 0

# Posix and the XP Kmode planted on Windows 10: found on the 10 rules.
scan "$FIXTURES/steer-posix.hiv"
is "Posix planted on 10 leaves it 10" 'r["baseline"]["name"]' windows-10
is "Posix planted on 10 is high" \
  '[f["severity"] for f in r["findings"] if f["rule"] == "SM-SUBSYS-OPTIONAL"]' \
  "['high']"
scan "$FIXTURES/steer-os2.hiv"
is "Os2 planted on 10 leaves it 10 and supported" \
  '(r["baseline"]["name"], r["baseline"]["supported"])' "('windows-10', True)"

# NT 4.0: said plainly, in JSON and in text.
scan "$FIXTURES/nt4.hiv"
is "NT 4.0 is detected as unsupported" \
  '(r["baseline"]["name"], r["baseline"]["family"], r["baseline"]["supported"])' \
  "('windows-xp', 'windows-nt4-2000', False)"
run scan --fail-on never "$FIXTURES/nt4.hiv"
check "the text report says NT 4.0 is not supported" \
  grep -q "family:    windows-nt4-2000 is NOT SUPPORTED" "$tmp/out"
scan "$FIXTURES/win-10.hiv"
is "a supported family says so" \
  '(r["baseline"]["family"], r["baseline"]["supported"])' "('windows-10', True)"
run scan --fail-on never "$FIXTURES/win-10.hiv"
check "the text report of a supported family has no family line" \
  sh -c "! grep -q 'family:' '$tmp/out'"
# A SOFTWARE hive that is there but cannot be read is said, not taken for
# absent: the family from the SYSTEM hive alone, with a warning.
mkdir -p "$tmp/badsw/Windows/System32/config"
cp "$FIXTURES/win-10.hiv" "$tmp/badsw/Windows/System32/config/SYSTEM"
head -c 8192 /dev/zero >"$tmp/badsw/Windows/System32/config/SOFTWARE"
scan "$tmp/badsw"
is "an unreadable SOFTWARE hive: a warning saying what rests on it" \
  '[w for w in r["warnings"] if "SOFTWARE hive beside it cannot be read" in w and "from this hive alone" in w] != []' True
is "an unreadable SOFTWARE hive: the family from SYSTEM" 'r["baseline"]["name"]' windows-10
scan "$tmp/older"
is "a readable SOFTWARE hive: no such warning" \
  '[w for w in r["warnings"] if "SOFTWARE" in w]' "[]"
rm "$tmp/badsw/Windows/System32/config/SOFTWARE"
scan "$tmp/badsw"
is "no SOFTWARE hive: no such warning" '[w for w in r["warnings"] if "SOFTWARE" in w]' "[]"
done_testing
