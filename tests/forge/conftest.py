from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.forge.fake_forge import FakeForge


@pytest.fixture
def forge() -> Iterator[FakeForge]:
    fake = FakeForge().start()
    yield fake
    fake.stop()
