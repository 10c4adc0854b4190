#!/bin/sh
# Corrupt and strange hives: systematic mutations of the generated fixtures
# and, when present, of the real hives (read, never written: each mutant is
# a new file in $tmp).  Truncations, zeroed pages, seeded byte flips, subkey
# lists that loop, absurd cell and value lengths, a base block declaring
# more hive bins than the file holds.  show and scan, strict and tolerant,
# must succeed or exit 2 with one line "smaudit: FILE: reason": never a
# signal, a hang (20 s each) or more than 2 GiB of address space; a
# tolerant run must say the hive is damaged.  tests/cli/mutate.py does the
# work; MUTATE_SEED changes the seed (default 1), MUTATE_FLIPS the number of
# byte-flip mutants per fixture (default 75), MUTATE_REAL_FLIPS per real
# hive (default 10).
. "$(dirname "$0")/setup.sh"

if [ ! -f "$FIXTURES/win-10.hiv" ]; then
  skip "mutations" "fixtures not generated at $FIXTURES (run make check)"
  done_testing
  exit 0
fi
MUTATE_BASELINE="$top_srcdir/tests/fuzz/seed.yaml"
export MUTATE_BASELINE
seed=${MUTATE_SEED:-1}
# ASan reserves terabytes of address space: no limit can be set under it.
MUTATE_LIMIT_AS=1
if ! sh -c 'ulimit -v 2097152; "$@"' _ $SMAUDIT --version >/dev/null 2>&1; then
  MUTATE_LIMIT_AS=0
  skip "address-space limit" "$SMAUDIT_BIN cannot run under ulimit -v (sanitizer build)"
fi
export MUTATE_LIMIT_AS

mutate() {
  "$PYTHON3" "$top_srcdir/tests/cli/mutate.py" "$tmp" "$seed" $SMAUDIT -- "$@" >"$tmp/results" ||
    not_ok "mutate.py failed on $*"
  while IFS= read -r line; do
    case $line in
    "ok|"*) ok "${line#ok|}" ;;
    "not ok|"*) not_ok "${line#not ok|}" ;;
    *) echo "$line" ;;
    esac
  done <"$tmp/results"
}

mutate "$FIXTURES/win-10.hiv" "$FIXTURES/win-xp.hiv" "$FIXTURES/long-value.hiv" \
  "$FIXTURES/two-sets.hiv"

# fuzz-hive's first crash (a SEGV in hivex_open): a clean base block that
# declares more hive bins than the file holds is refused as truncated, and
# read as far as it goes, with a warning, in tolerant mode.
m="$tmp/cut.hiv"
"$PYTHON3" "$top_srcdir/tests/cli/mutate.py" --write "$FIXTURES/win-10.hiv" \
  "cut mid-page, bad hbin, hbins size 0xb39000" "$m"
run show "$m"
check "hbins size past the end: refused as truncated" sh -c \
  '[ "$1" = 2 ] && grep -qF "smaudit: $2: truncated: the base block declares 11767808 bytes of hive bins" "$3"' \
  _ "$rc" "$m" "$tmp/err"
run scan --unsafe --fail-on never -b "$MUTATE_BASELINE" "$m"
check "hbins size past the end, tolerant: warned and marked damaged" sh -c \
  '{ [ "$1" = 0 ] || [ "$1" = 2 ]; } && grep -q "^  warning:   the base block declares 11767808 bytes of hive bins" "$2" && grep -q "^  damaged: " "$2"' \
  _ "$rc" "$tmp/out"
run scan --format json --unsafe --fail-on never -b "$MUTATE_BASELINE" "$m"
check "hbins size past the end, tolerant: hive.unsafe and the warning in JSON" sh -c \
  '"$1" -c "import json,sys; d=json.loads(open(sys.argv[1]).readline()); sys.exit(not (d[\"hive\"][\"unsafe\"] is True and \"11767808\" in d[\"hive\"][\"recovery\"][\"warning\"]))" "$2"' \
  _ "$PYTHON3" "$tmp/out"

# The root's last subkey entry (Setup) points at no key: Windows' load-time
# checker drops the entry (docs/reading.md, "Self-healing"), and so does
# the audit, strict or tolerant, with the repair a high finding; tolerant
# show marks the hive damaged.
"$PYTHON3" -c '
import struct, sys
d = bytearray(open(sys.argv[1], "rb").read())
root = 4096 + struct.unpack_from("<I", d, 36)[0]
lst = 4096 + struct.unpack_from("<I", d, root + 32)[0]
n = struct.unpack_from("<H", d, lst + 6)[0]
struct.pack_into("<I", d, lst + 8 + 8 * (n - 1), 0x10)
open(sys.argv[2], "wb").write(d)' "$FIXTURES/win-10.hiv" "$tmp/badlist.hiv"
run scan --fail-on never -b "$MUTATE_BASELINE" "$tmp/badlist.hiv"
check "bad subkey entry: strict scan reads the key as Windows repairs it" sh -c \
  '[ "$1" = 0 ] && grep -q "HIGH     SM-AUDIT-SELF-HEALED" "$2" && grep -q "subkey-list entry 2 (cell 0x10) points to a free cell" "$2"' _ "$rc" "$tmp/out"
run scan --unsafe --fail-on never --format json -b "$MUTATE_BASELINE" "$tmp/badlist.hiv"
check "bad subkey entry: tolerant scan audits the rest, marked damaged" sh -c \
  '[ "$1" = 0 ] && "$3" -c "import json,sys; d=json.loads(open(sys.argv[1]).readline()); sys.exit(not (d[\"hive\"][\"unsafe\"] is True and d[\"error\"] is None and d[\"summary\"][\"rules_passed\"] > 0))" "$2"' \
  _ "$rc" "$tmp/out" "$PYTHON3"
run show --unsafe "$tmp/badlist.hiv"
check "bad subkey entry: tolerant show, damaged line" sh -c \
  '[ "$1" = 0 ] && grep -q "^damaged: " "$2"' _ "$rc" "$tmp/out"
if have_corpus && [ -f "$CORPUS/bad/corrupt_sub_key_list.hiv" ]; then
  cp "$CORPUS/bad/corrupt_sub_key_list.hiv" "$tmp/csl.hiv"
  run scan --unsafe --fail-on never -b "$MUTATE_BASELINE" "$tmp/csl.hiv"
  check "bad/corrupt_sub_key_list.hiv: tolerant scan reads past the bad entry (no Select: not a SYSTEM hive), marked damaged" sh -c \
    '[ "$1" = 2 ] && grep -q "no Select key" "$2" && grep -q "^  damaged: " "$3"' _ "$rc" "$tmp/err" "$tmp/out"
fi

if have_corpus; then
  real=""
  for f in "$CORPUS"/*/SYSTEM "$CORPUS"/bad/corrupt_sub_key_list.hiv "$CORPUS"/edge/special; do
    [ -f "$f" ] && real="$real $f"
  done
  # Megabytes each: fewer flips, and show, scan and a tolerant scan only.
  MUTATE_FLIPS=${MUTATE_REAL_FLIPS:-10} MUTATE_RUNS=quick mutate $real
else
  skip "real hives" "corpus not found at $CORPUS (set SMAUDIT_CORPUS)"
fi
done_testing
