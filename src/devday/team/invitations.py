"""Invitations by link: an owner or manager makes a link (``/join/<secret>``) that lets whoever
holds it join the team with a role, once, within ``VALID_FOR``.

Only a SHA-256 of the secret is stored, so the link is shown once, to its creator, or emailed
once, to the address they named (``email_link``: through the outbox, like every other email).
A stranger who has no link learns nothing: an unknown secret is NotFound, like a team they are
not in.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from uuid import uuid4

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from devday.account.models import User
from devday.account.ratelimit import RateLimits
from devday.account.reset import public_url
from devday.config import Settings
from devday.errors import Conflict, Forbidden, Invalid, NotFound
from devday.notify.models import ChannelKind, OutboxMessage, OutboxStatus
from devday.team import policy
from devday.team import service as team_service
from devday.team.models import Invitation, Role, Team, TeamMember
from devday.team.policy import Action

VALID_FOR = timedelta(days=7)
PREFIX = "/join/"
NO_EMAIL = (
    "this server sends no email (its administrator has not set DEVDAY_SMTP_URL); "
    "make a link and pass it on yourself"
)
EMAIL_KIND = "team-invitation"


class InvitationGone(Conflict):
    """The link was real but is spent: already used, or expired."""

    status_code = 410


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create(
    *,
    session: Session,
    user: User,
    team_id: int,
    role: Role,
    now: datetime,
    email: str | None = None,
) -> tuple[Invitation, str]:
    """A new invitation and its secret (returned only here). Owners and managers; only owners
    invite owners. ``email`` records whom it is for; ``email_link`` sends it there."""
    _team, my_role = team_service.get_team(session=session, user=user, team_id=team_id)
    policy.require_role(my_role, Action.manage_members)
    if role == Role.owner and my_role != Role.owner:
        raise Forbidden("only owners can invite owners", field="role")
    secret = secrets.token_urlsafe(24)
    invitation = Invitation(
        team_id=team_id,
        role=role,
        token_hash=digest(secret),
        created_by_id=user.id,
        created_at=now,
        expires_at=now + VALID_FOR,
        email=email,
    )
    session.add(invitation)
    session.flush()
    return invitation, secret


def invite(
    *,
    session: Session,
    settings: Settings,
    limits: RateLimits,
    user: User,
    team_id: int,
    role: Role,
    email: str | None,
    now: datetime,
) -> tuple[Invitation, str]:
    """A new invitation (``create``), emailed to ``email`` when one is given (``email_link``).
    With an address it is refused before anything is made when the server sends no email, and
    limited to ``settings.invitation_email_limit_per_user`` per inviter."""
    if email is not None and not settings.sends_email:
        team_service.get_team(session=session, user=user, team_id=team_id)  # a stranger: 404
        raise Invalid(NO_EMAIL, field="email")
    invitation, secret = create(
        session=session, user=user, team_id=team_id, role=role, now=now, email=email
    )
    if email is not None:
        limits.hit(
            settings.invitation_email_limit_per_user,
            "invitation-email",
            str(user.id),
            message="you sent many invitation emails just now; try again later",
        )
        team = session.get_one(Team, team_id)
        email_link(
            session=session,
            settings=settings,
            user=user,
            team=team,
            invitation=invitation,
            secret=secret,
            now=now,
        )
    return invitation, secret


def email_link(
    *,
    session: Session,
    settings: Settings,
    user: User,
    team: Team,
    invitation: Invitation,
    secret: str,
    now: datetime,
) -> OutboxMessage:
    """Queues the email that carries the invitation's link to ``invitation.email``, in the
    caller's transaction. It is the team's message in the outbox (its owners and managers see
    it and may retry it); the link is built on ``DEVDAY_PUBLIC_URL``, never the request's Host.
    Invalid when the server sends no email."""
    if not settings.sends_email:
        raise Invalid(NO_EMAIL, field="email")
    if invitation.email is None:
        raise ValueError("an invitation without an address cannot be emailed")
    link = f"{public_url(settings)}{PREFIX}{secret}"
    expires = invitation.expires_at.strftime("%a %d %b %Y, %H:%M UTC")
    text = (
        f"{user.name} ({user.email}) invites you to join the team {team.name} on devday "
        f"as {invitation.role.value}.\n\n"
        f"Open this link to sign up or log in, and join: {link}\n\n"
        f"It works once and until {expires}. If you do not know {user.name}, ignore this email."
    )
    message = OutboxMessage(
        delivery_id=uuid4().hex,
        team_id=team.id,
        kind=ChannelKind.email,
        target=invitation.email,
        secret="",
        subject=f"Join {team.name} on devday"[:300],
        text=text,
        # The invitation, not its link: only the email carries the secret.
        payload={"kind": EMAIL_KIND, "team_id": team.id, "invitation_id": invitation.id},
        status=OutboxStatus.pending,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(message)
    session.flush()
    return message


def list_open(*, session: Session, user: User, team_id: int, now: datetime) -> Sequence[Invitation]:
    """The team's invitations not yet used or expired, newest first (owners and managers)."""
    policy.require(session=session, user=user, team_id=team_id, action=Action.manage_members)
    return session.scalars(
        select(Invitation)
        .where(
            Invitation.team_id == team_id,
            Invitation.used_at.is_(None),
            Invitation.expires_at > now,
        )
        .order_by(Invitation.created_at.desc(), Invitation.id.desc())
    ).all()


def revoke(*, session: Session, user: User, team_id: int, invitation_id: int) -> None:
    policy.require(session=session, user=user, team_id=team_id, action=Action.manage_members)
    invitation = session.get(Invitation, invitation_id)
    if invitation is None or invitation.team_id != team_id:
        raise NotFound("invitation not found")
    session.delete(invitation)
    session.flush()


def look_up(*, session: Session, secret: str, now: datetime) -> tuple[Invitation, Team]:
    """The invitation of a link and its team; NotFound for an unknown link, InvitationGone for
    one that was used or has expired."""
    invitation = session.scalar(select(Invitation).where(Invitation.token_hash == digest(secret)))
    team = session.get(Team, invitation.team_id) if invitation else None
    if invitation is None or team is None:
        raise NotFound("no such invitation; ask for a new link")
    if invitation.used_at is not None:
        raise InvitationGone("this invitation has already been used; ask for a new link")
    if invitation.expires_at <= now:
        raise InvitationGone("this invitation has expired; ask for a new link")
    return invitation, team


def accept(*, session: Session, user: User, secret: str, now: datetime) -> tuple[Team, Role]:
    """Joins ``user`` to the invitation's team and spends the link. A member already in the
    team keeps their role, and the link stays usable for someone else."""
    invitation, team = look_up(session=session, secret=secret, now=now)
    member = team_service.membership(session=session, team_id=team.id, user_id=user.id)
    if member is not None:
        return team, member.role
    # Spend the link with a conditional update, so that two people opening it at once cannot
    # both join on it.
    spent = session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.used_at.is_(None))
        .values(used_at=now, used_by_id=user.id)
    )
    if getattr(spent, "rowcount", 0) != 1:
        raise InvitationGone("this invitation has already been used; ask for a new link")
    session.add(TeamMember(team_id=team.id, user_id=user.id, role=invitation.role))
    session.flush()
    session.expire(invitation)
    return team, invitation.role
