#!/usr/bin/env bash
# Sets icuda up and runs the main job: installs dependencies (Node packages, and a venv with
# the Jupyter tools, JupyterLab and Notebook 7), builds, registers the kernelspec (and the
# JupyterLab extension, when it is built) for this user, then executes examples/hello.ipynb
# with `icuda run` (a real kernel over ZeroMQ, no Jupyter involved), printing its outputs as
# they stream. Ends with the one command that opens JupyterLab.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup-deps.sh
npm run build --silent
if [ -f scripts/build-labextension.sh ]; then
  bash scripts/build-labextension.sh || echo "setup: the JupyterLab extension did not build; CUDA cells still work (highlighted as C++)" >&2
fi
node bin/icuda.js install --user
.venv/bin/jupyter kernelspec list

echo
echo "Running examples/hello.ipynb with icuda run:"
node bin/icuda.js run examples/hello.ipynb   # writes examples/hello.nbconvert.ipynb (git ignores it)

cat <<'NEXT'

icuda is ready. Next:
  npm run lab          JupyterLab (from .venv) on examples/introduction.ipynb
  npm test             every test
  node bin/icuda.js doctor   what is installed, and a fix for anything missing
NEXT
