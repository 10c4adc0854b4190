#!/bin/sh
# bench/files.sh: what checking the files of the boot plan and the
# findings adds to the scan of a disk image (docs/signatures.md,
# docs/performance.md).
#
#   bench/files.sh SMAUDIT GEN-IMAGE HIVE SOFTWARE PE-DIR WORKDIR RUNS
#
# A typical image: HIVE as the volume's SYSTEM, SOFTWARE beside it, the
# catalog of PE-DIR (../shared/pe) in CatRoot, System32\smss.exe, and every
# file of code the boot plan's actions and the findings of HIVE name (the
# boot programs, csrss.exe and its ServerDlls, Kmode, every KnownDLL in
# System32 and SysWOW64, the pending renames' paths) planted as a copy of a
# signed Windows file (the catalog-signed DXCore.dll for DLLs, the
# embedded-signed pciide.sys otherwise).  Measured
# with hyperfine (RUNS runs each): scan of the image with --no-files, and
# without (files checked).  Prints a Markdown section with the ratio,
# target <= 1.3.  Exit status 3 when a tool or input is missing.
set -eu
[ $# = 7 ] || { echo "usage: $0 SMAUDIT GEN-IMAGE HIVE SOFTWARE PE-DIR WORKDIR RUNS" >&2; exit 2; }
smaudit=$1 gen=$2 hive=$3 software=$4 pe=$5 work=$6 runs=$7
tool() { PATH="$PATH:/usr/sbin:/sbin" command -v "$1" 2>/dev/null; }
for t in mkntfs hyperfine python3; do
  tool "$t" >/dev/null || { echo "$0: $t not found" >&2; exit 3; }
done
[ -x "$gen" ] || { echo "$0: $gen not built (Debian ntfs-3g-dev)" >&2; exit 3; }
[ -d "$pe" ] || { echo "$0: no $pe (../shared/pe)" >&2; exit 3; }
mkdir -p "$work"
cat=$(cd "$pe" && ls ./*.cat | grep -v unsigned | head -n 1)
# The files of code the plan's actions and the findings name (their paths
# in the volume), and smss.exe, which makes it a whole Windows volume.
"$smaudit" plan --format json --fail-on never "$hive" | python3 -c '
import json, sys
r = json.loads(sys.stdin.readline())
paths = {x["path"] for f in r["findings"] for x in f.get("files", [])}
paths |= {f["file"]["path"] for a in r["plan"]["actions"]
          for f in a["files"] if f["file"]}
paths.add("c:\\windows\\system32\\smss.exe")
for p in sorted(paths):
    if p.startswith("c:\\") and not p.endswith("\\") and "~" not in p:
        p = p[3:].replace("\\", "/")
        # The folders as Windows spells them (one folder per name).
        for low, cased in (("windows/system32/", "Windows/System32/"),
                           ("windows/syswow64/", "Windows/SysWOW64/"),
                           ("windows/", "Windows/")):
            if p.startswith(low):
                p = cased + p[len(low):]
                break
        print(p)' >"$work/paths"
set -- "Windows/System32/config/SYSTEM=$hive" \
  "Windows/System32/config/SOFTWARE=$software" \
  "Windows/System32/CatRoot/{F750E6C3-38EE-11D1-85E5-00C04FC295EE}/${cat#./}=$pe/${cat#./}"
# DXCore.dll as Windows ships it: signed through the catalog only (its
# certificate table cut), as most of System32's DLLs are.
python3 - "$pe/DXCore.dll" "$work/dxcore.dll" <<'PY'
import struct, sys
d = bytearray(open(sys.argv[1], "rb").read())
o = struct.unpack_from("<I", d, 0x3c)[0] + 24 + 112 + 32
off = struct.unpack_from("<I", d, o)[0]
d[o:o + 8] = bytes(8)
open(sys.argv[2], "wb").write(d[:off])
PY
while IFS= read -r p; do
  case $p in
  *.dll) set -- "$@" "$p=$work/dxcore.dll" ;;
  *) set -- "$@" "$p=$pe/pciide.sys" ;;
  esac
done <"$work/paths"
nfiles=$(wc -l <"$work/paths")
vol=$work/files.ntfs
mb=$((($(stat -c %s "$hive") + $(stat -c %s "$software")) / 1048576 + 32 + nfiles / 2))
rm -f "$vol"
truncate -s "${mb}M" "$vol"
"$(tool mkntfs)" -F -q -Q "$vol" >/dev/null 2>&1
"$gen" "$vol" "$@"
cat "$vol" >/dev/null
hyperfine -N --warmup 1 --runs "$runs" --style none \
  --export-json "$work/files.json" \
  -n no-files "'$smaudit' scan --fail-on never --no-files --trust-file '$pe/legacy-certs.pem' '$vol'" \
  -n files "'$smaudit' scan --fail-on never --trust-file '$pe/legacy-certs.pem' '$vol'" >/dev/null 2>&1
python3 - "$work/files.json" "$nfiles" <<'PY'
import json, statistics, sys
res = {r["command"]: statistics.median(r["times"])
       for r in json.load(open(sys.argv[1]))["results"]}
a, b = res["no-files"], res["files"]
r = b / a
print("## The files behind the findings\n")
print("A disk image (NTFS volume) holding the SYSTEM hive, a SOFTWARE hive, "
      "a Windows catalog in CatRoot and the %s files of code the boot "
      "plan's actions and the findings name (copies of a DLL signed through the "
      "catalog only and of an embedded-signed driver): "
      "`scan --no-files` against `scan`, which looks each file up, hashes "
      "it, reads its PE facts and checks its signature (libcrypto loaded, "
      "catalogs indexed, the image's root store read, each chain built to "
      "the roots of `legacy-certs.pem`, given to both with --trust-file).\n"
      % sys.argv[2])
print("| scan --no-files (ms) | scan (ms) | ratio, target ≤ 1.3 |")
print("|---:|---:|---:|")
print("| %.1f | %.1f | %.2f (%s) |" % (a * 1e3, b * 1e3, r,
                                      "met" if r <= 1.3 else "**not met**"))
PY
