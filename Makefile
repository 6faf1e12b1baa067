# Two entry points (see README): `make demo` runs the main job against the built-in emulator,
# `make test` runs the whole test suite. Both create .venv on first use: `make demo` installs
# ssogen with its runtime dependencies only (fast on a fresh machine), `make test` adds the
# test extras. `make install` puts `ssogen` on your PATH with pipx or uv (never into the
# system Python, which Debian and Ubuntu refuse: externally-managed-environment).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
RUNTIME := $(VENV)/.runtime-installed
STAMP  := $(VENV)/.installed
PIP    := $(BIN)/python -m pip --disable-pip-version-check -q

BENCH_VENV ?= .venv-bench

.PHONY: demo test lint install screens bench stress clean

$(BIN)/python:
	@$(PYTHON) -m venv $(VENV) || { \
	  echo "make: '$(PYTHON) -m venv' failed; on Debian/Ubuntu: sudo apt install python3-venv" >&2; \
	  exit 1; }
	@# editable installs from pyproject.toml need pip >= 21.3; upgrade only an older one
	@$(BIN)/python -c 'import pip, sys; sys.exit(tuple(map(int, pip.__version__.split(".")[:2])) < (21, 3))' \
	  || $(PIP) install --upgrade pip

$(RUNTIME): pyproject.toml | $(BIN)/python
	$(PIP) install -e .
	touch $(RUNTIME)

$(STAMP): pyproject.toml $(RUNTIME)
	$(PIP) install -e '.[test]'
	touch $(STAMP)

demo: $(RUNTIME)
	$(BIN)/ssogen demo --yes

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy

# ssogen on PATH, in its own environment: pipx, else uv; else what to install first
install:
	@if command -v pipx >/dev/null 2>&1; then \
	  echo "pipx install --force ."; pipx install --force .; \
	elif command -v uv >/dev/null 2>&1; then \
	  echo "uv tool install --force ."; uv tool install --force .; \
	else \
	  echo "make install puts ssogen on PATH with pipx or uv; neither is installed:" >&2; \
	  echo "  Debian/Ubuntu:  sudo apt install pipx && pipx ensurepath" >&2; \
	  echo "  elsewhere:      $(PYTHON) -m pip install --user pipx && $(PYTHON) -m pipx ensurepath" >&2; \
	  echo "  or uv:          see https://docs.astral.sh/uv/getting-started/installation/" >&2; \
	  echo "then open a new shell and run make install again (meanwhile: make demo, then .venv/bin/ssogen)" >&2; \
	  exit 1; \
	fi
	@command -v ssogen >/dev/null 2>&1 && echo "ssogen is on PATH: $$(command -v ssogen)" || \
	  echo "installed; ssogen is not on this shell's PATH yet: run 'pipx ensurepath' (or 'uv tool update-shell') and open a new shell"

# docs/screens/*.txt: the wizard's main screens, from the real wizard against the emulator
screens: $(STAMP)
	$(BIN)/python tools/screens.py

# aws-sso-util (the anchor we compare against) gets its own venv: it pins its own dependencies.
$(BENCH_VENV)/bin/aws-sso-util:
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install -q aws-sso-util

# the engine and start-up tables need nothing more; the anchor's install may fail offline
bench: $(STAMP)
	$(BIN)/python benchmarks/config_engine.py
	$(BIN)/python benchmarks/startup.py
	@$(MAKE) --no-print-directory $(BENCH_VENV)/bin/aws-sso-util || \
	  echo "make bench: aws-sso-util could not be installed; discovery runs without it" >&2
	$(BIN)/python benchmarks/discovery.py \
	  $$(test -x $(BENCH_VENV)/bin/aws-sso-util && echo --aws-sso-util $(BENCH_VENV)/bin/aws-sso-util)

# long robustness runs: >= 10,000 fuzz cases, hundreds of SIGKILLed syncs
stress: $(STAMP)
	$(BIN)/python benchmarks/fuzz.py
	$(BIN)/python benchmarks/kill9.py

clean:
	rm -rf $(VENV) $(BENCH_VENV) build dist .pytest_cache .hypothesis
