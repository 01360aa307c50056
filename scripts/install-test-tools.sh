#!/usr/bin/env bash
# Installs what the tests need, skipping what is present: Debian's Chromium and the locked npm
# packages of end2end/ (Playwright never downloads a browser here), and moto — the
# DynamoDB-compatible test server — in .venv-test (PyPI).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)

if [ ! -x /usr/bin/chromium ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium
fi

cd "$here/end2end"
if [ ! -d node_modules/@playwright/test ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

bash "$here/scripts/install-python-tools.sh"
