#!/usr/bin/env bash
# npm run lab: JupyterLab from the project's venv, opening examples/introduction.ipynb, with
# icuda's kernelspec as `npm run setup` registered it. Extra arguments go to jupyter lab.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/jupyter-lab ]; then
  echo "lab: no JupyterLab in .venv; run npm run setup first" >&2
  exit 1
fi
args=()
# Jupyter refuses to run as root unless told to; containers often run as root.
if [ "$(id -u)" -eq 0 ]; then
  echo "lab: running as root, so JupyterLab is started with --allow-root" >&2
  args+=(--allow-root)
fi
exec .venv/bin/jupyter lab "${args[@]}" "$@" examples/introduction.ipynb
