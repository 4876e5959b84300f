#!/usr/bin/env bash
# Runs ruff, pinned here, on the Python in this repository (config: ruff.toml).
# Installs it on first use into a private venv under node_modules/.cache (made
# with python3 -m venv and pip from PyPI), so a fresh machine needs nothing
# beyond what the tool itself needs: Python 3 with venv.
set -euo pipefail
cd "$(dirname "$0")/.."
RUFF_VERSION=0.17.5
venv="node_modules/.cache/ruff-$RUFF_VERSION"
if [ ! -x "$venv/bin/ruff" ]; then
  echo "installing ruff $RUFF_VERSION into $venv (first use)" >&2
  rm -rf "$venv"
  "${PYTHRAN_LEAKCHECK_BASE_PYTHON:-python3}" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input "ruff==$RUFF_VERSION"
fi
exec "$venv/bin/ruff" "$@"
