# Sourced by the tests of the files behind the findings after setup.sh
# and images-lib.sh: PEs made here with clang, lld-link and llvm-rc, a test
# CA made with OpenSSL signing with osslsigncode, and the real files of
# ../shared/pe (PE: that folder, CAT: its Windows catalog).  Skips the
# whole test (exit 0) when a tool is missing.
PE=${SMAUDIT_PE:-$(dirname "$CORPUS")/pe}
CAT=115fe8649854ad531fb7ecd1318fbee6b33c9cbd78f02ed582092a96d5eb5899.cat
for t in clang lld-link llvm-rc openssl osslsigncode; do
  if ! command -v "$t" >/dev/null; then
    echo "1..0 # SKIP $t is not installed (Debian clang, lld, llvm, openssl, osslsigncode)"
    exit 0
  fi
done
GEN_HIVE="$top_builddir/testdata/gen-hive"
# reg_volume NAME OUT.ntfs [PATH=FILE...]: win-10's hive with the .reg text
# on stdin applied ($tmp/NAME.reg, $tmp/NAME.hiv), the SYSTEM hive of a
# 24 MiB NTFS volume OUT.ntfs (images-lib.sh's ntfs) holding the files
# given.
reg_volume() {
  _rv_name=$1 _rv_vol=$2
  shift 2
  cat >"$tmp/$_rv_name.reg" &&
    "$GEN_HIVE" --base "$FIXTURES/win-10.hiv" "$tmp/$_rv_name.hiv" \
      "$tmp/$_rv_name.reg" &&
    ntfs "$_rv_vol" 24 "$S/config/SYSTEM=$tmp/$_rv_name.hiv" "$@"
}

# pe OUT SUBSYSTEM ORIGINAL [dll]: a small x64 PE (a DLL with "dll") with
# a version resource whose OriginalFilename is ORIGINAL.
pe() {
  cat >"$tmp/v.rc" <<EOF2
1 VERSIONINFO
FILEVERSION 1,0,0,1
BEGIN
  BLOCK "StringFileInfo"
  BEGIN
    BLOCK "040904B0"
    BEGIN
      VALUE "CompanyName", "Contoso Ltd\0"
      VALUE "FileVersion", "1.0.0.1\0"
      VALUE "OriginalFilename", "$3\0"
      VALUE "ProductName", "Contoso Boot\0"
    END
  END
END
EOF2
  printf 'int Start(void *p) { (void)p; return 0; }\n' >"$tmp/n.c"
  clang --target=x86_64-pc-windows-msvc -c -O1 -o "$tmp/n.obj" "$tmp/n.c" &&
    llvm-rc /FO "$tmp/v.res" "$tmp/v.rc" &&
    lld-link /subsystem:"$2" /entry:Start /nodefaultlib ${4:+/dll} \
      /out:"$1" "$tmp/n.obj" "$tmp/v.res" >/dev/null
}

# test_ca: a test root ($tmp/ca.pem) and a code-signing leaf
# ($tmp/leaf.pem, $tmp/leaf.key) made with OpenSSL.
test_ca() {
  cat >"$tmp/ca.cnf" <<'EOF2'
[req]
distinguished_name = dn
[dn]
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[leaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = codeSigning
authorityKeyIdentifier = keyid
EOF2
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/ca.key" \
    -out "$tmp/ca.pem" -days 3650 -subj "/CN=Contoso Test Root" \
    -config "$tmp/ca.cnf" -extensions ca 2>/dev/null &&
    openssl req -newkey rsa:2048 -nodes -keyout "$tmp/leaf.key" \
      -out "$tmp/leaf.csr" -subj "/CN=Contoso Code Signing" \
      -config "$tmp/ca.cnf" 2>/dev/null &&
    openssl x509 -req -in "$tmp/leaf.csr" -CA "$tmp/ca.pem" \
      -CAkey "$tmp/ca.key" -CAcreateserial -out "$tmp/leaf.pem" -days 3650 \
      -extfile "$tmp/ca.cnf" -extensions leaf 2>/dev/null
}

# sign IN OUT: IN signed with the test CA's leaf.
sign() {
  osslsigncode sign -certs "$tmp/leaf.pem" -key "$tmp/leaf.key" -h sha256 \
    -in "$1" -out "$2" >/dev/null 2>&1
}

# dxcore_plain OUT [CHANGED]: ../shared/pe's DXCore.dll as Windows ships
# it, signed only through the catalog (its certificate table cut); with
# CHANGED, one byte of its code changed too.
dxcore_plain() {
  "$PYTHON3" - "$PE/DXCore.dll" "$1" "${2:-}" <<'EOF2'
import struct, sys
d = bytearray(open(sys.argv[1], "rb").read())
o = struct.unpack_from("<I", d, 0x3c)[0] + 24 + 112 + 32
off = struct.unpack_from("<I", d, o)[0]
d[o:o + 8] = bytes(8)
if sys.argv[3]:
    d[0x1000] ^= 1
open(sys.argv[2], "wb").write(d[:off])
EOF2
}

# q EXPR: a Python expression on the first result of $tmp/out (r), the
# files of every finding (files: path -> file), the rules found (rules:
# (rule, observed)) and the SM-FILE findings (ff: (rule, observed) ->
# finding).
q() {
  "$PYTHON3" -c '
import json, sys
r = json.loads(open(sys.argv[1]).readline())
files = {}
for f in r["findings"]:
    for x in f.get("files", []):
        files[x["path"]] = x
# Every rule that fired: each result, and each finding merged into it
# (also[]: one change, one result), where the result is.
fired = [f for f in r["findings"]] + [dict(f, **a) for f in r["findings"]
                                      for a in f["also"]]
rules = {(f["rule"], f["observed"]) for f in fired}
ff = {(f["rule"], f["observed"]): f for f in fired
      if f["rule"].startswith("SM-FILE")}
print(eval(sys.argv[2]))' "$tmp/out" "$1"
}
# is_true EXPR: q says True (else the files are shown, for the log).
is_true() {
  [ "$(q "$1")" = True ] && return 0
  q "[(p, x[\"exists\"], x[\"reason\"], x[\"pe\"] and x[\"pe\"][\"error\"], x[\"signature\"]) for p, x in files.items()]" | sed "s/^/# /"
  q "sorted(ff)" | sed "s/^/# /"
  return 1
}
P='c:\\windows\\system32\\'
S=Windows/System32
