from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from devday.clock import MockClock
from tests.factories import Account, api_task
from tests.worklog.conftest import log, start

ENTRIES = "/api/v1/time-entries"


def test_it_logs_forgotten_time_and_answers_utc(client: TestClient, alice: Account) -> None:
    fix = api_task(client, alice, "Fix login")["id"]
    entry = client.post(
        ENTRIES,
        json={
            "task_id": fix,
            "start": "2026-11-30T08:00:00+01:00",
            "end": "2026-11-30T09:30:00+01:00",
            "note": " review ",
        },
        headers=alice.headers,
    )
    assert entry.status_code == 201, entry.text
    assert entry.headers["etag"] == '"1"'
    body = entry.json()
    assert (body["start"], body["end"]) == ("2026-11-30T07:00:00Z", "2026-11-30T08:30:00Z")
    assert (body["minutes"], body["note"], body["source"]) == (90, "review", "manual")
    assert client.get(f"{ENTRIES}/{body['id']}", headers=alice.headers).json() == body


def test_it_refuses_an_overlap_and_names_the_clash(client: TestClient, alice: Account) -> None:
    fix = api_task(client, alice, "Fix login")["id"]
    log(client, alice, fix, "2026-11-30T08:00:00+01:00", "2026-11-30T09:00:00+01:00")
    clash = client.post(
        ENTRIES,
        json={"task_id": fix, "start": "2026-11-30T07:30:00Z", "end": "2026-11-30T07:45:00Z"},
        headers=alice.headers,
    )
    assert clash.status_code == 409
    assert clash.json()["errors"][0]["field"] == "start"
    assert clash.json()["detail"] == (
        "start: overlaps your time on 'Fix login' (Mon 30 Nov 08:00-09:00 Europe/Berlin); "
        "change or delete that entry first"
    )
    # Around it, and touching it at either end, is fine.
    log(client, alice, fix, "2026-11-30T06:00:00Z", "2026-11-30T07:00:00Z")
    log(client, alice, fix, "2026-11-30T08:00:00Z", "2026-11-30T08:30:00Z")
    around = client.post(
        ENTRIES,
        json={"task_id": fix, "start": "2026-11-30T05:00:00Z", "end": "2026-11-30T08:45:00Z"},
        headers=alice.headers,
    )
    assert around.status_code == 409
    assert len(client.get(ENTRIES, headers=alice.headers).json()) == 3


def test_it_refuses_future_backwards_and_overlong_entries(
    client: TestClient, alice: Account
) -> None:
    fix = api_task(client, alice)["id"]
    cases = [
        ("2026-11-30T08:00:00Z", "2026-11-30T10:00:00Z", "is in the future"),
        ("2026-11-30T08:00:00Z", "2026-11-30T08:00:00Z", "must be after start"),
        ("2026-11-30T08:00:00Z", "2026-11-30T07:00:00Z", "must be after start"),
        ("2026-11-28T08:00:00Z", "2026-11-29T08:01:00Z", "at most 24 hours"),
    ]
    for begin, end, problem in cases:
        response = client.post(
            ENTRIES, json={"task_id": fix, "start": begin, "end": end}, headers=alice.headers
        )
        assert response.status_code == 422, (begin, end)
        assert response.json()["errors"][0]["field"] == "end"
        assert problem in response.json()["detail"]
    assert client.get(ENTRIES, headers=alice.headers).json() == []


