#!/bin/sh
# Planted anomalies against every family and the real hives (anomalies.py).
. "$(dirname "$0")/setup.sh"
export tmp CORPUS top_srcdir top_builddir
PYTHONPATH="$top_srcdir/tests/cli" "$PYTHON3" "$top_srcdir/tests/cli/anomalies.py"
