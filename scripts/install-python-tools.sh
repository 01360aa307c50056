#!/usr/bin/env bash
# Installs the Python tools of the tests in .venv-test (PyPI), unless they are there: moto — the
# DynamoDB-compatible server — and cfn-lint, which checks template.yaml offline.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv-test/bin/python ]; then
  python3 -m venv .venv-test || { apt-get install -y -qq python3-venv && python3 -m venv .venv-test; }
fi
if ! .venv-test/bin/python -c "import moto.server" 2>/dev/null; then
  .venv-test/bin/pip install --quiet --disable-pip-version-check "moto[server]==5.2.5"
fi
if [ ! -x .venv-test/bin/cfn-lint ]; then
  .venv-test/bin/pip install --quiet --disable-pip-version-check "cfn-lint==1.58.0"
fi
