"""Shared by the planted-anomaly tests (anomalies.py, metamorphic.py):
TAP output, smaudit and gen-hive runs, the base hives and their facts, and
.reg overlays.  The environment comes from tests/cli/setup.sh."""
import concurrent.futures
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
FAMILY = {"win-xp": "windows-xp", "win-7": "windows-7",
          "win-8.1": "windows-8.1", "win-10": "windows-10",
          "two-sets": "windows-7", "xp-sp3-x86": "windows-xp",
          "win7-sp1-x86": "windows-7", "win81-x64": "windows-8.1",
          "win10-1709-x64": "windows-10"}

_n = 0


def tap(ok, desc, directive=""):
    global _n
    _n += 1
    print("%s %d - %s%s" % ("ok" if ok else "not ok", _n, desc, directive))
    sys.stdout.flush()


def done():
    print("1..%d" % _n)


def run_json(args):
    p = subprocess.run([smaudit] + args, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    try:
        return p.returncode, json.loads(p.stdout.decode("ascii")), p.stderr
    except ValueError:
        return p.returncode, None, p.stderr


def reg_escape(s):
    return s.replace("\\", "\\\\").replace('"', '\\"')


def show(path):
    rc, res, _ = run_json(["show", "--format", "json", path])
    return res if rc == 0 else None


def base_facts(shown):
    """{CS}, {CSRSS}, {PATH}, {PSMODULEPATH} for the overlays."""
    cs = "ControlSet%03d" % shown["current_control_set"]
    facts = {"CS": cs, "CSRSS": "", "PATH": "", "PSMODULEPATH": ""}
    wanted = {
        cs + "\\Control\\Session Manager\\SubSystems": {"windows": "CSRSS"},
        cs + "\\Control\\Session Manager\\Environment": {
            "path": "PATH", "psmodulepath": "PSMODULEPATH"},
    }
    for key in shown["keys"]:
        names = wanted.get(key["path"])
        for v in key.get("values", []) if names else []:
            slot = names.get(v["name"].lower())
            if slot and isinstance(v["data"], str):
                facts[slot] = v["data"]
    return facts


def overlay(path, facts):
    """The overlay's text with the facts filled in, and its expectations
    (rule, severity)."""
    text = open(path, encoding="utf-8").read()
    expects = re.findall(r"^; expect: (\S+) (\S+)$", text, re.M)
    for k, v in facts.items():
        text = text.replace("{%s}" % k, v if k == "CS" else reg_escape(v))
    return text, expects


def directive(text, name):
    """"; detect: same" audits the planted hive with the family detected
    (which must be the untouched base's); "; families: a b" applies the
    overlay only to bases of those families; "; quiet: yes" says that the
    overlay is normal and must find nothing at medium or above; "; alone:
    yes" that nothing but the expected rules fires at medium or above."""
    m = re.search(r"^; %s: (.+)$" % name, text, re.M)
    return m.group(1).split() if m else None


def bases(names=None):
    """(label, path) of the fixtures and of the real hives that exist."""
    out = []
    for name in ["win-xp", "win-7", "win-8.1", "win-10", "two-sets"]:
        if names is None or name in names:
            out.append(("fixture " + name,
                        os.path.join(fixtures, name + ".hiv")))
    for name in ["xp-sp3-x86", "win7-sp1-x86", "win81-x64", "win10-1709-x64"]:
        if names is not None and name not in names:
            continue
        p = os.path.join(corpus, name, "SYSTEM")
        if corpus and os.path.isfile(p):
            out.append(("real " + name, p))
        else:
            tap(True, "real " + name, " # SKIP corpus not found at %s" % corpus)
    return out


def scan_overlay(base, name, text, family, detect=False):
    """Apply the overlay text to base and scan it with family's baseline
    (or the family detected): (result, error text)."""
    reg = os.path.join(tmp, name + ".reg")
    out = os.path.join(tmp, name + ".hiv")
    open(reg, "w", encoding="utf-8").write(text)
    if os.path.exists(out):
        os.unlink(out)
    g = subprocess.run([gen_hive, "--base", base, out, reg],
                       stderr=subprocess.PIPE)
    if g.returncode != 0:
        return None, "overlay does not apply: " + g.stderr.decode(
            errors="replace").strip()
    args = [] if detect else ["--baseline", family]
    rc, res, err = run_json(["scan", "--format", "json"] + args +
                            ["--fail-on", "never", out])
    os.unlink(out)
    if res is None or res["error"] is not None:
        return None, "not audited: %r" % err
    return res, None


def sampled(items):
    """Every OVERLAY_SAMPLE-th of items (default 1: all): a sanitizer
    build, where each scan is several times dearer, checks a share of the
    planted overlays for memory errors; their verdicts are checked whole
    by the ordinary build."""
    n = int(os.environ.get("OVERLAY_SAMPLE", "1") or "1")
    return items if n <= 1 else items[::n]


def scan_overlays(base, jobs):
    """scan_overlay of each (name, text, family, detect) of jobs, their
    names distinct, run on every core: the results in the order of jobs."""
    workers = len(os.sched_getaffinity(0)) if hasattr(
        os, "sched_getaffinity") else (os.cpu_count() or 1)
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda j: scan_overlay(base, *j), jobs))


def fired(res):
    """Every rule's finding: each result, and each finding merged into it
    (also[]: one change, one result) with its own rule, severity and
    reasons, where the result is."""
    out = []
    for f in res["findings"]:
        out.append(f)
        for a in f.get("also", []):
            m = dict(f)
            m.update(a)
            m["also"] = []
            out.append(m)
    return out


def loud(res, floor=2):
    """The rules with an unsuppressed finding at floor or above."""
    return sorted({(f["rule"], f["severity"]) for f in fired(res)
                   if SEVERITIES.index(f["severity"]) >= floor
                   and not f["suppressed"]})


def caught(res, rule, severity):
    """Whether rule fired at exactly severity only."""
    sev = sorted({f["severity"] for f in fired(res) if f["rule"] == rule})
    return sev == [severity], sev
