"""The demo workspace's history: the weeks before the demo's own, so that the Team page's eight
weeks of figures show a team at work from the first start.

Every member finishes three or four tasks a week of mixed kinds, most by their deadline, with
the time logged on working days (sometimes more than the estimate, sometimes less), and answers
a request or two from a teammate. The finished tasks of the demo's last week get their time
logged too. Seeded from a fixed seed, so that every demo is the same.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from devday.account.models import User
from devday.inbox.models import InboxItem, ItemSource, ItemStatus
from devday.project.models import Project
from devday.task.models import Kind, Status, Task
from devday.team.models import Team
from devday.worklog.models import EntrySource, TimeEntry

WEEKS_BACK = range(2, 8)  # the demo's own tasks fill last week; the chart shows eight weeks
WORK = {
    Kind.coding: [
        ("Refactor the order service's retries", "api"),
        ("Add idempotency keys to /v2/payments", "billing"),
        ("Cache product lookups", "web"),
        ("Migrate invoices to the new schema", "billing"),
        ("Split the search indexer", "api"),
        ("Stream large CSV exports", "api"),
        ("Move sessions to Redis", "web"),
    ],
    Kind.testing: [
        ("Load-test the checkout", "web"),
        ("Regression suite for refunds", "billing"),
        ("Fuzz the CSV import", "api"),
        ("Contract tests for the orders client", "api"),
    ],
    Kind.docs: [
        ("Document the webhooks API", "api"),
        ("Runbook: fail over to the replica", "api"),
        ("Write the release notes", "web"),
    ],
    Kind.review: [
        ("Review the auth middleware PR", "api"),
        ("Review the billing migration", "billing"),
    ],
    Kind.support: [
        ("Answer the export timeout case", "api"),
        ("Help a customer rotate API keys", "api"),
    ],
}
KINDS = [
    Kind.coding,
    Kind.testing,
    Kind.coding,
    Kind.docs,
    Kind.coding,
    Kind.testing,
    Kind.review,
    Kind.support,
]
ESTIMATES = [60, 90, 120, 180, 240]
STARTS = [time(10, 30), time(13, 30), time(16, 0)]
ASKS = [
    "Can you look at the flaky checkout test?",
    "Could you review my migration before Friday?",
    "Do you have the numbers for the export slowness?",
    "Can you pair on the refund edge cases?",
]


def seed(*, session: Session, team: Team, users: list[User], now: datetime) -> None:
    rng = random.Random(2026)
    zone = ZoneInfo(team.timezone)
    today = now.astimezone(zone).date()
    monday = today - timedelta(days=today.weekday())
    projects = {
        p.name: p for p in session.scalars(select(Project).where(Project.team_id == team.id))
    }
    for back in WEEKS_BACK:
        week = monday - timedelta(weeks=back)
        for index, user in enumerate(users):
            for n in range(3 + rng.randrange(2)):
                kind = KINDS[(back + index + n) % len(KINDS)]
                title, project = rng.choice(WORK[kind])
                _finished_task(session, rng, user, projects[project], kind, title, week, zone)
            asker = users[(index + 1) % len(users)]
            _answered_request(session, rng, team, asker, user, week, zone)
    session.flush()
    _log_last_week(session, rng, team, users, now)
    session.info.pop("demo_slots", None)


def _finished_task(
    session: Session,
    rng: random.Random,
    user: User,
    project: Project,
    kind: Kind,
    title: str,
    week: date,
    zone: ZoneInfo,
) -> None:
    estimate = rng.choice(ESTIMATES)
    due_day = week + timedelta(days=rng.randrange(1, 4))  # Tuesday to Thursday
    deadline = datetime.combine(due_day, time(17), tzinfo=zone)
    late = rng.random() < 0.15
    finished = deadline + (timedelta(days=1) if late else -timedelta(hours=rng.randrange(1, 6)))
    created = deadline - timedelta(days=7)
    task = Task(
        owner_id=user.id,
        assignee_id=user.id,
        team_id=project.team_id,
        project_id=project.id,
        title=title,
        importance=rng.choice([2, 2, 3, 4]),
        estimate_minutes=estimate,
        kind=kind,
        deadline_at=deadline,
        status=Status.done,
        completed_at=finished,
        created_at=created,
        updated_at=finished,
    )
    session.add(task)
    session.flush()
    actual = round(estimate * rng.uniform(0.7, 1.6) / 5) * 5
    _log(session, rng, user, task, actual, week, finished, zone)


def _log(
    session: Session,
    rng: random.Random,
    user: User,
    task: Task,
    minutes: int,
    week: date,
    finished: datetime,
    zone: ZoneInfo,
) -> None:
    """``minutes`` of work on ``task`` in one to three entries of at most 150 minutes, each in
    a free slot of the user's working days of ``week`` that ends before it was finished."""
    parts = max(rng.randrange(1, 4), -(-minutes // 145))
    used = session.info.setdefault("demo_slots", set())
    for part in range(parts):
        length = minutes // parts + (minutes % parts if part == 0 else 0)
        slots = [
            start
            for offset in range(5)
            for at in STARTS
            if (start := datetime.combine(week + timedelta(days=offset), at, tzinfo=zone))
            + timedelta(minutes=length)
            <= finished
            and (user.id, start) not in used
        ]
        if not slots:
            return
        start = rng.choice(slots)
        used.add((user.id, start))
        session.add(
            TimeEntry(
                user_id=user.id,
                task_id=task.id,
                start_at=start,
                end_at=start + timedelta(minutes=length),
                source=EntrySource.manual,
                created_at=start,
                updated_at=start,
            )
        )


def _answered_request(
    session: Session,
    rng: random.Random,
    team: Team,
    asker: User,
    user: User,
    week: date,
    zone: ZoneInfo,
) -> None:
    received = datetime.combine(week + timedelta(days=rng.randrange(0, 4)), time(11), tzinfo=zone)
    answered = received + timedelta(minutes=rng.choice([20, 45, 90, 180, 300]))
    session.add(
        InboxItem(
            team_id=team.id,
            recipient_id=user.id,
            sender_id=asker.id,
            subject=rng.choice(ASKS),
            source=ItemSource.colleague,
            status=ItemStatus.declined,
            reply="Done already: see the thread in the channel.",
            received_at=received,
            answered_at=answered,
            updated_at=answered,
        )
    )


def _log_last_week(
    session: Session, rng: random.Random, team: Team, users: list[User], now: datetime
) -> None:
    """Time on the demo's own finished tasks, in the week each was finished."""
    zone = ZoneInfo(team.timezone)
    done = session.scalars(
        select(Task).where(
            Task.team_id == team.id,
            Task.status == Status.done,
            Task.completed_at.is_not(None),
            Task.completed_at >= now - timedelta(days=10),
            Task.id.not_in(select(TimeEntry.task_id)),  # not the history's, logged already
        )
    ).all()
    by_id = {u.id: u for u in users}
    for task in done:
        if task.completed_at is None or task.assignee_id not in by_id:
            continue
        finished = task.completed_at.astimezone(zone)
        week = finished.date() - timedelta(days=finished.weekday())
        minutes = round((task.estimate_minutes or 60) * rng.uniform(0.8, 1.4) / 5) * 5
        _log(session, rng, by_id[task.assignee_id], task, minutes, week, finished, zone)
