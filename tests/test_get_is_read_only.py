"""GETs never write: every GET of the API and of the pages runs over the demo workspace with
sessions that refuse to write during a GET, so that any GET that writes (today or in future)
fails here; and on SQLite, GETs answered while others write never fail with "database is
locked"."""

from __future__ import annotations

import importlib
import re
import threading
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, select, text
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction, sessionmaker
from starlette.types import ASGIApp, Receive, Scope, Send

from devday import demo
from devday.account import service as account_service
from devday.account.models import ApiToken, User
from devday.app import PAGE_ROUTERS, ROUTERS, create_app
from devday.clock import MockClock
from devday.config import Settings
from devday.db import make_session_factory, transaction
from devday.meeting import service as meeting_service
from devday.team import service as team_service
from devday.team.models import Team
from devday.team.schemas import TeamCreate
from tests.conftest import START
from tests.factories import Account, web_log_in
from tests.served import served

_GET: ContextVar[str | None] = ContextVar("get_request", default=None)

# A path parameter and where to find a value for it: a table of the demo workspace.
ID_TABLES = {
    "app_id": "app",
    "calendar_id": "calendar_source",
    "check_id": "app_check",
    "connection_id": "forge_connection",
    "entry_id": "time_entry",
    "feed_id": "feed",
    "feed_item_id": "feed_item",
    "incident_id": "incident",
    "item_id": "inbox_item",
    "learning_item_id": "learning_item",
    "meeting_id": "meeting",
    "project_id": "project",
    "series_id": "series",
    "task_id": "task",
    "team_id": "team",
}


class WriteDuringGet(AssertionError):
    pass


class MarkGets:
    """Marks the context of every GET and HEAD request, so that the sessions can tell."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        reading = scope["type"] == "http" and scope["method"] in ("GET", "HEAD")
        marker = _GET.set(f"{scope['method']} {scope['path']}" if reading else None)
        try:
            await self.app(scope, receive, send)
        finally:
            _GET.reset(marker)


def refuse_writes_during_gets(factory: sessionmaker[Session], writes: list[str]) -> None:
    """Sessions of ``factory`` record and refuse any flush of changes, and any INSERT, UPDATE or
    DELETE they execute, while a GET is being answered."""

    def flushing(session: Session, _flush: UOWTransaction, _instances: object) -> None:
        request = _GET.get()
        changed = list(session.new) + list(session.deleted)
        changed += [o for o in session.dirty if session.is_modified(o)]
        if request and changed:
            writes.append(f"{request}: flushes {sorted({type(o).__name__ for o in changed})}")
            raise WriteDuringGet(writes[-1])

    def executing(state: ORMExecuteState) -> None:
        request = _GET.get()
        if request and (state.is_insert or state.is_update or state.is_delete):
            writes.append(f"{request}: executes {str(state.statement).split()[0:3]}")
            raise WriteDuringGet(writes[-1])

    event.listen(factory, "before_flush", flushing)
    event.listen(factory, "do_orm_execute", executing)


def get_paths() -> Iterator[tuple[str, bool]]:
    """Every GET route's path and whether it is a page."""
    for name in (*ROUTERS, *PAGE_ROUTERS):
        for route in importlib.import_module(name).router.routes:
            if "GET" in getattr(route, "methods", ()):
                yield route.path, name in PAGE_ROUTERS


def _values(engine: Engine) -> dict[str, str]:
    values = {"day": START.date().isoformat(), "plan_date": START.date().isoformat()}
    values["token"] = "not-a-reset-token"  # the reset page refuses it without writing
    with engine.connect() as conn:
        for param, table in ID_TABLES.items():
            found = conn.execute(text(f"SELECT min(id) FROM {table}")).scalar()
            values[param] = str(found or 1)
        slug = conn.execute(text("SELECT min(slug) FROM team_inbox")).scalar()
        values["slug"] = str(slug or "backend")
    return values


@pytest.fixture
def demo_world(engine: Engine, clock: MockClock) -> Engine:
    with transaction(make_session_factory(engine)) as session:
        demo.seed(session=session, now=START)
        # Yesterday's meeting, for /meetings/{id}; today's is left for the GETs to not make.
        team = session.scalars(select(Team)).first()
        assert team is not None
        meeting_service.open_for_day(session=session, team=team, now=START - timedelta(days=1))
    return engine


def test_it_writes_nothing_on_any_get_of_the_api_or_the_pages(
    app: FastAPI, demo_world: Engine
) -> None:
    writes: list[str] = []
    state = app.state.devday
    refuse_writes_during_gets(state.session_factory, writes)
    refuse_writes_during_gets(state.writer_session_factory, writes)
    refuse_writes_during_gets(state.reader_session_factory, writes)
    values = _values(demo_world)
    answered: dict[int, int] = {}
    with TestClient(MarkGets(app), raise_server_exceptions=False) as client:
        email = demo.PEOPLE[0][0]
        assert web_log_in(client, email, demo.DEMO_PASSWORD).status_code == 303
        login = {"email": email, "password": demo.DEMO_PASSWORD, "name": "sweep"}
        made = client.post("/api/v1/auth/token", json=login)
        assert made.status_code == 201, made.text
        token = made.json()["token"]
        bearer = {"Authorization": f"Bearer {token}"}
        # The plan feed's address, so that the sweep fetches a real feed.
        feed = client.post("/api/v1/calendar-feed", headers=bearer)
        assert feed.status_code == 201, feed.text
        values["secret"] = feed.json()["url"].rsplit("/", 1)[1].removesuffix(".ics")
        for path, page in get_paths():
            # A parameter may carry Starlette's convertor: {feed_id:int}.
            url = re.sub(r"{([^}:]+)(?::\w+)?}", lambda m: values[m.group(1)], path)
            response = client.get(url, headers=None if page else bearer, follow_redirects=False)
            assert response.status_code < 500, (url, response.status_code, writes)
            answered[response.status_code] = answered.get(response.status_code, 0) + 1
    assert writes == []
    assert answered.get(200, 0) > 50  # the sweep reached the real pages, not only 404s


