# Vestibule: the two commands a person needs are `make run` and `make test`.
# Both set up everything they need on a fresh machine first.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed

.PHONY: run test lint typecheck unit functional e2e browser clean

run: $(INSTALLED)
	$(PY) -m devstack

test: $(INSTALLED) browser lint typecheck
	$(PY) -m pytest

lint: $(INSTALLED)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

typecheck: $(INSTALLED)
	$(PY) -m mypy

unit functional e2e: $(INSTALLED)
	$(PY) -m pytest tests/$@

$(INSTALLED): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# The browser tests drive Debian's Chromium (never a downloaded browser build).
browser:
	@command -v chromium >/dev/null 2>&1 || sh devstack/install_chromium.sh

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
