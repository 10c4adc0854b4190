#!/bin/sh
# contrib/velociraptor: the server artifact parses, declares what
# Velociraptor requires, and its smaudit command lines, run on a file store
# in Velociraptor's layout (%-encoded volumes, RegBack, a shadow copy),
# give the JSON every column of its rows is taken from.
. "$(dirname "$0")/setup.sh"

ART="$top_srcdir/contrib/velociraptor/Server.Smaudit.SessionManager.yaml"
need_fixtures win-10 win-7 sample
if ! "$PYTHON3" -c 'import yaml' 2>/dev/null; then
  echo "1..0 # SKIP python3-yaml (Debian python3-yaml) is not installed"
  exit 0
fi
cat >"$tmp/b.yaml" <<'YAML'
smaudit-baseline: 1
extends: windows-10
name: site
YAML

# A server's file store: one client's collection as Velociraptor keeps it.
store="$tmp/datastore"
up="$store/clients/C.0123456789abcdef/collections/F.CQ5UV7M0T3AKO/uploads"
mk() { mkdir -p "$(dirname "$1")" && cp "$FIXTURES/$2.hiv" "$1"; }
mk "$up/ntfs/%5C%5C.%5CC%3A/Windows/System32/config/SYSTEM" sample
mk "$up/ntfs/%5C%5C.%5CC%3A/Windows/System32/config/SOFTWARE" software-10
mk "$up/ntfs/%5C%5C.%5CC%3A/Windows/System32/config/RegBack/SYSTEM" win-10
mk "$up/ntfs/%5C%5C%3F%5CGLOBALROOT%5CDevice%5CHarddiskVolumeShadowCopy2/Windows/System32/config/SYSTEM" win-10
# A hive that cannot be audited: a row with Severity "error".
mkdir -p "$up/auto/D%3A/Windows/System32/config"
head -c 3000 "$FIXTURES/win-7.hiv" >"$up/auto/D%3A/Windows/System32/config/SYSTEM"

"$PYTHON3" - "$ART" "$SMAUDIT_BIN" "$store" "$tmp/b.yaml" "$tmp" <<'PY'
import json, re, subprocess, sys
import yaml

art, smaudit, store, baseline, tmp = sys.argv[1:6]
n = 0
def check(desc, cond):
    global n
    n += 1
    print(("ok" if cond else "not ok"), n, "-", desc)

d = yaml.safe_load(open(art))
check("the artifact is a YAML mapping", isinstance(d, dict))
check("it has a name (Server.*)", str(d.get("name", "")).startswith("Server."))
check("its type is SERVER or SERVER_EVENT", d.get("type") in ("SERVER", "SERVER_EVENT"))
check("it has a description", bool(d.get("description")))
params = d.get("parameters") or []
names = [p.get("name") for p in params if isinstance(p, dict)]
check("every parameter has a name", len(names) == len(params) and all(names))
check("parameters ClientId and FlowId", "ClientId" in names and "FlowId" in names)
check("it asks for EXECVE", "EXECVE" in (d.get("required_permissions") or []))
sources = d.get("sources") or []
check("sources, each with a query", sources and all(isinstance(s, dict) and s.get("query") for s in sources))
q = "\n".join(s["query"] for s in sources)
code = re.sub(r'"(?:[^"\\]|\\.)*"', '""', q)
check("parentheses, brackets and braces balance in the query",
      all(code.count(a) == code.count(b) for a, b in ("()", "[]", "{}")))

# Where the uploads are: file_store(path="/clients/" + ClientId + ...).
m = re.search(r'file_store\(\s*path=(.*?)\)\s*\n', q, re.S)
values = {"ClientId": "C.0123456789abcdef", "FlowId": "F.CQ5UV7M0T3AKO"}
def evaluate(expr):
    out = ""
    for tok in re.findall(r'"(?:[^"\\]|\\.)*"|[A-Za-z_]\w*', expr):
        out += json.loads(tok) if tok.startswith('"') else values[tok]
    return out
uploads = store + evaluate(m.group(1)) if m else None
check("the uploads folder is the collection's in the file store",
      uploads == store + "/clients/C.0123456789abcdef/collections/F.CQ5UV7M0T3AKO/uploads")
values.update({"SmauditPath": smaudit, "Baseline": baseline, "UploadsDir": uploads or ""})
defaults = {p["name"]: p.get("default") for p in params}
check("SmauditPath defaults to the installed smaudit", defaults.get("SmauditPath") == "/usr/bin/smaudit")

# Every command line the query runs, run here.
argvs = re.findall(r'argv=\[(.*?)\]', q, re.S)
check("two command lines (with and without a baseline)", len(argvs) == 2)
results = None
for a in argvs:
    argv = [json.loads(t) if t.startswith('"') else values[t]
            for t in re.findall(r'"(?:[^"\\]|\\.)*"|[A-Za-z_]\w*', a)]
    p = subprocess.run(argv, capture_output=True, text=True)
    label = "with a baseline" if baseline in argv else "detected"
    check("%s: smaudit exits 0 or 2 (one hive is damaged), not 1 (--fail-on never): %d %s"
          % (label, p.returncode, p.stderr[:200]), p.returncode in (0, 2))
    lines = p.stdout.splitlines()
    check("%s: one JSON object per line, each starting with {" % label,
          lines and all(l.startswith("{") for l in lines))
    rs = [json.loads(l) for l in lines]
    check("%s: every hive of the collection (4)" % label, len(rs) == 4)
    roles = sorted(r["role"] for r in rs)
    check("%s: roles system, regback and shadow" % label,
          roles == ["regback", "shadow", "system", "system"])
    if results is None:
        results = rs

# The columns the rows are made of exist in that JSON.
inner = re.search(r'foreach\(row=R\.findings, query=\{(.*?)FROM scope\(\)', q, re.S).group(1)
paths = re.findall(r'\bR((?:\.\w+)+) AS', q)
bare = [w for w in re.findall(r'(?<![.\w"])([a-z_]\w*) AS', inner)]
# A column below a null (the hive of a file that is no hive) is NULL in
# VQL; every name on the way must be in the contract otherwise.
def has(o, path):
    for k in path.strip(".").split("."):
        if o is None:
            return True
        if not isinstance(o, dict) or k not in o:
            return False
        o = o[k]
    return True
check("R.* columns exist in every result: %s" % sorted(set(paths)),
      paths and all(has(r, p) for r in results for p in paths))
fs = [f for r in results for f in r["findings"]]
check("finding columns exist in every finding: %s" % bare,
      fs and bare and all(k in f for f in fs for k in bare))
# The rows the query returns: one per finding, one per error.
rows = len(fs) + sum(1 for r in results if r["error"])
check("rows: one per finding and one per hive not audited (%d)" % rows,
      rows == len(fs) + 1 and len(fs) > 0)
print("1..%d" % n)
PY
