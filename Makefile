# govwatch — the two commands: `make demo` and `make test`. Both work on a fresh machine.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
BROWSER_STAMP := $(VENV)/.chromium

.PHONY: demo test lint format clean install browser report bench eval

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

browser: $(BROWSER_STAMP)

$(BROWSER_STAMP): $(STAMP)
	bash scripts/ensure-chromium.sh $(PY)
	touch $(BROWSER_STAMP)

demo: $(BROWSER_STAMP)
	$(VENV)/bin/govwatch demo

# The weekly bulletin (通报) of the last complete ISO week, as a draft for approval:
# data/reports/drafts/通报-<week>-草稿.* (publish with `govwatch report approve WEEK --by NAME`)
report: $(STAMP)
	$(VENV)/bin/govwatch report weekly

test: $(BROWSER_STAMP)
	$(PY) -m pytest

# Benchmarks (not part of `make test`): province-size crawl, monitors, score and report at
# scales 1 and 2; table printed, data/bench/results.json written. See docs/performance.md.
# Options: make bench BENCH_ARGS="--quick" (or --scales 1, --only crawl, --no-cli …)
bench: $(STAMP)
	$(PY) -m bench $(BENCH_ARGS)

# The policy rule measured on real portal pages (not part of `make test`): the classifier and
# the policy ↔ interpretation matcher over ../shared/real-corpus/hebei-kjt. See docs/policy-rule.md.
eval: $(STAMP)
	$(PY) -m evals

# ruff, then the import contracts (pyproject.toml [tool.importlinter]: the layers)
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) data build *.egg-info .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
