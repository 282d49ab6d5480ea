#!/usr/bin/env bash
# Builds the JupyterLab extension (labextension/) into the prebuilt, federated form that the npm
# package ships and `icuda install` copies: share/jupyter/labextensions/icuda-jupyterlab/.
# Its dependencies (JupyterLab's packages, CodeMirror, the builder) stay in labextension's own
# node_modules, installed from its own lockfile; the builder needs the core package of a
# JupyterLab 4 (its `staging` folder), taken from .venv (scripts/setup-e2e.sh installs it) or
# from the python3 on PATH. Does nothing when the output is newer than every source.
set -euo pipefail
cd "$(dirname "$0")/.."

ext=labextension
out=share/jupyter/labextensions/icuda-jupyterlab

# Up to date: the built package.json is newer than the sources, styles, lockfile and this script.
if [ -f "$out/package.json" ] && [ -z "$(find "$ext/src" "$ext/style" "$ext/package.json" "$ext/package-lock.json" "$ext/tsconfig.json" "$0" -newer "$out/package.json" -print -quit)" ]; then
  echo "build-labextension: $out is up to date"
  exit 0
fi

# The extension's own dependencies, from its lockfile; again only when the lockfile changed.
if [ ! -f "$ext/node_modules/.package-lock.json" ] || [ "$ext/package-lock.json" -nt "$ext/node_modules/.package-lock.json" ]; then
  npm ci --prefix "$ext" --no-audit --no-fund --loglevel=error
fi

python=.venv/bin/python
[ -x "$python" ] || python=python3
core=$("$python" -c 'import jupyterlab, os; print(os.path.join(os.path.dirname(jupyterlab.__file__), "staging"))' 2>/dev/null) || {
  echo "build-labextension: no JupyterLab in .venv or on python3 (run scripts/setup-e2e.sh)" >&2
  exit 1
}

rm -rf "$ext/lib" "$out"
(cd "$ext" && npx --no-install tsc -p tsconfig.json)
node "$ext/node_modules/@jupyterlab/builder/lib/build-labextension.js" --core-path "$core" "$ext" >/dev/null
echo "build-labextension: built $out ($(ls "$out/static" | wc -l) files) against $(basename "$(dirname "$core")") $("$python" -c 'import jupyterlab; print(jupyterlab.__version__)')"
