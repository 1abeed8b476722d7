from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.checks.servers import TestServer, http_server
from tests.cli.conftest import cli_env, cli_pool, run  # noqa: F401 - the CLI fixtures, for test_cli
from tests.notify.support import WebhookReceiver

HEALTHY = (200, [("Content-Type", "application/json")], b'{"status": "ok", "items": [1, 2]}')


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    server = WebhookReceiver().start()
    yield server
    server.stop()


@pytest.fixture
def target() -> Iterator[TestServer]:
    """A plain HTTP app on loopback whose /health answers healthy JSON until a test says not."""
    with http_server({"/health": HEALTHY}) as server:
        yield server
