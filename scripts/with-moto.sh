#!/usr/bin/env bash
# Runs a command with one moto server (the DynamoDB-compatible test server, one request at a
# time: scripts/moto_serial.py) for all its tests: TENANTMAP_TEST_DYNAMODB names it, so test
# processes (nextest runs one per test) share it instead of each starting its own. Each test
# makes a table of its own. moto stops when the command ends.
#   scripts/with-moto.sh cargo nextest run -p server
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-python-tools.sh
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
.venv-test/bin/python scripts/moto_serial.py 127.0.0.1 "$port" >/dev/null 2>&1 &
moto=$!
trap 'kill $moto 2>/dev/null' EXIT
for _ in $(seq 150); do
  (echo > /dev/tcp/127.0.0.1/"$port") 2>/dev/null && break
  sleep 0.2
done
export TENANTMAP_TEST_DYNAMODB=http://127.0.0.1:$port
"$@"
