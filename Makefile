# Vestibule: the two commands a person needs are `make run` and `make test`.
# Both set up everything they need on a fresh machine first.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
# Node packages the browser tests inject into pages (axe-core), from package-lock.json.
NODE_INSTALLED := node_modules/.installed

# Debian packages the stack needs, as command=package: Debian's own builds, never downloads.
# `make run` needs coturn (TURN); `make test` also drives Debian's Chromium, and synthesizes
# the CDK app (tests/infra), whose jsii runtime needs Node.
RUN_PACKAGES := turnserver=coturn
TEST_PACKAGES := $(RUN_PACKAGES) chromium=chromium node=nodejs npm=npm

.PHONY: run test lint typecheck unit functional e2e infra run-packages test-packages clean

run: $(INSTALLED) run-packages
	$(PY) -m devstack

test: $(INSTALLED) test-packages $(NODE_INSTALLED) lint typecheck
	$(PY) -m pytest

lint: $(INSTALLED)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

typecheck: $(INSTALLED)
	$(PY) -m mypy

unit functional: $(INSTALLED)
	$(PY) -m pytest tests/$@

e2e: $(INSTALLED) test-packages $(NODE_INSTALLED)
	$(PY) -m pytest tests/$@

infra: $(INSTALLED) test-packages
	$(PY) -m pytest tests/infra

$(INSTALLED): requirements.txt requirements-dev.txt media_worker/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

$(NODE_INSTALLED): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

run-packages:
	@sh devstack/install_packages.sh $(RUN_PACKAGES)

test-packages:
	@sh devstack/install_packages.sh $(TEST_PACKAGES)

clean:
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache cdk.out chalice.out infra/cdk.out
