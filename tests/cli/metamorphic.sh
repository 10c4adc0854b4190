#!/bin/sh
# Metamorphic tests (metamorphic.py): planted anomalies respelled the ways
# Windows reads alike are still caught at their severity; the real hives'
# paths respelled stay as quiet as before.
. "$(dirname "$0")/setup.sh"
export tmp CORPUS top_srcdir top_builddir
PYTHONPATH="$top_srcdir/tests/cli" "$PYTHON3" "$top_srcdir/tests/cli/metamorphic.py"