def test_it_edits_an_entry_and_refuses_a_stale_version(
    client: TestClient, alice: Account, clock: MockClock
) -> None:
    fix, docs = api_task(client, alice, "fix")["id"], api_task(client, alice, "docs")["id"]
    entry = log(client, alice, fix, "2026-11-30T07:00:00Z", "2026-11-30T08:00:00Z")
    log(client, alice, fix, "2026-11-30T08:00:00Z", "2026-11-30T08:30:00Z")
    url = f"{ENTRIES}/{entry['id']}"
    clock.advance(timedelta(minutes=5))
    changed = client.patch(
        url,
        json={"start": "2026-11-30T06:30:00Z", "note": "and tests", "task_id": docs},
        headers={**alice.headers, "If-Match": '"1"'},
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["minutes"], body["note"], body["task_title"]) == (90, "and tests", "docs")
    assert body["version"] == 2 and changed.headers["etag"] == '"2"'
    assert body["updated_at"] == "2026-11-30T09:05:00Z"
    stale = client.patch(url, json={"note": "lost", "version": 1}, headers=alice.headers)
    assert stale.status_code == 409 and "version 2" in stale.json()["detail"]
    missing = client.patch(url, json={"note": "no version"}, headers=alice.headers)
    assert missing.status_code == 428
    clash = client.patch(
        url, json={"end": "2026-11-30T08:10:00Z", "version": 2}, headers=alice.headers
    )
    assert clash.status_code == 409 and "your time on 'fix'" in clash.json()["detail"]
    nulled = client.patch(url, json={"end": None, "version": 2}, headers=alice.headers)
    assert nulled.status_code == 422 and nulled.json()["errors"][0]["field"] == "end"
    assert client.get(url, headers=alice.headers).json() == body


def test_it_stops_a_running_entry_by_setting_its_end(
    client: TestClient, alice: Account, clock: MockClock
) -> None:
    running = start(client, alice, api_task(client, alice)["id"])["running"]
    clock.advance(timedelta(hours=2))
    url = f"{ENTRIES}/{running['id']}"
    earlier = client.patch(
        url, json={"start": "2026-11-30T08:30:00Z", "version": 1}, headers=alice.headers
    )
    assert earlier.status_code == 200 and earlier.json()["minutes"] == 150
    future = client.patch(
        url, json={"start": "2026-11-30T12:00:00Z", "version": 2}, headers=alice.headers
    )
    assert future.status_code == 422 and future.json()["errors"][0]["field"] == "start"
    stopped = client.patch(
        url, json={"end": "2026-11-30T10:00:00Z", "version": 2}, headers=alice.headers
    )
    assert stopped.status_code == 200 and stopped.json()["minutes"] == 90
    assert client.get("/api/v1/timer", headers=alice.headers).json()["running"] is None


def test_it_deletes_entries_and_discards_a_running_timer(
    client: TestClient, alice: Account
) -> None:
    fix = api_task(client, alice)["id"]
    entry = log(client, alice, fix, "2026-11-30T07:00:00Z", "2026-11-30T08:00:00Z")
    running = start(client, alice, fix)["running"]
    for each in (entry, running):
        gone = client.delete(f"{ENTRIES}/{each['id']}", headers=alice.headers)
        assert gone.status_code == 204
        assert client.get(f"{ENTRIES}/{each['id']}", headers=alice.headers).status_code == 404
    assert client.get("/api/v1/timer", headers=alice.headers).json()["running"] is None


def test_it_lists_entries_overlapping_the_window(client: TestClient, alice: Account) -> None:
    fix, docs = api_task(client, alice, "fix")["id"], api_task(client, alice, "docs")["id"]
    sunday = log(client, alice, fix, "2026-11-29T10:00:00Z", "2026-11-29T11:00:00Z")
    late = log(client, alice, docs, "2026-11-29T22:30:00Z", "2026-11-29T23:30:00Z")
    monday = log(client, alice, fix, "2026-11-30T07:00:00Z", "2026-11-30T08:00:00Z")

    def ids(query: str = "") -> list[int]:
        response = client.get(f"{ENTRIES}{query}", headers=alice.headers)
        assert response.status_code == 200, response.text
        return [e["id"] for e in response.json()]

    # No window: the caller's local today, from midnight in Berlin (23:00 UTC the day before).
    assert ids() == [late["id"], monday["id"]]
    assert ids("?start=2026-11-29T00:00:00Z&end=2026-11-29T22:45:00Z") == [
        sunday["id"],
        late["id"],
    ]
    assert ids(f"?start=2026-11-29T00:00:00Z&task_id={fix}") == [sunday["id"]]
    assert ids("?end=2026-11-29T12:00:00Z") == [sunday["id"]]


