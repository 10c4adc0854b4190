#!/bin/sh
# The files of every action of the boot plan, behind a normal registry:
# Windows 10's own configuration (the win-10 fixture, unchanged) in NTFS
# volumes built here, with a replaced KnownDLL, a replaced csrss.exe, a
# Win32 autochk.exe and a timestomped ServerDll; a clean volume with only
# genuine files (../shared/pe); the hive's Path deciding which autochk
# runs; 8.3 short names; a Windows folder not named Windows; a triage copy
# without smss.exe.
. "$(dirname "$0")/setup.sh"
. "$(dirname "$0")/images-lib.sh"
. "$(dirname "$0")/pe-lib.sh"

pe "$tmp/smss.exe" native smss.exe &&
  pe "$tmp/kernel32.dll" windows kernel32 dll &&
  pe "$tmp/csrss.exe" native CSRSS.Exe &&
  pe "$tmp/autochk.exe" windows autochk.exe &&
  pe "$tmp/basesrv.dll" windows basesrv.dll dll
check "PEs are built" [ $? = 0 ]

# Normal registry, tampered files.
ntfs "$tmp/t.ntfs" 24 "$S/config/SYSTEM=$FIXTURES/win-10.hiv" \
  "$S/smss.exe=$tmp/smss.exe" "$S/kernel32.dll=$tmp/kernel32.dll" \
  "$S/csrss.exe=$tmp/csrss.exe" "$S/autochk.exe=$tmp/autochk.exe" \
  "$S/basesrv.dll~1262304000=$tmp/basesrv.dll"
check "a volume with Windows 10's registry and tampered files" [ $? = 0 ]

run scan --format json --fail-on never "$FIXTURES/win-10.hiv"
q "sorted((f['rule'], f['key'], f['value'], f['observed']) for f in r['findings'])" >"$tmp/lone"
run scan --format json --fail-on never "$tmp/t.ntfs"
check "image: audited" [ "$rc" = 0 ]
check "the registry is normal: the other findings are the lone hive's" \
  is_true "sorted((f['rule'], f['key'], f['value'], f['observed']) for f in r['findings'] if not f['rule'].startswith('SM-FILE')) == $(cat "$tmp/lone")"
KD='ControlSet001\\Control\\Session Manager\\KnownDLLs'
SS='ControlSet001\\Control\\Session Manager\\SubSystems'
SM='ControlSet001\\Control\\Session Manager'
check "replaced KnownDLL: SM-FILE-UNSIGNED on KnownDLLs\\kernel32, with the file" \
  is_true "ff[('SM-FILE-UNSIGNED', '${P}kernel32.dll')]['key'] == '$KD' and ff[('SM-FILE-UNSIGNED', '${P}kernel32.dll')]['value'] == 'kernel32' and ff[('SM-FILE-UNSIGNED', '${P}kernel32.dll')]['files'][0]['sha256'] == '$(sha256sum "$tmp/kernel32.dll" | cut -c1-64)'"
check "kernel32's OriginalFilename without extension is its name" \
  is_true "('SM-FILE-NAME-MISMATCH', '${P}kernel32.dll') not in ff"
check "replaced csrss.exe: SM-FILE-UNSIGNED on SubSystems\\Windows" \
  is_true "ff[('SM-FILE-UNSIGNED', '${P}csrss.exe')]['key'] == '$SS' and ff[('SM-FILE-UNSIGNED', '${P}csrss.exe')]['value'] == 'Windows' and ('SM-FILE-NAME-MISMATCH', '${P}csrss.exe') not in ff"
check "Win32 autochk.exe: SM-FILE-NOT-NATIVE and -UNSIGNED on BootExecute" \
  is_true "ff[('SM-FILE-NOT-NATIVE', '${P}autochk.exe')]['value'] == 'BootExecute' and ff[('SM-FILE-NOT-NATIVE', '${P}autochk.exe')]['key'] == '$SM' and ('SM-FILE-UNSIGNED', '${P}autochk.exe') in ff"
check "timestomped ServerDll: SM-FILE-TIMESTOMPED on SubSystems\\Windows" \
  is_true "ff[('SM-FILE-TIMESTOMPED', '${P}basesrv.dll')]['value'] == 'Windows' and ff[('SM-FILE-TIMESTOMPED', '${P}basesrv.dll')]['files'][0]['times']['si']['created'].startswith('2010-01-01T00:00:00')"
check "absent ServerDll and Kmode: SM-FILE-MISSING" \
  is_true "('SM-FILE-MISSING', '${P}winsrv.dll') in ff and ('SM-FILE-MISSING', '${P}win32k.sys') in ff"
