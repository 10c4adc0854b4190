#!/bin/sh
# testdata/gen-hive itself: the .reg syntax it accepts, and its errors.
. "$(dirname "$0")/setup.sh"

GEN="$top_builddir/testdata/gen-hive"
gen() {
  rc=0
  "$GEN" "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
}
get() { hivexget "$tmp/h.hiv" "$@" 2>/dev/null; }

if ! command -v hivexget >/dev/null 2>&1; then
  skip "gen-hive" "hivexget not installed"
  done_testing
  exit 0
fi

# Continuations, deletions, comments, hex(N), str(N), multi, CRLF.
printf '%s\r\n' 'Windows Registry Editor Version 5.00' '' \
  '; a comment' \
  '[HKEY_LOCAL_MACHINE\SYSTEM\A\B]' \
  '@="default"' \
  '"Str"="back\\slash \"quoted\""' \
  '"Dw"=dword:0000001f' \
  '"Ex"=str(2):"%SystemRoot%"' \
  '"Mu"=multi:"one",\' \
  '  "two"' \
  '"Hx"=hex(7):61,00,00,00,\' \
  '  00,00' \
  '"Gone"="x"' \
  '"Gone"=-' \
  '"CASE"="old"' \
  '"case"="new"' \
  '[HKLM\SYSTEM\A\Doomed\Child]' \
  '[-A\Doomed]' \
  '[Select]' \
  '"Current"=dword:2' >"$tmp/a.reg"
gen "$tmp/h.hiv" "$tmp/a.reg"
check "a regedit file: exit 0" [ "$rc" = 0 ]
check "the default value" [ "$(get '\A\B' '@')" = default ]
check "escapes in strings" [ "$(get '\A\B' Str)" = 'back\slash "quoted"' ]
check "dword" [ "$(get '\A\B' Dw)" = 31 ]
check "str(2) is an EXPAND_SZ" [ "$(get '\A\B' Ex)" = '%SystemRoot%' ]
check "multi: continued on the next line" \
  [ "$(get '\A\B' Mu)" = "$(printf 'one\ntwo')" ]
check "hex(7) continued on the next line" [ "$(get '\A\B' Hx)" = a ]
check "a deleted value is gone" sh -c '! hivexget "$1" "\\A\\B" Gone' _ "$tmp/h.hiv"
check "a name in another case replaces the value" \
  sh -c '[ "$(hivexget "$1" "\\A\\B" CASE)" = new ] && [ "$(hivexget "$1" "\\A\\B" | grep -ci "\"case\"")" = 1 ]' _ "$tmp/h.hiv"
check "a deleted key is gone" sh -c '! hivexget "$1" "\\A\\Doomed" >/dev/null 2>&1' _ "$tmp/h.hiv"
check "a key at the root without the HKLM prefix" [ "$(get '\Select' Current)" = 2 ]

# UTF-16LE with a BOM, as regedit writes, and REGEDIT4.
"$PYTHON3" -c '
import sys
t = "Windows Registry Editor Version 5.00\r\n\r\n[Select]\r\n\"Caf\u00e9\"=\"\u20ac \U0001F600\"\r\n"
open(sys.argv[1], "wb").write(b"\xff\xfe" + t.encode("utf-16-le"))' "$tmp/u16.reg"
gen "$tmp/h.hiv" "$tmp/u16.reg"
check "UTF-16LE with a BOM: exit 0" [ "$rc" = 0 ]
check "UTF-16LE: names and data decoded" \
  [ "$(get '\Select' 'Café')" = "€ $(printf '\360\237\230\200')" ]
printf 'REGEDIT4\n\n[Select]\n"Current"=dword:1\n' >"$tmp/r4.reg"
gen "$tmp/h.hiv" "$tmp/r4.reg"
check "REGEDIT4 header: exit 0" [ "$rc" = 0 ]

# Several files apply in order, the later overriding.
printf 'REGEDIT4\n[Select]\n"Current"=dword:3\n' >"$tmp/over.reg"
gen "$tmp/h.hiv" "$tmp/r4.reg" "$tmp/over.reg"
check "files apply in order" [ "$(get '\Select' Current)" = 3 ]

# Errors: "gen-hive: FILE:LINE: reason", exit 2, nothing left behind.
bad() {
  desc=$1 line=$2
  shift 2
  printf '%s\n' 'Windows Registry Editor Version 5.00' "$@" >"$tmp/bad.reg"
  rm -f "$tmp/out.hiv"
  gen "$tmp/out.hiv" "$tmp/bad.reg"
  check "$desc: exit 2 with FILE:LINE" sh -c \
    '[ "$1" = 2 ] && grep -q "^gen-hive: $2:$3: " "$4"' _ "$rc" "$tmp/bad.reg" "$line" "$tmp/err"
  check "$desc: no hive, no temporary file" sh -c \
    '[ ! -e "$1/out.hiv" ] && ! ls "$1"/out.hiv.tmp* >/dev/null 2>&1' _ "$tmp"
}
bad "a value before any key" 2 '"x"="y"'
bad "a bad dword" 3 '[A]' '"x"=dword:123456789'
bad "a bad hex byte" 3 '[A]' '"x"=hex:0g'
bad "an unterminated string" 3 '[A]' '"x"="abc'
bad "an unknown escape" 3 '[A]' '"x"="a\nb"'
bad "unknown data" 3 '[A]' '"x"=float:1.5'
bad "a key outside SYSTEM" 2 '[HKEY_CURRENT_USER\Software]'
bad "a key line without ]" 2 '[A'
bad "an error on a continued line names its first line" 3 '[A]' '"x"=hex:01,\' '  zz'
printf 'not a reg file\n' >"$tmp/bad.reg"
gen "$tmp/out.hiv" "$tmp/bad.reg"
check "no header: exit 2" sh -c '[ "$1" = 2 ] && grep -q "^gen-hive: .*:1: expected the header" "$2"' _ "$rc" "$tmp/err"
gen "$tmp/out.hiv" "$tmp/absent.reg"
check "a missing .reg: exit 2 naming it" sh -c \
  '[ "$1" = 2 ] && grep -qF "gen-hive: $2: No such file" "$3"' _ "$rc" "$tmp/absent.reg" "$tmp/err"
gen "$tmp/out.hiv"
check "no .reg at all: usage, exit 2" [ "$rc" = 2 ]
# A failure keeps the previous output as it was.
cp "$tmp/h.hiv" "$tmp/keep.hiv"
gen "$tmp/keep.hiv" "$tmp/r4.reg" "$tmp/bad.reg"
check "a failure leaves an existing output untouched" cmp -s "$tmp/h.hiv" "$tmp/keep.hiv"
done_testing
