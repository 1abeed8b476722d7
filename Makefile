# Two commands do everything: `make run` (the server with a demo workspace) and `make test`.
# For the inner loop, `make test-fast`: lint, typecheck and the suite on SQLite, without the
# browser tests and without the PostgreSQL run (`make test` still runs both before a push).
PYTHON ?= python3
# Python writes its bytecode caches (__pycache__, which git ignores) here even where the shell
# says not to: without them every pytest worker rewrote the tests' assertions again (6 s of its
# 10 s start) and every devday process a test starts compiled devday's modules again.
unexport PYTHONDONTWRITEBYTECODE
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml requirements.lock | cksum | cut -d' ' -f1)

.PHONY: run test test-fast venv lint typecheck pytest pytest-postgres bench migration clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -c requirements.lock -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

# The virtual environment alone, with devday and every pinned dependency installed in it.
venv: $(STAMP)

run: $(STAMP)
	$(BIN)/devday serve

# The type check runs beside the SQLite suite, which leaves part of the two cores idle while its
# tests wait on servers and browsers; then the suite runs again on PostgreSQL.
test: lint
	$(MAKE) --no-print-directory -j2 typecheck pytest
	$(MAKE) --no-print-directory pytest-postgres

# lint-imports checks the import rules in pyproject.toml ([tool.importlinter]).
lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports

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

# Every benchmark under bench/, with quick settings so that the lot takes a few minutes on
# two cores; each prints its figures and its ratios against its baseline. The full runs, their
# options (PostgreSQL included) and the figures measured: docs/benchmarks.md and each
# bench/*/run.py. A benchmark whose outside tool is missing is skipped and says so.
bench: $(STAMP)
	@echo "== bench/planner: the solver against EDF, priority-first and Taskwarrior urgency (--quick)"
	$(BIN)/python -m bench.planner.run --quick --no-cpsat
	@echo "== bench/tasks: the task list's first pages with their indexes and without (SQLite)"
	$(BIN)/python -m bench.tasks.run --sqlite --tasks 10000 --users 10 --repeat 10
	@echo "== bench/pages: each page's render time against the signed-out login page"
	$(BIN)/python -m bench.pages.run --repeat 5
	@echo "== bench/calendars: reading subscribed calendars; a plan with and without busy time"
	$(BIN)/python -m bench.calendars.run --calendars 10 --events 200 --tasks 100 --busy 150 --rounds 2
	@echo "== bench/checks: the check runner against a naive one-at-a-time runner (SQLite)"
	$(BIN)/python -m bench.checks.run --checks 2000 --interval 10 --seconds 15 --repeat 1 --startup 4
	@if command -v task >/dev/null; then \
	  echo "== bench/cli: devday's commands against python -c pass and Taskwarrior"; \
	else echo "== bench/cli: Taskwarrior not found (apt-get install taskwarrior); its baseline is skipped"; fi
	$(BIN)/python -m bench.cli.run --rounds 3
	@echo "== bench/transfer: Taskwarrior import and export against Taskwarrior's own, and a move into PostgreSQL (--quick)"
	$(BIN)/python -m bench.transfer.run --quick
	@if command -v wrk >/dev/null; then \
	  echo "== bench/api: GET /api/v1/tasks under wrk against a minimal FastAPI app (SQLite)"; \
	  $(BIN)/python -m bench.api.run --sqlite --seconds 3 --rounds 1; \
	else echo "== bench/api skipped: wrk not found (apt-get install wrk)"; fi
