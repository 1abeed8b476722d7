"""Who may do what with a team's things: the one place the role model lives.

Every member reads everything of the team (apps, checks and their results, incidents,
maintenance windows, channels, projects, settings), works on tasks, asks for a check to run
now, and takes part in the meeting. Changing what the team has set up is for its owners and
managers; deleting the team, and granting or taking away ownership, for its owners. The
table "Who can do what" in docs/operating.md says the same for users.

Services call ``require`` (or ``require_role`` when they already hold the caller's role) after
they have found the thing, so that a stranger still gets NotFound and a member the 403.
"""

from __future__ import annotations

import enum

from sqlalchemy.orm import Session

from devday.account.models import User
from devday.errors import Forbidden, NotFound
from devday.team.models import Role, TeamMember

_MANAGERS = frozenset({Role.owner, Role.manager})
_OWNERS = frozenset({Role.owner})
_EVERYONE = frozenset(Role)


class Action(enum.Enum):
    """A change to a team's things, with the roles allowed it and how a refusal names it."""

    run_check = (_EVERYONE, "run its checks now")
    manage_apps = (_MANAGERS, "add, change or delete its apps, checks and maintenance windows")
    manage_projects = (_MANAGERS, "add, change or delete its projects")
    manage_channels = (_MANAGERS, "manage its channels")
    change_settings = (_MANAGERS, "change its settings")
    manage_members = (_MANAGERS, "add or remove members and change their roles")
    delete_team = (_OWNERS, "delete it")

    def __init__(self, roles: frozenset[Role], what: str) -> None:
        self.roles = roles
        self.what = what


def allows(role: Role | None, action: Action) -> bool:
    """Whether a member with ``role`` (None: not a member) may do ``action``."""
    return role is not None and role in action.roles


def require_role(role: Role, action: Action) -> None:
    """Forbidden, naming who may and the caller's role, unless ``role`` allows ``action``."""
    if not allows(role, action):
        who = "owners" if action.roles == _OWNERS else "owners and managers"
        raise Forbidden(f"only the team's {who} can {action.what}; your role is {role.value}")


def require(*, session: Session, user: User, team_id: int, action: Action) -> Role:
    """The caller's role in the team once it allows ``action``; NotFound for a non-member."""
    member = session.get(TeamMember, (team_id, user.id))
    if member is None:
        raise NotFound("team not found")
    require_role(member.role, action)
    return member.role
