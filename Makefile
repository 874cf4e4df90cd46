# Everything starts here: `make run` and `make test` work on a fresh machine.
SHELL := /bin/bash
.DEFAULT_GOAL := run

# python3.12 may sit behind a pyenv shim that refuses to run it unless selected; look for a real one.
PYTHON := $(shell for p in python3.12 $$HOME/.pyenv/versions/3.12*/bin/python3.12 /usr/local/bin/python3.12 \
            /usr/bin/python3.12 python3.13 python3; do \
            $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
SYSTEM_PACKAGES := poppler-utils mupdf-tools postgresql libnss3-tools libegl1 libgl1 libxkbcommon0 libfontconfig1 \
                   libdbus-1-3 libglib2.0-0 libenchant-2-2 hunspell-en-gb
export QT_QPA_PLATFORM ?= $(if $(or $(DISPLAY),$(WAYLAND_DISPLAY)),,offscreen)

.PHONY: run test lint test-slow screenshots bench sysdeps clean dist dist-test

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Python 3.12 or newer is needed (python3.12 was not found)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

run: $(VENV)/.installed
	$(BIN)/cpassess

# Tools the tests call (poppler's pdfsig/pdftotext, mupdf's mutool, PostgreSQL for the team server's tests), the
# libraries Qt loads and the spell-check dictionary (libenchant with British English Hunspell), installed only when missing.
sysdeps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	    echo "Installing system packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "Please install these system packages:$$missing"; exit 1; fi; \
	fi

lint: $(VENV)/.installed-test
	$(BIN)/ruff check cpassess ui tests bench
	$(BIN)/lint-imports
	$(BIN)/mypy

# Across every core; tests sharing an expensive module fixture are kept on one worker (xdist_group).
# Bytecode is cached even where the environment says not to (PYTHONDONTWRITEBYTECODE): every worker and every
# `cpassess` process a test starts would otherwise compile the core, and pytest rewrite every test module, anew.
TEST_ENV := QT_QPA_PLATFORM=offscreen PYTHONDONTWRITEBYTECODE=
test: sysdeps lint
	$(TEST_ENV) $(BIN)/pytest -n auto --dist loadgroup -m "not slow and not dist" -q

test-slow: sysdeps $(VENV)/.installed-test
	$(TEST_ENV) $(BIN)/pytest -n auto --dist loadgroup -m slow -q

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis .import_linter_cache

screenshots: $(VENV)/.installed
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m ui.screenshots screenshots

bench: $(VENV)/.installed-test
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/run.py

# A one-folder bundle built from a clean virtual environment (build.spec).
DIST_VENV := build/venv-dist
dist:
	@test -n "$(PYTHON)" || { echo "Python 3.12 or newer is needed."; exit 1; }
	rm -rf $(DIST_VENV) build/pyinstaller dist/cpassess
	$(PYTHON) -m venv $(DIST_VENV)
	$(DIST_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(DIST_VENV)/bin/python -m pip install --quiet . pyinstaller
	$(DIST_VENV)/bin/pyinstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build/pyinstaller build.spec
	@echo "Built dist/cpassess/ (run dist/cpassess/cpassess --version)"

dist-test: sysdeps $(VENV)/.installed-test
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest -m dist -q
