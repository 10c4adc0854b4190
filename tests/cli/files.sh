#!/bin/sh
# The files behind the findings: programs and DLLs planted in NTFS volumes
# built here (and timestomped through libntfs-3g), PEs made here with
# clang, lld-link and llvm-rc and signed with a test CA made with OpenSSL
# (osslsigncode cross-checks), and the real signed files of ../shared/pe.
# Each status and SM-FILE-* rule, in an image, a folder tree and a lone
# hive.
. "$(dirname "$0")/setup.sh"
. "$(dirname "$0")/images-lib.sh"
. "$(dirname "$0")/pe-lib.sh"

pe "$tmp/native.exe" native vendorboot.exe &&
  pe "$tmp/gui.exe" windows cmd.exe &&
  pe "$tmp/trunc-src.dll" windows trunc.dll
check "PEs are built with clang, lld-link and llvm-rc" [ $? = 0 ]
head -c 700 "$tmp/trunc-src.dll" >"$tmp/trunc.dll"
head -c 100 "$tmp/trunc-src.dll" >"$tmp/notpe.dll"

# A test CA (root and code-signing leaf) and the vendor's boot program
# signed with it.
test_ca && sign "$tmp/native.exe" "$tmp/signed.exe"
check "a test CA signs a native PE (osslsigncode)" [ $? = 0 ]
osslsigncode verify -CAfile "$tmp/ca.pem" -in "$tmp/signed.exe" >/dev/null 2>&1
check "osslsigncode verifies it with the test root" [ $? = 0 ]
# A signed file changed after signing.
"$PYTHON3" -c '
import sys
b = bytearray(open(sys.argv[1], "rb").read()); b[0x410] ^= 1
open(sys.argv[2], "wb").write(b)' "$tmp/signed.exe" "$tmp/tampered.exe"

# The hive: boot programs and KnownDLLs naming the planted files.
cat >"$tmp/o.reg" <<'EOF2'
Windows Registry Editor Version 5.00
[ControlSet001\Control\Session Manager]
"BootExecute"=multi:"autocheck autochk *","evil","vendorboot","tampered"
[ControlSet001\Control\Session Manager\KnownDLLs]
"gone"="gone.dll"
"trunc"="trunc.dll"
"notpe"="notpe.dll"
EOF2
"$GEN_HIVE" --base "$FIXTURES/win-10.hiv" "$tmp/s.hiv" "$tmp/o.reg"
check "the planted hive is made" [ $? = 0 ]

# smss.exe marks a whole Windows volume: without it, an absent file
# proves nothing (a triage collection).
ntfs "$tmp/win.ntfs" 24 "$S/config/SYSTEM=$tmp/s.hiv" "$S/smss.exe=$tmp/native.exe" \
  "$S/evil.exe~1262304000=$tmp/gui.exe" "$S/vendorboot.exe=$tmp/signed.exe" \
  "$S/tampered.exe=$tmp/tampered.exe" "$S/trunc.dll=$tmp/trunc.dll" \
  "$S/notpe.dll=$tmp/notpe.dll"
check "an NTFS volume holds the hive and the planted files" [ $? = 0 ]

run scan --format json --fail-on never --trust-file "$tmp/ca.pem" "$tmp/win.ntfs"
check "image: audited" [ "$rc" = 0 ]
check "vendor boot program: valid, via embedded, on the user's root" \
  is_true "files['${P}vendorboot.exe']['signature']['status'] == 'valid' and files['${P}vendorboot.exe']['signature']['trust'] == 'user' and files['${P}vendorboot.exe']['signature']['via'] == 'embedded' and files['${P}vendorboot.exe']['signature']['signer'] == 'Contoso Code Signing'"
check "vendor boot program: native, version resource, size and SHA-256" \
  is_true "files['${P}vendorboot.exe']['pe']['subsystem'] == 'native' and files['${P}vendorboot.exe']['pe']['version']['OriginalFilename'] == 'vendorboot.exe' and files['${P}vendorboot.exe']['size'] == $(wc -c <"$tmp/signed.exe") and files['${P}vendorboot.exe']['sha256'] == '$(sha256sum "$tmp/signed.exe" | cut -c1-64)'"
check "a signed vendor's boot program raises no SM-FILE finding" \
  is_true "not [x for x in rules if x[0].startswith('SM-FILE') and x[1].endswith('vendorboot.exe')]"
check "changed after signing: invalid, SM-FILE-SIGNATURE-INVALID" \
  is_true "files['${P}tampered.exe']['signature']['status'] == 'invalid' and ('SM-FILE-SIGNATURE-INVALID', '${P}tampered.exe') in rules"
check "timestomped program: \$SI before \$FN, whole seconds, SM-FILE-TIMESTOMPED" \
  is_true "files['${P}evil.exe']['times']['si_before_fn'] and files['${P}evil.exe']['times']['si_whole_seconds'] and files['${P}evil.exe']['times']['si']['created'].startswith('2010-01-01T00:00:00') and ('SM-FILE-TIMESTOMPED', '${P}evil.exe') in rules"
