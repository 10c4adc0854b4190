#!/bin/sh
# Memory amplification from valid hives: a key with more values than
# smaudit reads from one key (4,096) is a clear "too many values" error
# for the rules on that key, failing the audit closed, in milliseconds and
# megabytes instead of gigabytes (docs/security.md).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/setup.sh"

GEN="$top_builddir/testdata/gen-hive"
# many N: win-10 with N more values in KnownDLLs.
many() {
  {
    echo 'Windows Registry Editor Version 5.00'
    echo
    echo '[HKEY_LOCAL_MACHINE\SYSTEM\ControlSet001\Control\Session Manager\KnownDLLs]'
    i=0
    while [ "$i" -lt "$1" ]; do
      echo "\"dll$i\"=\"evil$i.dll\""
      i=$((i + 1))
    done
  } >"$tmp/many.reg"
  "$GEN" "$tmp/many.hiv" "$top_srcdir/testdata/reg/win-10.reg" "$tmp/many.reg"
}

many 4100
limited scan "$tmp/many.hiv"
check "scan: 4,100 KnownDLLs values fail closed (exit $rc)" [ "$rc" = 2 ]
check "scan: the text says too many values, naming the key" \
  grep -q "key 'KnownDLLs': too many values (4131 values" "$tmp/out"
limited scan --format json "$tmp/many.hiv"
check "scan: JSON rule errors say too many values" "$PYTHON3" -c '
import json, sys
r = json.loads(open(sys.argv[1]).readline())
s = json.dumps(r)
sys.exit(0 if r["summary"]["rule_errors"] > 0 and "too many values" in s else 1)' "$tmp/out"
limited show "$tmp/many.hiv"
check "show: the key's values are said unreadable, too many (exit $rc)" \
  grep -q "<values unreadable: .*too many values" "$tmp/out"
check "show: a short output, not every value" [ "$(wc -c <"$tmp/out")" -lt 100000 ]

# Below the bound, the key is audited as any other.
many 4000
limited scan --format json "$tmp/many.hiv"
check "scan: 4,031 values are audited (exit $rc)" "$PYTHON3" -c '
import json, sys
r = json.loads(open(sys.argv[1]).readline())
sys.exit(0 if "too many values" not in json.dumps(r) else 1)' "$tmp/out"

# At most 64 MiB of value data from one key, counted from what each value
# declares before any is read: five KnownDLLs values declaring 14 MiB
# each, in big-data records whose segments share one 16 KiB cell (valid
# as Windows' load-time checker sees them: gen-hive's \#, testdata/README.md),
# are refused as too much data, naming the key, the audit failed closed;
# five of 12 MiB (60 MiB) are read whole.
# big EACH: win-10 with five KnownDLLs values declaring EACH bytes.
big() {
  {
    echo 'Windows Registry Editor Version 5.00'
    echo
    echo '[HKEY_LOCAL_MACHINE\SYSTEM\ControlSet001\Control\Session Manager\KnownDLLs]'
    for i in 0 1 2 3 4; do echo "\"big$i\\#$1\"=hex:61,62,63,64,65,66,67,68"; done
  } >"$tmp/big.reg"
  "$GEN" "$tmp/big.hiv" "$top_srcdir/testdata/reg/win-10.reg" "$tmp/big.reg"
}
big $((14 << 20))
check "five values declaring 14 MiB each are made ($(wc -c <"$tmp/big.hiv") bytes)" \
  [ "$(wc -c <"$tmp/big.hiv")" -lt 1048576 ]
limited scan "$tmp/big.hiv"
check "scan: 70 MiB of declared value data fail closed (exit $rc)" [ "$rc" = 2 ]
check "scan: too much value data, naming the key and the bound" \
  grep -q "key 'KnownDLLs': too much value data (.*64 MiB of their data from one key)" "$tmp/out"
limited show "$tmp/big.hiv"
check "show: the key's values are said unreadable, too much data (exit $rc)" \
  grep -q "<values unreadable: .*too much value data" "$tmp/out"
