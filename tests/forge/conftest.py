from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.cli.conftest import cli_env, cli_pool, run
from tests.forge.fake_forge import FakeForge

__all__ = ["cli_env", "cli_pool", "run"]


@pytest.fixture
def forge() -> Iterator[FakeForge]:
    fake = FakeForge().start()
    yield fake
    fake.stop()
