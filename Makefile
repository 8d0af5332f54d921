# Two commands matter: `make run` and `make test`. Both build .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP_FLAGS := --disable-pip-version-check --quiet

.PHONY: run test test-unit test-integration bench clean clients clients-node

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

# The client generators (openapi-python-client and its ruff) in a venv of their own:
# their dependencies would clash with the service's.
CLIENTS_VENV := .venv-clients
$(CLIENTS_VENV)/.stamp: clients/requirements-generate.txt
	$(PYTHON) -m venv $(CLIENTS_VENV)
	$(CLIENTS_VENV)/bin/pip install $(PIP_FLAGS) -r clients/requirements-generate.txt
	touch $@

run: $(VENV)/.runtime-stamp
	PATH="$(CURDIR)/$(BIN):$$PATH" exec $(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

test: $(VENV)/.dev-stamp $(CLIENTS_VENV)/.stamp clients-node
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
		echo "note: chromium and chromium-driver are not installed: the dashboard's browser tests will be skipped (apt-get install chromium chromium-driver)"
	CHATKEEP_REQUIRE_GENERATORS=1 $(PYTEST)

test-unit: $(VENV)/.dev-stamp
	$(PYTEST) -m 'not wire'

test-integration: $(VENV)/.dev-stamp clients-node
	$(PYTEST) -m 'wire and not soak'

# Benchmarks (bench/run.py): BENCH_QUICK=1 for the short profile. Writes
# bench/results/latest.json and the tables of docs/PERFORMANCE.md.
bench: $(VENV)/.dev-stamp
	$(BIN)/python -m pytest -m soak
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m bench.run

# The Node packages under clients/ (@chatkeep/client, @chatkeep/builderbot): `npm ci`
# when the lock file changes, a build when their sources do. Without npm the Node
# client tests skip (tests/integration/test_clients_node.py says so).
CLIENTS_NODE_INSTALLED := clients/node_modules/.install-stamp
CLIENTS_NODE_BUILT := clients/.stamp-build
CLIENTS_NODE_SOURCES := $(wildcard clients/typescript/src/*.ts clients/typescript/src/*/*.ts \
	clients/builderbot/src/*.ts clients/typescript/tsconfig.json clients/builderbot/tsconfig.json)

$(CLIENTS_NODE_INSTALLED): clients/package-lock.json clients/package.json clients/typescript/package.json \
		clients/builderbot/package.json clients/builderbot/example/package.json
	@if command -v npm >/dev/null; then cd clients && npm ci --prefer-offline --no-audit --no-fund --loglevel=error && touch node_modules/.install-stamp; \
	else echo "note: npm is not installed: the Node client tests will be skipped"; fi

$(CLIENTS_NODE_BUILT): $(CLIENTS_NODE_INSTALLED) $(CLIENTS_NODE_SOURCES)
	@if command -v npm >/dev/null; then cd clients && npm run --silent build && touch .stamp-build; fi

clients-node: $(CLIENTS_NODE_BUILT)

# Regenerates clients/openapi.json and the clients' generated code from the app's own
# document; `make test` fails while the committed code differs from a fresh generation.
clients: $(VENV)/.dev-stamp $(CLIENTS_VENV)/.stamp $(CLIENTS_NODE_INSTALLED)
	$(BIN)/python clients/generate.py
	cd clients && npm run --silent build

clean:
	rm -rf $(VENV) $(CLIENTS_VENV) .pytest_cache .hypothesis clients/node_modules clients/*/dist clients/.stamp-build
