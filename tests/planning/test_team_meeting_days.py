"""The routine's team meeting falls on the team's meeting days: on a day none of the user's
teams meets, the plan has no meeting block and the planner may use that hour for work."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient

from devday.clock import MockClock
from devday.planning.team_meeting import on_meeting_days
from tests.factories import Account, api_task, api_team, web_log_in

BERLIN = ZoneInfo("Europe/Berlin")
THURSDAY, FRIDAY = "2026-12-03", "2026-12-04"
MON_TO_THU = ["mon", "tue", "wed", "thu"]


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(BERLIN)


def plan_of(client: TestClient, who: Account, day: str) -> dict[str, Any]:
    response = client.post(f"/api/v1/plans/{day}", headers=who.headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def meeting_slots(plan: dict[str, Any]) -> list[tuple[int, int]]:
    return [
        (local(slot["start"]).hour, local(slot["end"]).hour)
        for slot in plan["routine"]
        if slot["title"] == "Team meeting"
    ]


def work_at_three(plan: dict[str, Any], day: str) -> list[str]:
    """Titles of the blocks that overlap 15:00-16:00 Berlin time on ``day``."""
    three = datetime.fromisoformat(day).replace(hour=15, tzinfo=BERLIN)
    return [
        block["title"]
        for block in plan["blocks"]
        if local(block["start"]) < three + timedelta(hours=1) and three < local(block["end"])
    ]


def a_day_of_work(client: TestClient, who: Account) -> None:
    # Six hours fill a Berlin working day without the meeting (10-18 less planning, lunch and
    # wrap-up): with the meeting in the way, one hour goes to the next day.
    api_task(client, who, title="Migrate the billing jobs", estimate_minutes=360, splittable=True)


def test_it_leaves_the_meeting_out_of_a_day_the_team_does_not_meet(
    client: TestClient, alice: Account, clock: MockClock
) -> None:
    team_id = api_team(client, alice)
    changed = client.patch(
        f"/api/v1/teams/{team_id}", json={"meeting_days": MON_TO_THU}, headers=alice.headers
    )
    assert changed.status_code == 200 and changed.json()["meeting_days"] == MON_TO_THU
    a_day_of_work(client, alice)

    clock.set(datetime(2026, 12, 3, 8, 0, tzinfo=UTC))  # Thursday 09:00 in Berlin
    thursday = plan_of(client, alice, THURSDAY)
    assert meeting_slots(thursday) == [(15, 16)]
    assert work_at_three(thursday, THURSDAY) == []

    clock.set(datetime(2026, 12, 4, 8, 0, tzinfo=UTC))  # Friday 09:00 in Berlin
    friday = plan_of(client, alice, FRIDAY)
    assert meeting_slots(friday) == []
    assert work_at_three(friday, FRIDAY) == ["Migrate the billing jobs"]
    assert friday["late"] == [] and friday["unscheduled"] == []

    # Today shows the day as planned: no meeting on the timeline.
    web_log_in(client, alice.email)
    today = client.get("/today")
    assert today.status_code == 200
    assert "Migrate the billing jobs" in today.text and "Team meeting" not in today.text
    # The routine itself is unchanged: its editor still offers the meeting on weekdays.
    routine = client.get("/api/v1/routine", headers=alice.headers).json()
    [meeting] = [b for b in routine["blocks"] if b["title"] == "Team meeting"]
    assert meeting["days"] == ["mon", "tue", "wed", "thu", "fri"]


def test_it_keeps_the_meeting_on_a_day_any_of_the_users_teams_meets(
    client: TestClient, alice: Account, clock: MockClock
) -> None:
    weekdays = api_team(client, alice, name="Backend")
    fridays = api_team(client, alice, name="Release")
    for team_id, days in ((weekdays, MON_TO_THU), (fridays, ["fri"])):
        response = client.patch(
            f"/api/v1/teams/{team_id}", json={"meeting_days": days}, headers=alice.headers
        )
        assert response.status_code == 200, response.text
    clock.set(datetime(2026, 12, 4, 8, 0, tzinfo=UTC))
    assert meeting_slots(plan_of(client, alice, FRIDAY)) == [(15, 16)]
    client.patch(f"/api/v1/teams/{fridays}", json={"meeting_days": ["mon"]}, headers=alice.headers)
    assert meeting_slots(plan_of(client, alice, FRIDAY)) == []


def test_it_keeps_the_routine_as_it_is_for_someone_in_no_team(
    client: TestClient, alice: Account, clock: MockClock
) -> None:
    a_day_of_work(client, alice)
    clock.set(datetime(2026, 12, 4, 8, 0, tzinfo=UTC))
    friday = plan_of(client, alice, FRIDAY)
    assert meeting_slots(friday) == [(15, 16)]
    assert work_at_three(friday, FRIDAY) == []


def test_on_meeting_days_narrows_only_the_meeting_block() -> None:
    routine = {
        "blocks": [
            {"title": "Lunch", "days": ["mon", "fri"], "start": "12:30", "end": "13:30"},
            {"title": "team Meeting ", "days": ["mon", "fri"], "start": "15:00", "end": "16:00"},
        ]
    }
    narrowed = on_meeting_days(routine, {"mon", "tue"})
    assert [b["days"] for b in narrowed["blocks"]] == [["mon", "fri"], ["mon"]]
    assert on_meeting_days(routine, None) is routine
    assert routine["blocks"][1]["days"] == ["mon", "fri"]  # the stored routine is untouched
