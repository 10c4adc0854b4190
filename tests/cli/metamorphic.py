"""Metamorphic tests: the verdict follows what Windows does, not the
spelling.

1. Every planted anomaly in testdata/anomalies, rewritten the ways Windows
   reads alike (letter case, REG_SZ and REG_EXPAND_SZ, NT and Win32
   prefixes, environment variables, "." and ".." components), is caught by
   the same rule at the same severity (on the Windows 10 and XP fixtures).
2. Every path and command line of each real hive (and fixture), respelled
   the same ways, leaves the findings at low and above unchanged.
Prints TAP."""
import glob
import os
import re

from hivelib import (FAMILY, bases, base_facts, caught, directive, done,
                     loud, overlay, reg_escape, run_json, sampled, scan_overlay,
                     scan_overlays, show,
                     tap, top_srcdir)

# ---- respelling a path or command line (plain text) ----

ENV = [("C:\\Program Files (x86)", "%ProgramFiles(x86)%"),
       ("C:\\Program Files", "%ProgramFiles%"),
       ("C:\\ProgramData", "%ProgramData%"),
       ("C:\\Users\\Public", "%PUBLIC%"),
       ("C:\\Windows", "%SystemRoot%"),
       ("C:\\", "%SystemDrive%\\")]
LITERAL = [("%SystemRoot%", "C:\\Windows"), ("%windir%", "C:\\Windows"),
           ("%ProgramFiles%", "C:\\Program Files"),
           ("%SystemDrive%", "C:")]
DRIVE = re.compile(r"(?<![\\?A-Za-z])([A-Za-z]):\\")


def ci_replace(s, old, new):
    return re.sub(re.escape(old), lambda m: new, s, flags=re.I)


def literal(s):
    for old, new in LITERAL:
        s = ci_replace(s, old, new)
    return s


def to_env(s):
    s = literal(s)
    for old, new in ENV:
        s = ci_replace(s, old, new)
    return s


def prefixed(prefix):
    def f(s):
        return DRIVE.sub(lambda m: prefix + m.group(1) + ":\\", literal(s))
    return f


def dotted(s):
    """C:\\A\\B -> C:\\.\\Temp\\..\\A\\\\B. (same directory)."""
    s = literal(s)
    s = DRIVE.sub(lambda m: m.group(1) + ":\\.\\Temp\\..\\", s)
    return re.sub(r"(\\[A-Za-z0-9]+)\\(?=[A-Za-z])", r"\1\\\\", s, count=1)


def windir(s):
    return ci_replace(s, "%SystemRoot%", "%windir%")


RESPELL = {"case": str.upper, "literal": literal, "env": to_env,
           "nt": prefixed("\\??\\"), "win32": prefixed("\\\\?\\"),
           "device": prefixed("\\\\.\\"), "dots": dotted, "windir": windir}

# ---- 1. planted anomalies ----

VALUE = re.compile(r'^("(?:[^"\\]|\\.)*"=)(str\(([0-9a-f]+)\):|multi:)?'
                   r'(".*)$')
STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')


def unescape(s):
    return s.replace('\\"', '"').replace("\\\\", "\\")


def rewrite(text, kind):
    """The overlay with every string datum respelled (kind "type" flips
    REG_SZ and REG_EXPAND_SZ, and a one-string REG_MULTI_SZ becomes a
    REG_EXPAND_SZ)."""
    out = []
    for line in text.split("\n"):
        m = VALUE.match(line)
        if not m or line.startswith(";"):
            out.append(line)
            continue
        name, spec, typ, data = m.group(1), m.group(2) or "", m.group(3), \
            m.group(4)
        strings = STRING.findall(data)
        if kind == "type":
            if spec == "" and len(strings) == 1:
                spec = "str(2):"
            elif typ == "2":
                spec = ""
            elif spec == "multi:" and len(strings) == 1:
                spec = "str(2):"
            out.append(name + spec + data)
            continue
        new = [reg_escape(RESPELL[kind](unescape(s))) for s in strings]
        out.append(name + spec + ",".join('"%s"' % s for s in new))
    return "\n".join(out)


