# Two commands matter: `make run` and `make test`. Both build .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP_FLAGS := --disable-pip-version-check --quiet

.PHONY: run test test-unit test-integration bench clean

# Test processes side by side: every test has its own ports, DATA_DIR and database, and
# most of the suite's time is spent waiting, so more workers than cores pays.
TEST_WORKERS ?= 4
PYTEST := $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal

# The venv is rebuilt when a requirements file changes (stamp files track each set).
$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime-stamp: requirements.txt $(BIN)/activate
	$(BIN)/pip install $(PIP_FLAGS) -r requirements.txt
	touch $@

$(VENV)/.dev-stamp: requirements-dev.txt requirements.txt $(BIN)/activate
	$(BIN)/pip install $(PIP_FLAGS) -r requirements-dev.txt
	touch $@

run: $(VENV)/.runtime-stamp
	PATH="$(CURDIR)/$(BIN):$$PATH" exec $(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

test: $(VENV)/.dev-stamp
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
		echo "note: chromium and chromium-driver are not installed: the dashboard's browser tests will be skipped (apt-get install chromium chromium-driver)"
	$(PYTEST)

test-unit: $(VENV)/.dev-stamp
	$(PYTEST) -m 'not wire'

test-integration: $(VENV)/.dev-stamp
	$(PYTEST) -m 'wire and not soak'

# Benchmarks (bench/run.py): BENCH_QUICK=1 for the short profile. Writes
# bench/results/latest.json and the tables of docs/PERFORMANCE.md.
bench: $(VENV)/.dev-stamp
	$(BIN)/python -m pytest -m soak
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
