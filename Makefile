# Development entry points. On a fresh clone only python3.11 and make are needed:
# every target that runs project code first builds .venv from requirements.lock.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ARGS ?=

.DEFAULT_GOAL := run
.PHONY: run test manage venv lint format lock migrations-check clean-data help backup restore

help:
	@echo "make run               migrate, demo data, web + worker + beat on http://127.0.0.1:$${PORT:-8000}/demo/"
	@echo "make test ARGS=...     pytest (ARGS go to pytest, e.g. ARGS='-k tenancy -x')"
	@echo "make screenshots       browser journeys; rewrites the README screenshots in docs/screenshots/"
	@echo "make manage ARGS=...   manage.py with the dev services up (e.g. ARGS='createsuperuser')"
	@echo "make lint | format     ruff check, format check, import rules | apply formatting"
	@echo "make migrations-check  fail when a model change has no migration"
	@echo "make lock              regenerate requirements.lock from pyproject.toml"
	@echo "make venv              create or refresh .venv from requirements.lock"
	@echo "make clean-data        delete .data (embedded PostgreSQL and Valkey data)"
	@echo "make backup            database + uploads into backups/continuum-<time>/ (BACKUP=DIR to choose)"
	@echo "make restore BACKUP=DIR  a backup into an empty database (see docs/operations.md)"

run: $(STAMP)
	$(BIN)/python -m continuum.devstack run

test: $(STAMP)
	$(BIN)/python -m continuum.devstack test $(ARGS)

# Runs the browser journeys (Chromium at /usr/bin/chromium) and rewrites docs/screenshots/.
.PHONY: screenshots
screenshots: $(STAMP)
	E2E_SCREENSHOTS=1 E2E_REQUIRE_BROWSER=1 $(BIN)/python -m continuum.devstack test -m e2e tests/e2e $(ARGS)

BACKUP ?=

backup: $(STAMP)
	$(BIN)/python -m continuum.devstack backup $(BACKUP)

restore: $(STAMP)
	@test -n "$(BACKUP)" || { echo "make restore BACKUP=backups/continuum-..."; exit 2; }
	$(BIN)/python -m continuum.devstack restore $(BACKUP)

manage: $(STAMP)
	$(BIN)/python -m continuum.devstack manage $(ARGS)

venv: $(STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstalls only when the lock changed since the last successful install.
$(STAMP): requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	touch $@

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff check --select I --fix .
	$(BIN)/ruff format .

# uv is a tool for maintainers, not a dependency, so it is not in the lock.
lock: $(STAMP)
	test -x $(BIN)/uv || $(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --group dev --python-version 3.11 --generate-hashes -o requirements.lock

# Goes through devstack because Django checks migration history against a live database.
migrations-check: $(STAMP)
	$(BIN)/python -m continuum.devstack manage makemigrations --check --dry-run

# Deleting the data under a running server corrupts it, so refuse while one is up.
clean-data:
	@if [ -f .data/postgres/postmaster.pid ] && kill -0 "$$(head -n1 .data/postgres/postmaster.pid)" 2>/dev/null; then \
		echo "embedded PostgreSQL is running (stop make run/test first)"; exit 1; fi
	@if [ -f .data/valkey/valkey.pid ] && kill -0 "$$(cat .data/valkey/valkey.pid)" 2>/dev/null; then \
		echo "embedded Valkey is running (stop make run/test first)"; exit 1; fi
	rm -rf .data

# Production-like load benchmark (PostgreSQL, Redis and wrk required); see docs/scaling.md.
.PHONY: bench
bench: $(STAMP)
	$(BIN)/python bench/run.py $(ARGS)