def test_it_hides_entries_from_strangers(client: TestClient, alice: Account, bob: Account) -> None:
    secret = api_task(client, alice, "secret")["id"]
    entry = log(client, alice, secret, "2026-11-30T07:00:00Z", "2026-11-30T08:00:00Z")
    start(client, alice, secret)
    mine = api_task(client, bob, "mine")["id"]
    own = log(client, bob, mine, "2026-11-30T07:00:00Z", "2026-11-30T08:00:00Z")
    url = f"{ENTRIES}/{entry['id']}"
    assert client.get(url, headers=bob.headers).status_code == 404
    patched = client.patch(url, json={"note": "x", "version": 1}, headers=bob.headers)
    assert patched.status_code == 404
    assert client.delete(url, headers=bob.headers).status_code == 404
    assert [e["id"] for e in client.get(ENTRIES, headers=bob.headers).json()] == [own["id"]]
    assert client.get("/api/v1/timer", headers=bob.headers).json()["running"] is None
    assert client.post("/api/v1/timer/stop", headers=bob.headers).status_code == 422
    report = client.get("/api/v1/time-report", headers=bob.headers).json()
    assert [row["label"] for row in report["rows"]] == ["mine"]
    moved = client.patch(
        f"{ENTRIES}/{own['id']}", json={"task_id": secret, "version": 1}, headers=bob.headers
    )
    assert moved.status_code == 422 and moved.json()["errors"][0]["field"] == "task_id"
    onto = client.post(
        ENTRIES,
        json={"task_id": secret, "start": "2026-11-30T06:00:00Z", "end": "2026-11-30T06:30:00Z"},
        headers=bob.headers,
    )
    assert onto.status_code == 422 and onto.json()["errors"][0]["field"] == "task_id"
    assert client.get(url, headers=alice.headers).json() == entry


def test_it_names_the_field_of_bad_input(client: TestClient, alice: Account) -> None:
    fix = api_task(client, alice)["id"]
    bodies = {
        "task_id": {"task_id": "x", "start": "2026-11-30T07:00:00Z", "end": "2026-11-30T08:00Z"},
        "start": {"task_id": fix, "start": "2026-11-30T07:00", "end": "2026-11-30T08:00Z"},
        "end": {"task_id": fix, "start": "2026-11-30T07:00:00Z", "end": "later"},
        "note": {
            "task_id": fix,
            "start": "2026-11-30T07:00:00Z",
            "end": "2026-11-30T08:00:00Z",
            "note": "x" * 501,
        },
        "colour": {
            "task_id": fix,
            "start": "2026-11-30T07:00Z",
            "end": "2026-11-30T08:00Z",
            "colour": 1,
        },
    }
    for field, body in bodies.items():
        response = client.post(ENTRIES, json=body, headers=alice.headers)
        assert response.status_code == 422, field
        assert response.json()["errors"][0]["field"] == field, response.json()
    for body, field in (
        ({"task_id": 0}, "task_id"),
        ({"task_id": 2**31}, "task_id"),
        ({}, "task_id"),
    ):
        response = client.post("/api/v1/timer/start", json=body, headers=alice.headers)
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == field
    queries = {
        "/api/v1/time-report?group_by=week": "group_by",
        "/api/v1/time-report?start=tomorrow": "start",
        "/api/v1/time-entries?start=2026-11-30T00:00Z&end=2026-11-29T00:00Z": "end",
        "/api/v1/time-entries?start=2025-01-01T00:00Z&end=2026-11-29T00:00Z": "end",
        "/api/v1/time-entries?task_id=0": "task_id",
        "/api/v1/time-entries/0": "entry_id",
        "/api/v1/time-entries/99999999999": "entry_id",
    }
    for url, field in queries.items():
        response = client.get(url, headers=alice.headers)
        assert response.status_code == 422, url
        assert response.json()["errors"][0]["field"] == field, (url, response.json())