check "a Win32 program in BootExecute: SM-FILE-NOT-NATIVE" \
  is_true "('SM-FILE-NOT-NATIVE', '${P}evil.exe') in rules and ('SM-FILE-NOT-NATIVE', '${P}vendorboot.exe') not in rules"
check "OriginalFilename cmd.exe on evil.exe: SM-FILE-NAME-MISMATCH" \
  is_true "('SM-FILE-NAME-MISMATCH', '${P}evil.exe') in rules"
check "unsigned: status unsigned" \
  is_true "files['${P}evil.exe']['signature']['status'] == 'unsigned' and files['${P}evil.exe']['signature']['via'] is None"
check "absent KnownDLL: exists false, SM-FILE-MISSING" \
  is_true "files['${P}gone.dll']['exists'] is False and ('SM-FILE-MISSING', '${P}gone.dll') in rules"
check "no SysWOW64 on the volume: its copies are not listed" \
  is_true "not [p for p in files if 'syswow64' in p]"
check "truncated PE: a per-file error, the audit goes on" \
  is_true "files['${P}trunc.dll']['exists'] and 'outside every section' in files['${P}trunc.dll']['pe']['error'] and files['${P}notpe.dll']['pe'] is None and files['${P}notpe.dll']['sha256'] is not None and r['error'] is None"
check "\$FN times are read from the image" \
  is_true "files['${P}vendorboot.exe']['times']['fn']['created'] is not None"

run scan --fail-on never --trust-file "$tmp/ca.pem" "$tmp/win.ntfs"
check "text: one line per file" grep -q "file c:.windows.system32.vendorboot.exe: .* bytes, sha256 .*native image \"vendorboot.exe\", valid (embedded, Contoso Code Signing) on a root of --trust-file" "$tmp/out"

# Without any root: intact signatures cannot be judged (error), and no
# rule calls them unsigned.
run scan --format json --fail-on never "$tmp/win.ntfs"
check "no root at hand: status error, said why" \
  is_true "files['${P}vendorboot.exe']['signature']['status'] == 'error' and 'no root' in files['${P}vendorboot.exe']['signature']['reason']"

# The image's own root store vouches for the test root: valid, and said.
"$PYTHON3" - "$tmp/ca.pem" "$tmp/sw.reg" <<'EOF2'
import base64, hashlib, re, struct, sys
pem = open(sys.argv[1]).read()
der = base64.b64decode("".join(re.findall(r"^[A-Za-z0-9+/=]+$", pem, re.M)))
blob = struct.pack("<III", 32, 1, len(der)) + der
thumb = hashlib.sha1(der).hexdigest().upper()
hexs = ",".join("%02x" % b for b in blob)
open(sys.argv[2], "w").write(
    "Windows Registry Editor Version 5.00\n"
    "[Microsoft\\SystemCertificates\\ROOT\\Certificates\\%s]\n"
    "\"Blob\"=hex:%s\n" % (thumb, hexs))
EOF2
"$GEN_HIVE" --base "$FIXTURES/software-10.hiv" "$tmp/sw.hiv" "$tmp/sw.reg" &&
  ntfs "$tmp/win2.ntfs" 24 "$S/config/SYSTEM=$tmp/s.hiv" \
    "$S/config/SOFTWARE=$tmp/sw.hiv" "$S/vendorboot.exe=$tmp/signed.exe"
check "a volume whose SOFTWARE trusts the test root" [ $? = 0 ]
run scan --format json --fail-on never "$tmp/win2.ntfs"
check "valid on the image's own root only: trust image" \
  is_true "files['${P}vendorboot.exe']['signature']['status'] == 'valid' and files['${P}vendorboot.exe']['signature']['trust'] == 'image'"
run scan --fail-on never "$tmp/win2.ntfs"
check "text says only the image vouches for it" \
  grep -q "vendorboot.exe: .*valid (embedded, Contoso Code Signing) on a root only the image's own store vouches for" "$tmp/out"

# The same volume with a SOFTWARE hive that cannot be parsed: the image's
# roots are not known, and the signature's reason says so.
head -c 8192 /dev/zero >"$tmp/zeros"
ntfs "$tmp/win3.ntfs" 24 "$S/config/SYSTEM=$tmp/s.hiv" \
  "$S/config/SOFTWARE=$tmp/zeros" "$S/vendorboot.exe=$tmp/signed.exe"
run scan --format json --fail-on never "$tmp/win3.ntfs"
check "SOFTWARE unreadable: not valid, the reason names the image's root store" \
  is_true "files['${P}vendorboot.exe']['signature']['status'] in ('error', 'untrusted') and 'root store (SOFTWARE) cannot be read' in files['${P}vendorboot.exe']['signature']['reason']"
run scan --format json --fail-on never "$tmp/win.ntfs"
check "no SOFTWARE at all: no root store named" \
  is_true "'SOFTWARE' not in (files['${P}vendorboot.exe']['signature']['reason'] or '')"