big $((12 << 20))
limited show "$tmp/big.hiv"
check "show: 60 MiB of value data are within the bound, each value read whole (exit $rc)" \
  sh -c '[ "$1" = 0 ] && ! grep -q "too much value data" "$2" &&
    [ "$(grep -c "big[0-4]  REG_BINARY  hex:6162636465666768.*(12582912 bytes)" "$2")" = 5 ]' \
  _ "$rc" "$tmp/out"

# At most 65,536 subkeys of one key, whether listed or looked into: a
# Control key with 65,537 (its own, a key K and 65,534 siblings K00000...,
# written in an index root of hash leaves by gen-hive's %#) fails closed,
# naming the key and the bound, in scan and show, strict and tolerant; at
# 65,536 it is read.
# subkeys N: win-10 with K and N siblings under ControlSet001\Control.
subkeys() {
  printf 'Windows Registry Editor Version 5.00\n\n[ControlSet001\\Control\\K%%#%s]\n' \
    "$1" >"$tmp/subkeys.reg"
  "$GEN" "$tmp/subkeys.hiv" "$top_srcdir/testdata/reg/win-10.reg" "$tmp/subkeys.reg"
}
subkeys 65534
check "a key with 65,537 subkeys is made" [ $? = 0 ]
for mode in "" --unsafe; do
  limited scan $mode "$tmp/subkeys.hiv"
  check "scan $mode: 65,537 subkeys of Control fail closed (exit $rc)" [ "$rc" = 2 ]
  check "scan $mode: too many subkeys, naming the key and the bound" \
    grep -q "key 'Control': too many subkeys (65537; smaudit reads at most 65536 from one key)" "$tmp/out"
done
limited show "$tmp/subkeys.hiv"
check "show: exit 2, one line naming the hive and the bound ($rc)" \
  sh -c '[ "$1" = 2 ] && [ "$(wc -l <"$2")" = 1 ] &&
    grep -q "^smaudit: .*subkeys.hiv: key .Control.: too many subkeys (65537;" "$2"' _ "$rc" "$tmp/err"
check "show: the keys below are unreadable, never said absent" \
  sh -c 'grep -q "Session Manager\]  <unreadable: .*too many subkeys" "$1" &&
    ! grep -q "(absent)" "$1"' _ "$tmp/out"
subkeys 65533
limited scan --format json "$tmp/subkeys.hiv"
check "scan: 65,536 subkeys of Control are read (exit $rc)" \
  sh -c '[ "$1" != 2 ] && ! grep -q "too many subkeys" "$2"' _ "$rc" "$tmp/out"

# At most 65,536 strings from one REG_MULTI_SZ: BootExecute with 65,537
# is unreadable, the rules on it not evaluated, the audit failed closed;
# with 65,000 it is read.
# strings N: win-10 with a BootExecute of N strings "a".
strings() {
  {
    echo 'Windows Registry Editor Version 5.00'
    echo
    echo '[HKEY_LOCAL_MACHINE\SYSTEM\ControlSet001\Control\Session Manager]'
    "$PYTHON3" -c '
import sys
sys.stdout.write("\"BootExecute\"=hex(7):" + "61,00,00,00," * int(sys.argv[1]) + "00,00\n")' "$1"
  } >"$tmp/strs.reg"
  "$GEN" "$tmp/strs.hiv" "$top_srcdir/testdata/reg/win-10.reg" "$tmp/strs.reg"
}
strings 65537
limited scan "$tmp/strs.hiv"
check "scan: 65,537 strings in BootExecute fail closed (exit $rc)" [ "$rc" = 2 ]
check "scan: the rules on Session Manager said not evaluated, the limit named" \
  grep -q "Session Manager: value data unreadable: limit reached" "$tmp/out"
limited show "$tmp/strs.hiv"
check "show: BootExecute unreadable, limit reached (exit $rc)" \
  grep -q "BootExecute  REG_MULTI_SZ  <unreadable: limit reached>" "$tmp/out"
