#!/bin/sh
# make check: bench/run.sh --smoke works (tiny hive, one run each, no
# figure checked).  TAP; skipped when a prerequisite of the bench is absent.
echo 1..1
out=$(SMAUDIT_BENCH_NO_BUILD=1 sh "${top_srcdir:-.}/bench/run.sh" --smoke 2>&1)
rc=$?
if [ $rc = 3 ]; then
  echo "ok 1 - bench/run.sh --smoke # SKIP $(echo "$out" | tr '\n' ' ')"
elif [ $rc = 0 ] && echo "$out" | grep -q '^| generated-1mb .* scan-all '; then
  echo "ok 1 - bench/run.sh --smoke"
else
  echo "$out" | sed 's/^/# /'
  echo "not ok 1 - bench/run.sh --smoke (exit $rc)"
fi