# A folder tree: the same files, found through the folder above config.
mkdir -p "$tmp/tree/WINDOWS/system32/config"
cp "$tmp/s.hiv" "$tmp/tree/WINDOWS/system32/config/SYSTEM"
cp "$tmp/signed.exe" "$tmp/tree/WINDOWS/system32/VendorBoot.EXE"
cp "$tmp/native.exe" "$tmp/tree/WINDOWS/system32/smss.exe"
run scan --format json --fail-on never --trust-file "$tmp/ca.pem" \
  "$tmp/tree/WINDOWS/system32/config/SYSTEM"
check "folder tree: found in any case, valid, times from the host said so" \
  is_true "files['${P}vendorboot.exe']['exists'] and files['${P}vendorboot.exe']['found'].endswith('VendorBoot.EXE') and files['${P}vendorboot.exe']['signature']['status'] == 'valid' and files['${P}vendorboot.exe']['times']['fn'] is None and bool(files['${P}vendorboot.exe']['times']['note'])"
check "folder tree: an absent file is exists false" \
  is_true "files['${P}evil.exe']['exists'] is False"
# A name that cannot be followed (a symbolic link, as ntfs-3g shows a
# Windows link) is no absence: the file is unknown, the reason said.
ln -s "$tmp/signed.exe" "$tmp/tree/WINDOWS/system32/evil.exe"
run scan --format json --fail-on never "$tmp/tree/WINDOWS/system32/config/SYSTEM"
check "folder tree: a link in place of the file is exists null, said why" \
  is_true "files['${P}evil.exe']['exists'] is None and 'link' in files['${P}evil.exe']['reason']"
rm "$tmp/tree/WINDOWS/system32/evil.exe"

# A lone hive: nothing to look in.
run scan --format json --fail-on never "$tmp/s.hiv"
check "lone hive: exists null with the reason" \
  is_true "files['${P}evil.exe']['exists'] is None and 'no volume' in files['${P}evil.exe']['reason'] and not [x for x in rules if x[0].startswith('SM-FILE')]"
run scan --format json --fail-on never --no-files "$tmp/win.ntfs"
check "--no-files: no files, no SM-FILE findings" \
  is_true "not files and not [x for x in rules if x[0].startswith('SM-FILE')]"
run scan --trust-file "$tmp/nonexistent.pem" "$tmp/s.hiv"
check "--trust-file missing: exit 2 naming it" \
  sh -c "[ $rc = 2 ] && grep -q nonexistent.pem '$tmp/err'"

# The real files: a Microsoft driver, a catalog-signed DLL, the
# CVE-2020-0601 spoof, with the legacy roots (pinned by fingerprint).
if [ -d "$PE" ]; then
  dxcore_plain "$tmp/dxcore.dll" && dxcore_plain "$tmp/dxcore-changed.dll" changed
  reg_volume k "$tmp/real.ntfs" \
    "$S/pciide.sys=$PE/pciide.sys" "$S/dxcore.dll=$tmp/dxcore.dll" \
    "$S/changedx.dll=$tmp/dxcore-changed.dll" \
    "$S/sz.dll=$PE/7z1900-x64_signed.exe" \
    "$S/CatRoot/{F750E6C3-38EE-11D1-85E5-00C04FC295EE}/$CAT=$PE/$CAT" <<'EOF2'
Windows Registry Editor Version 5.00
[ControlSet001\Control\Session Manager\KnownDLLs]
"pciide"="pciide.sys"
"dxcore"="dxcore.dll"
"changed"="changedx.dll"
"spoof"="sz.dll"
EOF2
  check "a volume with the real files and catalog" [ $? = 0 ]
  run scan --format json --fail-on never --trust-file "$PE/legacy-certs.pem" \
    "$tmp/real.ntfs"
  check "pciide.sys: valid, embedded, pinned root, timestamped 2009-07-14" \
    is_true "files['${P}pciide.sys']['signature']['status'] == 'valid' and files['${P}pciide.sys']['signature']['trust'] == 'pinned' and files['${P}pciide.sys']['signature']['timestamp'].startswith('2009-07-14')"
  check "DXCore.dll without its own signature: valid via the catalog" \
    is_true "files['${P}dxcore.dll']['signature']['status'] == 'valid' and files['${P}dxcore.dll']['signature']['via'] == 'catalog' and files['${P}dxcore.dll']['signature']['catalog'] == '$CAT' and ('SM-FILE-UNSIGNED', '${P}dxcore.dll') not in rules"
  check "DXCore.dll with one byte changed: no catalog lists it, SM-FILE-UNSIGNED" \
    is_true "files['${P}changedx.dll']['signature']['status'] == 'unsigned' and ('SM-FILE-UNSIGNED', '${P}changedx.dll') in rules"
  check "the CVE-2020-0601 spoof does not verify" \
    is_true "files['${P}sz.dll']['signature']['status'] == 'untrusted' and ('SM-FILE-UNSIGNED', '${P}sz.dll') in rules"
else
  skip "real signed files" "no ../shared/pe (SMAUDIT_PE)"
fi
done_testing
