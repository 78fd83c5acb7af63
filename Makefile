# Every target builds its own virtualenv from nothing, so a fresh clone needs only python3.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
EXAMPLE ?= fixtures/scenarios/mall-cameras/deployment.json

.PHONY: help demo test style lint fixtures coverage bench fuzz browser mutation clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*##/\t/'

$(BIN)/facepolicy: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	$(BIN)/python -m compileall -q evaluator >/dev/null  # bytecode even where PYTHONDONTWRITEBYTECODE is set: cold start
	@touch $@

demo: $(BIN)/facepolicy  ## install, then evaluate the example deployment with the bundled rules
	-$(BIN)/facepolicy eval $(EXAMPLE)

# Chromium is needed only by the HTML report's browser check. Where it is missing, tests/ensure_browser.sh installs
# it if it can (root with apt-get, as on CI) and then requires it; else it says in one line what to install, and
# that check is skipped (it still fails when FACEPOLICY_REQUIRE_BROWSER=1 or CI=true: CI never skips it silently).
# The example pack (examples/acme-pm) is checked with the bundled rules: each pack's fixtures against its own rules
# and those it builds on, each catalog's excerpts against its own pack's sources.
PACKS := --policies examples/acme-pm

test: $(BIN)/facepolicy style  ## the whole test suite: code style, lint, fixtures, coverage (bundled and example pack), pytest
	$(BIN)/facepolicy lint $(PACKS) $(if $(wildcard ../shared/sources),--sources ../shared/sources)
	$(BIN)/facepolicy fmt --check
	$(BIN)/facepolicy fmt --check $(PACKS)
	$(BIN)/facepolicy test $(PACKS)
	$(BIN)/facepolicy coverage $(PACKS) --min 100 > /dev/null
	@browser=$$(sh tests/ensure_browser.sh); \
	echo "FACEPOLICY_REQUIRE_BROWSER=$${FACEPOLICY_REQUIRE_BROWSER:-$$browser} $(BIN)/python -m pytest -q"; \
	FACEPOLICY_REQUIRE_BROWSER=$${FACEPOLICY_REQUIRE_BROWSER:-$$browser} $(BIN)/python -m pytest -q

style: $(BIN)/facepolicy  ## code style: ruff format and lint (100 columns, complexity ≤ 15) and mypy on the package
	$(BIN)/ruff format --check --quiet evaluator tests benchmarks
	$(BIN)/ruff check --quiet evaluator tests benchmarks
	$(BIN)/mypy

browser:  ## headless Chromium for the HTML report's browser check: installed where possible, else one line says what to install
	@sh tests/ensure_browser.sh >/dev/null

lint: $(BIN)/facepolicy  ## check rules, catalogs and schemas
	$(BIN)/facepolicy lint $(PACKS) $(if $(wildcard ../shared/sources),--sources ../shared/sources)

fixtures: $(BIN)/facepolicy  ## run every fixture against its expected verdicts
	$(BIN)/facepolicy test $(PACKS)

bench: $(BIN)/facepolicy  ## cold start (cache warm and cold), compiled vs interpreted vs straightforward, --jobs scaling, peak memory to 100,000 (about 15 minutes)
	$(BIN)/python benchmarks/bench.py

fuzz: $(BIN)/facepolicy  ## the full property-based runs: robustness (over 10,000 hostile inputs) and monotonicity (over 10,000 removals)
	FACEPOLICY_FUZZ_EXAMPLES=2500 $(BIN)/python -m pytest -q -s tests/test_robustness.py tests/test_monotonic.py

# mutmut runs in a temporary copy laid out as src/facepolicy (see tests/mutation.py): the working tree is untouched.
mutation: $(BIN)/facepolicy  ## mutation testing of the evaluation, expression, model and waiver modules: a score per module
	$(BIN)/python tests/mutation.py

clean:  ## remove the virtualenv and caches
	rm -rf $(VENV) build dist .pytest_cache
