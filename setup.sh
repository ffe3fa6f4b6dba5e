#!/usr/bin/env bash
# Set up eqgnn in ./.venv with pip, and 3Dmol.js for offline 3D views.
# The pinned requirements, then the checkout itself as an editable install: the
# `.venv/bin/eqgnn` command (same as `python -m eqgnn`), edits seen at once.
#   ./setup.sh        runtime only (the dashboard and the CLI)
#   ./setup.sh --dev  plus the test tools (Playwright; the browser is Debian's chromium)
# pip, not uv or poetry: they would fetch a CUDA build of torch.
set -euo pipefail
cd "$(dirname "$0")"
PYTHON=${PYTHON:-python3}
requirements=requirements.txt
[ "${1:-}" = "--dev" ] && requirements=requirements-dev.txt

# The browser test drives Debian's chromium; Playwright must never fetch a browser of its own.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -r "$requirements"
.venv/bin/python -m pip install -q --no-deps -r requirements-nodeps.txt
.venv/bin/python -m pip install -q --no-deps --no-build-isolation -e .

# 3Dmol.js 2.5.5 from npm, served by Streamlit from ./static,
# so the 3D views need no internet. Without npm the views fall back to plotly.
if [ ! -f static/3Dmol-min.js ]; then
  if command -v npm >/dev/null 2>&1 \
      && npm install --silent --no-save --no-audit --no-fund --prefix .npm-3dmol 3dmol@2.5.5; then
    mkdir -p static
    cp .npm-3dmol/node_modules/3dmol/build/3Dmol-min.js static/3Dmol-min.js
  else
    echo "setup.sh: npm could not install 3dmol; 3D views will use plotly" >&2
  fi
fi
echo "setup.sh: ready (.venv)"
