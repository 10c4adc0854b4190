#!/usr/bin/env python3
"""Write the benchmark's stand-in baseline to standard output.

    baseline.py WIN10.reg > bench-baseline.yaml

Used by bench/run.sh when no shipped baseline is found for a hive.  It
covers the keys a shipped baseline covers (Select, Session Manager and its
subkeys, Setup): a set of hand-written rules with the parsers (boot-execute,
csrss, subsystems, known-dlls, path-list, paging-files, pending-renames,
select) and one type-and-form rule per value found in the Session Manager
keys of WIN10.reg (about 150 rules in all), so that loading and validating
it costs what loading a real baseline costs.
"""
import json
import re
import sys

q = json.dumps  # a JSON string is a YAML double-quoted scalar

FIXED = r'''
  - id: SM-SELECT-DANGLING
    title: Select names a missing control set
    key: Select
    root: hive
    severity: high
    normal: every Select value names a control set
    message: m
    parse: select
    field: dangling
    expect: {empty: true}
  - id: SM-SELECT-CURRENT
    title: Current vs Default
    key: Select
    root: hive
    severity: info
    normal: same
    message: m
    parse: select
    field: current-vs-default
    expect: {equals: same}
  - id: SM-BOOTEXECUTE
    title: Boot-time programs
    key: Control\Session Manager
    value: BootExecute
    severity: critical
    normal: autocheck autochk *
    message: m
    type: REG_MULTI_SZ
    parse: boot-execute
    field: programs
    expect: {allowed: [autochk]}
  - id: SM-BOOTEXECUTE-ARGS
    title: autochk arguments
    key: Control\Session Manager
    value: BootExecute
    severity: medium
    normal: "*"
    message: m
    parse: boot-execute
    field: autochk-args
    expect: {regex: "^(/[a-z]:[^ ]+ )*\\*$"}
  - id: SM-SETUPEXECUTE
    title: Setup-time programs
    key: Control\Session Manager
    value: SetupExecute
    severity: critical
    normal: empty
    message: m
    parse: boot-execute
    field: programs
    expect: {empty: true}
  - id: SM-EXECUTE
    title: Execute
    key: Control\Session Manager
    value: Execute
    severity: critical
    normal: empty
    message: m
    parse: boot-execute
    field: programs
    expect: {empty: true}
  - id: SM-PENDING-CRITICAL
    title: Pending renames of boot-critical files
    key: Control\Session Manager
    value: PendingFileRenameOperations
    severity: high
    normal: none
    message: m
    parse: pending-renames
    field: system-code
    expect: {empty: true}
  - id: SM-UNLISTED
    title: Unexpected Session Manager value
    key: Control\Session Manager
    severity: medium
    normal: n
    message: m
    values: {report: true, allow: ["GlobalFlag*", "Heap*"], ignore: []}
  - id: SM-SUBSYS-NAMES
    title: Subsystems
    key: Control\Session Manager\SubSystems
    severity: critical
    normal: Debug and Windows
    message: m
    parse: subsystems
    field: required
    expect: {exact: [Debug, Windows]}
  - id: SM-SUBSYS-OPTIONAL
    title: Optional subsystems
    key: Control\Session Manager\SubSystems
    severity: high
    normal: empty or Posix
    message: m
    parse: subsystems
    field: optional
    expect: {allowed: [Posix]}
  - id: SM-SUBSYS-UNLISTED
    title: Unexpected value under SubSystems
    key: Control\Session Manager\SubSystems
    severity: high
    normal: n
    message: m
    values: {report: true, allow: [Posix, Debug, Kmode, Optional, Required, Windows, CSRSS, "@"]}
    subkeys: {report: true}
  - id: SM-CSRSS-SERVERDLLS
    title: csrss server DLLs
    key: Control\Session Manager\SubSystems
    value: Windows
    severity: critical
    normal: basesrv, winsrv, sxssrv
    message: m
    parse: csrss
    field: serverdll-names
    expect: {allowed: [basesrv, winsrv, sxssrv]}
  - id: SM-CSRSS-UNKNOWN
    title: csrss unknown parameters
    key: Control\Session Manager\SubSystems
    value: Windows
    severity: high
    normal: none
    message: m
    parse: csrss
    field: unknown-parameters
    expect: {empty: true}
  - id: SM-CSRSS-SHAREDSECTION
    title: csrss SharedSection
    key: Control\Session Manager\SubSystems
    value: Windows
    severity: low
    normal: three numbers
    message: m
    tunable: true
    parse: csrss
    field: sharedsection
    expect: {regex: "^[0-9]+(,[0-9]+){1,2}$"}
  - id: SM-CSRSS-IMAGE
    title: csrss image
    key: Control\Session Manager\SubSystems
    value: Windows
    severity: critical
    normal: csrss.exe
    message: m
    parse: csrss
    field: image
    expect: {glob: "*\\system32\\csrss.exe"}
  - id: SM-KNOWNDLLS-MISMATCH
    title: KnownDLLs name and file differ
    key: Control\Session Manager\KnownDLLs
    severity: high
    normal: none
    message: m
    parse: known-dlls
    field: mismatched
    expect: {empty: true}
  - id: SM-KNOWNDLLS-DIR
    title: KnownDLLs directory
    key: Control\Session Manager\KnownDLLs
    severity: high
    normal: "%SystemRoot%\\system32"
    message: m
    parse: known-dlls
    field: dll-directory
    expect: {equals: "%SystemRoot%\\system32"}
  - id: SM-ENV-PATH-BEFORE
    title: Path entries before system32
    key: Control\Session Manager\Environment
    value: Path
    severity: high
    normal: none
    message: m
    parse: path-list
    field: before-system
    expect: {empty: true}
  - id: SM-ENV-PATH-RELATIVE
    title: Relative Path entries
    key: Control\Session Manager\Environment
    value: Path
    severity: medium
    normal: none
    message: m
    parse: path-list
    field: relative
    expect: {empty: true}
  - id: SM-ENV-PATH-UNC
    title: UNC Path entries
    key: Control\Session Manager\Environment
    value: Path
    severity: medium
    normal: none
    message: m
    parse: path-list
    field: unc
    expect: {empty: true}
  - id: SM-ENV-PATH-WRITABLE
    title: User-writable Path entries
    key: Control\Session Manager\Environment
    value: Path
    severity: high
    normal: none
    message: m
    parse: path-list
    field: user-writable
    expect: {empty: true}
  - id: SM-ENV-UNLISTED
    title: Unexpected environment variable
    key: Control\Session Manager\Environment
    severity: low
    normal: n
    message: m
    values: {report: true, ignore: ["PROCESSOR_*", NUMBER_OF_PROCESSORS]}
  - id: SM-PAGINGFILES
    title: Paging files
    key: Control\Session Manager\Memory Management
    value: PagingFiles
    severity: low
    normal: "?:\\pagefile.sys"
    message: m
    parse: paging-files
    field: paths
    expect: {glob: "?:\\pagefile.sys"}
  - id: SM-APPCERTDLLS
    title: AppCertDlls
    key: Control\Session Manager\AppCertDlls
    severity: critical
    normal: absent
    message: m
    presence: forbidden
  - id: SM-SETUP-CMDLINE
    title: Setup command line
    key: Setup
    root: hive
    value: CmdLine
    severity: high
    normal: empty
    message: m
    expect: {regex: "^(setup -newsetup( -mini)?|oobe\\\\windeploy\\.exe|)$"}
  - id: SM-SETUP-TYPE
    title: Setup type
    key: Setup
    root: hive
    value: SetupType
    severity: high
    normal: "0"
    message: m
    expect: {equals: 0}
'''

