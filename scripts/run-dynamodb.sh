#!/usr/bin/env bash
# Runs tenantmap on the DynamoDB store against a local DynamoDB-compatible server of its own
# (moto, one request at a time, in memory: the data goes when this script ends).
#   scripts/run-dynamodb.sh                  `server serve` (what `make run STORE=dynamodb` does)
#   scripts/run-dynamodb.sh 'CMD && CMD'     any shell command, e.g. `server admin create … &&
#                                            server serve` (the browser tests' second server)
# MOTO_PORT (default 8000) and TENANTMAP_TABLE (default tenantmap) choose where. Against AWS
# itself, set TENANTMAP_STORE=dynamodb, TENANTMAP_TABLE and the usual AWS variables and run
# `target/release/server serve` (see README).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-python-tools.sh
port=${MOTO_PORT:-8000}
.venv-test/bin/python scripts/moto_serial.py 127.0.0.1 "$port" >/dev/null 2>&1 &
moto=$!
child=
trap 'kill $child $moto 2>/dev/null' EXIT
trap 'exit 143' TERM INT
for _ in $(seq 100); do
  (echo > /dev/tcp/127.0.0.1/"$port") 2>/dev/null && break
  sleep 0.2
done
export TENANTMAP_STORE=dynamodb TENANTMAP_TABLE=${TENANTMAP_TABLE:-tenantmap} TENANTMAP_CREATE_TABLE=1
export AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:$port AWS_REGION=${AWS_REGION:-us-east-1}
export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-local} AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-local}
# moto answers one request at a time and scans a table for each Query: give it time.
export TENANTMAP_DYNAMODB_TIMEOUT_SECONDS=${TENANTMAP_DYNAMODB_TIMEOUT_SECONDS:-60}
# The data lives as long as moto, so a key made now (for Microsoft client secrets) lives as long.
TENANTMAP_SECRET_KEY=${TENANTMAP_SECRET_KEY:-$(python3 -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())')}
export TENANTMAP_SECRET_KEY
echo "DynamoDB-compatible server (moto) on 127.0.0.1:$port, table $TENANTMAP_TABLE"
# In the background and waited for, so a TERM from whoever started us reaches the trap.
bash -c "${1:-target/release/server serve}" &
child=$!
wait $child
