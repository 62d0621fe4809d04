# Vestibule: the two commands a person needs are `make run` and `make test`.
# Both set up everything they need on a fresh machine first.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
# Node packages from package-lock.json: axe-core (the browser tests inject it into pages) and
# MediaPipe's selfie segmentation (the call's background blur).
NODE_INSTALLED := node_modules/.installed
# The background blur's model and WebAssembly, copied from node_modules into web/vendor/ (not
# in git) so that the pages load them from our own origin, locally and from CloudFront.
VENDOR := web/vendor/selfie-segmentation/.installed
SEGMENTATION := node_modules/@mediapipe/selfie_segmentation
SEGMENTATION_FILES := selfie_segmentation.js selfie_segmentation.binarypb \
	selfie_segmentation.tflite selfie_segmentation_landscape.tflite \
	selfie_segmentation_solution_simd_wasm_bin.js selfie_segmentation_solution_simd_wasm_bin.wasm \
	selfie_segmentation_solution_simd_wasm_bin.data selfie_segmentation_solution_wasm_bin.js \
	selfie_segmentation_solution_wasm_bin.wasm

# Debian packages the stack needs, as command=package: Debian's own builds, never downloads.
# `make run` needs coturn (TURN) and npm (the background blur's model); `make test` also
# drives Debian's Chromium, and synthesizes the CDK app (tests/infra), whose jsii runtime
# needs Node.
RUN_PACKAGES := turnserver=coturn node=nodejs npm=npm
TEST_PACKAGES := $(RUN_PACKAGES) chromium=chromium

.PHONY: run test lint typecheck unit functional e2e infra vendor run-packages test-packages clean

run: $(INSTALLED) run-packages $(VENDOR)
	$(PY) -m devstack

test: $(INSTALLED) test-packages $(NODE_INSTALLED) $(VENDOR) lint typecheck
	$(PY) -m pytest

lint: $(INSTALLED)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

typecheck: $(INSTALLED)
	$(PY) -m mypy

unit functional: $(INSTALLED)
	$(PY) -m pytest tests/$@

e2e: $(INSTALLED) test-packages $(NODE_INSTALLED) $(VENDOR)
	$(PY) -m pytest tests/$@

infra: $(INSTALLED) test-packages $(VENDOR)
	$(PY) -m pytest tests/infra

$(INSTALLED): requirements.txt requirements-dev.txt media_worker/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

$(NODE_INSTALLED): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

vendor: $(VENDOR)

$(VENDOR): $(NODE_INSTALLED)
	mkdir -p $(@D)
	cd $(SEGMENTATION) && cp $(SEGMENTATION_FILES) $(CURDIR)/$(@D)/
	touch $@

run-packages:
	@sh devstack/install_packages.sh $(RUN_PACKAGES)

test-packages:
	@sh devstack/install_packages.sh $(TEST_PACKAGES)

clean:
	rm -rf $(VENV) node_modules web/vendor .pytest_cache .mypy_cache .ruff_cache cdk.out chalice.out infra/cdk.out
