"""The demo workspace's standups: the last working day's, submitted by everyone; Sam's for
today; an open blocker of Priya's, and Priya's leave next week."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from devday.account.models import User
from devday.standup.models import Blocker, Leave, Standup, StandupStatus
from devday.team.models import Team

PREVIOUS = [
    (
        "Finished pagination for /v2/orders and reviewed Sam's retry middleware.",
        "Fix login rate limit\nDocument the /v2/orders API",
        "",
    ),
    (
        "Investigated the slow invoice export: a missing index; answered the refund webhook "
        "support case.",
        "Ship the export index\nPair with Priya on search",
        "",
    ),
    (
        "Wrote the changelog for 2.14.",
        "Speed up search (p95 900 ms)",
        "Need read access to the production search logs",
    ),
]


def _weekdays_back(day: date, count: int) -> date:
    while count:
        day -= timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


def seed(*, session: Session, team: Team, users: list[User], now: datetime) -> None:
    zone = ZoneInfo(team.timezone)
    today = now.astimezone(zone).date()
    while today.weekday() >= 5:
        today += timedelta(days=1)
    previous = _weekdays_back(today, 1)
    submitted = datetime.combine(previous, time(14, 20), tzinfo=zone)
    for user, (yesterday, plan, blockers) in zip(users, PREVIOUS, strict=True):
        session.add(
            Standup(
                team_id=team.id,
                user_id=user.id,
                day=previous,
                yesterday=yesterday,
                today=plan,
                blockers=blockers,
                status=StandupStatus.submitted,
                submitted_at=submitted,
                created_at=submitted,
                updated_at=submitted,
            )
        )
    sam = users[1]
    early = min(now, datetime.combine(today, time(9, 30), tzinfo=zone))
    session.add(
        Standup(
            team_id=team.id,
            user_id=sam.id,
            day=today,
            yesterday="Shipped the export index; invoice export is under 2 s again.",
            today="Pair with Priya on search\nReview the rate-limit PR",
            blockers="",
            status=StandupStatus.submitted,
            submitted_at=early,
            created_at=early,
            updated_at=early,
        )
    )
    priya = users[2]
    session.add(
        Blocker(
            team_id=team.id,
            user_id=priya.id,
            text=PREVIOUS[2][2],
            opened_on=previous,
            created_at=submitted,
        )
    )
    first = today + timedelta(days=7 - today.weekday())  # next Monday
    session.add(
        Leave(
            user_id=priya.id,
            start=first,
            end=first + timedelta(days=4),
            note="Conference",
            created_at=now,
        )
    )
    session.flush()
