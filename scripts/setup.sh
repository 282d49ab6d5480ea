#!/usr/bin/env bash
# Sets icuda up and runs the main job: installs dependencies, builds, registers the kernelspec
# for this user, then executes examples/hello.ipynb with `icuda run` (a real kernel over
# ZeroMQ, no Jupyter involved), printing its outputs as they stream.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup-deps.sh
npm run build --silent
node bin/icuda.js install --user
.venv/bin/jupyter kernelspec list

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo
echo "Running examples/hello.ipynb with icuda run:"
node bin/icuda.js run examples/hello.ipynb -o "$out/hello.ipynb"
