"""Leave through the API, and on_leave, which reminders and the meeting build on."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from devday.standup.service import on_leave
from tests.factories import Account


def test_it_adds_lists_and_removes_leave(client: TestClient, alice: Account, bob: Account) -> None:
    holidays = client.post(
        "/api/v1/leave",
        json={"start": "2026-12-21", "end": "2026-12-31", "note": "Holidays"},
        headers=alice.headers,
    )
    assert holidays.status_code == 201, holidays.text
    client.post(
        "/api/v1/leave", json={"start": "2026-11-02", "end": "2026-11-03"}, headers=alice.headers
    )
    listed = client.get("/api/v1/leave", headers=alice.headers).json()
    assert [(x["start"], x["end"]) for x in listed] == [
        ("2026-11-02", "2026-11-03"),
        ("2026-12-21", "2026-12-31"),
    ]
    ahead = client.get("/api/v1/leave?since=2026-11-30", headers=alice.headers).json()
    assert [x["note"] for x in ahead] == ["Holidays"]
    assert client.get("/api/v1/leave", headers=bob.headers).json() == []

    leave_id = holidays.json()["id"]
    assert client.delete(f"/api/v1/leave/{leave_id}", headers=bob.headers).status_code == 404
    assert client.delete(f"/api/v1/leave/{leave_id}", headers=alice.headers).status_code == 204
    assert client.delete(f"/api/v1/leave/{leave_id}", headers=alice.headers).status_code == 404


def test_it_refuses_bad_leave_naming_the_field(client: TestClient, alice: Account) -> None:
    client.post(
        "/api/v1/leave", json={"start": "2026-12-21", "end": "2026-12-31"}, headers=alice.headers
    )
    cases = [
        ({"start": "2026-12-10", "end": "2026-12-01"}, 422, "end"),
        ({"start": "2026-01-01", "end": "2027-01-05"}, 422, "end"),
        ({"start": "2026-12-31", "end": "2027-01-02"}, 409, "start"),
        ({"start": "2026-13-01", "end": "2026-12-01"}, 422, "start"),
        ({"start": "2027-01-02", "end": "2027-01-03", "note": "x" * 201}, 422, "note"),
    ]
    for body, code, field in cases:
        response = client.post("/api/v1/leave", json=body, headers=alice.headers)
        assert response.status_code == code, (body, response.text)
        assert response.json()["errors"][0]["field"] == field, body
    assert len(client.get("/api/v1/leave", headers=alice.headers).json()) == 1


def test_it_tells_whether_someone_is_on_leave_on_a_day(
    client: TestClient, engine: Engine, alice: Account, bob: Account
) -> None:
    client.post(
        "/api/v1/leave", json={"start": "2026-12-21", "end": "2026-12-23"}, headers=alice.headers
    )
    with Session(engine) as session:
        assert not on_leave(session=session, user_id=alice.id, day=date(2026, 12, 20))
        assert on_leave(session=session, user_id=alice.id, day=date(2026, 12, 21))
        assert on_leave(session=session, user_id=alice.id, day=date(2026, 12, 23))
        assert not on_leave(session=session, user_id=alice.id, day=date(2026, 12, 24))
        assert not on_leave(session=session, user_id=bob.id, day=date(2026, 12, 22))
