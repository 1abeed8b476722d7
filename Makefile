# Two commands do everything: `make run` (the server with a demo workspace) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml requirements.lock | cksum | cut -d' ' -f1)

.PHONY: run test lint typecheck pytest pytest-postgres bench migration clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c requirements.lock -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/devday serve

test: lint typecheck pytest pytest-postgres

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy src

# The browser tests (tests/browser) need Debian's Chromium at /usr/bin/chromium; without it
# they are skipped, and said so here.
CHROMIUM_NOTE = test -x /usr/bin/chromium || echo "== browser tests skipped: Chromium not found at /usr/bin/chromium (apt-get install -y chromium)"

pytest: $(STAMP)
	@$(CHROMIUM_NOTE)
	$(BIN)/pytest -n auto

# Runs the whole suite again on PostgreSQL when DEVDAY_TEST_POSTGRES_URL names a database
# (CI sets it); its public schema is dropped and re-created.
pytest-postgres: $(STAMP)
	@if [ -n "$$DEVDAY_TEST_POSTGRES_URL" ]; then \
	  echo "== the suite on PostgreSQL ($$DEVDAY_TEST_POSTGRES_URL)"; \
	  $(CHROMIUM_NOTE); \
	  DEVDAY_TEST_DATABASE_URL="$$DEVDAY_TEST_POSTGRES_URL" $(BIN)/pytest -n auto; \
	else echo "== PostgreSQL run skipped: set DEVDAY_TEST_POSTGRES_URL to include it"; fi

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

# A new migration from what the models say and the migrations do not yet: a scratch SQLite
# database is migrated to the head, and Alembic writes the difference to
# src/devday/migrations/versions/YYYY-MM-DD_<NAME>.py. Read it before committing it.
# MIGRATION_DATABASE_URL=postgresql://... compares against that database instead (it must be
# empty or at the head: it is upgraded first).
migration: $(STAMP)
	@test -n "$(NAME)" || { echo "usage: make migration NAME=short_slug"; exit 2; }
	@scratch=$$(mktemp -d); trap 'rm -rf "$$scratch"' EXIT; \
	url="$${MIGRATION_DATABASE_URL:-sqlite:///$$scratch/scratch.sqlite3}"; \
	$(BIN)/alembic -c alembic.ini -x url="$$url" upgrade heads && \
	$(BIN)/alembic -c alembic.ini -x url="$$url" revision --autogenerate -m "$(NAME)"
