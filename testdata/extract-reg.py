#!/usr/bin/env python3
# Extract the Session Manager layout of a real SYSTEM hive as a readable .reg
# fixture (see README.md), with hivexsh:
#   python3 testdata/extract-reg.py ../shared/hives/win10-1709-x64/SYSTEM \
#       "Windows 10 1709 x64" > testdata/reg/win-10.reg
# Not run by the build: the fixtures are kept as reviewed text.
import subprocess, sys, re

hive, title = sys.argv[1], sys.argv[2]

# Services that exist only from a given Windows release on; family detection
# (checks/detect.c) reads them, so the fixtures keep them.
MARKER_SERVICES = (
    "CoreMessagingRegistrar UserManager NgcSvc OneSyncSvc CDPSvc DoSvc "
    "StateRepository BrokerInfrastructure SystemEventsBroker Wcmsvc AppXSvc "
    "DeviceAssociationService condrv StorSvc BFE MpsSvc ProfSvc Power "
    "AudioEndpointBuilder KtmRm MMCSS TrustedInstaller ShellHWDetection "
    "Themes SSDPSRV upnphost HTTP helpsvc srservice WZCSVC ERSvc "
    "FastUserSwitchingCompatibility").split()

def sh(cmds):
    r = subprocess.run(["hivexsh", hive], input="\n".join(cmds) + "\n",
                       capture_output=True, text=True, errors="surrogateescape")
    return r.stdout

def ls(path):
    return [l for l in sh(["cd " + path, "ls"]).splitlines() if l]

def resolve(parent, name):
    for c in ls(parent):
        if c.lower() == name.lower():
            return c
    return None

def q(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'

def wrap_hex(prefix, bs):
    parts = ["%02x" % b for b in bs]
    out, line = [], prefix
    for i, p in enumerate(parts):
        tok = p + ("," if i < len(parts) - 1 else "")
        if len(line) + len(tok) > 77:
            out.append(line + "\\")
            line = "  "
        line += tok
    out.append(line)
    return "\n".join(out)

def wrap_multi(prefix, items):
    out, line = [], prefix
    for i, it in enumerate(items):
        tok = it + ("," if i < len(items) - 1 else "")
        if len(line) + len(tok) > 77 and line.strip():
            out.append(line + "\\")
            line = "  "
        line += tok
    out.append(line)
    return "\n".join(out)

def clean(s):
    return all(0x20 <= ord(c) and c not in '\x7f' for c in s)

def conv(line):
    m = re.match(r'^("(?:[^"\\]|\\.)*"|@)=(.*)$', line)
    if not m:
        raise SystemExit("cannot parse: " + line)
    name, data = m.groups()
    if name == '"@"':
        name = "@"
    m2 = re.match(r'^hex\((\d+)\):(.*)$', data)
    if m2:
        t = int(m2.group(1))
        bs = bytes(int(x, 16) for x in m2.group(2).split(",")) if m2.group(2) else b""
        if t == 7 and len(bs) % 2 == 0 and bs.endswith(b"\0\0"):
            body = bs[:-2].decode("utf-16le", "strict") if len(bs) > 2 else ""
            items = body.split("\0") if body else []
            if (len(bs) == 2 or body.endswith("\0")) :
                items = body[:-1].split("\0") if body else []
                if all(clean(it) for it in items):
                    return wrap_multi(name + "=multi:", [q(it) for it in items])
        if t == 7 and len(bs) % 2 == 0 and bs.endswith(b"\0") and not bs.endswith(b"\0\0\0"):
            return ("; stored as on the real hive: without the final empty string\n" +
                    wrap_hex(name + "=hex(7):", bs))
        if t in (1, 2) and len(bs) % 2 == 0 and bs.endswith(b"\0\0"):
            s = bs[:-2].decode("utf-16le", "strict")
            if clean(s):
                return name + ("=" if t == 1 else "=str(2):") + q(s)
        if t == 3:
            return wrap_hex(name + "=hex:", bs)
        return wrap_hex(name + "=hex(%x):" % t, bs)
    return name + "=" + data

def key(path, only=None):
    lines = sh(["cd " + path, "lsval"]).splitlines()
    print("\n[HKEY_LOCAL_MACHINE\\SYSTEM" + path + "]")
    for l in lines:
        if not l:
            continue
        c = conv(l)
        if only is not None:
            n = c.split("=", 1)[0].strip('"')
            if n.lower() not in [o.lower() for o in only]:
                continue
        print(c)

print("Windows Registry Editor Version 5.00")
print()
print("; " + title)
print("; Extracted from the real SYSTEM hive of that family (see testdata/README.md);")
print("; only the keys that smaudit reads, plus a few to make the hive SYSTEM-like.")
key("\\Select")
root = ls("\\")
for cs in sorted(c for c in root if re.match(r"(?i)controlset\d\d\d$", c)):
    sm = "\\%s\\Control\\Session Manager" % cs
    key(sm)
    for sub in ["SubSystems", "Environment", "Memory Management",
                "Memory Management\\PrefetchParameters", "KnownDLLs", "kernel", "AppCertDlls",
                "DOS Devices"]:
        parent, _, leaf = ("%s\\%s" % (sm, sub)).rpartition("\\")
        r = resolve(parent, leaf)
        if r:
            key(parent + "\\" + r)
    cn = resolve("\\%s\\Control\\ComputerName" % cs, "ComputerName")
    if cn:
        key("\\%s\\Control\\ComputerName\\ComputerName" % cs)
    for svc, vals in [("EventLog\\System", ["File", "MaxSize", "Retention"]),
                      ("Tcpip\\Parameters", ["DataBasePath", "NV Hostname", "Hostname"])]:
        p = "\\%s\\Services\\%s" % (cs, svc)
        parent, _, leaf = p.rpartition("\\")
        if resolve(parent, leaf):
            key(p, vals)
    # The services that family detection reads (checks/detect.c).
    for svc in MARKER_SERVICES:
        r = resolve("\\%s\\Services" % cs, svc)
        if r:
            key("\\%s\\Services\\%s" % (cs, r), ["Start"])
key("\\Setup", ["CmdLine", "SetupType"])
