#!/bin/sh
# smaudit check-baseline: summaries, exit codes, one-line errors.
. "$(dirname "$0")/setup.sh"

cat >"$tmp/base.yaml" <<'YAML'
smaudit-baseline: 1
name: base
rules:
  - id: SM-A
    title: A
    key: K
    severity: low
    normal: n
    message: m
YAML
cat >"$tmp/site.yaml" <<'YAML'
smaudit-baseline: 1
name: site
extends: base.yaml
rules:
  - id: SM-B
    title: B
    key: K
    severity: high
    normal: n
    message: m
suppressions:
  - rule: SM-A
    justification: known
YAML
cat >"$tmp/bad.yaml" <<'YAML'
smaudit-baseline: 1
name: bad
rules:
  - id: SM-A
    title: A
    key: K
    severty: low
YAML

run check-baseline --help
check "--help exits 0" [ "$rc" = 0 ]
check "--help prints the usage" grep -q '^Usage: smaudit check-baseline FILE' "$tmp/out"
run check-baseline
check "no file: exit 2" [ "$rc" = 2 ]
run check-baseline "$tmp/base.yaml"
check "a valid baseline: exit 0" [ "$rc" = 0 ]
check "a valid baseline: summary" grep -qxF "$tmp/base.yaml: ok: 1 rule, 0 suppressions" "$tmp/out"
run check-baseline "$tmp/site.yaml" "$tmp/base.yaml"
check "two valid baselines: exit 0" [ "$rc" = 0 ]
check "extends in the summary" grep -qxF "$tmp/site.yaml: ok: 2 rules (extends: base.yaml), 1 suppression" "$tmp/out"
check "one line per baseline" [ "$(wc -l <"$tmp/out")" = 2 ]
run check-baseline "$tmp/bad.yaml"
check "an invalid baseline: exit 2" [ "$rc" = 2 ]
check "error as FILE:LINE:COL: message" grep -qxF "smaudit: $tmp/bad.yaml:7:5: unknown field 'severty' in rule" "$tmp/err"
check "error on one line" [ "$(wc -l <"$tmp/err")" = 1 ]
run check-baseline "$tmp/base.yaml" "$tmp/bad.yaml"
check "one invalid among valid: exit 2" [ "$rc" = 2 ]
check "the valid one is still summarised" grep -q "base.yaml: ok:" "$tmp/out"
run check-baseline "$tmp/absent.yaml"
check "missing file: exit 2" [ "$rc" = 2 ]
check "missing file: names it" grep -qxF "smaudit: $tmp/absent.yaml: No such file or directory" "$tmp/err"
printf 'smaudit-baseline: 1\nname: e\ndescription: "\\e[31m"\nrules: [x]\n' >"$tmp/esc.yaml"
run check-baseline "$tmp/esc.yaml"
check "control characters escaped" sh -c '! grep -q "$(printf "\033")" "$1"' _ "$tmp/err"
# extends reaching what is not a regular file: refused at once, naming it.
# Each case under timeout: a FIFO used to block the load for ever.
if mkfifo "$tmp/fifo.yaml" 2>/dev/null; then
  printf 'smaudit-baseline: 1\nname: f\nextends: [./fifo.yaml]\n' >"$tmp/ext-fifo.yaml"
  rc=0
  timeout 10 $SMAUDIT check-baseline "$tmp/ext-fifo.yaml" >"$tmp/out" 2>"$tmp/err" || rc=$?
  check "extends a FIFO: exit 2 at once ($rc)" [ "$rc" = 2 ]
  check "extends a FIFO: one line naming it" sh -c \
    '[ "$(wc -l <"$1")" = 1 ] && grep -qxF "smaudit: $2/./fifo.yaml: not a regular file (a FIFO)" "$1"' _ "$tmp/err" "$tmp"
else
  skip "extends a FIFO" "mkfifo failed in $tmp"
fi
printf 'smaudit-baseline: 1\nname: z\nextends: /dev/zero\n' >"$tmp/ext-zero.yaml"
rc=0
timeout 10 $SMAUDIT check-baseline "$tmp/ext-zero.yaml" >"$tmp/out" 2>"$tmp/err" || rc=$?
check "extends /dev/zero: exit 2, not read ($rc)" sh -c \
  '[ "$1" = 2 ] && grep -qxF "smaudit: /dev/zero: not a regular file (a character device)" "$2"' _ "$rc" "$tmp/err"
mkdir "$tmp/dir.yaml"
rc=0
timeout 10 $SMAUDIT check-baseline "$tmp/dir.yaml" >"$tmp/out" 2>"$tmp/err" || rc=$?
check "a directory: exit 2, named ($rc)" sh -c \
  '[ "$1" = 2 ] && grep -qxF "smaudit: $3/dir.yaml: is a directory" "$2"' _ "$rc" "$tmp/err" "$tmp"

# A diamond: each level extends the next four times.  Each file is loaded
# once: 11 files, not 4^10 loads (that took 20 s).
i=0
while [ $i -le 10 ]; do
  {
    printf 'smaudit-baseline: 1\nname: d%d\n' $i
    if [ $i -lt 10 ]; then
      printf 'extends: [d%d.yaml, ./d%d.yaml, d%d.yaml, ./d%d.yaml]\n' \
        $((i + 1)) $((i + 1)) $((i + 1)) $((i + 1))
    fi
    printf 'rules:\n  - id: SM-%d\n    title: T\n    key: K\n    severity: low\n    normal: n\n    message: m\n' $i
  } >"$tmp/d$i.yaml"
  i=$((i + 1))
done
rc=0
timeout 10 $SMAUDIT check-baseline "$tmp/d0.yaml" >"$tmp/out" 2>"$tmp/err" || rc=$?
check "a diamond of extends, 10 deep: loaded at once ($rc)" sh -c \
  '[ "$1" = 0 ] && grep -q "d0.yaml: ok: 11 rules" "$2"' _ "$rc" "$tmp/out"
done_testing
