#!/bin/sh
# Run one libFuzzer harness for SECONDS with a seed corpus built here, in a
# temporary folder, from the generated fixtures, the real hives (by path,
# never copied into the repository), the baselines and the tests' YAML.
#   tests/fuzz/run.sh fuzz-hive|fuzz-baseline|fuzz-parse|fuzz-txlog|fuzz-image|fuzz-pe SECONDS [LIBFUZZER-OPTION]...
# Environment: FUZZ_BUILDDIR (default: the current folder) holds the
# harnesses built by `./configure --enable-fuzzers CC=clang && make fuzz`;
# FUZZ_CORPUS keeps the growing corpus there (default: a temporary folder);
# FUZZ_ARTIFACTS receives crashing inputs (default: ./fuzz-artifacts);
# SMAUDIT_CORPUS the real hives (default: ../shared/hives beside the source).
# Exit status: libFuzzer's (0: no crash, leak, timeout or sanitizer report).
set -eu
[ $# -ge 2 ] || { echo "usage: $0 HARNESS SECONDS [OPTION]..." >&2; exit 2; }
harness=$1
seconds=$2
shift 2
srcdir=$(cd "$(dirname "$0")/../.." && pwd)
builddir=${FUZZ_BUILDDIR:-$(pwd)}
bin=$builddir/tests/fuzz/$harness
[ -x "$bin" ] || { echo "$0: $bin not built (make fuzz)" >&2; exit 2; }
hives=${SMAUDIT_CORPUS:-$srcdir/../shared/hives}
artifacts=${FUZZ_ARTIFACTS:-$(pwd)/fuzz-artifacts}/$harness
mkdir -p "$artifacts"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/smaudit-fuzz.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
seeds=$tmp/seeds
mkdir -p "$seeds"
corpus=${FUZZ_CORPUS:-$tmp/corpus}
mkdir -p "$corpus"
# Each seed gets its own name: seed often runs in a pipeline's subshell.
seed() { cat >"$(mktemp "$seeds/seed.XXXXXX")"; }
# seed_file FILE [BYTES]: the file, or its first BYTES.
seed_file() {
  if [ $# -ge 2 ]; then head -c "$2" "$1" | seed; else seed <"$1"; fi
}

# hive_edits: seeds written byte by byte by gen-hive over win-10.hiv
# (testdata/README.md, "Byte-level edits"), each reaching a place where
# Windows reads otherwise than hivex (docs/reading.md): big data as Windows
# writes it and with a padded first segment (\P), value- and subkey-list
# entries to free cells (\F, %F), subkeys out of order (%^), names holding
# a NUL (\0, %0) or stored twice (\|), a stored symbolic link, a subkey
# list as an index root and big data over a shared segment (\#, %#); and
# the first four in one hive.  Without gen-hive the run fails: it would not
# reach hive/heal.c, hive/subkeys.c nor the big-data reading.
hive_edits() {
  gen=$builddir/testdata/gen-hive
  base=$builddir/testdata/win-10.hiv
  if [ ! -x "$gen" ] || [ ! -f "$base" ]; then
    echo "$0: fuzz-hive: testdata/gen-hive or testdata/win-10.hiv not built (make fuzz)" >&2
    exit 2
  fi
  sm='ControlSet001\Control\Session Manager'
  # A BootExecute of 17 KB (a big-data record of two segments).
  big=$(awk 'BEGIN { for (i = 0; i < 430; i++) printf "\"autocheck autochk *\","; printf "\"evil.exe\"" }')
  # The link's target as REG_LINK data (UTF-16LE, "5c,00,52,00,...").
  link=$(printf '%s' '\Registry\Machine\System\ControlSet001\Control\Session Manager\Environment' |
    od -An -v -tx1 | tr -s ' \n' '  ' | sed 's/^ //; s/ $//; s/ /,00,/g; s/$/,00/')
  printf '[%s]\n"BootExecute"=multi:%s\n' "$sm" "$big" >"$tmp/big.reg"
  printf '[%s]\n"BootExecute"=-\n"BootExecute\\P"=multi:%s\n' "$sm" "$big" >"$tmp/pad.reg"
  printf '[%s]\n"Decoy\\F"="x"\n"ExcludeFromKnownDlls\\F"=multi:"a"\n[%s\\Junk%%F]\n[%s\\KnownDLLs]\n"zz\\F"="z.dll"\n' \
    "$sm" "$sm" "$sm" >"$tmp/free.reg"
  printf '[%s\\Zeta%%^]\n"a"="b"\n[%s\\Environment%%0x%%^]\n[%s\\SubSystems\\Yy%%^]\n' \
    "$sm" "$sm" "$sm" >"$tmp/order.reg"
  printf '[%s]\n"BootExecute"=-\n"BootExecute\\0x"=multi:"a"\n"BootExecute"=multi:"b"\n[%s\\Environment]\n"Path\\0x"=str(2):"C:\\\\x"\n[%s\\SubSystems]\n"Windows\\|2"="w"\n[%s%%0x]\n"BootExecute"=multi:"c"\n[Select]\n"Current"=-\n"Current\\0"=dword:00000002\n"Current"=dword:00000001\n' \
    "$sm" "$sm" "$sm" "$sm" >"$tmp/names.reg"
  printf '[-%s\\KnownDLLs]\n[%s\\KnownDLLs]\n"SymbolicLinkValue"=hex(6):%s\n' \
    "$sm" "$sm" "$link" >"$tmp/link.reg"
  # 1,200 siblings in an index root of hash leaves, and a value declaring
  # 40,000 bytes over one shared big-data segment (\#, %#).
  printf '[%s\\Zz%%#1200]\n[%s]\n"big\\#40000"=hex:61,62,63,64,65,66,67,68\n' \
    "$sm" "$sm" >"$tmp/bulk.reg"
  for e in big pad free order names link bulk; do
    { printf 'Windows Registry Editor Version 5.00\n'; cat "$tmp/$e.reg"; } >"$tmp/e.reg"
    "$gen" --base "$base" "$tmp/$e.hiv" "$tmp/e.reg" >/dev/null || exit 2
    seed_file "$tmp/$e.hiv"
  done
  { printf 'Windows Registry Editor Version 5.00\n'; cat "$tmp/pad.reg" "$tmp/free.reg" "$tmp/order.reg" "$tmp/names.reg"; } >"$tmp/e.reg"
  "$gen" --base "$base" "$tmp/all.hiv" "$tmp/e.reg" >/dev/null || exit 2
  seed_file "$tmp/all.hiv"
}

max_len=
dict=
case $harness in
fuzz-hive)
  # Real hives are megabytes: their first 256 KiB (base block, Select and
  # usually the control set's first bins) keep the fuzzer fast.
  max_len=262144
  for f in "$builddir"/testdata/*.hiv; do if [ -f "$f" ]; then seed_file "$f"; fi; done
  if [ -d "$hives" ]; then
    find "$hives" -type f ! -name '*.md' ! -name SHA256SUMS | sort |
      while IFS= read -r f; do seed_file "$f" "$max_len"; done
  fi
  hive_edits
  dict=$tmp/hive.dict
  printf '"regf"\n"hbin"\n"nk"\n"vk"\n"lf"\n"lh"\n"li"\n"ri"\n"sk"\n"db"\n"HvLE"\n"DIRT"\n"Select"\n"Current"\n"ControlSet001"\n"Session Manager"\n"SubSystems"\n"BootExecute"\n"KnownDLLs"\n"\\xff\\xff\\xff\\x7f"\n"\\x00\\x00\\x00\\x80"\n' >"$dict"
  ;;
fuzz-baseline)
  max_len=65536
  for f in "$srcdir"/baselines/*.yaml "$srcdir"/tests/fuzz/seed.yaml; do
    if [ -f "$f" ]; then seed_file "$f"; fi
  done
  # A file extended again and again (loaded once), and regexes whose
  # matching was not linear in glibc (searched in the text itself).
  printf 'smaudit-baseline: 1\nname: d\nextends: [base, base, base, base]\nrules: []\n' | seed
  for re in 'a[ab]{20}$' '(a+)+$' '(.*a){20}$' '^(a|ab)(c|bcd)(d*)$' '\<x\b[[:upper:]]{2,}' '[ab]{1,255}x'; do
    printf 'smaudit-baseline: 1\nname: r\nextends: base\nrules:\n  - id: SM-R\n    title: T\n    key: K\n    value: V\n    severity: low\n    normal: n\n    message: m\n    expect: { regex: %s }\n# %s\n' \
      "'$re'" "$("${PYTHON3:-python3}" -c 'print("ab" * 3000)')" | seed
  done
  # The YAML of the end-to-end tests' here-documents.
  for f in "$srcdir"/tests/cli/*.sh; do
    awk -v out="$seeds/heredoc-$(basename "$f")" '
      /<<.YAML.$/ { on = 1; k++; next }
      /^YAML$/ { on = 0; next }
      on { print > (out "-" k) }' "$f"
  done
  dict=$tmp/yaml.dict
  printf '"smaudit-baseline: 1"\n"extends: base"\n"rules:"\n"suppressions:"\n"expect:"\n"parse:"\n"field:"\n"regex:"\n"glob:"\n"one-of:"\n"&a"\n"*a"\n"!!str"\n"- "\n": "\n"{"\n"["\n' >"$dict"
  ;;
fuzz-parse)
  max_len=16384
  # Selector byte (see fuzz-parse.c), then the text.
  printf '\000%s' '%SystemRoot%\system32\csrss.exe ObjectDirectory=\Windows SharedSection=1024,20480,768 Windows=On SubSystemType=Windows ServerDll=basesrv,1 ServerDll=winsrv:UserServerDllInitialization,3 ServerDll=sxssrv,4 ProfileControl=Off MaxRequestThreads=16' | seed
  printf '\001%s' '%SystemRoot%\system32;%SystemRoot%;;C:\Users\x\AppData\Local\Temp;\\srv\share\bin;.\rel;"C:\Program Files\x"' | seed
  printf '\002%s' 'C:\pagefile.sys 768 1536' | seed
  printf '\002%s' '?:\pagefile.sys' | seed
  printf '\003%s\000%s\000%s\000\000%s' '\??\C:\Windows\System32\evil.dll' '!\??\C:\Windows\System32\kernel32.dll' '\??\C:\tmp\x' 'odd' | seed
  printf '\004%s' 'autocheck autochk /k:C *' | seed
  printf '\005\101\000\000\330\102\000\000\334' | seed
  printf '\006s%s' 'C:\csrss.exe ServerDll=basesrv,1 ServerDll=evil:Init,1 SharedSection=1,2' | seed
  printf '\007e%s' '%SystemRoot%\system32;C:\Temp' | seed
  printf '\010s%s' '.COM;.EXE;.BAT' | seed
  printf '\011m%s' 'C:\pagefile.sys 0 0|D:\pagefile.sys' | seed
  printf '\012m%s' '\??\C:\a|\??\C:\Windows\System32\drivers\x.sys|\??\C:\b|' | seed
  printf '\013m%s' 'autocheck autochk *|C:\evil.exe arg' | seed
  printf '\014%s\000%s\000%s\000%s\000%s' 'mRequired=Debug|Windows' 'mOptional=Posix' 'eWindows=C:\csrss.exe ServerDll=basesrv,1' 'eDebug=' 'sPosix=psxss.exe' | seed
  printf '\015%s\000%s\000%s' 'sDllDirectory=%SystemRoot%\system32' 'skernel32=kernel32.dll' 'suser32=evil.dll' | seed
  printf '\016%s\000%s\000%s\000%s' 'dCurrent=1' 'dDefault=2' 'dLastKnownGood=9' 'dFailed=0' | seed
  ;;
fuzz-txlog)
  max_len=524288
  # Header: primary length, LOG1 length (32-bit LE); then primary, LOG1, LOG2.
  w10=$hives/win10-1709-x64
  if [ -f "$w10/SYSTEM.LOG1" ]; then
    "${PYTHON3:-python3}" - "$w10" "$seeds" <<'PY'
import struct, sys
d, out = sys.argv[1], sys.argv[2]
def head(p, n):
    with open(p, "rb") as f:
        return f.read(n)
for i, (pn, l1n, l2n) in enumerate([(65536, 196608, 196608),
                                    (131072, 262144, 0),
                                    (16384, 0, 262144)]):
    prim = head(d + "/SYSTEM", pn)
    l1 = head(d + "/SYSTEM.LOG1", l1n)
    l2 = head(d + "/SYSTEM.LOG2", l2n)
    with open("%s/txlog-%d" % (out, i), "wb") as f:
        f.write(struct.pack("<II", len(prim), len(l1)) + prim + l1 + l2)
PY
  fi
  # A clean fixture and no logs: the paths that replay nothing.
  for f in "$builddir"/testdata/win-10.hiv; do
    if [ -f "$f" ]; then { printf '\000\000\002\000\000\000\000\000'; head -c 131072 "$f"; } | seed; fi
  done
  # A 16 KiB log whose one valid entry declares 2 GiB of hive bins.
  if [ -f "$builddir/testdata/win-10.hiv" ] &&
    "${PYTHON3:-python3}" "$srcdir/tests/cli/hostile-log.py" \
      "$builddir/testdata/win-10.hiv" "$tmp/hl.hiv" "$tmp/hl.log"; then
    "${PYTHON3:-python3}" -c '
import struct, sys
p, l = (open(f, "rb").read() for f in sys.argv[1:3])
sys.stdout.buffer.write(struct.pack("<II", len(p), len(l)) + p + l)' \
      "$tmp/hl.hiv" "$tmp/hl.log" | seed
  fi
  dict=$tmp/log.dict
  printf '"regf"\n"hbin"\n"HvLE"\n"DIRT"\n"\\x01\\x00\\x00\\x00"\n"\\x02\\x00\\x00\\x00"\n"\\x06\\x00\\x00\\x00"\n' >"$dict"
  ;;
fuzz-image)
  # A small Windows volume built from a fixture (testdata/gen-image and
  # mkntfs, as tests/cli/images.sh does), bare, behind MBR and GPT tables
  # and in an E01 (ewfacquirestream, its chunks stored and compressed),
  # plus a bare MBR and a bare NTFS boot sector.  Without the tools the run
  # fails: it would fuzz nothing that matters.
  max_len=4194304
  gen=$builddir/testdata/gen-image
  mkntfs=$(PATH="$PATH:/usr/sbin:/sbin" command -v mkntfs || true)
  sfdisk=$(PATH="$PATH:/usr/sbin:/sbin" command -v sfdisk || true)
  hive=$builddir/testdata/win-10.hiv
  vol=$tmp/win.ntfs
  if [ -x "$gen" ] && [ -n "$mkntfs" ] && [ -f "$hive" ] &&
    truncate -s 2M "$vol" && "$mkntfs" -F -q -Q -c 512 -s 512 "$vol" >/dev/null 2>&1 &&
    "$gen" "$vol" "Windows/System32/config/SYSTEM=$hive" \
      "Windows/System32/config/SYSTEM.LOG1=$hive" \
      "Windows/System32/config/RegBack/SYSTEM=$hive"; then
    seed_file "$vol"
    ewf=$(PATH="$PATH:/usr/sbin:/sbin" command -v ewfacquirestream || true)
    for comp in none fast; do
      if [ -z "$ewf" ] || ! "$ewf" -q -t "$tmp/ewf-$comp" -c "$comp" <"$vol" >/dev/null 2>&1 ||
        [ ! -s "$tmp/ewf-$comp.E01" ]; then
        echo "$0: fuzz-image: cannot build its E01 seed (-c $comp): ${ewf:-ewfacquirestream (Debian ewf-tools) not found}" >&2
        exit 2
      fi
      seed_file "$tmp/ewf-$comp.E01"
    done
    if [ -n "$sfdisk" ]; then
      for table in dos gpt; do
        img=$tmp/disk-$table
        truncate -s 4M "$img"
        printf 'label: %s\nstart=2048, size=4096\n' "$table" | "$sfdisk" -q "$img" >/dev/null 2>&1 &&
          dd if="$vol" of="$img" bs=512 seek=2048 conv=notrunc status=none &&
          seed_file "$img"
      done
    fi
  else
    # Two synthetic sectors reach none of the NTFS, registry or log code:
    # a run from them alone would pass while fuzzing nothing that matters.
    why="testdata/gen-image not built (configure found no libntfs-3g: install ntfs-3g-dev)"
    if [ -x "$gen" ]; then
      why="mkntfs (ntfs-3g) or testdata/win-10.hiv missing, or the volume could not be written"
    fi
    echo "$0: fuzz-image: cannot build its seed images: $why" >&2
    exit 2
  fi
  { head -c 510 /dev/zero; printf '\125\252'; } | seed
  { printf '\353\122\220NTFS    '; head -c 499 /dev/zero; printf '\125\252'; } | seed
  dict=$tmp/image.dict
  printf '"NTFS    "\n"-FVE-FS-"\n"EFI PART"\n"FILE"\n"INDX"\n"$MFT"\n"\x55\xaa"\n"\x07"\n"\xee"\n"\x05"\n"\x0f"\n"conectix"\n"vhdxfile"\n"KDMV"\n"EVF\x09\x0d\x0a\xff\x00"\n"sectors"\n"table"\n"table2"\n"volume"\n"done"\n"next"\n' >"$dict"
  ;;
fuzz-pe)
  # Each input is read as a PE (and its signature checked) and as a
  # catalog.  The real signed and unsigned files and catalogs
  # (../shared/pe, by path) and small
  # PEs made here with clang and lld-link when they are installed.
  max_len=1572864
  pe=${SMAUDIT_PE:-$(dirname "$hives")/pe}
  if [ -d "$pe" ]; then
    for f in "$pe"/*.sys "$pe"/*.dll "$pe"/*.exe "$pe"/*.cat; do
      if [ -f "$f" ]; then seed_file "$f"; fi
    done
  fi
  if command -v clang >/dev/null && command -v lld-link >/dev/null; then
    printf 'int NtProcessStartup(void *p) { (void)p; return 0; }\n' >"$tmp/n.c"
    clang --target=x86_64-pc-windows-msvc -c -O1 -o "$tmp/n.obj" "$tmp/n.c" 2>/dev/null &&
      lld-link /subsystem:native /entry:NtProcessStartup /nodefaultlib \
        /out:"$tmp/n.exe" "$tmp/n.obj" >/dev/null 2>&1 && seed_file "$tmp/n.exe"
  fi
  { printf 'MZ'; head -c 58 /dev/zero; printf '\100\000\000\000PE\000\000'; } | seed
  dict=$tmp/pe.dict
  printf '"MZ"\n"PE\\x00\\x00"\n"\\x0b\\x02"\n"\\x0b\\x01"\n"\\x64\\x86"\n"\\x10\\x00\\x00\\x80"\n"V\\x00S\\x00_\\x00"\n"\\xbd\\x04\\xef\\xfe"\n"\\x00\\x02\\x02\\x00"\n' >"$dict"
  ;;
*)
  echo "$0: unknown harness $harness" >&2
  exit 2
  ;;
esac

set -- -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
  -max_len="$max_len" -print_final_stats=1 \
  -artifact_prefix="$artifacts/" ${dict:+-dict="$dict"} "$@"
echo "$0: $harness for ${seconds}s, $(ls "$seeds" | wc -l) seeds" >&2
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:allocator_may_return_null=1}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS UBSAN_OPTIONS
# The image readers of The Sleuth Kit leak on some malformed containers.
if [ "$harness" = fuzz-image ] && [ -z "${LSAN_OPTIONS:-}" ]; then
  LSAN_OPTIONS=suppressions=$(cd "$(dirname "$0")" && pwd)/image-lsan.supp
  export LSAN_OPTIONS
fi
rc=0
# TMPDIR: fuzz-image writes its E01 inputs in a folder there, which
# libFuzzer's exit at the time limit leaves; the trap removes it.
TMPDIR=$tmp "$bin" "$@" "$corpus" "$seeds" || rc=$?
echo "$0: $harness: corpus $(ls "$corpus" | wc -l) files; exit $rc" >&2
exit "$rc"
