#!/usr/bin/env bash
# Sets icuda up and runs the main job: installs dependencies, builds, registers the kernelspec
# for this user, then executes examples/hello.ipynb with the installed kernel and prints its
# outputs.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup-deps.sh
npm run build --silent
node bin/icuda.js install --user
.venv/bin/jupyter kernelspec list

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
.venv/bin/jupyter nbconvert --to notebook --execute --ExecutePreprocessor.kernel_name=icuda \
  --output-dir "$out" examples/hello.ipynb
.venv/bin/jupyter nbconvert --to markdown --stdout "$out/hello.ipynb" 2>/dev/null
