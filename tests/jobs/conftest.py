from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.cli.conftest import cli_env, cli_pool, run  # noqa: F401 - the CLI fixtures, for test_cli
from tests.notify.support import WebhookReceiver


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    server = WebhookReceiver().start()
    yield server
    server.stop()
