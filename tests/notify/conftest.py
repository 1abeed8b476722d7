from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from devday.app import create_app
from devday.clock import MockClock
from devday.config import Settings
from tests.notify.support import WebhookReceiver


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    server = WebhookReceiver().start()
    yield server
    server.stop()


@pytest.fixture
def strict_settings(tmp_path: Path, database_url: str) -> Settings:
    """Settings that refuse loopback and private targets, as a server's defaults do."""
    return Settings(
        data_dir=tmp_path, secret_key="t", database_url=database_url, allow_private_urls=False
    )


@pytest.fixture
def strict(strict_settings: Settings, engine: Engine, clock: MockClock) -> Iterator[TestClient]:
    with TestClient(create_app(strict_settings, engine=engine, clock=clock)) as client:
        yield client