check "absent KnownDLLs of a normal list: not missing (smss.exe skips them)" \
  is_true "not [k for k in ff if k[0] == 'SM-FILE-MISSING' and ff[k]['key'] == '$KD']"
check "absent BootShell program: not missing (recovery only)" \
  is_true "('SM-FILE-MISSING', '${P}bootim.exe') not in ff"
check "pending deletes of absent files: nothing" \
  is_true "not [k for k in ff if ff[k]['value'].startswith('PendingFileRename')]"

run plan --format json --fail-on never "$tmp/t.ntfs"
check "plan: the kernel32 action has its file and its SM-FILE finding" \
  is_true "[(a['files'][0]['file']['sha256'], [r['findings'][i]['rule'] for i in a['findings']]) for a in r['plan']['actions'] if a['kind'] == 'known-dll' and a['value'] == 'kernel32'] == [('$(sha256sum "$tmp/kernel32.dll" | cut -c1-64)', ['SM-FILE-UNSIGNED'])]"
check "plan: csrss.exe and each ServerDll looked up" \
  is_true "[f['file']['exists'] for a in r['plan']['actions'] if a['kind'] in ('subsystem', 'server-dll') for f in a['files']] == [True, True, False, False]"
check "plan: a directory and a paging file are not looked up" \
  is_true "{f['file'] is None for a in r['plan']['actions'] for f in a['files'] if f['role'] in ('directory', 'paging-file', 'target')} == {True}"
run plan --fail-on never "$tmp/t.ntfs"
check "plan text: the file line under the action" \
  grep -q "file         c:.windows.system32.kernel32.dll: .* bytes, sha256 .*windows-gui DLL \"kernel32\", unsigned" "$tmp/out"
run scan --format json --fail-on never --no-files "$tmp/t.ntfs"
check "--no-files: no SM-FILE finding" is_true "not ff"

# The hive's Path puts C:\Tools before System32: smss.exe runs the
# autochk.exe it finds there.
reg_volume path "$tmp/p.ntfs" \
  "$S/smss.exe=$tmp/smss.exe" "Tools/autochk.exe=$tmp/autochk.exe" <<'EOF2'
Windows Registry Editor Version 5.00
[ControlSet001\Control\Session Manager\Environment]
"Path"=str(2):"C:\\Tools;%SystemRoot%\\system32;%SystemRoot%"
EOF2
check "a volume whose Path searches C:\\Tools first" [ $? = 0 ]
run plan --format json --fail-on never "$tmp/p.ntfs"
check "the copy found first along the Path is checked as the program" \
  is_true "[(f['role'], f['file']['exists'], f['file']['pe']['subsystem']) for a in r['plan']['actions'] if a['kind'] == 'boot-program' for f in a['files'] if f['file'] and f['file']['exists']] == [('searched-first', True, 'windows-gui')]"
check "and judged: SM-FILE-NOT-NATIVE on the copy in Tools; System32 absence is no finding" \
  is_true "('SM-FILE-NOT-NATIVE', 'c:\\\\tools\\\\autochk.exe') in ff and ('SM-FILE-MISSING', '${P}autochk.exe') not in ff"

# Pending renames: a source is built as its destination, or it is a
# renamed copy (cmd.exe queued to replace sethc.exe).
pe "$tmp/cmd.exe" windows cmd.exe && pe "$tmp/winlogon.exe" windows winlogon.exe
reg_volume pfro "$tmp/r.ntfs" \
  "$S/smss.exe=$tmp/smss.exe" "Windows/Temp/a.tmp=$tmp/cmd.exe" \
  "Windows/Temp/b.tmp=$tmp/winlogon.exe" <<'EOF2'
Windows Registry Editor Version 5.00
[ControlSet001\Control\Session Manager]
"PendingFileRenameOperations"=multi:"\\??\\C:\\Windows\\Temp\\a.tmp","!\\??\\C:\\Windows\\System32\\sethc.exe","\\??\\C:\\Windows\\Temp\\b.tmp","!\\??\\C:\\Windows\\System32\\winlogon.exe"
EOF2
check "a volume with pending replacements" [ $? = 0 ]
run scan --format json --fail-on never "$tmp/r.ntfs"
check "a rename's source built as another file: SM-FILE-NAME-MISMATCH" \
  is_true "('SM-FILE-NAME-MISMATCH', 'c:\\\\windows\\\\temp\\\\a.tmp') in ff and ('SM-FILE-NAME-MISMATCH', 'c:\\\\windows\\\\temp\\\\b.tmp') not in ff"