def planted(label, base, family, facts):
    overlays = sorted(glob.glob(os.path.join(
        top_srcdir, "testdata", "anomalies", "*.reg")))
    kinds = ["case", "type", "env", "nt", "win32", "dots"]
    jobs = []
    for ov in overlays:
        name = os.path.basename(ov)[:-4]
        text, expects = overlay(ov, facts)
        only = directive(text, "families")
        if only and family not in only:
            continue
        detect = directive(text, "detect") == ["same"]
        for kind in kinds:
            variant = rewrite(text, kind)
            if variant != text:
                jobs.append((name, text, expects, detect, kind, variant))
    jobs = sampled(jobs)
    results = scan_overlays(base, [
        (name + "-" + kind, variant, family, detect)
        for name, _, _, detect, kind, variant in jobs])
    for (name, text, expects, _, kind, _), (res, why) in zip(jobs, results):
        if res is None:
            tap(False, "%s + %s (%s): %s" % (label, name, kind, why))
            continue
        if directive(text, "quiet") == ["yes"]:
            noisy = loud(res)
            tap(not noisy, "%s + %s, %s variant: nothing at medium or "
                "above%s" % (label, name, kind, " (found %s)" % noisy
                             if noisy else ""))
        for rule, severity in expects:
            good, sev = caught(res, rule, severity)
            tap(good, "%s + %s, %s variant: %s at %s%s" % (
                label, name, kind, rule, severity,
                "" if good else " (found %s)" % (", ".join(sev)
                                                 or "nothing")))

# ---- 2. respelled real values stay quiet ----

# (key below the control set, value, how its text is a path)
PATHS = [("Control\\Session Manager\\Environment", "Path", "list"),
         ("Control\\Session Manager\\Environment", "PSModulePath", "list"),
         ("Control\\Session Manager\\Environment", "ComSpec", "path"),
         ("Control\\Session Manager\\Environment", "windir", "path"),
         ("Control\\Session Manager\\Environment", "TEMP", "path"),
         ("Control\\Session Manager\\Environment", "TMP", "path"),
         ("Control\\Session Manager", "BootShell", "path"),
         ("Control\\Session Manager", "BootExecute", "commands"),
         ("Control\\Session Manager\\KnownDLLs", "DllDirectory", "path"),
         ("Control\\Session Manager\\KnownDLLs", "DllDirectory32", "path"),
         ("Control\\Session Manager\\SubSystems", "Kmode", "path"),
         ("Control\\Session Manager\\SubSystems", "Windows", "command")]


def respell_value(data, how, kind):
    f = RESPELL[kind]
    if how == "list":
        return ";".join(f(e) for e in data.split(";"))
    if how == "path":
        return f(data)
    if how == "command":  # the image only: the rest is not a path
        image, _, rest = data.partition(" ")
        return f(image) + (" " + rest if rest else "")
    out = []
    for line in data:  # BootExecute: spell autochk out in full
        if line.lower().startswith("autocheck autochk "):
            line = "autocheck \\SystemRoot\\System32\\autochk.exe " + \
                line[len("autocheck autochk "):]
        words = line.split(" ")
        at = 1 if words[0].lower() == "autocheck" and len(words) > 1 else 0
        words[at] = f(words[at])
        out.append(" ".join(words))
    return out


def respelled(label, base, family, shown, facts, quiet):
    values = {}
    for key in shown["keys"]:
        for sub, name, how in PATHS:
            if key["path"].lower() != (facts["CS"] + "\\" + sub).lower():
                continue
            for v in key.get("values", []):
                if v["name"].lower() == name.lower():
                    values[(sub, v["name"], how)] = v
    for kind in ["case", "literal", "env", "nt", "dots", "windir"]:
        lines = ["Windows Registry Editor Version 5.00", ""]
        for (sub, name, how), v in sorted(values.items()):
            if kind == "windir" and name.lower() == "windir":
                continue  # windir=%windir% would define it by itself
            data = respell_value(v["data"], how, kind)
            lines.append("[%s\\%s]" % (facts["CS"], sub))
            if isinstance(data, list):
                spec = "multi:" + ",".join('"%s"' % reg_escape(s)
                                           for s in data)
            else:
                t = {"REG_SZ": 1, "REG_EXPAND_SZ": 2}.get(v["type"], 2)
                spec = 'str(%d):"%s"' % (t, reg_escape(data))
            lines.append('"%s"=%s' % (reg_escape(name), spec))
            lines.append("")
        res, why = scan_overlay(base, "respelled-" + kind,
                               "\n".join(lines), family)
        if res is None:
            tap(False, "%s respelled (%s): %s" % (label, kind, why))
            continue
        now = loud(res, 1)
        tap(now == quiet, "%s, %d values respelled (%s): findings at low "
            "and above unchanged%s" % (
                label, len(values), kind, "" if now == quiet else
                " (now %s, was %s)" % (now, quiet)))


for label, base in bases(["win-xp", "win-10", "xp-sp3-x86", "win7-sp1-x86",
                          "win81-x64", "win10-1709-x64"]):
    shown = show(base)
    rc, res, err = run_json(["scan", "--format", "json", "--fail-on",
                             "never", base])
    if shown is None or res is None or res["error"] is not None:
        tap(False, "%s: the base can be read and audited (%r)" % (label, err))
        continue
    facts = base_facts(shown)
    family = FAMILY[label.split(" ", 1)[1]]
    respelled(label, base, family, shown, facts, loud(res, 1))
    if label.startswith("fixture"):
        planted(label, base, family, facts)
done()