strings 65000
limited show "$tmp/strs.hiv"
check "show: 65,000 strings are read (exit $rc)" \
  sh -c '[ "$1" = 0 ] && grep -q "BootExecute  REG_MULTI_SZ" "$2" && ! grep -q "limit reached" "$2"' _ "$rc" "$tmp/out"

# Key paths are followed up to 4,096 bytes: a stored symbolic link whose
# target is longer (here the path of ControlSet002's Session Manager, then
# 4,100 backslashes and a name "X") is refused, naming the bound, the keys
# below it failed closed; it was cut at 4,096 bytes before, and the cut
# path (without "X") followed to another key than the one named.
long=$("$PYTHON3" -c 'print("\\Registry\\Machine\\System\\ControlSet002\\Control\\Session Manager" + "\\" * 4100 + "X")')
link_hive "$tmp/link.hiv" "$long"
limited scan "$tmp/link.hiv"
check "a link target past 4,096 bytes: exit 2 ($rc)" [ "$rc" = 2 ]
check "a link target past 4,096 bytes: refused, the bound named, not followed in part" \
  sh -c 'grep -q "target is too long ([0-9]* bytes; key paths are followed up to 4095 bytes)" "$1" &&
    ! grep -q "evil.exe" "$1"' _ "$tmp/out"

# A 16 KiB log whose one valid entry declares 2 GiB of hive bins (12 s and
# "mmap: Cannot allocate memory" before, naming the hive, not the log).
mkdir "$tmp/hl"
"$PYTHON3" "$top_srcdir/tests/cli/hostile-log.py" "$FIXTURES/win-10.hiv" \
  "$tmp/hl/SYSTEM" "$tmp/hl/SYSTEM.LOG1"
limited show "$tmp/hl/SYSTEM"
check "show: a 16 KiB log declaring 2 GiB is a warning naming it (exit $rc)" \
  sh -c '[ "$1" = 0 ] && grep -q "SYSTEM.LOG1: bad log entry at offset 512 .*more than the hive and its logs can fill" "$2"' \
  _ "$rc" "$tmp/out"
limited scan --fail-on never --format json "$tmp/hl/SYSTEM"
check "scan: audited, the warning in hive.recovery.warning (exit $rc)" "$PYTHON3" -c '
import json, sys
r = json.loads(open(sys.argv[1]).readline())
w = r["hive"]["recovery"]["warning"] or ""
sys.exit(0 if not r["error"] and "SYSTEM.LOG1: bad log entry" in w else 1)' "$tmp/out"

# Beside it, a sparse 2 GiB SYSTEM.LOG2 of zeros: it fills nothing, so it
# raises no bound, and is not read (15-20 s, 4.2 GB and "mmap: Cannot
# allocate memory" before).  Peak resident memory stays below 200 MB.
"$PYTHON3" "$top_srcdir/tests/cli/hostile-log.py" "$FIXTURES/win-10.hiv" \
  "$tmp/hl/SYSTEM" "$tmp/hl/SYSTEM.LOG1" "$tmp/hl/SYSTEM.LOG2"
