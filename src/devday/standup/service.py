"""Standups: a member's draft, edited and submitted; the team's day; blockers.

A standup's day is the team's local date. Submitting turns each line of the blockers part into
an open blocker (unless it is one already); open blockers are carried into each next draft until
someone on the team resolves them, and one open for more than two days is flagged to the team's
managers, once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from devday.account.models import User
from devday.concurrency import check_version, flush_versioned
from devday.errors import Conflict, Invalid, NotFound, PreconditionRequired
from devday.notify import service as notify_service
from devday.standup import draft as drafting
from devday.standup.leave import away
from devday.standup.leave import on_leave as on_leave
from devday.standup.models import Blocker, Standup, StandupStatus
from devday.team import service as team_service
from devday.team.models import Role, Team, TeamMember

#: A blocker open for more than this many days is flagged to the team's managers.
FLAG_AFTER_DAYS = 2
MAX_PAST_DAYS = 7
MAX_FUTURE_DAYS = 1
MAX_PART = 5000


@dataclass(frozen=True)
class Mine:
    """The caller's standup for a day: the stored one, or the draft (``stored`` None)."""

    team: Team
    day: date
    stored: Standup | None
    yesterday: str
    today: str
    blockers: str
    draft: drafting.Draft
    away: bool


@dataclass(frozen=True)
class MemberDay:
    user: User
    role: Role
    standup: Standup | None
    away: bool

    @property
    def state(self) -> str:
        if self.standup is not None and self.standup.status == StandupStatus.submitted:
            return "submitted"
        if self.away:
            return "away"
        return "draft" if self.standup is not None else "missing"


@dataclass(frozen=True)
class TeamDay:
    team: Team
    role: Role
    day: date
    meeting_at: datetime
    members: list[MemberDay]
    open_blockers: list[Blocker]


# --- the team's day ----------------------------------------------------------------------------


def team_today(team: Team, now: datetime) -> date:
    return now.astimezone(ZoneInfo(team.timezone)).date()


def meeting_at(team: Team, day: date) -> datetime:
    hours, minutes = (int(x) for x in team.meeting_time.split(":"))
    return datetime.combine(day, time(hours, minutes), tzinfo=ZoneInfo(team.timezone))


def team_day(
    *, session: Session, user: User, team_id: int, day: date | None, now: datetime
) -> TeamDay:
    """Who submitted, who has a draft, who is away, and the team's open blockers."""
    team, role = team_service.get_team(session=session, user=user, team_id=team_id)
    the_day = day or team_today(team, now)
    rows = session.execute(
        select(User, TeamMember.role)
        .join(TeamMember, TeamMember.user_id == User.id)
        .where(TeamMember.team_id == team.id)
        .order_by(User.name, User.id)
    ).all()
    standups = {
        s.user_id: s
        for s in session.scalars(
            select(Standup).where(Standup.team_id == team.id, Standup.day == the_day)
        )
    }
    gone = away(session=session, user_ids=(u.id for u, _ in rows), day=the_day)
    return TeamDay(
        team=team,
        role=role,
        day=the_day,
        meeting_at=meeting_at(team, the_day),
        members=[
            MemberDay(user=u, role=r, standup=standups.get(u.id), away=u.id in gone)
            for u, r in rows
        ],
        open_blockers=drafting.open_blockers(session=session, team_id=team.id),
    )


# --- the caller's standup ----------------------------------------------------------------------


def _check_day(team: Team, day: date, now: datetime) -> None:
    today = team_today(team, now)
    if not today - timedelta(days=MAX_PAST_DAYS) <= day <= today + timedelta(days=MAX_FUTURE_DAYS):
        raise Invalid(
            f"standups run from {MAX_PAST_DAYS} days ago to tomorrow (the team's today is "
            f"{today.isoformat()})",
            field="day",
        )


def _stored(session: Session, team_id: int, user_id: int, day: date) -> Standup | None:
    return session.scalar(
        select(Standup).where(
            Standup.team_id == team_id, Standup.user_id == user_id, Standup.day == day
        )
    )


