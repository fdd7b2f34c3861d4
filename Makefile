# The two promises of the README: `make demo` and `make test` work on a fresh machine with Python >= 3.11.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed-stamp

.PHONY: demo test test-fast lint bench check clean

$(STAMP): pyproject.toml ontology/core.ttl  # the package version is read from core.ttl
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

## demo: set up and run the main job on the bundled example city
demo: $(STAMP)
	$(BIN)/sscrdf info
	$(BIN)/sscrdf analyze examples/riverton.ttl

## test: set up and run the whole test suite
test: $(STAMP)
	$(BIN)/python -m pytest -q -n 2

## test-fast: the fast tier (no reference engines, stores, browsers or builds): run it after each edit
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -n 2 --dist loadfile -m "not slow"  # one file a worker: its cached work is shared

## lint: ruff (lint and format check) on the code and the tests, mypy --strict on the package; any finding fails
lint: $(STAMP)
	$(BIN)/ruff check sscrdf tests benchmarks
	$(BIN)/ruff format --check sscrdf tests benchmarks
	$(BIN)/python -m mypy sscrdf

## check: the checks of every knowledge file a knowledge engineer runs after an edit
check: $(STAMP)
	$(BIN)/sscrdf check

## bench: the scale benchmark (minutes; see benchmarks/README.md)
bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
