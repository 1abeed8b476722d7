# Two commands do everything: `make run` (the server with a demo workspace) and `make test`.
# For the inner loop, `make test-fast`: lint, typecheck and the suite on SQLite, without the
# browser tests and without the PostgreSQL run (`make test` still runs both before a push).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml requirements.lock | cksum | cut -d' ' -f1)

.PHONY: run test test-fast lint typecheck pytest pytest-postgres bench clean

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

# The tests are type-checked as strictly as the code.
typecheck: $(STAMP)
	$(BIN)/mypy src tests

# The browser tests (tests/browser) need Debian's Chromium at /usr/bin/chromium; without it
# they are skipped, and said so here.
CHROMIUM_NOTE = test -x /usr/bin/chromium || echo "== browser tests skipped: Chromium not found at /usr/bin/chromium (apt-get install -y chromium)"

pytest: $(STAMP)
	@$(CHROMIUM_NOTE)
	$(BIN)/pytest -n auto

# The quick loop: SQLite only (DEVDAY_TEST_DATABASE_URL emptied, whatever the shell has set)
# and no browser tests.
test-fast: lint typecheck
	DEVDAY_TEST_DATABASE_URL= $(BIN)/pytest -n auto --ignore=tests/browser

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
