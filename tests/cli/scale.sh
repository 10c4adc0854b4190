#!/bin/sh
# docs/scale.md: the Slurm, GNU parallel and Kubernetes recipes, each
# command line taken from the page as written and run here for every shard
# in a loop, with the engine's variables set as the engine sets them: the
# shards together are exactly one smaudit scan -r of the same store.
. "$(dirname "$0")/setup.sh"

DOC="$top_srcdir/docs/scale.md"
need_fixtures win-10 win-7 win-xp sample
if ! "$PYTHON3" -c 'import yaml' 2>/dev/null; then
  echo "1..0 # SKIP python3-yaml (Debian python3-yaml) is not installed"
  exit 0
fi
# recipe NAME: the fenced block after <!-- recipe: NAME --> in the page.
recipe() {
  "$PYTHON3" -c '
import re, sys
m = re.search(r"<!-- recipe: " + sys.argv[2] + r" -->\n```\w*\n(.*?)```", open(sys.argv[1]).read(), re.S)
sys.stdout.write(m.group(1) if m else "")' "$DOC" "$1"
}
N=4
e="$tmp/evidence"
mk() { mkdir -p "$(dirname "$1")" && cp "$FIXTURES/$2.hiv" "$1"; }
set -- win-10 win-7 win-xp sample
i=0
while [ $i -lt 12 ]; do
  eval "f=\${$((i % 4 + 1))}"
  mk "$e/host$i/C/Windows/System32/config/SYSTEM" "$f"
  i=$((i + 1))
done
mk "$e/host0/C/Windows/System32/config/RegBack/SYSTEM" win-7
mk "$e/loose/SYSTEM" sample

# smaudit on PATH as the recipes call it; the site baseline; a work folder.
mkdir -p "$tmp/bin" "$tmp/work/results" "$tmp/etc"
ln -s "$SMAUDIT_BIN" "$tmp/bin/smaudit"
printf 'smaudit-baseline: 1\nextends: windows-10\nname: site\n' >"$tmp/work/site.yaml"
cp "$tmp/work/site.yaml" "$tmp/etc/site.yaml"
PATH="$tmp/bin:$PATH"
export PATH
# GNU parallel's part in the recipe, for one host: -j, -S and --joblog
# taken, then the command run once per input line with {} replaced.
cat >"$tmp/bin/parallel" <<'SH'
#!/bin/sh
log=
while [ $# -gt 0 ]; do
  case $1 in
  -j | -S) shift 2 ;;
  --joblog) log=$2; shift 2 ;;
  *) break ;;
  esac
done
[ -n "$log" ] && echo "Seq Host Starttime JobRuntime Send Receive Exitval Signal Command" >"$log"
cmd=
for a in "$@"; do cmd="$cmd '$a'"; done
while read -r arg; do
  rc=0
  eval "$(printf '%s' "$cmd" | sed "s/{}/$arg/g")" || rc=$?
  [ -n "$log" ] && echo "$arg : 0 0 0 0 $rc 0 cmd" >>"$log"
done
SH
chmod +x "$tmp/bin/parallel"

cd "$tmp/work" || exit 1
rc=0
smaudit scan -r -q --format json -b site.yaml "$e" >"$tmp/whole" 2>"$tmp/whole.err" || rc=$?
check "one run: exit 0 or 1 ($(head -c 200 "$tmp/whole.err"))" [ "$rc" -le 1 ]
sort "$tmp/whole" >"$tmp/whole.sorted"
check "one run: 14 results" [ "$(wc -l <"$tmp/whole")" = 14 ]
# same NAME: results/shard-*.jsonl together equal the one run.
same() {
  cat results/shard-*.jsonl 2>/dev/null | sort >"$tmp/merged"
  n=$(ls results | wc -l)
  if cmp -s "$tmp/whole.sorted" "$tmp/merged"; then
    ok "$1: $n shard files together equal one run"
  else
    diff "$tmp/whole.sorted" "$tmp/merged" | head -4 >&2
    not_ok "$1: $n shard files together equal one run"
  fi
  rm -f results/*
}

# Slurm: the batch script, once per array task.
recipe slurm | sed "s|/evidence|$e|g" >"$tmp/slurm.sh"
check "slurm: the recipe is in the page" grep -q -- '--shard' "$tmp/slurm.sh"
check "slurm: the array counts from 1" grep -q '^#SBATCH --array=1-' "$tmp/slurm.sh"
k=1
worst=0
while [ $k -le $N ]; do
  rc=0
  SLURM_ARRAY_TASK_ID=$k SLURM_ARRAY_TASK_COUNT=$N SLURM_CPUS_PER_TASK=2 sh "$tmp/slurm.sh" 2>>"$tmp/slurm.err" || rc=$?
  [ $rc -gt $worst ] && worst=$rc
  k=$((k + 1))
done
check "slurm: every task exits 0 or 1 ($(head -c 200 "$tmp/slurm.err"))" [ "$worst" -le 1 ]
same slurm

# GNU parallel: the pipeline, N shards.
recipe parallel | sed "s|/evidence|$e|g; s|^N=[0-9]*|N=$N|" >"$tmp/parallel.sh"
check "parallel: the recipe is in the page" grep -q -- '--shard {}/' "$tmp/parallel.sh"
sh "$tmp/parallel.sh" 2>"$tmp/parallel.err"
check "parallel: the joblog has every shard's status" [ "$(awk 'NR > 1 && $7 <= 1' scan.log | wc -l)" = $N ]
same "GNU parallel"

# Kubernetes: the manifest parsed, then its container's command per index.
recipe kubernetes >"$tmp/job.yaml"
"$PYTHON3" - "$tmp/job.yaml" "$tmp/k8s-args" <<'PY'
import sys, yaml
j = yaml.safe_load(open(sys.argv[1]))
spec = j["spec"]
c = spec["template"]["spec"]["containers"][0]
env = {e["name"]: e["value"] for e in c.get("env", [])}
ok = (j["kind"] == "Job" and spec["completionMode"] == "Indexed"
      and int(env["SHARDS"]) == spec["completions"]
      and c["command"] == ["sh", "-c"] and len(c["args"]) == 1)
open(sys.argv[2], "w").write(c["args"][0])
sys.exit(0 if ok else 1)
PY
check "kubernetes: an indexed Job, SHARDS equal to completions" [ $? = 0 ]
sed -i "s|/evidence|$e|g; s|/etc/smaudit/|$tmp/etc/|g; s|/results/|$tmp/work/results/|g" "$tmp/k8s-args"
k=0
worst=0
while [ $k -lt $N ]; do
  rc=0
  JOB_COMPLETION_INDEX=$k SHARDS=$N sh -c "$(cat "$tmp/k8s-args")" 2>>"$tmp/k8s.err" || rc=$?
  [ $rc -gt $worst ] && worst=$rc
  k=$((k + 1))
done
check "kubernetes: every index completes ($(head -c 200 "$tmp/k8s.err"))" [ "$worst" = 0 ]
same kubernetes
cd / || exit 1
done_testing
