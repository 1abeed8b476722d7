from __future__ import annotations

from tests.cli.conftest import cli_env, run

__all__ = ["cli_env", "run"]
