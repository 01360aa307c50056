#!/usr/bin/env bash
# `make site`: the release site in target/site, as the server and the Lambda serve it.
#   1. The app's WASM: `cargo build` of the `app` library for wasm32 with `hydrate`, in the
#      `wasm-release` profile (Cargo.toml), in target/front.
#   2. wasm-bindgen (the CLI at Cargo.lock's version) writes the JavaScript glue; wasm-opt -Oz
#      shrinks the WASM; esbuild minifies the glue and the stylesheet.
#   3. Each file is named with its content's hash (MD5, base64url) and the hashes are written to
#      hash.txt beside the server binaries (`js:`, `wasm:`, `css:` lines: what Leptos'
#      HydrationScripts and the app's stylesheet link read at start-up). public/ is copied to
#      the site's root.
# It is what cargo-leptos' `build --release --frontend-only` did for this project, without
# compiling cargo-leptos (18 of the 33 minutes a fresh machine took to `make run`). The names
# and directories come from [[workspace.metadata.leptos]] in Cargo.toml.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/tools/node_modules/.bin:$PATH"

# One value of [[workspace.metadata.leptos]].
meta() {
  awk -v key="$1" '
    /^\[\[workspace\.metadata\.leptos\]\]/ { on = 1; next }
    /^\[/ { on = 0 }
    on && $1 == key { sub(/^[^=]*= *"/, ""); sub(/".*$/, ""); print; exit }
  ' Cargo.toml
}
name=$(meta output-name)
lib=$(meta lib-package)
profile=$(meta lib-profile-release)
site=$(meta site-root)
pkg="$site/$(meta site-pkg-dir)"
style=$(meta style-file)
assets=$(meta assets-dir)
for v in name lib profile site pkg style assets; do
  [ -n "${!v}" ] || { echo "build-site: no $v in [[workspace.metadata.leptos]]" >&2; exit 1; }
done

cargo build --package="$lib" --lib --target=wasm32-unknown-unknown --no-default-features \
  --features=hydrate --profile="$profile" --target-dir=target/front
wasm="target/front/wasm32-unknown-unknown/$profile/$lib.wasm"

out=$(mktemp -d target/site-build.XXXXXX)
trap 'rm -rf "$out"' EXIT
wasm-bindgen --target web --no-typescript --out-name "$name" --out-dir "$out/bindgen" "$wasm"
mkdir -p "$out/pkg"
wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
  "$out/bindgen/${name}_bg.wasm" -o "$out/pkg/$name.wasm"
esbuild --minify --log-level=warning "$out/bindgen/$name.js" --outfile="$out/pkg/$name.js"
esbuild --minify --log-level=warning "$style" --outfile="$out/pkg/$name.css"

# Content hashes, as file names and in hash.txt.
hashes=""
for ext in js wasm css; do
  hash=$(python3 -c 'import base64, hashlib, sys
print(base64.urlsafe_b64encode(hashlib.md5(open(sys.argv[1], "rb").read()).digest()).decode().rstrip("="))' "$out/pkg/$name.$ext")
  mv "$out/pkg/$name.$ext" "$out/pkg/$name.$hash.$ext"
  hashes+="$ext: $hash"$'\n'
done

# The new site in place at once; the binaries' hash files after it.
rm -rf "$site"
mkdir -p "$site"
cp -r "$assets/." "$site/"
mv "$out/pkg" "$pkg"
for dir in target/release target/debug; do
  mkdir -p "$dir"
  printf '%s' "$hashes" > "$dir/hash.txt"
done
ls -l "$pkg"
