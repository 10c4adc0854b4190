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
done_testing
