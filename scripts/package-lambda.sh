#!/usr/bin/env bash
# `make lambda`: the function package template.yaml deploys (CodeUri target/lambda/lambda):
# `bootstrap` (the `lambda` binary for arm64, cross-built by cargo-lambda with zig), the
# runtime configuration, the asset hashes and the site.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-python-tools.sh
if [ ! -x .venv-test/bin/cargo-lambda ]; then
  .venv-test/bin/pip install --quiet --disable-pip-version-check "cargo-lambda==1.9.2"
fi
rustup target add aarch64-unknown-linux-gnu >/dev/null
PATH="$PWD/.venv-test/bin:$PATH" cargo lambda build --release --arm64 --bin lambda -p server
out=target/lambda/lambda
cp Leptos.toml "$out/"
cp target/release/hash.txt "$out/"
rm -rf "$out/site"
cp -r target/site "$out/site"
du -sh "$out/bootstrap" "$out/site"
