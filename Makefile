# Two entry points (see README): `make demo` runs the main job against the built-in emulator,
# `make test` runs the whole test suite. Both create .venv on first use.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

BENCH_VENV ?= .venv-bench

.PHONY: demo test lint bench stress clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
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

# aws-sso-util (the anchor we compare against) gets its own venv: it pins its own dependencies.
$(BENCH_VENV)/bin/aws-sso-util:
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install -q aws-sso-util

bench: $(STAMP) $(BENCH_VENV)/bin/aws-sso-util
	$(BIN)/python benchmarks/config_engine.py
	$(BIN)/python benchmarks/discovery.py --aws-sso-util $(BENCH_VENV)/bin/aws-sso-util

# long robustness runs: >= 10,000 fuzz cases, hundreds of SIGKILLed syncs
stress: $(STAMP)
	$(BIN)/python benchmarks/fuzz.py
	$(BIN)/python benchmarks/kill9.py

clean:
	rm -rf $(VENV) $(BENCH_VENV) build dist .pytest_cache .hypothesis