check "absent destinations are no finding" \
  is_true "not [k for k in ff if k[0] == 'SM-FILE-MISSING' and 'PendingFile' in ff[k]['value']]"

# 8.3 short names: BootExecute names the program by its short path.
reg_volume short "$tmp/s.ntfs" \
  "$S/smss.exe=$tmp/smss.exe" \
  "Program Files|PROGRA~1/Contoso/LongBootProgram.exe|LONGBO~1.EXE=$tmp/autochk.exe" <<'EOF2'
Windows Registry Editor Version 5.00
[ControlSet001\Control\Session Manager]
"BootExecute"=multi:"autocheck autochk *","\\??\\C:\\PROGRA~1\\Contoso\\LONGBO~1.EXE"
EOF2
check "a volume whose names have 8.3 short names (libntfs-3g)" [ $? = 0 ]
run scan --format json --fail-on never "$tmp/s.ntfs"
check "a short path finds the file: its long names stored" \
  is_true "files['c:\\\\progra~1\\\\contoso\\\\longbo~1.exe']['exists'] and files['c:\\\\progra~1\\\\contoso\\\\longbo~1.exe']['found'] == '\\\\Program Files\\\\Contoso\\\\LongBootProgram.exe'"
check "and its name is the long one: OriginalFilename autochk.exe mismatches" \
  is_true "('SM-FILE-NAME-MISMATCH', 'c:\\\\progra~1\\\\contoso\\\\longbo~1.exe') in ff and ('SM-FILE-NOT-NATIVE', 'c:\\\\progra~1\\\\contoso\\\\longbo~1.exe') in ff"

# 8.3 names in a large folder: each folder's short names are read once,
# not once per lookup (1,500 short names looked up among 4,000 files took
# over 30 s, a file record read per entry per lookup).
"$PYTHON3" -c '
import sys
names = ["\"\\\\??\\\\C:\\\\Windows\\\\System32\\\\NOPE~%d.EXE\"" % i for i in range(1500)]
names += ["\"\\\\??\\\\C:\\\\Windows\\\\System32\\\\LONGBO~%d.EXE\"" % i for i in (1, 2)]
print("Windows Registry Editor Version 5.00")
print("[ControlSet001\\Control\\Session Manager]")
print("\"BootExecute\"=multi:\"autocheck autochk *\",%s" % ",".join(names))' >"$tmp/many83.reg"
"$GEN_HIVE" --base "$FIXTURES/win-10.hiv" "$tmp/many83.hiv" "$tmp/many83.reg"
set -- "$S/config/SYSTEM=$tmp/many83.hiv" "$S/smss.exe=$tmp/smss.exe" \
  "$S/LongBootProgram1.exe|LONGBO~1.EXE=$tmp/autochk.exe" \
  "$S/LongBootProgram2.exe|LONGBO~2.EXE=$tmp/smss.exe"
i=0
while [ $i -lt 4000 ]; do
  set -- "$@" "$S/file$i.dll=$tmp/smss.exe"
  i=$((i + 1))
done
ntfs "$tmp/m83.ntfs" 64 "$@"
check "a volume with 4,000 files in System32" [ $? = 0 ]
limited scan --format json --fail-on never --no-hash "$tmp/m83.ntfs"
check "1,500 short names looked up among them, in time (exit $rc)" [ "$rc" = 0 ]
check "the two short names found, each its own file; the others absent" \
  is_true "(files['${P}longbo~1.exe']['found'], files['${P}longbo~2.exe']['found'], files['${P}longbo~2.exe']['pe']['version']['OriginalFilename'], sorted(set(x['exists'] for k, x in files.items() if 'nope~' in k))) == ('\\\\Windows\\\\System32\\\\LongBootProgram1.exe', '\\\\Windows\\\\System32\\\\LongBootProgram2.exe', 'smss.exe', [False])"

# A Windows folder named WINNT, in a folder tree: C:\Windows is it.
mkdir -p "$tmp/nt/WINNT/system32/config"
cp "$FIXTURES/win-10.hiv" "$tmp/nt/WINNT/system32/config/SYSTEM"
cp "$tmp/smss.exe" "$tmp/nt/WINNT/system32/smss.exe"
cp "$tmp/csrss.exe" "$tmp/nt/WINNT/system32/csrss.exe"
run scan --format json --fail-on never "$tmp/nt/WINNT/system32/config/SYSTEM"
check "WINNT: %SystemRoot% is the folder the hive lies in" \
  is_true "ff[('SM-FILE-UNSIGNED', '${P}csrss.exe')]['files'][0]['found'].endswith('WINNT\\\\system32\\\\csrss.exe')"

