from __future__ import annotations

from tests.cli.conftest import cli_env, cli_pool, run  # noqa: F401 - the CLI fixtures, for test_cli
