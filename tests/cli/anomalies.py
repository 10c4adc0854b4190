"""Planted anomalies: each overlay in testdata/anomalies is applied to every
base hive (the family fixtures, the fixture whose Current is 2, and copies
of the real hives) and must be caught by its rule at its severity; each
untouched base must be quiet at medium and above.  Prints TAP."""
import glob
import json
import os
import re
import subprocess
import sys

top_srcdir = os.environ["top_srcdir"]
top_builddir = os.environ["top_builddir"]
corpus = os.environ.get("CORPUS", "")
tmp = os.environ["tmp"]
smaudit = os.path.join(top_builddir, "smaudit")
gen_hive = os.path.join(top_builddir, "testdata", "gen-hive")
fixtures = os.path.join(top_builddir, "testdata")
SEVERITIES = ["info", "low", "medium", "high", "critical"]

n = 0


def tap(ok, desc, directive=""):
    global n
    n += 1
    print("%s %d - %s%s" % ("ok" if ok else "not ok", n, desc, directive))
    sys.stdout.flush()


def run_json(args):
    p = subprocess.run([smaudit] + args, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    try:
        return p.returncode, json.loads(p.stdout.decode("ascii")), p.stderr
    except ValueError:
        return p.returncode, None, p.stderr


def reg_escape(s):
    return s.replace("\\", "\\\\").replace('"', '\\"')


def base_facts(path):
    rc, show, _ = run_json(["show", "--format", "json", path])
    if rc != 0 or show is None:
        return None
    cs = "ControlSet%03d" % show["current_control_set"]
    facts = {"CS": cs, "CSRSS": "", "PATH": "", "PSMODULEPATH": ""}
    wanted = {
        cs + "\\Control\\Session Manager\\SubSystems": {"windows": "CSRSS"},
        cs + "\\Control\\Session Manager\\Environment": {
            "path": "PATH", "psmodulepath": "PSMODULEPATH"},
    }
    for key in show["keys"]:
        names = wanted.get(key["path"])
        for v in key.get("values", []) if names else []:
            slot = names.get(v["name"].lower())
            if slot and isinstance(v["data"], str):
                facts[slot] = v["data"]
    return facts


def overlay(path, facts):
    text = open(path, encoding="utf-8").read()
    expects = re.findall(r"^; expect: (\S+) (\S+)$", text, re.M)
    for k, v in facts.items():
        text = text.replace("{%s}" % k, v if k == "CS" else reg_escape(v))
    return text, expects


def directive(text, name):
    """"; detect: same" audits the planted hive with the family detected
    (which must be the untouched base's); "; families: a b" applies the
    overlay only to bases of those families."""
    m = re.search(r"^; %s: (.+)$" % name, text, re.M)
    return m.group(1).split() if m else None


def bases():
    out = []
    for name in ["win-xp", "win-7", "win-8.1", "win-10", "two-sets"]:
        out.append(("fixture " + name, os.path.join(fixtures, name + ".hiv")))
    for name in ["xp-sp3-x86", "win7-sp1-x86", "win81-x64", "win10-1709-x64"]:
        p = os.path.join(corpus, name, "SYSTEM")
        if corpus and os.path.isfile(p):
            out.append(("real " + name, p))
        else:
            tap(True, "real " + name, " # SKIP corpus not found at %s" % corpus)
    return out


overlays = sorted(glob.glob(os.path.join(top_srcdir, "testdata", "anomalies",
                                         "*.reg")))
for label, base in bases():
    facts = base_facts(base)
    if facts is None:
        tap(False, "%s: show works on the base" % label)
        continue
    rc, res, err = run_json(["scan", "--format", "json", "--fail-on", "never",
                             base])
    if res is None or res["error"] is not None:
        tap(False, "%s: the untouched base can be audited (%r)" % (label, err))
        continue
    family = res["baseline"]["name"]
    want = {"win-xp": "windows-xp", "win-7": "windows-7",
            "win-8.1": "windows-8.1", "win-10": "windows-10",
            "two-sets": "windows-7", "xp-sp3-x86": "windows-xp",
            "win7-sp1-x86": "windows-7", "win81-x64": "windows-8.1",
            "win10-1709-x64": "windows-10"}[label.split(" ", 1)[1]]
    tap(family == want, "%s: detected as %s (%s)" % (
        label, want, family if family != want else res["baseline"]["reason"]))
    loud = sorted({f["rule"] for f in res["findings"]
                   if SEVERITIES.index(f["severity"]) >= 2
                   and not f["suppressed"]})
    tap(not loud, "%s: untouched, %s finds nothing at medium or above%s"
        % (label, family, " (found %s)" % ", ".join(loud) if loud else ""))
    for ov in overlays:
        name = os.path.basename(ov)[:-4]
        text, expects = overlay(ov, facts)
        if not expects:
            tap(False, "%s: %s names what it expects" % (label, name))
            continue
        only = directive(text, "families")
        if only and family not in only:
            continue
        detect = directive(text, "detect") == ["same"]
        reg = os.path.join(tmp, name + ".reg")
        out = os.path.join(tmp, name + ".hiv")
        open(reg, "w", encoding="utf-8").write(text)
        if os.path.exists(out):
            os.unlink(out)
        g = subprocess.run([gen_hive, "--base", base, out, reg],
                           stderr=subprocess.PIPE)
        if g.returncode != 0:
            tap(False, "%s + %s: overlay applies (%s)"
                % (label, name, g.stderr.decode(errors="replace").strip()))
            continue
        args = [] if detect else ["--baseline", family]
        rc, res, err = run_json(["scan", "--format", "json"] + args +
                                ["--fail-on", "never", out])
        os.unlink(out)
        if res is None or res["error"] is not None:
            tap(False, "%s + %s: audited (%r)" % (label, name, err))
            continue
        if detect:
            got = res["baseline"]["name"]
            tap(got == family and res["baseline"]["supported"],
                "%s + %s: still detected as %s%s" % (
                    label, name, family,
                    "" if got == family else " (got %s: %s)" % (
                        got, res["baseline"]["reason"])))
        for rule, severity in expects:
            hits = [f for f in res["findings"] if f["rule"] == rule]
            sev = sorted({f["severity"] for f in hits})
            # Keys below a control set must name the current one.
            where = all(f["control_set"] is None or f["key"].startswith(
                facts["CS"] + "\\") for f in hits)
            tap(bool(hits) and sev == [severity] and where,
                "%s + %s: %s at %s%s" % (
                    label, name, rule, severity,
                    "" if hits and sev == [severity] and where else
                    " (found %s)" % (", ".join(sev) or "nothing")))
print("1..%d" % n)
