# Pilot Light: set up, build, serve and test on a fresh Debian machine (Rust via rustup, node 20, root).
# Every target installs what it needs first and is fast when everything is already there.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# node_modules/.bin first: wasm-pack must find binaryen 132's wasm-opt there (Debian's is too old).
export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)

WASM_BINDGEN_VERSION := 0.2.130
DIST := dist
PKG := web/pkg
PORT ?= 8080

# The page's size profile (same settings as [profile.wasm] in Cargo.toml), applied to wasm-pack's
# release build through Cargo's environment so native release builds are left alone.
WASM_PROFILE_ENV := CARGO_PROFILE_RELEASE_OPT_LEVEL=z CARGO_PROFILE_RELEASE_LTO=true \
	CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 CARGO_PROFILE_RELEASE_PANIC=abort

.PHONY: help setup setup-rust setup-node setup-browser build dist serve test lint test-native test-e2e clean \
	fuzz fuzz-build setup-fuzz

help:
	@echo "make serve   build the page and serve dist/ on http://127.0.0.1:$(PORT)/"
	@echo "make test    formatting, clippy, cargo tests, wasm build and browser tests"
	@echo "make dist    build the static site into $(DIST)/ (make build is the same)"
	@echo "make setup   install the toolchain pieces (wasm target, wasm-bindgen, wasm-pack, npm, chromium)"
	@echo "make fuzz    run each fuzz target for FUZZ_SECONDS (default 60); make fuzz-build builds them"

## ---------------------------------------------------------------- setup
setup: setup-rust setup-node setup-browser

setup-rust:
	@rustup target list --installed | grep -qx wasm32-unknown-unknown \
		|| rustup target add wasm32-unknown-unknown
	@if [ "$$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $(WASM_BINDGEN_VERSION)" ]; then \
		echo "installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION)"; \
		cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION) --force; \
	fi
	@command -v wasm-pack >/dev/null || cargo install wasm-pack --locked

setup-node: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

# Chromium for the browser tests, and a CJK font so ?lang=zh renders glyphs, not boxes.
setup-browser:
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null \
		|| [ ! -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ]; then \
		apt-get update && apt-get install -y --no-install-recommends chromium chromium-driver \
			fonts-wqy-microhei; \
	fi

## ---------------------------------------------------------------- build
build: dist

dist: setup-rust setup-node
	$(WASM_PROFILE_ENV) wasm-pack --log-level warn build web --target web --release \
		--no-typescript --no-pack --out-dir pkg
	rm -rf $(DIST) && mkdir -p $(DIST)
	# The editor: bundled by esbuild, minified by terser (4 KB smaller gzipped than esbuild's
	# own minifier on this bundle).
	esbuild web/js/editor.js --bundle --format=iife --target=es2020 \
		--log-level=warning --outfile=$(PKG)/editor.js
	terser $(PKG)/editor.js --ecma 2020 --compress passes=2 --mangle --output $(DIST)/editor.js
	# boot.js with wasm-bindgen's glue bundled in: one minified module instead of two files.
	cp static/boot.js $(PKG)/boot.js
	esbuild $(PKG)/boot.js --bundle --minify --format=esm --target=es2020 \
		--log-level=warning --outfile=$(DIST)/boot.js
	cp index.html $(PKG)/pilotlight_web_bg.wasm $(DIST)/
	cp static/*.css static/*.svg static/*.html $(DIST)/
	for d in presets worlds; do if [ -d static/$$d ]; then cp -r static/$$d $(DIST)/; fi; done
	node web/build/precompress.mjs $(DIST)
	@echo "wasm + JS: $$(cat $(DIST)/*.wasm.br $(DIST)/*.js.br | wc -c) bytes as served (brotli .br), $$(cat $(DIST)/*.wasm.gz $(DIST)/*.js.gz | wc -c) as zopfli .gz," \
		"$$(for f in $(DIST)/*.wasm $(DIST)/*.js; do gzip -9 <$$f; done | wc -c) bytes with gzip -9"

serve: setup dist
	node tests/e2e/server.mjs $(DIST)

## ---------------------------------------------------------------- test
# The fuzz targets are built (not run) so they keep compiling against the core.
test: setup lint test-native dist test-e2e fuzz-build

lint:
	cargo fmt --all -- --check
	# No module imports a sibling that imports it back (ARCHITECTURE.md, Invariants).
	python3 tests/layering/module_circles.py core/src
	python3 tests/layering/module_circles.py web/src
	cargo clippy --workspace --all-targets -- -D warnings
	# The page's crate for wasm32 too (core is linted natively above; here it must only compile).
	cargo clippy -p pilotlight-web --target wasm32-unknown-unknown --no-deps -- -D warnings

test-native:
	cargo test --workspace

# Browser tests against the built dist/ (make dist first); screenshots go to tests/artifacts/.
test-e2e:
	node --test --test-concurrency=1 tests/e2e/

## ---------------------------------------------------------------- fuzz
# Coverage-guided fuzzing (fuzz/, its own workspace): cargo-fuzz on the stable toolchain, which
# RUSTC_BOOTSTRAP=1 lets use the sanitizer flags. `make fuzz` runs each target for FUZZ_SECONDS,
# growing fuzz/corpus/<target> (not committed) from the committed seeds in fuzz/seeds/<target>;
# a crash is saved under fuzz/artifacts/<target>/ and stops the run.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := pipeline share simulate
CARGO_FUZZ_VERSION := 0.13.2

setup-fuzz:
	@if [ "$$(cargo fuzz --version 2>/dev/null)" != "cargo-fuzz $(CARGO_FUZZ_VERSION)" ]; then \
		cargo install cargo-fuzz --version $(CARGO_FUZZ_VERSION) --locked; \
	fi

fuzz-build: setup-fuzz
	cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz build -O

fuzz: fuzz-build
	for t in $(FUZZ_TARGETS); do \
		mkdir -p fuzz/corpus/$$t; \
		(cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run -O $$t corpus/$$t seeds/$$t -- \
			-max_total_time=$(FUZZ_SECONDS) -timeout=20 -rss_limit_mb=4096 -print_final_stats=1); \
	done

clean:
	rm -rf $(DIST) $(PKG) tests/artifacts
