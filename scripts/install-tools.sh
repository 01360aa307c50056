#!/usr/bin/env bash
# Installs the build tools tenantmap needs, skipping whatever is already present.
# Versions are pinned by STACK.md: newer ones need a newer rustc or download binaries (which fails).
set -euo pipefail

CARGO_LEPTOS_VERSION=0.3.10
# Must equal the wasm-bindgen version in Cargo.lock (checked below).
WASM_BINDGEN_VERSION=0.2.130
BINARYEN_VERSION=132

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

# The tools are compiled here (a prebuilt binary cannot be downloaded: STACK.md). cargo-leptos'
# own release profile is fat LTO in one codegen unit: 18 of the 35 minutes a fresh two-core
# machine took to `make run`, mostly one core linking. Its work here (running cargo, hashing and
# copying files) needs none of that, so the tools are built with LTO off and 16 codegen units,
# and the two are compiled side by side (each one's serial stretches use the other core):
# both done in 19 minutes here (wasm-bindgen-cli after 6 of them), where before cargo-leptos
# alone took 18 and wasm-bindgen-cli was compiled after it.
export CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16
pids=()
if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
  # From / so the project's .cargo/config.toml (rustflags) does not apply to the tool's build.
  (cd / && cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked) &
  pids+=($!)
fi

if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
  # Not --locked: its lockfile pins a webpki-roots release the registry here does not serve.
  (cd / && cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force) &
  pids+=($!)
fi

if ! wasm-opt --version 2>/dev/null | grep -q "version $BINARYEN_VERSION"; then
  npm install -g "binaryen@$BINARYEN_VERSION"
fi

for pid in "${pids[@]}"; do
  wait "$pid"
done
