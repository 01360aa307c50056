#!/usr/bin/env bash
# Installs the build tools tenantmap needs, skipping whatever is already present.
# Versions are pinned by STACK.md: newer ones need a newer rustc or download binaries (which fails).
set -euo pipefail

# Must equal the wasm-bindgen version in Cargo.lock (checked below).
WASM_BINDGEN_VERSION=0.2.130

export PATH="$HOME/.cargo/bin:$PATH"
here=$(cd "$(dirname "$0")/.." && pwd)

if [ -f "$here/Cargo.lock" ]; then
  locked=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print; exit}' "$here/Cargo.lock")
  if [ -n "$locked" ] && [ "$locked" != "$WASM_BINDGEN_VERSION" ]; then
    echo "Cargo.lock has wasm-bindgen $locked but install-tools.sh pins $WASM_BINDGEN_VERSION" >&2
    exit 1
  fi
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi

# wasm-bindgen-cli is compiled here (a prebuilt binary cannot be downloaded: STACK.md), with LTO
# off and 16 codegen units: its work here (reading and writing one WASM) needs no more, and its
# compile is shorter. cargo-leptos is not needed: scripts/build-site.sh does its work for this
# project (its own compile was 18 of the 33 minutes a fresh machine took to `make run`).
if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
  # From / so the project's .cargo/config.toml (rustflags) does not apply to the tool's build.
  # Not --locked: its lockfile pins a webpki-roots release the registry here does not serve.
  (cd / && CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force)
fi

# wasm-opt (binaryen) and esbuild, at the versions tools/package-lock.json locks. No install
# scripts: esbuild's binary comes as its platform's package from the registry, and its script
# only checks it.
cd "$here/tools"
if [ ! -x node_modules/.bin/esbuild ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --ignore-scripts
fi
