"""Repeat phrases typed in quick add and on the New task page."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from devday.quickadd import parse_quick_add
from tests.factories import Account, csrf_from, web_log_in

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "title", "repeat", "estimate"),
    [
        ("Weekly report every fri 1h P2 #report", "Weekly report", "every fri", 60),
        ("Triage every weekday at 09:00 30m", "Triage", "every weekday at 09:00", 30),
        ("Update deps every! 2 weeks", "Update deps", "every! 2 weeks", None),
        ("Check every log", "Check every log", None, None),
    ],
)
def test_it_reads_a_repeat_phrase_in_quick_add(
    text: str, title: str, repeat: str | None, estimate: int | None
) -> None:
    found = parse_quick_add(text, now=NOW, timezone="Europe/Berlin")
    assert (found.title, found.repeat, found.estimate_minutes) == (title, repeat, estimate)


def test_it_refuses_a_repeat_meant_but_not_readable_in_quick_add() -> None:
    with pytest.raises(ValueError, match="every 3 days"):
        parse_quick_add("Sync every 3", now=NOW, timezone="Europe/Berlin")


def test_it_makes_a_series_from_quick_add_and_the_new_task_page(
    client: TestClient, alice: Account
) -> None:
    web_log_in(client, alice.email)
    page = client.get("/tasks")
    quick = client.post(
        "/tasks/quick",
        data={"text": "Weekly report every fri 30m", "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert quick.status_code == 303, quick.text
    new = client.get("/tasks/new")
    assert 'name="repeat"' in new.text
    refused = client.post(
        "/tasks/new",
        data={
            "title": "Backups",
            "repeat": "every blue moon",
            "importance": "2",
            "kind": "other",
            "min_chunk_minutes": "30m",
            "csrf_token": csrf_from(new.text),
        },
    )
    assert refused.status_code == 422
    assert "every weekday" in refused.text and 'id="repeat-error"' in refused.text
    made = client.post(
        "/tasks/new",
        data={
            "title": "Backups",
            "repeat": "every month on the 15th",
            "importance": "2",
            "kind": "other",
            "min_chunk_minutes": "30m",
            "csrf_token": csrf_from(new.text),
        },
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text
    tasks = client.get("/api/v1/tasks", headers=alice.headers).json()["items"]
    repeats = {t["title"]: (t["repeat"]["description"], t["planned_date"]) for t in tasks}
    assert repeats == {
        "Weekly report": ("every Fri", "2026-12-04"),
        "Backups": ("every month on the 15th", "2026-12-15"),
    }


def test_it_skips_one_and_ends_the_series_from_the_task_page(
    client: TestClient, alice: Account, bob: Account
) -> None:
    first = client.post(
        "/api/v1/tasks", json={"title": "Retro notes", "repeat": "every mon"}, headers=alice.headers
    ).json()
    series_id = first["repeat"]["series_id"]
    web_log_in(client, alice.email)
    page = client.get(f"/tasks/{first['id']}")
    assert "every Mon; the next for Mon 07 Dec" in page.text
    assert 'id="skip-one"' in page.text and 'id="end-series"' in page.text
    skipped = client.post(
        f"/series/{series_id}/skip",
        data={"task_id": str(first["id"]), "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert skipped.status_code == 303, skipped.text
    nxt = client.get(skipped.headers["location"])
    assert "Mon 07 Dec" in nxt.text and "the next for Mon 14 Dec" in nxt.text
    ended = client.post(
        f"/series/{series_id}/end",
        data={"task_id": str(first["id"]), "csrf_token": csrf_from(nxt.text)},
        follow_redirects=False,
    )
    assert ended.status_code == 303
    series = client.get(f"/api/v1/series/{series_id}", headers=alice.headers).json()
    assert series["ended_at"] is not None and series["open_task_id"] is not None
    again = client.get(f"/tasks/{series['open_task_id']}")
    assert "every Mon (ended)" in again.text and 'id="skip-one"' not in again.text
    refused = client.post(f"/series/{series_id}/skip", data={"csrf_token": csrf_from(again.text)})
    assert refused.status_code == 422 and "has ended" in refused.text
    client.cookies.clear()
    web_log_in(client, bob.email)
    stranger = client.post(
        f"/series/{series_id}/end", data={"csrf_token": csrf_from(client.get("/tasks").text)}
    )
    assert stranger.status_code == 404
