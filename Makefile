# dicomforge: two commands on a fresh machine (see README.md)
#   make dev    install what is missing, then serve the app on http://localhost:5173
#   make test   install what is missing (plus chromium and the DICOM checkers), then run every test
# Every set-up step is skipped when its result is already there, so both are quick when
# nothing is missing.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: dev test build build-embed preview setup system-deps test-py test-pyodide test-js test-e2e bench bench-startup fuzz clean

# ---- set-up ---------------------------------------------------------------------------
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

$(VENV)/.installed: pyproject.toml
	test -x $(VPY) || $(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install --quiet --upgrade pip
	$(VPY) -m pip install --quiet -e '.[test]'
	@touch $@

# the pinned Pyodide wheels (checked against their sha256; a no-op when all are present)
wheels: $(VENV)/.installed
	$(VPY) py/tools/fetch_wheels.py

setup: node_modules/.package-lock.json $(VENV)/.installed wheels

# Debian packages the tests need: chromium (for Playwright), dcmtk (dcmftest, dcmdump, dcmj2pnm, storescu...)
# and Orthanc with its DICOMweb plugin (the real server of the networking tests)
system-deps:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v dcmdump >/dev/null || missing="$$missing dcmtk"; \
	command -v Orthanc >/dev/null || missing="$$missing orthanc"; \
	test -f /usr/share/orthanc/plugins/libOrthancDicomWeb.so || missing="$$missing orthanc-dicomweb"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

# ---- commands -------------------------------------------------------------------------
dev: setup
	npx vite --port 5173 --strictPort

build: setup
	npx vite build
	DICOMFORGE_PACKAGES_URL=/pyodide-full/ DICOMFORGE_OUT_DIR=dist-numpy npx vite build --logLevel warn
	npx vite build --config vite.embed.config.js --logLevel warn
	npx vite build --base /dicomforge/ --outDir dist-orthanc --logLevel warn

# the embedding API as a folder an editor hosts as is: dist-embed/ (dicomforge.js, pyodide/, wheels/, py/)
build-embed: setup
	npx vite build --config vite.embed.config.js

preview: build
	npx vite preview --port 4173 --strictPort

test: setup system-deps test-py test-pyodide test-js test-e2e

# pytest natively, once with numpy (the default where importable) and once with the stdlib backend
test-py: setup
	$(VPY) -m pytest tests/py -q
	DICOMFORGE_BACKEND=stdlib $(VPY) -m pytest tests/py -q

# hostile inputs at length: 20,000 fuzz cases (make test runs 2,000 natively, 400 in Pyodide)
FUZZ_CASES ?= 20000
fuzz: setup
	DICOMFORGE_FUZZ_CASES=$(FUZZ_CASES) $(VPY) -m pytest tests/py/test_fuzz.py -q -s -p no:warnings

# the same tests inside Pyodide (Python 3.14, no numpy) under Node
test-pyodide: setup
	node tests/pyodide/run-pytest.mjs

# the worker's JavaScript that runs without a browser (Node's own test runner)
test-js: setup
	node --test tests/js/

test-e2e: build system-deps
	npx playwright test

# run $(1) against `vite preview` of the build on port 4173, stopped afterwards (vite itself,
# not npx, is started in the background, so that killing $$pid stops the server)
define with_preview
	@node_modules/.bin/vite preview --port 4173 --strictPort >/dev/null 2>&1 & pid=$$!; \
	trap "kill $$pid" EXIT; \
	for i in $$(seq 50); do curl -sf http://localhost:4173/ >/dev/null && break; sleep 0.2; done; \
	$(1)
endef

# cold/warm start of the built app in headless chromium (median of 5 fresh contexts)
bench-startup: build system-deps
	$(call with_preview,node tests/bench/startup.mjs --runs 5)

# every dicomforge.bench workload natively (numpy, stdlib) and in chromium (Pyodide, dcmjs):
# one table, also written to bench/results/latest.{json,md}. BENCH_ARGS="--slices 30 --runs 3" for a quick one.
BENCH_ARGS ?=
bench: build system-deps
	$(call with_preview,node tests/bench/run.mjs $(BENCH_ARGS))

clean:
	rm -rf dist dist-numpy dist-embed node_modules/.cache/dicomforge test-results