def test_it_notes_a_tokens_use_outside_the_request_at_most_every_few_minutes(
    app: FastAPI, demo_world: Engine, clock: MockClock
) -> None:
    writes: list[str] = []
    refuse_writes_during_gets(app.state.devday.session_factory, writes)
    refuse_writes_during_gets(app.state.devday.reader_session_factory, writes)
    with transaction(make_session_factory(demo_world)) as session:
        user = session.scalars(select(User)).first()
        assert user is not None
        token, secret = account_service.create_token(session=session, user=user, name="t")
        token_id = token.id
    bearer = {"Authorization": f"Bearer {secret}"}

    def last_used() -> object:
        with make_session_factory(demo_world)() as session:
            return session.get(ApiToken, token_id).last_used_at  # type: ignore[union-attr]

    with TestClient(MarkGets(app)) as client:
        assert client.get("/api/v1/me", headers=bearer).status_code == 200
        assert last_used() == START
        clock.advance(timedelta(minutes=2))
        assert client.get("/api/v1/me", headers=bearer).status_code == 200
        assert last_used() == START  # not rewritten within a few minutes
        clock.advance(timedelta(minutes=4))
        assert client.get("/api/v1/tasks", headers=bearer).status_code == 200
        assert last_used() == START + timedelta(minutes=6)
    assert writes == []


def test_it_answers_gets_while_others_write_without_a_server_error(
    settings: Settings, demo_world: Engine, clock: MockClock
) -> None:
    """Writers and first-time readers at once, over a real server: no 5xx at all."""
    app = create_app(settings, engine=demo_world, clock=clock)
    with transaction(make_session_factory(demo_world)) as session:
        users = list(session.scalars(select(User)))
        owner = users[0]
        teams = []
        for n in range(12):  # twelve teams whose meeting nobody has looked at yet today
            team = team_service.create_team(
                session=session, user=owner, data=TeamCreate(name=f"team {n}", timezone="UTC")
            )
            teams.append(team.id)
        # A fresh token for every reader request: each one's use is due to be noted.
        secrets = [
            account_service.create_token(session=session, user=owner, name=f"r{n}")[1]
            for n in range(60)
        ]
        writer = account_service.create_token(session=session, user=owner, name="w")[1]
    statuses: list[int] = []
    failures: list[str] = []
    lock = threading.Lock()

    def record(response: httpx.Response) -> None:
        with lock:
            statuses.append(response.status_code)
            if response.status_code >= 500:
                failures.append(
                    f"{response.request.method} {response.request.url.path}: "
                    f"{response.status_code} {response.text[:200]}"
                )

    with served(app) as port:
        base = f"http://127.0.0.1:{port}"

        def write(n: int) -> None:
            with httpx.Client(base_url=base, timeout=60) as http:
                head = {"Authorization": f"Bearer {writer}"}
                for i in range(15):
                    record(http.post("/api/v1/tasks", json={"title": f"w{n}-{i}"}, headers=head))

        def read(n: int) -> None:
            with httpx.Client(base_url=base, timeout=60) as http:
                for i in range(15):
                    head = {"Authorization": f"Bearer {secrets[n * 15 + i]}"}
                    team_id = teams[(n * 15 + i) % len(teams)]
                    record(http.get(f"/api/v1/teams/{team_id}/meetings/today", headers=head))
                    record(http.get("/api/v1/tasks", params={"limit": 5}, headers=head))

        threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
        threads += [threading.Thread(target=read, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert failures == []
    assert len(statuses) == 4 * 15 + 4 * 30
    assert set(statuses) <= {200, 201}, sorted(set(statuses))


def test_it_stores_todays_meeting_on_its_first_change_not_on_a_view(
    client: TestClient, alice: Account, engine: Engine
) -> None:
    team = client.post("/api/v1/teams", json={"name": "Core"}, headers=alice.headers).json()
    path = f"/api/v1/teams/{team['id']}/meetings/today"

    def stored() -> int:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM meeting")).scalar_one())

    viewed = client.get(path, headers=alice.headers)
    assert viewed.status_code == 200
    assert viewed.json()["id"] is None and viewed.json()["agenda"] is not None
    web_log_in(client, alice.email)
    assert client.get(f"/team/{team['id']}/meeting").status_code == 200
    assert stored() == 0
    opened = client.post(path, headers=alice.headers).json()
    assert isinstance(opened["id"], int) and stored() == 1
    assert client.post(path, headers=alice.headers).json()["id"] == opened["id"]
    assert client.get(path, headers=alice.headers).json()["id"] == opened["id"]
