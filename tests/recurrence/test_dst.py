"""A series "every day at 09:00" stays at 09:00 on the clock in Berlin across both changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from devday.clock import MockClock
from tests.factories import Account
from tests.recurrence.support import all_tasks, finish, open_tasks, sweep


@pytest.mark.parametrize(
    ("first_day", "expected"),
    [
        # Summer time begins on Sunday 28 March 2027: 09:00 is 08:00 UTC before, 07:00 after.
        (
            datetime(2027, 3, 26, 6, 0, tzinfo=UTC),
            ["08:00", "08:00", "07:00", "07:00"],
        ),
        # It ends on Sunday 31 October 2027: 09:00 is 07:00 UTC before, 08:00 after.
        (
            datetime(2027, 10, 29, 6, 0, tzinfo=UTC),
            ["07:00", "07:00", "08:00", "08:00"],
        ),
    ],
)
def test_it_keeps_a_daily_series_at_nine_local_across_daylight_saving(
    client: TestClient,
    alice: Account,
    engine: Engine,
    clock: MockClock,
    first_day: datetime,
    expected: list[str],
) -> None:
    clock.set(first_day)
    task = client.post(
        "/api/v1/tasks",
        json={"title": "Morning triage", "repeat": "every day at 09:00"},
        headers=alice.headers,
    ).json()
    assert task["repeat"]["description"] == "every day at 09:00"
    for _ in range(3):
        (current,) = open_tasks(client, alice, "Morning triage")
        finish(client, alice, current)
        clock.advance(timedelta(days=1))
        assert sweep(engine, clock) == 1
    starts = [t["earliest_start"] for t in all_tasks(client, alice, "Morning triage")]
    assert [s[11:16] for s in starts] == expected
    days = [t["planned_date"] for t in all_tasks(client, alice, "Morning triage")]
    first = first_day.date()
    assert days == [(first + timedelta(days=n)).isoformat() for n in range(4)]
