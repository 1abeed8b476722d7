"""Each team's inbox setup: the public slug (help form, mail address) and the IMAP mailbox."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from devday import netguard
from devday.account.models import User
from devday.concurrency import check_version, flush_versioned
from devday.errors import Conflict, Forbidden, Invalid, PreconditionRequired
from devday.inbox.models import TeamInbox
from devday.inbox.schemas import TeamInboxUpdate
from devday.team import service as team_service
from devday.team.models import Team


def get(*, session: Session, user: User, team_id: int) -> tuple[Team, TeamInbox | None]:
    """The team (NotFound unless the caller is a member) and its setup, if any."""
    team, _role = team_service.get_team(session=session, user=user, team_id=team_id)
    return team, session.get(TeamInbox, team_id)


def may_set_up(*, session: Session, user: User, team_id: int) -> Team:
    """The team, when the caller may set up its inbox (owners and managers); Forbidden for
    other members, NotFound for strangers."""
    team, role = team_service.get_team(session=session, user=user, team_id=team_id)
    if role not in team_service.MANAGING_ROLES:
        raise Forbidden("only the team's owners and managers set up its inbox")
    return team


def suggested_slug(team: Team) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", team.name.lower()).strip("-")[:50] or "team"
    return f"{slug}-{team.id}"


def update(
    *,
    session: Session,
    user: User,
    team_id: int,
    data: TeamInboxUpdate,
    version: int | None,
    now: datetime,
) -> TeamInbox:
    """Creates or changes the setup (owners and managers); a change needs the version read.
    The caller checks the mailbox host first with ``refuse_host``."""
    team = may_set_up(session=session, user=user, team_id=team_id)
    row = session.get(TeamInbox, team_id)
    if row is None:
        row = TeamInbox(team_id=team.id, slug=data.slug or suggested_slug(team), updated_at=now)
        session.add(row)
    else:
        if version is None:
            raise PreconditionRequired(
                "send the version you read (If-Match header or 'version' field)", field="version"
            )
        check_version(row.version, version, "the team's inbox")
    sent = data.model_fields_set - {"version"}
    for name in sent:
        value = getattr(data, name)
        if value is None:
            raise Invalid("may not be null", field=name)
        setattr(
            row,
            name,
            value.strip() if isinstance(value, str) and name != "imap_password" else value,
        )
    with session.no_autoflush:  # a flush first would hit the unique slug before this check
        clash = session.scalar(
            select(TeamInbox.team_id).where(
                TeamInbox.slug == row.slug, TeamInbox.team_id != team.id
            )
        )
    if clash is not None:
        raise Conflict(f"the address {row.slug!r} is taken; choose another", field="slug")
    if row.imap_enabled and not (row.imap_host and row.imap_user):
        raise Invalid("polling needs imap_host and imap_user", field="imap_host")
    row.updated_at = now
    flush_versioned(session, "the team's inbox")
    return row


def refuse_host(
    current: tuple[str, int],
    data: TeamInboxUpdate,
    outbound: netguard.OutboundPolicy,
    team_id: int,
) -> None:
    """Invalid when the mailbox host and port that ``data`` sets (over the ``current`` ones)
    are ones the server will not connect to. It resolves the name: call it with no
    transaction open. Checked again at each poll, since a name may be re-pointed later."""
    sent = data.model_fields_set
    if not sent & {"imap_host", "imap_port"}:
        return
    host = data.imap_host if "imap_host" in sent else current[0]
    port = data.imap_port if "imap_port" in sent else current[1]
    if not host or port is None:
        return
    reason = netguard.host_refusal(host.strip(), port, outbound, team_id=team_id)
    if reason is not None:
        raise Invalid(reason, field="imap_host")


def by_slug(*, session: Session, slug: str) -> TeamInbox | None:
    return session.scalar(select(TeamInbox).where(TeamInbox.slug == slug.strip().lower()))


def polled_teams(*, session: Session) -> list[TeamInbox]:
    return list(session.scalars(select(TeamInbox).where(TeamInbox.imap_enabled.is_(True))))
