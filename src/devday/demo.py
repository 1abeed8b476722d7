"""The demo workspace: team "Backend", three members and two weeks of realistic work, with
seven weeks of finished work before them for the team's figures.

Seeded on the first start of an empty database, so that a new user sees a real day at once.
Times are relative to ``now``: last week is mostly done, this week and next are ahead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from devday.account import service as account_service
from devday.account.models import User
from devday.account.passwords import hash_password
from devday.figures import demo as figures_demo
from devday.inbox import demo as inbox_demo
from devday.project.models import Project
from devday.standup import demo as standup_demo
from devday.task.models import Kind, Source, Status, Task, TaskDependency, TaskTag
from devday.team.models import Role, Team, TeamMember

DEMO_PASSWORD = "devday-demo"  # noqa: S105 - the published demo login
DEMO_TIMEZONE = "Europe/Berlin"
PEOPLE = [
    ("alex@demo.devday.dev", "Alex Morgan", Role.owner),
    ("sam@demo.devday.dev", "Sam Okafor", Role.manager),
    ("priya@demo.devday.dev", "Priya Natarajan", Role.member),
]


@dataclass(frozen=True)
class Spec:
    """One demo task. ``day`` counts working days from today (negative: in the past)."""

    title: str
    who: int
    project: str
    kind: Kind
    importance: int
    estimate: int
    day: int
    hour: int = 17
    done: bool = False
    tags: tuple[str, ...] = ()
    source: Source = Source.manual
    notes: str = ""
    after: tuple[str, ...] = ()
    unsplittable: bool = False


SPECS = [
    # last week, finished
    Spec(
        "Add pagination to /v2/orders",
        0,
        "api",
        Kind.coding,
        3,
        180,
        -5,
        done=True,
        tags=("orders",),
    ),
    Spec("Review Sam's retry middleware PR", 0, "api", Kind.review, 2, 45, -4, done=True),
    Spec(
        "Investigate slow invoice export",
        1,
        "billing",
        Kind.testing,
        3,
        120,
        -4,
        done=True,
        tags=("performance",),
        source=Source.check,
    ),
    Spec("Write changelog for 2.14", 2, "api", Kind.docs, 2, 60, -3, done=True),
    Spec(
        "Answer support: refund webhook not firing",
        1,
        "billing",
        Kind.support,
        3,
        60,
        -3,
        done=True,
        source=Source.inbox,
        tags=("support",),
    ),
    Spec(
        "Load-test search endpoint",
        2,
        "api",
        Kind.testing,
        2,
        90,
        -2,
        done=True,
        tags=("performance",),
    ),
    Spec("Upgrade PostgreSQL driver", 0, "api", Kind.coding, 2, 60, -1, done=True),
    Spec("Sprint retro notes", 1, "api", Kind.meeting, 1, 30, -1, done=True, source=Source.meeting),
    # this week and next
    Spec(
        "Fix login rate limit",
        0,
        "api",
        Kind.coding,
        4,
        120,
        0,
        tags=("security",),
        notes="Per-account limit is missing; attackers can spray passwords.\n\n"
        "- add a per-account window\n- keep the per-address one",
    ),
    Spec(
        "Document the /v2/orders API",
        0,
        "api",
        Kind.docs,
        3,
        90,
        1,
        tags=("docs", "orders"),
        after=("Add pagination to /v2/orders",),
    ),
    Spec(
        "Reply to support: CSV export times out",
        0,
        "billing",
        Kind.support,
        3,
        45,
        0,
        hour=15,
        source=Source.inbox,
        tags=("support",),
    ),
    Spec("QA: regression suite for checkout", 0, "web", Kind.testing, 3, 120, 2, tags=("qa",)),
    Spec(
        "Security headers on the admin app",
        0,
        "web",
        Kind.coding,
        3,
        90,
        3,
        tags=("security",),
        source=Source.check,
    ),
    Spec("Refactor invoice PDF renderer", 0, "billing", Kind.coding, 2, 240, 6),
    Spec("Review Priya's OpenAPI examples PR", 0, "api", Kind.review, 2, 30, 1),
    Spec(
        "Read: 'Designing Data-Intensive Applications' ch. 7",
        0,
        "learning",
        Kind.learning,
        1,
        60,
        4,
    ),
    Spec(
        "Migrate billing jobs to the queue table",
        1,
        "billing",
        Kind.coding,
        3,
        300,
        4,
        tags=("billing",),
    ),
    Spec("Fix flaky payment webhook test", 1, "billing", Kind.testing, 3, 60, 1, tags=("qa",)),
    Spec(
        "Plan Q1 roadmap with product", 1, "api", Kind.meeting, 2, 60, 2, hour=14, unsplittable=True
    ),
    Spec("Add OpenAPI examples for /v2/customers", 2, "api", Kind.docs, 2, 120, 2, tags=("docs",)),
    Spec(
        "Speed up search (p95 900 ms)",
        2,
        "api",
        Kind.coding,
        4,
        240,
        3,
        tags=("performance",),
        source=Source.check,
    ),
    Spec(
        "Write tests for the search ranking",
        2,
        "api",
        Kind.testing,
        2,
        120,
        5,
        after=("Speed up search (p95 900 ms)",),
    ),
    Spec(
        "Help desk: customer cannot reset password",
        2,
        "web",
        Kind.support,
        3,
        30,
        0,
        hour=16,
        source=Source.inbox,
        tags=("support",),
    ),
    Spec("Dark mode for the dashboard", 2, "web", Kind.coding, 1, 180, 8),
]


def seed_if_empty(*, session: Session, now: datetime) -> str | None:
    """Seeds the demo when there are no users; returns the line to print, or None."""
    if account_service.count_users(session=session) > 0:
        return None
    seed(session=session, now=now)
    return f"Demo workspace ready. Log in as {PEOPLE[0][0]} with password {DEMO_PASSWORD}"


def seed(*, session: Session, now: datetime) -> list[User]:
    zone = ZoneInfo(DEMO_TIMEZONE)
    password_hash = hash_password(DEMO_PASSWORD)
    users = [
        User(
            email=email,
            name=name,
            password_hash=password_hash,
            timezone=DEMO_TIMEZONE,
            created_at=now - timedelta(days=30),
        )
        for email, name, _role in PEOPLE
    ]
    session.add_all(users)
    team = Team(name="Backend", timezone=DEMO_TIMEZONE, created_at=now - timedelta(days=30))
    session.add(team)
    session.flush()
    session.add_all(
        TeamMember(team_id=team.id, user_id=user.id, role=role)
        for user, (_e, _n, role) in zip(users, PEOPLE, strict=True)
    )
    projects = {
        name: Project(name=name, description=text, team_id=team.id)
        for name, text in [
            ("api", "Public REST API"),
            ("billing", "Invoices and payments"),
            ("web", "Customer web app"),
        ]
    }
    projects["learning"] = Project(
        name="learning", description="Courses and reading", owner_id=users[0].id
    )
    session.add_all(projects.values())
    session.flush()

    today = now.astimezone(zone).date()
    by_title: dict[str, Task] = {}
    for spec in SPECS:
        project = projects[spec.project]
        deadline = datetime.combine(_working_day(today, spec.day), time(spec.hour), tzinfo=zone)
        created = min(now, deadline) - timedelta(days=7)
        task = Task(
            owner_id=users[spec.who].id,
            assignee_id=users[spec.who].id,
            team_id=project.team_id,
            project_id=project.id,
            title=spec.title,
            notes=spec.notes,
            importance=spec.importance,
            estimate_minutes=spec.estimate,
            kind=spec.kind,
            deadline_at=deadline,
            source=spec.source,
            splittable=not spec.unsplittable,
            status=Status.done if spec.done else Status.todo,
            completed_at=deadline - timedelta(hours=2) if spec.done else None,
            planned_date=_working_day(today, spec.day) if not spec.done and spec.day <= 1 else None,
            created_at=created,
            updated_at=created,
        )
        session.add(task)
        by_title[spec.title] = task
    session.flush()
    for spec in SPECS:
        task = by_title[spec.title]
        session.add_all(TaskTag(task_id=task.id, tag=tag) for tag in spec.tags)
        session.add_all(
            TaskDependency(task_id=task.id, depends_on_id=by_title[title].id)
            for title in spec.after
        )
    session.flush()
    inbox_demo.seed(session=session, team=team, users=users, now=now)
    standup_demo.seed(session=session, team=team, users=users, now=now)
    figures_demo.seed(session=session, team=team, users=users, now=now)
    return users


def _working_day(today: date, offset: int) -> date:
    """The date ``offset`` working days (Mon-Fri) from ``today``; 0 is today or the next one."""
    day = today
    while day.weekday() >= 5:
        day += timedelta(days=1)
    step = 1 if offset >= 0 else -1
    for _ in range(abs(offset)):
        day += timedelta(days=step)
        while day.weekday() >= 5:
            day += timedelta(days=step)
    return day
