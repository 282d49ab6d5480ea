#!/usr/bin/env bash
# Installs what the browser tests (npm run test:e2e) need, idempotently: Debian's chromium (no
# browser download by Playwright), JupyterLab and Notebook 7 in .venv, and playwright-core.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
  sudo=(); [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq chromium >/dev/null
fi

[ -x .venv/bin/python ] || bash scripts/setup-deps.sh
source scripts/lib/pip-index.sh  # relative: we are at the repository root
if ! .venv/bin/python -c 'import jupyterlab, notebook' 2>/dev/null; then
  .venv/bin/pip install --quiet --disable-pip-version-check "${pip_index[@]}" jupyterlab notebook 2> >(grep -v 'is ignored: it is neither' >&2)
fi

# playwright-core is a devDependency: npm ci installed it (setup-deps.sh).
[ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund
echo "setup-e2e: $(chromium --version), jupyterlab $(.venv/bin/python -c 'import jupyterlab; print(jupyterlab.__version__)'), notebook $(.venv/bin/python -c 'import notebook; print(notebook.__version__)')"
