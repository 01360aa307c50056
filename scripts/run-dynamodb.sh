#!/usr/bin/env bash
# `make run STORE=dynamodb`: the app on the DynamoDB store, against a local DynamoDB-compatible
# server (moto, in memory: the data goes when it stops). Against AWS itself, set
# TENANTMAP_STORE=dynamodb, TENANTMAP_TABLE and the usual AWS variables and run
# `target/release/server serve` (see README).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-python-tools.sh
port=${MOTO_PORT:-8000}
.venv-test/bin/python scripts/moto_serial.py 127.0.0.1 "$port" >/dev/null 2>&1 &
moto=$!
trap 'kill $moto 2>/dev/null' EXIT
for _ in $(seq 50); do
  (echo > /dev/tcp/127.0.0.1/"$port") 2>/dev/null && break
  sleep 0.2
done
export TENANTMAP_STORE=dynamodb TENANTMAP_TABLE=${TENANTMAP_TABLE:-tenantmap} TENANTMAP_CREATE_TABLE=1
export AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:$port AWS_REGION=${AWS_REGION:-us-east-1}
export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-local} AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-local}
# The data lives as long as moto, so a key made now (for Microsoft client secrets) lives as long.
TENANTMAP_SECRET_KEY=${TENANTMAP_SECRET_KEY:-$(python3 -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())')}
export TENANTMAP_SECRET_KEY
echo "DynamoDB-compatible server (moto) on 127.0.0.1:$port, table $TENANTMAP_TABLE"
target/release/server "${@:-serve}"
