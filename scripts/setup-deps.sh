#!/usr/bin/env bash
# Installs what icuda and its tests need, idempotently: Node packages (npm ci) and a Python
# venv (.venv) with the reference Jupyter client, nbclient and nbconvert.
set -euo pipefail
cd "$(dirname "$0")/.."

npm ci --no-audit --no-fund

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi

# Where this machine has a local wheel index, use it: the main index may be unreachable.
source scripts/lib/pip-index.sh  # relative: we are at the repository root

packages=(jupyter_client nbclient nbformat nbconvert ipykernel jupyter_console)
if ! .venv/bin/python -c 'import jupyter_client, nbclient, nbformat, nbconvert, ipykernel, jupyter_console' 2>/dev/null; then
  # (an extra local index that lacks a package makes pip warn once per package: not worth showing)
  .venv/bin/pip install --quiet --disable-pip-version-check "${pip_index[@]}" "${packages[@]}" \
    2> >(grep -v 'is ignored: it is neither a file nor a directory' >&2)
fi
echo "setup-deps: node $(node --version), $(.venv/bin/python -c 'import jupyter_client; print("jupyter_client", jupyter_client.__version__)')"
