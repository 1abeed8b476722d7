from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.notify.support import WebhookReceiver


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    server = WebhookReceiver().start()
    yield server
    server.stop()
