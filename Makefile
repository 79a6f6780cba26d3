# Two entry points for a new machine: `make demo` (the main job) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test setup clean bench-ingest bench-nexus bench-assess bench-web audit reliability

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

# The main job: assess the demo fleet (examples/demo-fleet) and write its reports into demo-out/.
# `cvrule assess` exits 1 when a transaction is prohibited or indeterminate (a gate for CI); the
# demo fleet has both on purpose, so that status is the expected one here.
demo: $(STAMP)
	$(BIN)/cvrule assess examples/demo-fleet --out demo-out; status=$$?; [ $$status -le 1 ] || exit $$status
	@echo "open demo-out/report.html for the verdict matrix and every decision's reasons"

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

# The web app under load: 50 clients for 60 s on loopback (benchmarks/web/RESULTS.md).
bench-web: $(STAMP)
	$(BIN)/python benchmarks/web/run.py

# A 5 M-component synthetic fleet assessed end to end on DuckDB and Spark (benchmarks/assess/RESULTS.md).
bench-assess: $(STAMP)
	$(BIN)/python benchmarks/assess/run.py
