"""What tests build their worlds from, in one place, in three flavours named by how they build:

- ``sign_up`` and ``api_*`` go through the public JSON API with a ``TestClient``, as a user
  would: each asserts that the API accepted the request and returns the new id (or the JSON).
- ``db_*`` add rows straight on a SQLAlchemy session, for tests below the API; the caller owns
  the transaction, and the rows are flushed so that they have ids.
- ``web_log_in`` and ``csrf_from`` drive the HTML pages.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy.orm import Session

from devday.account.models import User
from devday.notify.models import Channel, ChannelKind
from devday.team.models import Role, Team, TeamMember

PASSWORD = "correct horse battery staple"


# --- through the API -----------------------------------------------------------------------------


@dataclass
class Account:
    id: int
    email: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def sign_up(client: TestClient, name: str, timezone: str = "Europe/Berlin") -> Account:
    """A new account (``<name>@example.com``) and an API token for it."""
    email = f"{name.lower()}@example.com"
    response = client.post(
        "/api/v1/users",
        json={"email": email, "name": name, "password": PASSWORD, "timezone": timezone},
    )
    assert response.status_code == 201, response.text
    token = client.post(
        "/api/v1/auth/token", json={"email": email, "password": PASSWORD, "name": "tests"}
    )
    assert token.status_code == 201, token.text
    return Account(id=response.json()["id"], email=email, token=token.json()["token"])


def api_team(
    client: TestClient,
    owner: Account,
    name: str = "Backend",
    *,
    timezone: str | None = "Europe/Berlin",
    members: Sequence[Account | tuple[Account, str]] = (),
) -> int:
    """A team owned by ``owner`` (in ``timezone``; with None, the owner's), with ``members``
    added by email, each with the role paired with it or else the API's default role."""
    body = {"name": name} if timezone is None else {"name": name, "timezone": timezone}
    response = client.post("/api/v1/teams", json=body, headers=owner.headers)
    assert response.status_code == 201, response.text
    assert response.json()["my_role"] == "owner"
    team_id = int(response.json()["id"])
    for member in members:
        account, role = member if isinstance(member, tuple) else (member, None)
        added_body = {"email": account.email} | ({"role": role} if role else {})
        added = client.post(
            f"/api/v1/teams/{team_id}/members", json=added_body, headers=owner.headers
        )
        assert added.status_code == 201, added.text
    return team_id


def api_project(client: TestClient, owner: Account, team_id: int, name: str = "api") -> int:
    response = client.post(
        "/api/v1/projects", json={"name": name, "team_id": team_id}, headers=owner.headers
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def api_task(
    client: TestClient, who: Account, title: str = "task", **fields: Any
) -> dict[str, Any]:
    response = client.post("/api/v1/tasks", json={"title": title, **fields}, headers=who.headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


def api_channel(
    client: TestClient,
    who: Account,
    target: str,
    *,
    kind: str = "webhook",
    name: str = "qa",
    team_id: int | None = None,
) -> int:
    """A notification channel: ``who``'s own, or the team's with ``team_id``."""
    body: dict[str, Any] = {"kind": kind, "name": name, "target": target}
    if team_id is not None:
        body["team_id"] = team_id
    response = client.post("/api/v1/channels", json=body, headers=who.headers)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def api_app(
    client: TestClient, owner: Account, team_id: int, base_url: str, **fields: Any
) -> dict[str, Any]:
    """An app to check, named "orders-api" unless ``fields`` say otherwise."""
    body = {"team_id": team_id, "name": "orders-api", "base_url": base_url, **fields}
    response = client.post("/api/v1/apps", json=body, headers=owner.headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


def api_check(client: TestClient, owner: Account, app_id: int, **fields: Any) -> dict[str, Any]:
    """A check of ``GET /health`` on the app unless ``fields`` say otherwise."""
    body = {"name": "health", "path": "/health", **fields}
    response = client.post(f"/api/v1/apps/{app_id}/checks", json=body, headers=owner.headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


def api_time_entry(
    client: TestClient, who: Account, task_id: int, start: str, end: str
) -> dict[str, Any]:
    response = client.post(
        "/api/v1/time-entries",
        json={"task_id": task_id, "start": start, "end": end},
        headers=who.headers,
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


# --- straight on a session -----------------------------------------------------------------------


def db_user(session: Session, name: str) -> User:
    """A user ``<name>@example.com`` with no usable password."""
    user = User(email=f"{name.lower()}@example.com", name=name, password_hash="-")
    session.add(user)
    session.flush()
    return user


def db_team(session: Session, name: str, members: dict[User, Role]) -> Team:
    team = Team(name=name)
    session.add(team)
    session.flush()
    for user, role in members.items():
        session.add(TeamMember(team_id=team.id, user_id=user.id, role=role))
    session.flush()
    return team


def db_channel(
    session: Session,
    target: str,
    *,
    user: User | None = None,
    team: Team | None = None,
    kind: ChannelKind = ChannelKind.webhook,
) -> Channel:
    channel = Channel(
        user_id=user.id if user else None,
        team_id=team.id if team else None,
        kind=kind,
        name=f"{kind} channel",
        target=target,
        secret="test-secret-" + kind,
    )
    session.add(channel)
    session.flush()
    return channel


# --- the HTML pages ------------------------------------------------------------------------------


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the form carries a CSRF token"
    return match.group(1)


def web_log_in(client: TestClient, email: str, password: str = PASSWORD) -> Response:
    """The sign-in form posted; a 303 when it worked. The client keeps the session cookie."""
    page = client.get("/login")
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
