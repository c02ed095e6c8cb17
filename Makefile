# Sutura: `make run` starts the app on the embedded default; `make test` runs the whole suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
APT_STAMP := $(VENV)/.apt-run
APT_TEST_STAMP := $(VENV)/.apt-test

.PHONY: run test lint migrations clean bench

run: $(STAMP) $(APT_STAMP)
	$(BIN)/python main.py serve

test: $(TEST_STAMP) $(APT_TEST_STAMP)
	bash scripts/ensure-postgres.sh
	$(BIN)/python -m pytest

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

bench: $(TEST_STAMP)
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/capture.py

migrations: $(STAMP)
	$(BIN)/python -m tortoise --config storage.database.MIGRATION_CONFIG makemigrations

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml $(VENV)/bin/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml $(STAMP)
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $@

# Debian packages: redis-server for the embedded mode; Chromium and libvips for the tests.
$(APT_STAMP):
	bash scripts/ensure-debian-packages.sh redis-server
	touch $@

$(APT_TEST_STAMP): $(APT_STAMP)
	bash scripts/ensure-debian-packages.sh redis-server chromium libvips42
	touch $@

clean:
	rm -rf $(VENV) build *.egg-info
