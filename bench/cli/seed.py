"""One developer with 1,000 open tasks, in devday and in Taskwarrior alike.

The tasks are drawn from ``random.Random(seed)`` around the current time: titles, deadlines over
the next five weeks (about two in three tasks have one), importance, estimates, three projects
and tags. devday gets them through its services (so the rows are what the API would store) and
today's plan is built once, so that ``devday plan show --keep`` and ``devday today`` show one;
Taskwarrior gets the same descriptions, due dates, priorities, projects and tags by
``task import``.
"""

from __future__ import annotations

import json
import random
import subprocess
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

EMAIL = "bench@example.com"
TIMEZONE = "Europe/Berlin"
PROJECTS = ("api", "web", "ops")
TAGS = ("bug", "backend", "frontend", "urgent", "docs", "security", "perf", "ops")
VERBS = ("Fix", "Add", "Review", "Write", "Update", "Refactor", "Test", "Document", "Ship")
NOUNS = (
    "login rate limit",
    "invoice export",
    "search page",
    "webhook retries",
    "CSV import",
    "dark mode",
    "password reset",
    "audit log",
    "onboarding flow",
    "cache layer",
    "release notes",
    "flaky test",
    "email digest",
    "sync job",
    "payment form",
)
KINDS = ("coding", "coding", "coding", "testing", "docs", "review")
# Taskwarrior has three priorities; devday's 4 (critical) and 3 (high) both become H.
TW_PRIORITY = {4: "H", 3: "H", 2: "M", 1: "L"}


@dataclass(frozen=True)
class Draw:
    title: str
    deadline: datetime | None
    importance: int
    estimate_minutes: int
    project: str | None
    tags: tuple[str, ...]
    kind: str


def draw(count: int, *, now: datetime, seed: int = 1) -> list[Draw]:
    rng = random.Random(seed)
    zone = ZoneInfo(TIMEZONE)
    tasks = []
    for number in range(1, count + 1):
        deadline = None
        if rng.random() < 0.65:
            day = (now.astimezone(zone) + timedelta(days=rng.randint(0, 35))).date()
            hour = rng.choice((10, 12, 15, 17, 18))
            deadline = datetime(day.year, day.month, day.day, hour, tzinfo=zone).astimezone(UTC)
        tasks.append(
            Draw(
                title=f"{rng.choice(VERBS)} {rng.choice(NOUNS)} #{number}",
                deadline=deadline,
                importance=rng.choices((1, 2, 3, 4), weights=(3, 4, 2, 1))[0],
                estimate_minutes=rng.choice((30, 45, 60, 90, 120, 180, 240)),
                project=rng.choice((*PROJECTS, None)),
                tags=tuple(sorted(set(rng.sample(TAGS, rng.randint(0, 2))))),
                kind=rng.choice(KINDS),
            )
        )
    return tasks


def seed_devday(database_url: str, tasks: list[Draw], *, now: datetime) -> str:
    """Creates the account, its projects, ``tasks`` and today's plan; returns an API token."""
    from devday.account import service as account_service
    from devday.account.schemas import UserCreate
    from devday.db import make_engine, make_session_factory, transaction
    from devday.migrate import upgrade
    from devday.planning import service as planning_service
    from devday.project import service as project_service
    from devday.project.schemas import ProjectCreate
    from devday.task import service as task_service
    from devday.task.schemas import TaskCreate

    engine = make_engine(database_url)
    upgrade(engine)
    with transaction(make_session_factory(engine, writer=True)) as session:
        user = account_service.create_user(
            session=session,
            data=UserCreate(
                email=EMAIL, name="Bench", password="bench-password-1", timezone=TIMEZONE
            ),
        )
        projects = {
            name: project_service.create_project(
                session=session, user=user, data=ProjectCreate(name=name)
            ).id
            for name in PROJECTS
        }
        for task in tasks:
            data = TaskCreate(
                title=task.title,
                deadline=task.deadline,
                importance=task.importance,
                estimate_minutes=task.estimate_minutes,
                project_id=projects[task.project] if task.project else None,
                tags=list(task.tags),
                kind=task.kind,
            )
            task_service.create_task(session=session, user=user, data=data, now=now)
        today = now.astimezone(ZoneInfo(TIMEZONE)).date()
        planning_service.build_plan(session=session, user=user, plan_date=today, now=now)
        _token, secret = account_service.create_token(session=session, user=user, name="bench")
    engine.dispose()
    return secret


def seed_taskwarrior(taskrc: Path, data: Path, tasks: list[Draw], *, now: datetime) -> None:
    """The same tasks in a Taskwarrior data folder of their own, pending."""
    data.mkdir(parents=True, exist_ok=True)
    taskrc.write_text(
        f"data.location={data}\nconfirmation=off\ncolor=off\nhooks=off\nnews.version=2.6.0\n"
    )
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    rows: list[dict[str, Any]] = []
    rng = random.Random(2)
    for task in tasks:
        row: dict[str, Any] = {
            "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "description": task.title,
            "status": "pending",
            "entry": stamp,
            "priority": TW_PRIORITY[task.importance],
        }
        if task.deadline is not None:
            row["due"] = task.deadline.strftime("%Y%m%dT%H%M%SZ")
        if task.project:
            row["project"] = task.project
        if task.tags:
            row["tags"] = list(task.tags)
        rows.append(row)
    subprocess.run(
        ["task", f"rc:{taskrc}", "import", "-"],
        input=json.dumps(rows),
        text=True,
        check=True,
        capture_output=True,
    )
