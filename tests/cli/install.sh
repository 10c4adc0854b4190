#!/bin/sh
# make install and make uninstall into a staging folder (DESTDIR): what is
# installed, and that uninstall leaves no file or empty folder of ours.
. "$(dirname "$0")/setup.sh"

if [ ! -f "$top_builddir/Makefile" ] || ! command -v "${MAKE:-make}" >/dev/null; then
  echo "1..0 # SKIP no Makefile or make here"
  exit 0
fi
d="$tmp/stage"
prefix=/usr/local/smaudit-test
m() { "${MAKE:-make}" -s -C "$top_builddir" prefix="$prefix" DESTDIR="$d" "$@" >"$tmp/make.out" 2>&1; }
rc=0
m install || rc=$?
check "make install succeeds" [ "$rc" = 0 ]
check "the program is installed" [ -x "$d$prefix/bin/smaudit" ]
check "the baselines are installed" [ -f "$d$prefix/share/smaudit/baselines/windows-10.yaml" ]
check "the man page is installed" [ -f "$d$prefix/share/man/man1/smaudit.1" ]
rc=0
m uninstall || rc=$?
check "make uninstall succeeds" [ "$rc" = 0 ]
check "no file of ours is left" [ -z "$(find "$d" -type f)" ]
check "no share/smaudit folder is left" [ ! -e "$d$prefix/share/smaudit" ]
done_testing
