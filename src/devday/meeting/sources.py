"""What the agenda reads from other domains: standups, blockers, leave and incidents.

Each read is one function returning plain values, so that the agenda and its API shapes do
not depend on the other domains' rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from devday.account.models import User
from devday.checks.models import Incident, IncidentStatus
from devday.standup import leave
from devday.standup.models import Blocker, Standup, StandupStatus


@dataclass(frozen=True)
class StandupLine:
    user_id: int
    name: str
    yesterday: str
    today: str
    blockers: str
    submitted_at: datetime | None


@dataclass(frozen=True)
class BlockerLine:
    id: int
    user_id: int
    name: str
    text: str
    opened_on: date
    age_days: int
    flagged: bool
    task_id: int | None


@dataclass(frozen=True)
class IncidentLine:
    id: int
    summary: str
    problem: str
    severity: int
    opened_at: datetime
    task_id: int | None


def submitted_standups(*, session: Session, team_id: int, day: date) -> list[StandupLine]:
    """The team's standups submitted for ``day``."""
    rows = session.execute(
        select(Standup, User.name)
        .join(User, User.id == Standup.user_id)
        .where(
            Standup.team_id == team_id,
            Standup.day == day,
            Standup.status == StandupStatus.submitted,
        )
        .order_by(Standup.submitted_at, Standup.id)
    )
    return [
        StandupLine(
            user_id=row.user_id,
            name=name,
            yesterday=row.yesterday,
            today=row.today,
            blockers=row.blockers,
            submitted_at=row.submitted_at,
        )
        for row, name in rows
    ]


def open_blockers(*, session: Session, team_id: int, today: date) -> list[BlockerLine]:
    """The team's blockers not yet resolved, the oldest first."""
    rows = session.execute(
        select(Blocker, User.name)
        .join(User, User.id == Blocker.user_id)
        .where(Blocker.team_id == team_id, Blocker.resolved_at.is_(None))
        .order_by(Blocker.opened_on, Blocker.id)
    )
    return [
        BlockerLine(
            id=row.id,
            user_id=row.user_id,
            name=name,
            text=row.text,
            opened_on=row.opened_on,
            age_days=(today - row.opened_on).days,
            flagged=row.flagged_at is not None,
            task_id=row.task_id,
        )
        for row, name in rows
    ]


def away(*, session: Session, user_ids: Iterable[int], day: date) -> set[int]:
    """Who of ``user_ids`` is on leave on ``day``."""
    return leave.away(session=session, user_ids=user_ids, day=day)


def open_incidents(*, session: Session, team_id: int) -> list[IncidentLine]:
    """The team's open incidents from the app checks, the most severe first."""
    rows = session.scalars(
        select(Incident)
        .where(Incident.team_id == team_id, Incident.status == IncidentStatus.open)
        .order_by(Incident.severity.desc(), Incident.opened_at, Incident.id)
    )
    return [
        IncidentLine(
            id=row.id,
            summary=row.summary,
            problem=str(row.problem),
            severity=row.severity,
            opened_at=row.opened_at,
            task_id=row.task_id,
        )
        for row in rows
    ]
