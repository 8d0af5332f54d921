# Two commands matter: `make run` and `make test`. Both build .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP_FLAGS := --disable-pip-version-check --quiet

.PHONY: run test test-unit test-integration bench clean clients

# The venv is rebuilt when a requirements file changes (stamp files track each set).
$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime-stamp: requirements.txt $(BIN)/activate
	$(BIN)/pip install $(PIP_FLAGS) -r requirements.txt
	touch $@

$(VENV)/.dev-stamp: requirements-dev.txt requirements.txt $(BIN)/activate
	$(BIN)/pip install $(PIP_FLAGS) -r requirements-dev.txt
	touch $@

# The client generators (openapi-python-client and its ruff) in a venv of their own:
# their dependencies would clash with the service's.
CLIENTS_VENV := .venv-clients
$(CLIENTS_VENV)/.stamp: clients/requirements-generate.txt
	$(PYTHON) -m venv $(CLIENTS_VENV)
	$(CLIENTS_VENV)/bin/pip install $(PIP_FLAGS) -r clients/requirements-generate.txt
	touch $@

# Regenerates clients/openapi.json and the clients' generated code from the app's own
# document; `make test` fails while the committed code differs from a fresh generation.
clients: $(VENV)/.dev-stamp $(CLIENTS_VENV)/.stamp
	$(BIN)/python clients/generate.py

run: $(VENV)/.runtime-stamp
	PATH="$(CURDIR)/$(BIN):$$PATH" exec $(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

test: $(VENV)/.dev-stamp $(CLIENTS_VENV)/.stamp
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
		echo "note: chromium and chromium-driver are not installed: the dashboard's browser tests will be skipped (apt-get install chromium chromium-driver)"
	CHATKEEP_REQUIRE_GENERATORS=1 $(BIN)/python -m pytest

test-unit: $(VENV)/.dev-stamp
	$(BIN)/python -m pytest -m 'not wire'

test-integration: $(VENV)/.dev-stamp
	$(BIN)/python -m pytest -m 'wire and not soak'

# Benchmarks (bench/run.py): BENCH_QUICK=1 for the short profile. Writes
# bench/results/latest.json and the tables of docs/PERFORMANCE.md.
bench: $(VENV)/.dev-stamp
	$(BIN)/python -m pytest -m soak
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) $(CLIENTS_VENV) .pytest_cache .hypothesis