rss=$("$PYTHON3" -c '
import resource, subprocess, sys
with open(sys.argv[1], "w") as out:
    rc = subprocess.call(sys.argv[2:], stdout=out)
print(rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' \
  "$tmp/out2" env limit_s="$limit_s" sh -c '
[ "${SMAUDIT_ASAN:-}" = yes ] || [ "${SMAUDIT_VALGRIND:-0}" != 0 ] ||
  ulimit -v 1048576
exec timeout "$limit_s" "$@"' _ $SMAUDIT scan --fail-on never --format json \
  "$tmp/hl/SYSTEM" 2>"$tmp/err") || rss="error"
check "scan with a sparse 2 GiB LOG2: exit 0 within $limit_s s and 1 GiB ($rss)" \
  [ "${rss%% *}" = 0 ]
# LOG2 is judged by its base block (not refused for want of memory), and
# the bound is the primary's 24 KiB of pages plus LOG1's one 4.5 KiB entry.
check "scan: the warnings name both logs, LOG2 adds nothing to the bound" \
  "$PYTHON3" -c '
import json, sys
r = json.loads(open(sys.argv[1]).readline())
w = r["hive"]["recovery"]["warning"] or ""
sys.exit(0 if not r["error"] and "SYSTEM.LOG2 skipped: no regf signature" in w
         and "SYSTEM.LOG1: bad log entry at offset 512" in w
         and "can fill (32768 bytes)" in w else 1)' "$tmp/out2"
if [ "${SMAUDIT_ASAN:-}" = yes ] || [ "${SMAUDIT_VALGRIND:-0}" != 0 ]; then
  skip "scan: peak resident memory below 200 MB" "not measured under the sanitizers or valgrind"
else
  check "scan: peak resident memory below 200 MB (${rss#* } KiB)" \
    [ "${rss#* }" -lt 204800 ]
fi

# Windows' load-time checker drops each value-list entry that is not a
# value record (hive/heal.c): 40,000 such entries in KnownDLLs are each
# judged once, in linear time, and listed up to a bound, the rest counted.
{
  echo 'Windows Registry Editor Version 5.00'
  echo
  echo '[HKEY_LOCAL_MACHINE\SYSTEM\ControlSet001\Control\Session Manager\KnownDLLs]'
  "$PYTHON3" -c '
for i in range(40000):
    print("\"zq%d\"=\"e\"" % i)'
} >"$tmp/bad.reg"
"$GEN" "$tmp/bad.hiv" "$top_srcdir/testdata/reg/win-10.reg" "$tmp/bad.reg"
"$PYTHON3" - "$tmp/bad.hiv" <<'PY'
import struct, sys
# Each zq value record's signature broken: its list entry no longer points
# to a value record.
d = bytearray(open(sys.argv[1], "rb").read())
off = 4096
while (off := d.find(b"vk", off)) >= 0:
    if d[off + 20:off + 22] == b"zq":
        d[off:off + 2] = b"xk"
    off += 2
open(sys.argv[1], "wb").write(bytes(d))
PY
limited scan "$tmp/bad.hiv"
check "scan: 40,000 entries dropped by the checker, in time (exit $rc)" [ "$rc" = 1 ]
check "scan: the first entries listed, the rest counted" \
  grep -q "39968 more value-list entries .*removes them from the list" "$tmp/out"
check "scan: a short report, not every entry" [ "$(wc -c <"$tmp/out")" -lt 100000 ]
# The files findings name are described up to 4,096 per volume: past that
# cap the rest go unchecked, and the audit is incomplete, never clean.
mkdir -p "$tmp/capvol/Windows/System32/config"
"$PYTHON3" -c '
import sys
names = ",".join("\"prog%d\"" % i for i in range(4100))
print("Windows Registry Editor Version 5.00")
print("[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\Control\\Session Manager]")
print("\"BootExecute\"=multi:\"autocheck autochk *\",%s" % names)' >"$tmp/cap.reg"
"$GEN" "$tmp/capvol/Windows/System32/config/SYSTEM" \
  "$top_srcdir/testdata/reg/win-10.reg" "$tmp/cap.reg"
echo MZ >"$tmp/capvol/Windows/System32/smss.exe"
limited scan "$tmp/capvol/Windows/System32/config/SYSTEM"
check "scan: files past the cap make the audit incomplete (exit $rc)" [ "$rc" = 2 ]
check "scan: standard error names the cap and how many were left" \
  grep -q "audit incomplete: 50 files named not checked (more than 4096 in the volume)" "$tmp/err"
check "scan: the text summary says the audit is incomplete" \
  grep -q "50 files named not checked: the audit is incomplete" "$tmp/out"
limited scan --format json --fail-on never "$tmp/capvol/Windows/System32/config/SYSTEM"
check "scan: JSON counts the files not checked and warns" "$PYTHON3" -c '
import json, sys
r = json.loads(open(sys.argv[1]).readline())
sys.exit(0 if r["summary"]["unchecked_files"] == 50 and any(
    "cap of 4096 files" in w for w in r["warnings"]) else 1)' "$tmp/out"
done_testing
