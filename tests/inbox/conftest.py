from __future__ import annotations

from tests.cli.conftest import cli_env, cli_pool, run

__all__ = ["cli_env", "cli_pool", "run"]
