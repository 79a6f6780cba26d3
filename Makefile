# Two entry points for a new machine: `make demo` (the main job) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test setup clean bench-ingest audit reliability

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

# The main job until the fleet assessment lands: run the legal suite and explain a few decisions.
DEMO_CASES := \
	tests/cases/791_301/persons/three-level-holding-chain-from-prc-state-links-irish-developer.yaml \
	tests/cases/791_302/module-without-model-year-is-exempt-until-2028-12-31-and-prohibited-from-2029-01-01.yaml \
	tests/cases/791_301/software/software-without-known-developer-is-indeterminate.yaml

demo: $(STAMP)
	$(BIN)/cvrule case test tests/cases
	$(BIN)/cvrule case run --explain $(DEMO_CASES)

test: $(STAMP)
	$(BIN)/python -m pytest -q

bench-ingest: $(STAMP)
	$(BIN)/python -m pip install --quiet -r benchmarks/requirements.txt
	$(BIN)/python benchmarks/ingest/run.py

clean:
	rm -rf $(VENV) .pytest_cache

bench-nexus: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/nexus/run.py

# Known vulnerabilities in the installed dependencies (needs network: PyPI's JSON API or OSV).
# --strict: a dependency that could not be checked is a failure, not a silent pass.
audit: $(STAMP)
	$(BIN)/python -m pip install --quiet pip-audit
	$(BIN)/pip-audit --strict --skip-editable

# The long reliability runs (RELIABILITY.md); each writes its section of benchmarks/reliability/RESULTS.md.
reliability: $(STAMP)
	$(BIN)/python benchmarks/reliability/fuzz.py --executions 100000
	$(BIN)/python benchmarks/reliability/hostile.py
	$(BIN)/python benchmarks/reliability/crash.py --kills 200
