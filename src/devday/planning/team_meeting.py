"""The routine's team meeting falls on the days the user's teams meet.

The routine keeps one fixed block for the daily team meeting (``Team meeting`` in the default
routine, 15:00-16:00 on weekdays). For a member of one or more teams that block is kept only on
the weekdays at least one of their teams meets (``Team.meeting_days``), so that a day without a
meeting gets no meeting block: in the plan the solver makes, in the plan's answer and on Today.
The routine as stored, and as its editor shows it, is not changed. Someone in no team keeps the
block on the days their routine names.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from devday.team.models import DEFAULT_MEETING_DAYS, Team, TeamMember

#: The routine block that stands for the team's meeting, matched without regard to case.
MEETING_TITLE = "team meeting"


def is_meeting(block: dict[str, Any]) -> bool:
    return str(block.get("title", "")).strip().lower() == MEETING_TITLE


def meeting_days(*, session: Session, user_id: int) -> set[str] | None:
    """The weekdays ("mon" ...) on which any of the user's teams meets; None in no team."""
    rows = session.scalars(
        select(Team.meeting_days)
        .join(TeamMember, TeamMember.team_id == Team.id)
        .where(TeamMember.user_id == user_id)
    ).all()
    if not rows:
        return None
    return {day for days in rows for day in (days or DEFAULT_MEETING_DAYS).split(",")}


def on_meeting_days(routine: dict[str, Any], days: set[str] | None) -> dict[str, Any]:
    """``routine`` with its team-meeting block kept only on ``days`` (all of it for None)."""
    if days is None or not any(is_meeting(block) for block in routine["blocks"]):
        return routine
    blocks = [
        {**block, "days": [day for day in block["days"] if day in days]}
        if is_meeting(block)
        else block
        for block in routine["blocks"]
    ]
    return {**routine, "blocks": blocks}


def applied(*, session: Session, user_id: int, routine: dict[str, Any]) -> dict[str, Any]:
    """``routine`` as it places blocks for this user: the meeting on their teams' days."""
    return on_meeting_days(routine, meeting_days(session=session, user_id=user_id))
