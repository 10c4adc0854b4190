# Sourced by the output-format, learn and diff tests after setup.sh: a small
# baseline of their own, so that they do not depend on the shipped ones.
write_baseline() {
  cat >"$1" <<'YAML'
smaudit-baseline: 1
name: formats-test
description: "a baseline for the format tests: a few rules on each audited key"
rules:
  - id: SM-SUBSYS-CSRSS-SERVERDLL
    title: Unexpected csrss ServerDll
    key: Control\Session Manager\SubSystems
    value: Windows
    severity: critical
    normal: "basesrv, winsrv and sxssrv."
    message: "csrss.exe loads every ServerDll at boot, as SYSTEM."
    attack: [T1547.001, T1574]
    presence: required
    type: [REG_SZ, REG_EXPAND_SZ]
    parse: csrss
    field: serverdll-names
    expect: {allowed: [basesrv, winsrv, sxssrv, consrv]}
  - id: SM-SUBSYS-SHAREDSECTION
    title: csrss SharedSection
    key: Control\Session Manager\SubSystems
    value: Windows
    severity: info
    normal: "three numbers"
    message: "desktop heap sizes"
    parse: csrss
    field: sharedsection
    tunable: true
    expect: {regex: "^[0-9]+(,[0-9]+)*$"}
  - id: SM-SUBSYS-UNLISTED
    title: Unexpected value under SubSystems
    key: Control\Session Manager\SubSystems
    severity: high
    normal: "Debug, Kmode, Optional, Required, Windows"
    message: "a subsystem started at boot"
    attack: [T1547]
    values:
      report: true
      allow: [Debug, Kmode, Optional, Required, Posix, CSRSS]
  - id: SM-SUBSYS-KMODE
    title: Kmode
    key: Control\Session Manager\SubSystems
    value: Kmode
    severity: medium
    normal: "win32k.sys"
    message: "the kernel-mode part of the Windows subsystem"
    expect: {equals: "%SystemRoot%\\system32\\win32k.sys"}
  - id: SM-BOOTEXECUTE
    title: Unexpected BootExecute entry
    key: Control\Session Manager
    value: BootExecute
    severity: high
    normal: "autocheck autochk *"
    message: "smss.exe runs each entry before Windows starts"
    attack: [T1547.012]
    presence: required
    type: REG_MULTI_SZ
    parse: boot-execute
    field: programs
    expect: {allowed: [autochk]}
  - id: SM-AUTOCHKTIMEOUT
    title: AutoChkTimeout
    key: Control\Session Manager
    value: AutoChkTimeout
    severity: info
    normal: "seconds"
    message: "how long autochk waits"
    tunable: true
    type: REG_DWORD
    expect: {range: {min: 0, max: 259200}}
  - id: SM-SETUPEXECUTE
    title: SetupExecute present
    key: Control\Session Manager
    value: SetupExecute
    severity: medium
    normal: "empty"
    message: "smss runs it"
    expect: {empty: true}
  - id: SM-KNOWNDLLS-MISMATCHED
    title: KnownDLLs name and DLL differ
    key: Control\Session Manager\KnownDLLs
    severity: high
    normal: "each name is its DLL"
    message: "a KnownDLL redirected"
    attack: [T1574.001]
    parse: known-dlls
    field: mismatched
    expect: {empty: true}
  - id: SM-ENV-UNLISTED
    title: Unexpected environment variable
    key: Control\Session Manager\Environment
    severity: low
    normal: "the usual variables"
    message: "a system-wide variable"
    values:
      report: true
      allow: [ComSpec, Path, PATHEXT, OS, TEMP, TMP, windir, USERNAME, DriverData, PSModulePath, __PSLockdownPolicy, FP_NO_HOST_CHECK]
      ignore: ["PROCESSOR_*", NUMBER_OF_PROCESSORS]
  - id: SM-APPCERTDLLS
    title: AppCertDlls present
    key: Control\Session Manager\AppCertDlls
    severity: high
    normal: "absent"
    message: "loaded into every process that calls CreateProcess"
    attack: [T1546.009]
    presence: forbidden
  - id: SM-SELECT-CURRENT
    title: Select\Current
    key: Select
    root: hive
    value: Current
    severity: medium
    normal: "1"
    message: "the control set used at boot"
    type: REG_DWORD
    expect: {range: {min: 1, max: 999}}
suppressions:
  - rule: SM-ENV-UNLISTED
    value: Sz
    justification: "a test \"suppression\", with a comma"
YAML
}

# gen_overlay OUT.hiv BASE OVERLAY-TEXT: a fixture with an overlay applied.
gen_overlay() {
  printf 'Windows Registry Editor Version 5.00\n\n%s\n' "$3" >"$tmp/overlay.reg"
  "$top_builddir/testdata/gen-hive" "$1" "$top_srcdir/testdata/reg/$2.reg" \
    "$tmp/overlay.reg"
}
# have_python: the tests that parse output need python3.
have_python() { [ "$PYTHON3" != no ] && "$PYTHON3" -c 'import json, csv' 2>/dev/null; }