# A triage copy: the hive and one program, no smss.exe.
mkdir -p "$tmp/triage/Windows/System32/config"
cp "$FIXTURES/win-10.hiv" "$tmp/triage/Windows/System32/config/SYSTEM"
cp "$tmp/csrss.exe" "$tmp/triage/Windows/System32/csrss.exe"
run scan --format json --fail-on never "$tmp/triage/Windows/System32/config/SYSTEM"
check "triage copy: nothing missing, absent files unknown with the reason" \
  is_true "not [k for k in ff if k[0] == 'SM-FILE-MISSING'] and ('SM-FILE-UNSIGNED', '${P}csrss.exe') in ff"
run plan --format json --fail-on never "$tmp/triage/Windows/System32/config/SYSTEM"
check "triage copy: an absent ServerDll is exists null, said why" \
  is_true "[(f['file']['exists'], 'smss.exe' in f['file']['reason']) for a in r['plan']['actions'] if a['kind'] == 'server-dll' for f in a['files']][0] == (None, True)"

# A clean volume with only genuine files: no Microsoft-signed csrss.exe
# is at hand, so the registry names the real signed files of ../shared/pe
# by their own names (a driver with an embedded signature, a DLL signed
# through the catalog) wherever Windows code runs.
if [ -d "$PE" ]; then
  dxcore_plain "$tmp/dxcore.dll" &&
    reg_volume clean "$tmp/c.ntfs" \
      "$S/smss.exe=$tmp/smss.exe" "$S/pciide.sys=$PE/pciide.sys" \
      "$S/dxcore.dll=$tmp/dxcore.dll" \
      "$S/CatRoot/{F750E6C3-38EE-11D1-85E5-00C04FC295EE}/$CAT=$PE/$CAT" <<'EOF2'
Windows Registry Editor Version 5.00
[ControlSet001\Control\Session Manager]
"BootExecute"=multi:"autocheck pciide.sys"
[-ControlSet001\Control\Session Manager\KnownDLLs]
[ControlSet001\Control\Session Manager\KnownDLLs]
"dxcore"="dxcore.dll"
[ControlSet001\Control\Session Manager\SubSystems]
"Kmode"=str(2):"\\SystemRoot\\System32\\pciide.sys"
"Windows"=str(2):"%SystemRoot%\\system32\\pciide.sys ObjectDirectory=\\Windows SharedSection=1024,20480,768 Windows=On SubSystemType=Windows ServerDll=dxcore,1 ProfileControl=Off MaxRequestThreads=16"
EOF2
  check "a clean volume with genuine files" [ $? = 0 ]
  run plan --format json --fail-on never --trust-file "$PE/legacy-certs.pem" \
    "$tmp/c.ntfs"
  check "clean: every file of code is there and valid on a pinned root" \
    is_true "{(f['file']['path'], f['file']['signature']['status'], f['file']['signature']['trust']) for a in r['plan']['actions'] if a['kind'] in ('boot-program', 'known-dll', 'subsystem', 'server-dll', 'kernel-module') for f in a['files'] if f['file']} == {('${P}pciide.sys', 'valid', 'pinned'), ('${P}dxcore.dll', 'valid', 'pinned')}"
  check "clean: no SM-FILE finding" is_true "not ff"
else
  skip "a clean volume with genuine files" "no ../shared/pe (SMAUDIT_PE)"
fi

# A folder that cannot be read (its file record damaged) is no proof that
# the files in it are absent: each is unknown, the reason said.  The
# pending deletes of win-10 name files in C:\Config.Msi.
IFIND=$(tool ifind)
if [ -z "$IFIND" ]; then
  skip "an unreadable folder: its files unknown" "ifind (Debian sleuthkit) not found"
  done_testing
  exit 0
fi
# damage_record VOLUME FOLDER: the folder's MFT record (FILE, its number
# at 0x2C) made to fail its update sequence: the last two bytes of its
# first sector changed.
damage_record() {
  "$PYTHON3" - "$1" "$("$IFIND" -n "$2" "$1")" <<'PY'
import struct, sys
d = bytearray(open(sys.argv[1], "rb").read())
for off in range(0, len(d), 1024):
    if d[off:off + 4] == b"FILE" and \
            struct.unpack_from("<I", d, off + 0x2C)[0] == int(sys.argv[2]):
        d[off + 510] ^= 0xFF
open(sys.argv[1], "wb").write(bytes(d))
PY
}
ntfs "$tmp/d.ntfs" 24 "$S/config/SYSTEM=$FIXTURES/win-10.hiv" \
  "$S/smss.exe=$tmp/smss.exe" "Config.Msi/other.rbf=$tmp/smss.exe"
