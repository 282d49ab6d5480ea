#!/usr/bin/env bash
# Installs what icuda and its tests need, idempotently: Node packages (npm ci) and a Python
# venv (.venv) with the reference Jupyter client, nbclient, nbconvert, JupyterLab and Notebook 7.
set -euo pipefail
cd "$(dirname "$0")/.."

npm ci --no-audit --no-fund

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
# The venv lies inside this package, whose package.json says "type": "module": without a
# package.json of its own, the JavaScript JupyterLab runs from the venv would be read as ES
# modules and fail ("require is not defined in ES module scope").
[ -f .venv/package.json ] || echo '{ "type": "commonjs" }' > .venv/package.json

# Where this machine has a local wheel index, use it: the main index may be unreachable.
source scripts/lib/pip-index.sh  # relative: we are at the repository root

packages=(jupyter_client nbclient nbformat nbconvert ipykernel jupyter_console jupyterlab notebook)
if ! .venv/bin/python -c 'import jupyter_client, nbclient, nbformat, nbconvert, ipykernel, jupyter_console, jupyterlab, notebook' 2>/dev/null; then
  # (an extra local index that lacks a package makes pip warn once per package: not worth showing)
  .venv/bin/pip install --quiet --disable-pip-version-check "${pip_index[@]}" "${packages[@]}" \
    2> >(grep -v 'is ignored: it is neither a file nor a directory' >&2)
fi
echo "setup-deps: node $(node --version), $(.venv/bin/python -c 'import jupyter_client; print("jupyter_client", jupyter_client.__version__)')"
