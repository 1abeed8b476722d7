"""The app factory's table of JSON routers, which the CLI's in-process client builds apps from."""

from __future__ import annotations

import importlib
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from devday import app as app_module
from devday.app import ROUTERS, create_app, routers_for
from devday.config import Settings
from tests.factories import Account

SRC = Path(app_module.__file__).parent


def test_it_lists_every_domain_router() -> None:
    found = {f"devday.{path.parent.name}.router" for path in SRC.glob("*/router.py")}
    assert set(ROUTERS) == found


def test_it_names_for_each_api_path_the_router_that_serves_it() -> None:
    for name in ROUTERS:
        for route in importlib.import_module(name).router.routes:
            assert name in routers_for(route.path), (name, route.path)


def test_it_answers_with_only_the_routers_a_path_needs(
    settings: Settings, engine: Engine, client: TestClient, alice: Account
) -> None:
    made = client.post("/api/v1/tasks", json={"title": "Fix login"}, headers=alice.headers)
    assert made.status_code == 201, made.text
    only = create_app(settings, engine=engine, pages=False, routers=routers_for("/api/v1/tasks"))
    with TestClient(only) as tasks_only:
        listed = tasks_only.get("/api/v1/tasks", headers=alice.headers)
        assert listed.json() == client.get("/api/v1/tasks", headers=alice.headers).json()
        assert tasks_only.get("/api/v1/teams", headers=alice.headers).status_code == 404
    assert routers_for("/elsewhere") == tuple(ROUTERS)
