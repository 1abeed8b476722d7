from __future__ import annotations

from tests.cli.conftest import cli_clock, cli_env, cli_pool, run, run_at  # noqa: F401 - for test_cli
