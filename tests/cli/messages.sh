#!/bin/sh
# Messages: a hive that is not a SYSTEM hive is named by its kind (from its
# content, never its file name); a strict open's error says when --unsafe
# would read the hive.
. "$(dirname "$0")/setup.sh"
gen() { "$top_builddir/testdata/gen-hive" "$1" "$2"; }
reg() { printf 'Windows Registry Editor Version 5.00\n\n%s\n' "$2" >"$tmp/$1.reg"; gen "$tmp/$1" "$tmp/$1.reg"; }

# Every one named SYSTEM, so that only the content can tell.
kind() {
  mkdir -p "$tmp/k$1"
  cp "$2" "$tmp/k$1/SYSTEM"
  run scan "$tmp/k$1/SYSTEM"
  check "$1: exit 2, named as a $1 hive" sh -c '[ "$1" = 2 ] && grep -qF "this is a $2 hive, not a SYSTEM hive" "$3"' _ "$rc" "$1" "$tmp/err"
}
reg ntuser '[Software\Microsoft]
[Control Panel\Desktop]
[Environment]'
kind NTUSER.DAT "$tmp/ntuser"
reg software '[Microsoft\Windows NT\CurrentVersion]
"ProductName"="Windows 10 Pro"
[Classes]'
kind SOFTWARE "$tmp/software"
reg security '[Policy\Secrets]
[RXACT]
[Cache]'
kind SECURITY "$tmp/security"
reg bcd '[Description]
[Objects\{9dea862c-5cdd-4e70-acc1-f32b344d4795}]'
kind BCD "$tmp/bcd"
reg amcache '[Root\InventoryApplicationFile\x]'
kind Amcache.hve "$tmp/amcache"
reg sam '[SAM\Domains\Account]'
kind SAM "$tmp/sam"
if have_corpus; then
  kind SAM "$CORPUS/edge/SAM_RootValue"
else
  skip "SAM (real)" "no corpus at $CORPUS"
fi
reg plain '[Something]'
run scan "$tmp/plain"
check "an unknown hive: the reason, no kind guessed" sh -c '[ "$1" = 2 ] && grep -q "no Select key" "$2" && ! grep -q "this is a" "$2"' _ "$rc" "$tmp/err"

# A damage Windows' load-time checker would mend in a way smaudit does not
# model (Select's key signature broken): refused, and --unsafe named.
"$PYTHON3" "$top_srcdir/tests/cli/nk-patch.py" "$FIXTURES/win-10.hiv" "$tmp/nosig.hiv" Select sig
run scan "$tmp/nosig.hiv"
check "corrupt: the error says --unsafe would read it" sh -c '[ "$1" = 2 ] && grep -q "key .Select.: .*; --unsafe opens it in tolerant mode" "$2"' _ "$rc" "$tmp/err"
if have_corpus; then
  run scan "$CORPUS/bad/SAMBadHBinHeader"
  check "refused by a strict open, opened by a tolerant one: --unsafe said" grep -q "; --unsafe opens it in tolerant mode" "$tmp/err"
  run scan --unsafe "$CORPUS/bad/corrupt_sub_key_list.hiv"
  check "with --unsafe: no hint to use it" sh -c '! grep -q "\-\-unsafe opens" "$1"' _ "$tmp/err"
  run scan "$CORPUS/bad/NotAHive"
  check "not a hive at all: no --unsafe hint" sh -c '[ "$1" = 2 ] && ! grep -q "\-\-unsafe" "$2"' _ "$rc" "$tmp/err"
else
  skip "--unsafe hints" "no corpus at $CORPUS"
fi
done_testing
