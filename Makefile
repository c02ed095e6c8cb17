# Sutura: `make run` starts the app on the embedded default; `make test` runs the whole suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
APT_STAMP := $(VENV)/.apt-run
APT_TEST_STAMP := $(VENV)/.apt-test

.PHONY: run test lint audit lock migrations clean bench bench-search messages

run: $(STAMP) $(APT_STAMP)
	$(BIN)/python main.py serve

test: $(TEST_STAMP) $(APT_TEST_STAMP) lint audit
	bash scripts/ensure-postgres.sh
	$(BIN)/python -m pytest

# Known vulnerabilities in the locked dependencies fail the build, except those listed with a
# reason in audit-accept.txt (see README, "Dependency audit").
audit: $(TEST_STAMP)
	bash scripts/pip-audit.sh

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

bench: $(TEST_STAMP)
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/capture.py

# 100,000 patients and 1,000,000 photos on SQLite and on a throwaway PostgreSQL database.
bench-search: $(TEST_STAMP)
	$(BIN)/python bench/search.py --portal

migrations: $(STAMP)
	$(BIN)/python -m tortoise --config storage.database.MIGRATION_CONFIG makemigrations

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml requirements.lock $(VENV)/bin/python
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(TEST_STAMP): pyproject.toml requirements.lock $(STAMP)
	$(BIN)/pip install --quiet --no-deps -e '.[test,bench]'
	touch $@

# Refresh the lock after changing dependencies in pyproject.toml (then review and commit it).
lock: $(VENV)/bin/python
	$(BIN)/pip install --quiet -e '.[test,bench]'
	$(BIN)/pip freeze --exclude-editable | grep -v '^sutura' > requirements.lock

# Debian packages: redis-server for the embedded mode; Chromium and libvips for the tests.
$(APT_STAMP):
	bash scripts/ensure-debian-packages.sh redis-server
	touch $@

$(APT_TEST_STAMP): $(APT_STAMP)
	bash scripts/ensure-debian-packages.sh redis-server chromium libvips42
	touch $@

clean:
	rm -rf $(VENV) build *.egg-info

# Danish text: collect the marked messages and merge them into the Danish catalogs: the portal's
# (ui/ and domain/, babel.cfg) into messages.po, the phone app's (ui/pwa/, babel-app.cfg) into
# app.po, the external sender page's (ui/link/, babel-link.cfg) into link.po; then translate the
# new entries (tests/ui/test_catalog.py fails until they are). Shipping changed app text also
# needs a new shell VERSION in ui/pwa/sw.js. PYTHONPATH: the .cfg files name this project's
# extractor for marked HTML.
messages: $(TEST_STAMP)
	mkdir -p build
	$(BIN)/pybabel extract -F babel.cfg -k _ -k ngettext:1,2 -k NotFound -k NotPermitted \
		-k NotAuthenticated -k ConsentRequired -k Conflict -k InvalidInput -k InvalidImage \
		-k TooLarge -k worded -k counted:1,2 \
		--no-location --omit-header -o build/messages.pot .
	$(BIN)/pybabel update -i build/messages.pot -d ui/locale -l da -w 98
	PYTHONPATH=. $(BIN)/pybabel extract -F babel-app.cfg -k _ -k ngettext:1,2 \
		--no-location --omit-header -o build/app.pot .
	$(BIN)/pybabel update -D app -i build/app.pot -d ui/locale -l da -w 98
	PYTHONPATH=. $(BIN)/pybabel extract -F babel-link.cfg -k _ -k ngettext:1,2 \
		--no-location --omit-header -o build/link.pot .
	$(BIN)/pybabel update -D link -i build/link.pot -d ui/locale -l da -w 98
