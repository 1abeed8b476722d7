from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from devday.clock import MockClock
from devday.db import transaction
from devday.demo import DEMO_PASSWORD, PEOPLE, seed_if_empty


def test_it_seeds_requests_into_the_demo_inbox(
    app: FastAPI, client: TestClient, clock: MockClock
) -> None:
    with transaction(app.state.devday.session_factory) as session:
        seed_if_empty(session=session, now=clock.now())
    token = client.post(
        "/api/v1/auth/token", json={"email": PEOPLE[0][0], "password": DEMO_PASSWORD}
    ).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    items = client.get("/api/v1/inbox", headers=headers).json()["items"]
    assert [(i["source"], i["subject"]) for i in items] == [
        ("help_form", "CSV export times out"),
        ("colleague", "Pair on the search ranking tests tomorrow?"),
        ("colleague", "Can you review the retry middleware PR by Thu?"),
    ]
    assert items[0]["suggestion"]["importance"] == 4
    accepted = client.get("/api/v1/inbox", params={"q": "runbook"}, headers=headers).json()
    assert [i["status"] for i in accepted["items"]] == ["accepted"]
    assert client.get("/help/backend").status_code == 200
