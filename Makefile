# sipas: two commands on a fresh Debian/Ubuntu clone.
#   make demo   set everything up when missing, then print, fill, read, review and score a sample batch
#   make test   set everything up when missing, then lint, typecheck and run the whole test suite
# Setup is idempotent: system packages are checked by file on every run (apt only runs when
# something is missing) and the venv is rebuilt only when requirements.txt or pyproject.toml change.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := setup
MAKEFLAGS += --no-print-directory

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.sipas-installed
PYTEST_ARGS ?=
# Source roots that mypy checks: the ones that exist and hold Python files.
MYPY_DIRS := $(foreach d,omr review_ui scoring samples templates tools fieldwork sipas,$(if $(wildcard $(d)/*.py $(d)/*/*.py),$(d)))

# Tesseract's OpenMP threads fight the parallel page workers on 2 cores.
export OMP_THREAD_LIMIT ?= 1

.PHONY: help setup system venv demo test lint typecheck pytest bench versions clean distclean

help:
	@echo "make setup      install missing Debian packages, build $(VENV) (default)"
	@echo "make demo       setup, then run the end-to-end demo into build/demo"
	@echo "make test       setup, lint, typecheck, then pytest (all tests) against a throwaway PostgreSQL"
	@echo "make bench      setup, then python -m tools.bench"
	@echo "make lint | typecheck | versions | clean | distclean"

setup: system venv

system:
	@PYTHON=$(PYTHON) scripts/setup-system.sh

# A venv whose interpreter no longer runs (e.g. the base Python was replaced) is rebuilt from scratch;
# so is one without pip (creation was interrupted).
venv:
	@if [ -d $(VENV) ] && ! $(BIN)/python -c '' >/dev/null 2>&1; then \
	    echo "==> $(VENV) is broken; rebuilding it"; rm -rf $(VENV); fi
	@$(MAKE) -q $(STAMP) || $(MAKE) $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@if ! $(BIN)/python -m pip --version >/dev/null 2>&1; then \
	    echo "==> creating $(VENV) with $$($(PYTHON) -V)"; rm -rf $(VENV); \
	    $(PYTHON) -m venv $(VENV) || { \
	        echo "==> '$(PYTHON) -m venv' failed; installing python3-venv"; rm -rf $(VENV); \
	        PYTHON=$(PYTHON) scripts/setup-system.sh python3-venv; $(PYTHON) -m venv $(VENV); }; \
	fi
	@echo "==> installing Python packages into $(VENV)"
	$(BIN)/python -m pip install --disable-pip-version-check -q -U pip
	$(BIN)/python -m pip install --disable-pip-version-check -q -r requirements.txt
	$(BIN)/python -m pip install --disable-pip-version-check -q --no-deps -e .
	@echo "==> $(VENV) ready: $$($(BIN)/python -m pip list --format=freeze 2>/dev/null | wc -l) packages"
	@touch $@

demo: setup
	$(BIN)/sipas demo --out build/demo

test: setup lint typecheck pytest

lint: setup
	$(BIN)/ruff check .

typecheck: setup
	$(BIN)/mypy $(MYPY_DIRS)

# The whole suite, slow, browser and postgres tests included, against a throwaway PostgreSQL that is
# stopped however pytest ends. pytest's exit code is kept: 5 (no tests collected) fails too.
# `python -m pytest` puts the repo root on sys.path: the editable install maps `omr` through a
# meta-path finder, so without it tests/omr/ (no __init__.py) would shadow the real omr package.
pytest: setup
	@trap 'scripts/pg-test-server.sh stop' EXIT; trap 'exit 130' INT TERM; \
	scripts/pg-test-server.sh start; \
	export SIPAS_TEST_PG_URL="$$(scripts/pg-test-server.sh url)" SIPAS_REQUIRE_PG=1; \
	echo "==> pytest $(PYTEST_ARGS) (SIPAS_TEST_PG_URL=$$SIPAS_TEST_PG_URL)"; \
	rc=0; $(BIN)/python -m pytest $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: FAILED: pytest collected no tests"; \
	elif [ $$rc -ne 0 ]; then echo "make test: FAILED: pytest exited with $$rc"; fi; \
	exit $$rc

bench: setup
	$(BIN)/python -m tools.bench
	$(BIN)/python -m tools.bench_fieldwork --records 50000 > bench/fieldwork.json && cat bench/fieldwork.json
	$(BIN)/python -m tools.bench_fieldwork_status --forms 40000 > bench/fieldwork-status.json && cat bench/fieldwork-status.json
	$(BIN)/python -m tools.bench_peers --out bench/peers.json
	$(BIN)/python -m tools.bench_fromscan --forms 10

versions: setup
	@v() { if command -v "$$1" >/dev/null; then "$$@" 2>&1 | head -n 1; else echo "$$1: missing"; fi; }; \
	pg=$$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1); \
	echo "python:     $$(v $(BIN)/python -V)"; \
	echo "tesseract:  $$(v tesseract --version)"; \
	chromium=/usr/lib/chromium/chromium; [ -x $$chromium ] || chromium=chromium; \
	echo "chromium:   $$(v $$chromium --version)"; \
	echo "poppler:    $$(v pdftoppm -v)"; \
	echo "postgresql: $$(v $${pg:-/nonexistent}/postgres --version)"

clean:
	@scripts/pg-test-server.sh stop >/dev/null 2>&1 || true
	rm -rf build .pytest_cache .mypy_cache .ruff_cache ./*.egg-info $(STAMP)
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
