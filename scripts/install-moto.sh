#!/usr/bin/env bash
# Installs moto — the DynamoDB-compatible server for tests and local runs — in .venv-test from
# PyPI, unless it is there.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! .venv-test/bin/python -c "import moto.server" 2>/dev/null; then
  python3 -m venv .venv-test || { apt-get install -y -qq python3-venv && python3 -m venv .venv-test; }
  .venv-test/bin/pip install --quiet --disable-pip-version-check "moto[server]==5.2.5"
fi