def get_mine(
    *, session: Session, user: User, team_id: int, day: date | None, now: datetime
) -> Mine:
    team, _role = team_service.get_team(session=session, user=user, team_id=team_id)
    the_day = day or team_today(team, now)
    stored = _stored(session, team.id, user.id, the_day)
    drafted = drafting.draft(session=session, team=team, user=user, day=the_day, now=now)
    return Mine(
        team=team,
        day=the_day,
        stored=stored,
        yesterday=stored.yesterday if stored else drafted.yesterday,
        today=stored.today if stored else drafted.today,
        blockers=stored.blockers if stored else drafted.blockers,
        draft=drafted,
        away=on_leave(session=session, user_id=user.id, day=the_day),
    )


def save_mine(
    *,
    session: Session,
    user: User,
    team_id: int,
    day: date | None,
    yesterday: str | None,
    today: str | None,
    blockers: str | None,
    submit: bool,
    version: int | None,
    now: datetime,
) -> Standup:
    """Stores the caller's standup: the parts sent replace the stored ones (or the draft's).
    ``version`` is the one read (0 when nothing was stored yet). A submitted standup stays
    submitted when edited, and its blockers follow the edit."""
    team, _role = team_service.get_team(session=session, user=user, team_id=team_id)
    the_day = day or team_today(team, now)
    _check_day(team, the_day, now)
    for name, text in (("yesterday", yesterday), ("today", today), ("blockers", blockers)):
        if text is not None and len(text) > MAX_PART:
            raise Invalid(f"keep it under {MAX_PART} characters", field=name)
    row = _stored(session, team.id, user.id, the_day)
    if row is not None and version is None:
        raise PreconditionRequired(
            "send the version you read (If-Match header or 'version' field), so that an edit "
            "made elsewhere is not overwritten",
            field="version",
        )
    check_version(row.version if row else 0, version or 0, "your standup")
    drafted = None
    if row is None or None in (yesterday, today, blockers):
        drafted = drafting.draft(session=session, team=team, user=user, day=the_day, now=now)
    if row is None:
        assert drafted is not None
        row = Standup(
            team_id=team.id,
            user_id=user.id,
            day=the_day,
            yesterday=drafted.yesterday,
            today=drafted.today,
            blockers=drafted.blockers,
            status=StandupStatus.draft,
            created_at=now,
        )
        session.add(row)
    if yesterday is not None:
        row.yesterday = yesterday.strip()
    if today is not None:
        row.today = today.strip()
    if blockers is not None:
        row.blockers = blockers.strip()
    if submit:
        row.status = StandupStatus.submitted
        row.submitted_at = now
    row.updated_at = now
    try:
        flush_versioned(session, "your standup")
    except IntegrityError:
        # Only the one-standup-per-member-and-day constraint can refuse this: another save of
        # the same new standup won a race.
        raise Conflict(
            "your standup was saved elsewhere at the same moment; read it again and retry",
            field="version",
        ) from None
    if row.status == StandupStatus.submitted:
        detected = dict(drafting.detected(session=session, team=team, user=user, now=now))
        sync_blockers(session=session, standup=row, detected=detected, now=now)
    return row


def sync_blockers(
    *, session: Session, standup: Standup, detected: dict[str, int], now: datetime
) -> None:
    """Opens a blocker for each line of a submitted standup's blockers part that is not open
    already. Blockers this same standup opened and that its text no longer names are taken
    back (an edit, not a resolution); older ones stay open until resolved."""
    lines = [line[:500] for line in drafting.split_lines(standup.blockers)]
    current = drafting.open_blockers(
        session=session, team_id=standup.team_id, user_id=standup.user_id
    )
    texts = {b.text for b in current}
    retracted = [b.id for b in current if b.opened_on == standup.day and b.text not in lines]
    if retracted:
        session.execute(delete(Blocker).where(Blocker.id.in_(retracted)))
    for line in dict.fromkeys(lines):
        if line in texts:
            continue
        session.add(
            Blocker(
                team_id=standup.team_id,
                user_id=standup.user_id,
                text=line,
                opened_on=standup.day,
                task_id=detected.get(line),
                created_at=now,
            )
        )
    session.flush()


