#!/usr/bin/env bash
# Runs icuda end to end on a GPU machine and records what it saw, in one command:
#   bash scripts/gpu-check.sh OUT_DIR
# The GPU machine has the CUDA toolkit and Python but no Node.js and no network: Node and
# icuda's production node_modules come from .gpu-pack/ (made beforehand by scripts/gpu-pack.sh
# and carried with the working tree). On a development machine with node_modules and dist/
# it runs from the checkout. Writes into OUT_DIR: gpu-check.ipynb (executed), results.json
# (checks and figures), compare-base.ipynb and compare-new.ipynb (two runs of the session benches,
# for icuda compare), doctor.txt and gpu-check.log. Exits non-zero when a check fails.
# ICUDA_GPU_CHECK_NO_GPU=1 lets it run on a machine without a GPU (to test this script).
set -uo pipefail
out=${1:?usage: scripts/gpu-check.sh OUT_DIR}
mkdir -p "$out" && out=$(cd "$out" && pwd)
root=$(cd "$(dirname "$0")/.." && pwd)
here="$root/scripts/gpu"
exec > >(tee "$out/gpu-check.log") 2>&1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
step() { printf '\n== %s (%s)\n' "$1" "$(date -u +%H:%M:%S)"; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "null"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

step "icuda and Node"
if [ -f "$root/.gpu-pack/node.xz" ]; then
  python3 - "$root/.gpu-pack" "$work" <<'EOF'
import lzma, os, shutil, sys, tarfile
pack, work = sys.argv[1:3]
os.makedirs(f"{work}/bin")
with lzma.open(f"{pack}/node.xz") as src, open(f"{work}/bin/node", "wb") as dst:
    shutil.copyfileobj(src, dst)
os.chmod(f"{work}/bin/node", 0o755)
with tarfile.open(f"{pack}/icuda.tar.xz") as tar:
    tar.extractall(work)
EOF
  export PATH="$work/bin:$PATH"
  app="$work/icuda"
  echo "unpacked .gpu-pack (commit $(cat "$root/.gpu-pack/commit.txt" 2>/dev/null)) into $work"
elif command -v node >/dev/null && [ -d "$root/node_modules" ] && [ -d "$root/dist/src" ]; then
  app="$root"
  echo "running from the checkout"
else
  echo "no .gpu-pack/ and no built checkout: run scripts/gpu-pack.sh on a development machine first"
  exit 2
fi
icuda() { node "$app/bin/icuda.js" "$@"; }
echo "node $(node --version), icuda $(icuda --version)"
export JUPYTER_DATA_DIR="$work/jupyter" ICUDA_CACHE_DIR="$work/cache"

step "GPU"
if nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap --format=csv,noheader; then
  gpu=$(nvidia-smi --query-gpu=name --format=csv,noheader | head -1)
elif [ -n "${ICUDA_GPU_CHECK_NO_GPU:-}" ]; then
  gpu="none"; echo "no GPU (ICUDA_GPU_CHECK_NO_GPU set: checks will fail, figures are not GPU figures)"
else
  echo "nvidia-smi found no GPU; this script is for a GPU machine (ICUDA_GPU_CHECK_NO_GPU=1 to try anyway)"
  exit 2
fi
nvcc --version | tail -2

step "icuda doctor"
icuda doctor > "$out/doctor.txt" 2>&1
echo "doctor exit $?"; cat "$out/doctor.txt"

step "figures: context creation and compile time"
nvcc -o "$work/context" "$here/context.cu" || true
: > "$work/context.jsonl"
for _ in 1 2 3 4 5; do "$work/context" >> "$work/context.jsonl" 2>/dev/null; done
cat "$work/context.jsonl"
context_ms=$(python3 -c 'import json,sys; print("\n".join(str(json.loads(l)["context_ms"]) for l in open(sys.argv[1]) if l.strip()))' "$work/context.jsonl" | median)
launch_ms=$(python3 -c 'import json,sys; print("\n".join(str(json.loads(l)["first_launch_ms"]) for l in open(sys.argv[1]) if l.strip()))' "$work/context.jsonl" | median)
compile_s() {  # median wall seconds of three compiles of context.cu with the given flags
  for _ in 1 2 3; do
    local t0; t0=$(date +%s.%N)
    nvcc "$@" -o "$work/c.out" "$here/context.cu" >/dev/null 2>&1
    awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f\n", b - a }'
  done | median
}
compile_native=$(compile_s -arch=native)
compile_default=$(compile_s)
echo "context ${context_ms} ms, first launch ${launch_ms} ms; compile -arch=native ${compile_native} s, default ${compile_default} s"

step "per-cell overhead with a real CUDA context"
roundtrip="{}"
if [ -f "$here/roundtrip.mjs" ]; then
  roundtrip=$(node "$here/roundtrip.mjs" "$app" 2>"$work/roundtrip.err") || { cat "$work/roundtrip.err"; roundtrip="{}"; }
  echo "$roundtrip"
fi

step "the GPU notebook, with icuda run"
timeout 420 node "$app/bin/icuda.js" run "$here/gpu-check.ipynb" -o "$out/gpu-check.ipynb" --timeout 120 --allow-errors
echo "icuda run exit $?"

step "icuda compare: the session benches, run twice"
for run in base new; do
  timeout 90 node "$app/bin/icuda.js" run "$here/gpu-compare.ipynb" -o "$out/compare-$run.ipynb" --timeout 60
  echo "icuda run ($run) exit $?"
done
# `icuda compare` came with src/cli/compare-command.ts; in a build without it this step is
# recorded as skipped. Its JSON report: each result's verdict (same, faster, slower).
if icuda --help 2>/dev/null | grep -qE '^ +compare\b'; then
  compared=$(icuda compare --format json "$out/compare-base.ipynb" "$out/compare-new.ipynb" 2>&1)
  code=$?
  echo "$compared"
  compare=$(python3 -c 'import json, sys; print(json.dumps({"status": "ran", "exit": int(sys.argv[1]), "output": sys.argv[2]}))' "$code" "$compared")
else
  echo "icuda compare is not in this build: skipped"
  compare='{"status": "skipped", "why": "icuda compare is not in this build (src/cli/compare-command.ts)"}'
fi

cat > "$work/figures.json" <<EOF
{"gpu": "$gpu", "context_ms_median": $context_ms, "first_launch_ms_median": $launch_ms,
 "compile_s_arch_native_median": ${compile_native:-null}, "compile_s_default_median": ${compile_default:-null},
 "roundtrip": $roundtrip, "compare": $compare}
EOF

step "results"
python3 "$here/summarize.py" "$out/gpu-check.ipynb" "$work/figures.json" "$out/results.json"
