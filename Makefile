# tenantmap — the two commands a fresh machine needs are `make run` and `make test`.
SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(PATH)
export TENANTMAP_DATA ?= ./data

SERVER := target/release/server

.PHONY: run test tools test-tools build release-server site demo unit check e2e bench fmt-check clippy template lambda

## Install the build tools that are missing (wasm32 target, wasm-bindgen; wasm-opt and esbuild
## from tools/package-lock.json).
tools:
	@bash scripts/install-tools.sh

## Install what the browser tests need (Chromium, Playwright).
test-tools:
	@bash scripts/install-test-tools.sh

## Release build of the site (target/site) and the server (target/release/server), side by side:
## the server's compile needs none of the tools, so on a fresh machine it runs while they are
## installed.
build:
	$(MAKE) --no-print-directory -j2 release-server site
	$(SERVER) precompress target/site/pkg

release-server:
	cargo build --release -p server --bin server

## Build and serve on http://127.0.0.1:3000 (LEPTOS_SITE_ADDR and TENANTMAP_DATA override).
## `make run STORE=dynamodb`: on the DynamoDB store, against a local moto server.
STORE ?= embedded
run: build
ifeq ($(STORE),dynamodb)
	@bash scripts/run-dynamodb.sh
else
	$(SERVER) serve
endif

## Load the Foggy IT starting state and realistic demo data into $(TENANTMAP_DATA).
demo: build
	$(SERVER) demo --organizations 300 --tenants 200

## Everything: unit, property and contract tests, API tests over HTTP, browser tests.
## The browser tests run the release site (WASM, CSS: what users download) against the debug
## server binaries the server's tests just built (target/debug/{server,fake-microsoft}): the
## same code, without spending ten minutes on an optimized server that no test times.
## The tests' binaries are built first; then they run while the release site is built beside
## them (the tests mostly wait on moto and HTTP, the site's optimizer on one core): each
## one's output is printed whole when it ends.
test: tools test-tools fmt-check clippy template
	cargo test $(TEST_PACKAGES) --no-run
	$(MAKE) --no-print-directory -j2 --output-sync=target unit site
	$(MAKE) --no-print-directory e2e

## The release site only (target/site: WASM, JS, CSS, assets; scripts/build-site.sh says how),
## its hash file beside the release and the debug binaries.
site: tools
	@bash scripts/build-site.sh

# The server's tests: with cargo-nextest (on the machine) each test runs in a process of its
# own, two at a time; every DynamoDB test shares one moto (scripts/with-moto.sh).
SERVER_TESTS := $(shell cargo nextest --version >/dev/null 2>&1 && echo "cargo nextest run" || echo "cargo test")

# The app's unit tests and the server's in one build: one feature set for both, so the
# dependencies are compiled once (apart, the app's tests built them a second time: 132 s).
TEST_PACKAGES := -p app -p server --features app/ssr

unit:
	bash scripts/with-moto.sh $(SERVER_TESTS) $(TEST_PACKAGES)

## The inner loop after a change: formatting, the app's lints, the domain's unit tests and the
## store contract suite on the embedded store (no moto, no browser, no server tests).
check:
	cargo fmt --all --check
	cargo clippy -p app --features ssr -- -D warnings
	cargo test -q -p app --features ssr --lib
	@if cargo nextest --version >/dev/null 2>&1; then \
	  cargo nextest run -p server --lib -E 'not test(/dynamo/)' --status-level fail; \
	else cargo test -q -p server --lib -- --skip dynamo; fi

## The browser scenarios (desktop, mobile, JavaScript off) against the site (`make site`, or
## `make build`) and E2E_SERVER (the debug server of the server's tests; `make e2e
## E2E_SERVER=target/release/server` for the release build), on the embedded store and on
## DynamoDB (a moto server of their own). The app talks to the tests' fake Microsoft
## (target/debug/fake-microsoft, built with the server's tests).
E2E_SERVER ?= target/debug/server

e2e:
	# The binaries as the server's tests build them (nothing to do after `make unit`).
	cargo test $(TEST_PACKAGES) --no-run -q
	$(E2E_SERVER) precompress target/site/pkg >/dev/null
	@data=$$(mktemp -d); free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }; \
	  port=$$(free_port); fake=$$(free_port); dynamo=$$(free_port); moto=$$(free_port); \
	  (cd end2end && E2E_PORT=$$port E2E_FAKE_PORT=$$fake E2E_DYNAMODB_PORT=$$dynamo E2E_MOTO_PORT=$$moto \
	    E2E_SERVER=$(E2E_SERVER) TENANTMAP_DATA=$$data npx playwright test $(E2E_ARGS)); status=$$?; rm -rf $$data; exit $$status

## Speed budgets: download size, sign-in, page times at SPEC scale, DynamoDB requests per page,
## Lambda cold start (bench/src/main.rs says what each measures).
bench: build test-tools
	cargo build --release -p server --bin lambda
	cargo run --release -p bench

## The Lambda package for template.yaml (arm64 bootstrap + site) in target/lambda/lambda.
lambda: build
	@bash scripts/package-lambda.sh

## The AWS SAM template, checked offline.
template:
	.venv-test/bin/cfn-lint template.yaml

fmt-check:
	cargo fmt --all --check

# Native code in one invocation (one feature set: the dependencies are checked once; the app's
# tests are linted too), then the WASM build.
clippy:
	cargo clippy -p app -p server -p bench --features app/ssr --lib --bins --tests -- -D warnings
	cargo clippy -p app --features hydrate --target wasm32-unknown-unknown -- -D warnings
