#!/bin/sh
# A folder swapped between discovery and reading (for a symbolic link to
# another machine's hive, or for another folder) is never read in its
# place: the result names the change.  SMAUDIT_TEST_PAUSE stops smaudit
# between the two, so the swap happens at exactly that moment.
. "$(dirname "$0")/setup.sh"

need_fixtures win-10 sample
if [ ! -d /proc/self/fd ]; then
  echo "1..0 # SKIP no /proc: hives are read by path (checked, not held)"
  exit 0
fi
mk() { mkdir -p "$(dirname "$1")" && cp "$FIXTURES/$2.hiv" "$1"; }
other=$(sha256sum "$FIXTURES/sample.hiv" | cut -c1-64)
mine=$(sha256sum "$FIXTURES/win-10.hiv" | cut -c1-64)

# swap DESCRIPTION COMMAND [SCAN-ARGS]: scan the tree, run COMMAND once
# discovery is done, then let the audit go on.
swap() {
  sw_desc=$1 _cmd=$2
  shift 2
  rm -rf "$tmp/tree" "$tmp/outside"
  mk "$tmp/tree/h39/C/Windows/System32/config/SYSTEM" win-10
  mk "$tmp/tree/h40/C/Windows/System32/config/SYSTEM" win-10
  mk "$tmp/outside/Windows/System32/config/SYSTEM" sample
  paused_scan "$tmp/fifo" "$tmp/out" "$tmp/err" -q --format json --sort "$@" "$tmp/tree"
  (cd "$tmp" && eval "$_cmd")
  echo go >"$tmp/fifo"
  rc=0
  wait $pid || rc=$?
  check "$sw_desc: exit 2" [ "$rc" = 2 ]
  check "$sw_desc: the other machine's hive is not read" sh -c '! grep -q "$1" "$2"' _ "$other" "$tmp/out"
  "$PYTHON3" -c '
import json, sys
rs = {json.loads(l)["target"].split("/tree/")[1]: json.loads(l) for l in open(sys.argv[1])}
a = rs["h39/C/Windows/System32/config/SYSTEM"]
b = rs["h40/C/Windows/System32/config/SYSTEM"]
assert a["error"] and "changed since it was found" in a["error"], a["error"]
assert a["findings"] == []
assert b["error"] is None and b["hive"]["sha256"] == sys.argv[2]' "$tmp/out" "$mine"
  check "$sw_desc: an error result naming the change, the other host audited" [ $? = 0 ]
}

swap "a folder swapped for a link" \
  'mv tree/h39/C/Windows tree/h39/C/Windows.old && ln -s "$PWD/outside/Windows" tree/h39/C/Windows'
swap "a folder swapped for a link, -j 1" \
  'mv tree/h39/C/Windows tree/h39/C/Windows.old && ln -s "$PWD/outside/Windows" tree/h39/C/Windows' -j 1
swap "a folder swapped for another folder" \
  'mv tree/h39/C/Windows tree/h39/C/Windows.old && mv outside/Windows tree/h39/C/Windows'
swap "the config folder swapped for a link" \
  'mv tree/h39/C/Windows/System32/config tree/h39/C/config.old && ln -s "$PWD/outside/Windows/System32/config" tree/h39/C/Windows/System32/config'
done_testing