# --- blockers ----------------------------------------------------------------------------------


def list_blockers(
    *, session: Session, user: User, team_id: int, include_resolved: bool, limit: int = 200
) -> list[Blocker]:
    team, _role = team_service.get_team(session=session, user=user, team_id=team_id)
    query = select(Blocker).where(Blocker.team_id == team.id)
    if not include_resolved:
        query = query.where(Blocker.resolved_at.is_(None))
    return list(session.scalars(query.order_by(Blocker.opened_on.desc(), Blocker.id).limit(limit)))


def get_blocker(*, session: Session, user: User, blocker_id: int) -> Blocker:
    blocker = session.get(Blocker, blocker_id)
    if blocker is None or (
        team_service.membership(session=session, team_id=blocker.team_id, user_id=user.id) is None
    ):
        raise NotFound(f"blocker {blocker_id} not found")
    return blocker


def resolve_blocker(*, session: Session, user: User, blocker_id: int, now: datetime) -> Blocker:
    """Any member of the team may resolve a blocker (often the one who unblocked it); resolving
    one already resolved changes nothing."""
    blocker = get_blocker(session=session, user=user, blocker_id=blocker_id)
    if blocker.resolved_at is None:
        blocker.resolved_at = now
        blocker.resolved_by_id = user.id
        session.flush()
    return blocker


def flag_stale_blockers(
    *, session: Session, now: datetime, team_id: int | None = None
) -> list[Blocker]:
    """Flags each open blocker older than FLAG_AFTER_DAYS (in its team's days) to the team's
    owners and managers through their own channels. Each blocker is flagged once: the flag
    is set by a conditional UPDATE, so two workers never both send it."""
    query = (
        select(Blocker, Team)
        .join(Team, Team.id == Blocker.team_id)
        .where(Blocker.resolved_at.is_(None), Blocker.flagged_at.is_(None))
    )
    if team_id is not None:
        query = query.where(Blocker.team_id == team_id)
    flagged = []
    for blocker, team in session.execute(query.order_by(Blocker.id)).all():
        if (team_today(team, now) - blocker.opened_on).days <= FLAG_AFTER_DAYS:
            continue
        claimed = session.execute(
            update(Blocker)
            .where(Blocker.id == blocker.id, Blocker.flagged_at.is_(None))
            .values(flagged_at=now)
            .execution_options(synchronize_session=False)
        )
        if getattr(claimed, "rowcount", 0) != 1:
            continue
        session.refresh(blocker)
        _notify_managers(session, team, blocker, now)
        flagged.append(blocker)
    return flagged


def _notify_managers(session: Session, team: Team, blocker: Blocker, now: datetime) -> None:
    owner = session.get(User, blocker.user_id)
    who = owner.name if owner else "a member"
    days = (team_today(team, now) - blocker.opened_on).days
    managers = session.scalars(
        select(TeamMember.user_id).where(
            TeamMember.team_id == team.id, TeamMember.role.in_(team_service.MANAGING_ROLES)
        )
    ).all()
    channels = [
        channel
        for manager_id in managers
        for channel in notify_service.channels_for_user(session=session, user_id=manager_id)
        if channel.user_id == manager_id
    ]
    text = (
        f"{who}'s blocker in {team.name} has been open for {days} days "
        f"(since {blocker.opened_on:%a %d %b}): {blocker.text}\n"
        f"Resolve it on the team page or with `devday standup resolve {blocker.id}`."
    )
    notify_service.enqueue(
        session=session,
        channels=channels,
        subject=f"Blocker open for {days} days in {team.name}",
        text=text,
        html=None,
        payload={
            "type": "standup.blocker_flagged",
            "team_id": team.id,
            "blocker_id": blocker.id,
            "user_id": blocker.user_id,
            "opened_on": blocker.opened_on.isoformat(),
            "link": f"/team/{team.id}",
        },
        now=now,
        dedupe_key=f"standup.blocker:{blocker.id}",
    )
