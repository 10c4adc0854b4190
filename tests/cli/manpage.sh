#!/bin/sh
# docs/smaudit.1: renders without warnings and names every option the
# commands' --help print, so that the two stay in step.
. "$(dirname "$0")/setup.sh"
MAN="$top_srcdir/docs/smaudit.1"

check "the man page exists" [ -f "$MAN" ]
for cmd in scan learn diff; do
  run "$cmd" --help
  check "$cmd --help: exit 0" [ "$rc" = 0 ]
  opts=$(grep -o -- '--[a-z][a-z-]*' "$tmp/out" | sort -u)
  missing=
  for o in $opts; do
    # In roff, each - of an option is written \-.
    roff=$(printf '%s' "$o" | sed 's/-/\\\\-/g')
    grep -q -- "$roff" "$MAN" || missing="$missing $o"
  done
  if [ -z "$missing" ]; then
    ok "every long option of $cmd --help is in the man page"
  else
    not_ok "every long option of $cmd --help is in the man page (missing:$missing)"
  fi
done
for cmd in show scan check-baseline recover learn diff; do
  roff=$(printf '%s' "$cmd" | sed 's/-/\\\\-/g')
  check "the man page documents $cmd" grep -q "^\\.B.* $roff" "$MAN"
done
for word in SMAUDIT_BASELINE_PATH NO_COLOR 'EXIT STATUS' ENVIRONMENT FILES EXAMPLES; do
  check "the man page has $word" grep -q "$word" "$MAN"
done
if command -v groff >/dev/null 2>&1; then
  groff -man -Tutf8 -ww "$MAN" >/dev/null 2>"$tmp/groff.err"
  check "groff -man -ww: no warnings" [ ! -s "$tmp/groff.err" ]
else
  skip "groff -man -ww" "groff not found"
fi
if command -v man >/dev/null 2>&1; then
  MANWIDTH=80 man -l "$MAN" >"$tmp/man.txt" 2>"$tmp/man.err"
  check "man -l renders it" grep -q "EXIT STATUS" "$tmp/man.txt"
else
  skip "man -l" "man not found"
fi
done_testing
