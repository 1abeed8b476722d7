"""What a team's settings page shows: the team, who is in it with which role, the open
invitation links, and which forms the caller's role is offered."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from devday.account.models import User
from devday.inbox import setup as inbox_setup
from devday.team import invitations, policy
from devday.team import service as team_service
from devday.team.models import WEEKDAYS, Role, Team
from devday.team.policy import Action

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def meeting_days_label(team: Team) -> str:
    """The meeting days in words: "Monday to Friday", "Monday, Wednesday and Friday"."""
    days = team.meeting_weekdays
    indexes = [WEEKDAYS.index(day) for day in days]
    if len(indexes) > 2 and indexes == list(range(indexes[0], indexes[-1] + 1)):
        return f"{DAY_NAMES[indexes[0]]} to {DAY_NAMES[indexes[-1]]}"
    names = [DAY_NAMES[i] for i in indexes]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def settings_context(
    *, session: Session, user: User, team: Team, role: Role, now: datetime
) -> dict[str, Any]:
    manages = policy.allows(role, Action.manage_members)
    _team, inbox = inbox_setup.get(session=session, user=user, team_id=team.id)
    return {
        "team": team,
        "role": role,
        "weekdays": [(day, name[:3]) for day, name in zip(WEEKDAYS, DAY_NAMES, strict=True)],
        "meeting_days_label": meeting_days_label(team),
        "members": team_service.list_members(session=session, user=user, team_id=team.id),
        "invitations": (
            invitations.list_open(session=session, user=user, team_id=team.id, now=now)
            if manages
            else []
        ),
        "may": {
            "settings": policy.allows(role, Action.change_settings),
            "members": manages,
            "delete": policy.allows(role, Action.delete_team),
        },
        # Managers may not grant ownership (team.service), so they are not offered it.
        "roles": [r for r in Role if role == Role.owner or r != Role.owner],
        "inbox": inbox,
        "inbox_slug": inbox.slug if inbox else inbox_setup.suggested_slug(team),
        "poll": None,
        "values": {},
        "errors": {},
        "error": None,
        "notice": None,
        "new_link": None,
        "emailed_to": None,
        "section": None,
    }
