# One task runner for the README, CI and developers alike.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO_DIR ?= demo

.PHONY: demo test test-long bench lint clean setup

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

## Set up and run the demo: builds an example business, imports it, writes the report.
demo: $(STAMP)
	$(BIN)/assetkit demo $(DEMO_DIR)

## Set up and run the whole test suite.
test: $(STAMP)
	$(BIN)/python -m pytest

## The long reliability versions (200+ kills, more hypothesis examples).
test-long: $(STAMP)
	$(BIN)/python -m pytest --long

## Benchmarks (not part of the tests): appends a dated entry to bench/RESULTS.md.
bench: $(STAMP)
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache .hypothesis