damage_record "$tmp/d.ntfs" /Config.Msi
run scan --format json --fail-on never "$tmp/d.ntfs"
check "an unreadable folder: its files unknown, not absent, the folder named" \
  is_true "[(x['exists'], 'config.msi' in (x['reason'] or '').lower()) for f in r['findings'] for x in f['files'] if x['path'] == 'c:\\\\config.msi\\\\a014fa5.rbf'] == [(None, True)]"

# The catalogs that sign Windows' files cannot be read (their CatRoot
# folder's record damaged): an unsigned file there is not known unsigned.
CR='Windows/System32/CatRoot/{F750E6C3-38EE-11D1-85E5-00C04FC295EE}'
ntfs "$tmp/c.ntfs" 24 "$S/config/SYSTEM=$FIXTURES/win-10.hiv" \
  "$S/smss.exe=$tmp/smss.exe" "$S/autochk.exe=$tmp/smss.exe" \
  "$CR/a.cat=$tmp/smss.exe"
damage_record "$tmp/c.ntfs" "/$CR"
run plan --format json --fail-on never "$tmp/c.ntfs"
check "catalogs unreadable: autochk.exe's signature an error naming them, not unsigned" \
  is_true "[(f['file']['signature']['status'], 'catalog' in (f['file']['signature']['reason'] or '').lower()) for a in r['plan']['actions'] for f in a['files'] if f['file'] and f['file']['path'].endswith('autochk.exe')][:1] == [('error', True)]"
# A catalog there that cannot be parsed (or read) may be the one that signs
# a file: an unsigned file is then not known unsigned, and the catalog is
# named; in an image and in a folder tree alike.
autochk_sig="[(f['file']['signature']['status'], 'a.cat' in (f['file']['signature']['reason'] or '')) for a in r['plan']['actions'] for f in a['files'] if f['file'] and f['file']['path'].endswith('autochk.exe')][:1] == [('error', True)]"
ntfs "$tmp/bc.ntfs" 24 "$S/config/SYSTEM=$FIXTURES/win-10.hiv" \
  "$S/smss.exe=$tmp/smss.exe" "$S/autochk.exe=$tmp/smss.exe" \
  "$CR/a.cat=$tmp/smss.exe"
run plan --format json --fail-on never "$tmp/bc.ntfs"
check "image: a catalog that is no catalog: autochk.exe's signature an error naming it" \
  is_true "$autochk_sig"
mkdir -p "$tmp/tree/$S/config" "$tmp/tree/$CR"
cp "$FIXTURES/win-10.hiv" "$tmp/tree/$S/config/SYSTEM"
cp "$tmp/smss.exe" "$tmp/tree/$S/smss.exe"
cp "$tmp/smss.exe" "$tmp/tree/$S/autochk.exe"
cp "$tmp/smss.exe" "$tmp/tree/$CR/a.cat"
run plan --format json --fail-on never "$tmp/tree/$S/config/SYSTEM"
check "folder: a catalog that is no catalog: autochk.exe's signature an error naming it" \
  is_true "$autochk_sig"
truncate -s 65M "$tmp/tree/$CR/b.cat" # past the 64 MiB a catalog is read
run plan --format json --fail-on never "$tmp/tree/$S/config/SYSTEM"
check "folder: a catalog too large to read is counted, not left out" \
  is_true "[('2 of the volume' in f['file']['signature']['reason']) for a in r['plan']['actions'] for f in a['files'] if f['file'] and f['file']['path'].endswith('autochk.exe')][:1] == [True]"
# A SOFTWARE hive in an image that is there but cannot be read (its record
# damaged) or parsed (zeros) is said, never taken for absent.
head -c 8192 /dev/zero >"$tmp/zeros"
for how in damaged zeros; do
  src=$FIXTURES/win-10.hiv
  [ "$how" = zeros ] && src=$tmp/zeros
  ntfs "$tmp/sw.ntfs" 24 "$S/config/SYSTEM=$FIXTURES/win-10.hiv" \
    "$S/config/SOFTWARE=$src" "$S/smss.exe=$tmp/smss.exe"
  [ "$how" = damaged ] && damage_record "$tmp/sw.ntfs" "/$S/config/SOFTWARE"
  run scan --format json --fail-on never "$tmp/sw.ntfs"
  check "image: SOFTWARE $how: a warning that it cannot be read" \
    is_true "[w for w in r['warnings'] if 'SOFTWARE hive beside it cannot be read' in w] != []"
done
done_testing