TYPES = {'dword': 'REG_DWORD', 'multi': 'REG_MULTI_SZ', 'str(2)': 'REG_EXPAND_SZ',
         'hex(7)': 'REG_MULTI_SZ', 'hex(2)': 'REG_EXPAND_SZ', 'hex(b)': 'REG_QWORD',
         'hex': 'REG_BINARY', 'str(1)': 'REG_SZ'}


def per_value_rules(reg):
    key = None
    n = 0
    out = []
    for line in open(reg, encoding='utf-8'):
        line = line.rstrip('\n')
        m = re.match(r'^\[(?:HKEY_LOCAL_MACHINE\\SYSTEM\\)?ControlSet001\\(Control\\Session Manager.*)\]$', line)
        if m:
            key = m.group(1)
            continue
        if line.startswith('['):
            key = None
            continue
        m = re.match(r'^"((?:[^"\\]|\\.)*)"=(.*)$', line)
        if not key or not m:
            continue
        name, data = m.group(1).replace('\\\\', '\\'), m.group(2)
        if data.startswith('"'):
            t = 'REG_SZ'
        else:
            t = TYPES.get(data.split(':', 1)[0])
        if not t:
            continue
        n += 1
        rule = [f'  - id: SM-BENCH-{n:03d}', f'    title: {q(name + " form")}',
                f'    key: {q(key)}', f'    value: {q(name)}',
                '    severity: low', '    normal: n', '    message: m',
                f'    type: {t}']
        if t == 'REG_DWORD':
            rule.append('    expect: {range: {min: 0, max: 0xFFFFFFFF}}')
        elif t in ('REG_SZ', 'REG_EXPAND_SZ'):
            rule.append('    expect: {regex: "^[^<>|\\"]*$"}')
        elif t == 'REG_MULTI_SZ':
            rule.append('    expect: {forbidden: ["*\\\\Temp\\\\*", "*\\\\Users\\\\*"]}')
        out.append('\n'.join(rule))
        if key.endswith('KnownDLLs') and t == 'REG_SZ':
            n += 1
            out.append('\n'.join([
                f'  - id: SM-BENCH-{n:03d}', f'    title: {q(name + " file")}',
                f'    key: {q(key)}', f'    value: {q(name)}',
                '    severity: medium', '    normal: n', '    message: m',
                '    expect: {glob: "*.dll"}']))
    return out


def main():
    print('smaudit-baseline: 1')
    print('name: bench-windows-10')
    print('description: stand-in baseline of bench/run.sh')
    print('rules:', end='')
    print(FIXED.rstrip())
    for r in per_value_rules(sys.argv[1]):
        print(r)
    print('suppressions:')
    print('  - rule: SM-ENV-PATH-WRITABLE')
    print('    observed: "C:\\\\Tools\\\\*"')
    print('    justification: bench')


main()
