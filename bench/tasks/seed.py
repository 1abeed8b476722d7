"""A synthetic but plausible workload: users in teams, projects, tasks, tags and dependencies.

Everything is drawn from the ``random.Random`` the caller passes in and dated around ``NOW``, so
two runs with the same seed build the same database on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, insert

from devday.account.models import User
from devday.project.models import Project
from devday.task.models import Kind, Source, Status, Task, TaskDependency, TaskTag
from devday.team.models import Role, Team, TeamMember

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
TEAM_SIZE = 10
PERSONAL_PROJECTS = 3
TEAM_PROJECTS = 6
CHUNK = 5_000

# Tag popularity is skewed, as in real trackers: a few tags carry most of the weight.
TAGS = {
    "bug": 30,
    "backend": 20,
    "frontend": 15,
    "urgent": 8,
    "tech-debt": 8,
    "security": 5,
    "ops": 5,
    "customer": 4,
    "docs": 3,
    "perf": 2,
}
VERBS = [
    "Fix",
    "Add",
    "Review",
    "Write",
    "Update",
    "Refactor",
    "Test",
    "Investigate",
    "Document",
    "Plan",
    "Remove",
    "Migrate",
    "Ship",
    "Check",
]
NOUNS = [
    "login",
    "rate limit",
    "invoice export",
    "search page",
    "webhook retries",
    "CSV import",
    "dark mode",
    "password reset",
    "audit log",
    "billing",
    "onboarding flow",
    "API tokens",
    "cache layer",
    "dashboard",
    "release notes",
    "flaky test",
    "email digest",
    "sync job",
    "team settings",
    "calendar",
    "notifications",
    "mobile layout",
    "payment form",
    "error pages",
    "metrics",
    "backup script",
    "permissions",
    "timezone handling",
    "search index",
    "upload limits",
    "session expiry",
    "report builder",
]
# Words a user would type into the search box; each appears in a few per cent of titles.
KEYWORDS = ["invoice", "webhook", "flaky", "billing", "calendar", "timezone", "backup", "login"]
SUFFIXES = ["", "", "", " for mobile", " in admin", " (follow-up)", " before release", " v2"]
NOTES = [
    "Customer reported this twice this week.",
    "See **#212** for the discussion.",
    "- check the logs\n- reproduce locally\n- write a test",
    "Blocked on review by ops.",
    "Follow [the runbook](https://example.com/runbook) first.",
    "Needs a migration.",
    "Pair with design on the `empty state`.",
    "Low risk; behind a feature flag.",
]
ZONES = ["Europe/Berlin", "America/New_York", "UTC", "Asia/Kolkata", "Europe/London"]


@dataclass
class World:
    """Who is who: what the query cases need to pick realistic filter values for a user."""

    user_ids: list[int]
    team_of: dict[int, int]
    members: dict[int, list[int]]
    projects_of: dict[int, list[int]] = field(default_factory=dict)

    def teammates(self, user_id: int) -> list[int]:
        return [u for u in self.members[self.team_of[user_id]] if u != user_id]


def _chunks(rows: Sequence[dict[str, Any]]) -> Iterator[Sequence[dict[str, Any]]]:
    for start in range(0, len(rows), CHUNK):
        yield rows[start : start + CHUNK]


def _insert(conn: Connection, model: Any, rows: Sequence[dict[str, Any]]) -> None:
    for chunk in _chunks(rows):
        conn.execute(insert(model), list(chunk))


def _people(conn: Connection, users: int) -> World:
    teams = max(1, users // TEAM_SIZE)
    user_rows = [
        {
            "id": i,
            "email": f"user{i}@example.com",
            "name": f"User {i}",
            "password_hash": "-",
            "timezone": ZONES[i % len(ZONES)],
            "created_at": NOW - timedelta(days=400),
        }
        for i in range(1, users + 1)
    ]
    team_rows = [
        {"id": t, "name": f"Team {t}", "created_at": NOW - timedelta(days=400)}
        for t in range(1, teams + 1)
    ]
    world = World(
        user_ids=[r["id"] for r in user_rows],
        team_of={},
        members={t: [] for t in range(1, teams + 1)},
    )
    member_rows = []
    for index, user_id in enumerate(world.user_ids):
        team_id = min(index // TEAM_SIZE, teams - 1) + 1
        role = Role.owner if not world.members[team_id] else Role.member
        world.team_of[user_id] = team_id
        world.members[team_id].append(user_id)
        member_rows.append(
            {
                "team_id": team_id,
                "user_id": user_id,
                "role": role,
                "joined_at": NOW - timedelta(days=300),
            }
        )
    _insert(conn, User, user_rows)
    _insert(conn, Team, team_rows)
    _insert(conn, TeamMember, member_rows)
    return world


def _projects(conn: Connection, world: World) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    """Personal project ids by user and team project ids by team."""
    rows: list[dict[str, Any]] = []
    personal: dict[int, list[int]] = {}
    shared: dict[int, list[int]] = {}
    for user_id in world.user_ids:
        personal[user_id] = []
        for _ in range(PERSONAL_PROJECTS):
            rows.append(
                {
                    "id": len(rows) + 1,
                    "name": f"Personal {len(rows) + 1}",
                    "owner_id": user_id,
                    "team_id": None,
                }
            )
            personal[user_id].append(len(rows))
    for team_id in world.members:
        shared[team_id] = []
        for _ in range(TEAM_PROJECTS):
            rows.append(
                {
                    "id": len(rows) + 1,
                    "name": f"Team project {len(rows) + 1}",
                    "owner_id": None,
                    "team_id": team_id,
                }
            )
            shared[team_id].append(len(rows))
    _insert(conn, Project, rows)
    for user_id in world.user_ids:
        world.projects_of[user_id] = personal[user_id] + shared[world.team_of[user_id]]
    return personal, shared


def _task_row(
    rng: random.Random,
    task_id: int,
    owner_id: int,
    world: World,
    personal: dict[int, list[int]],
    shared: dict[int, list[int]],
) -> dict[str, Any]:
    team_id = project_id = None
    assignee_id: int | None = owner_id  # what create_task does when no assignee is given
    space = rng.random()
    if space < 0.45:
        team_id = world.team_of[owner_id]
        project_id = rng.choice(shared[team_id])
        pick = rng.random()
        if pick < 0.35:
            assignee_id = rng.choice(world.members[team_id])
        elif pick < 0.5:
            assignee_id = None
    elif space < 0.85:
        project_id = rng.choice(personal[owner_id])
    status = rng.choices(list(Status), weights=[28, 5, 55, 12])[0]
    created_at = NOW - timedelta(days=rng.uniform(0, 365))
    deadline_at = (NOW + timedelta(days=rng.uniform(-60, 60))) if rng.random() < 0.6 else None
    planned_date: date | None = None
    if rng.random() < (0.2 if status in (Status.todo, Status.doing) else 0.3):
        planned_date = NOW.date() + timedelta(days=rng.randint(-14, 14))
    title = f"{rng.choice(VERBS)} {rng.choice(NOUNS)}{rng.choice(SUFFIXES)}"
    notes = " ".join(rng.sample(NOTES, rng.randint(1, 3))) if rng.random() < 0.35 else ""
    return {
        "id": task_id,
        "owner_id": owner_id,
        "team_id": team_id,
        "project_id": project_id,
        "assignee_id": assignee_id,
        "title": title,
        "notes": notes,
        "status": status,
        "importance": rng.choices([1, 2, 3, 4], weights=[20, 45, 25, 10])[0],
        "deadline_at": deadline_at,
        "planned_date": planned_date,
        "estimate_minutes": rng.choice([None, 30, 60, 90, 120, 240, 480]),
        "earliest_start_at": None,
        "splittable": rng.random() < 0.8,
        "min_chunk_minutes": 30,
        "kind": rng.choice(list(Kind)),
        "source": rng.choice(list(Source)),
        "created_at": created_at,
        "updated_at": created_at + timedelta(days=rng.uniform(0, 5)),
        "completed_at": created_at + timedelta(days=1) if status == Status.done else None,
        "version": 1,
    }


def seed(engine: Engine, *, tasks: int, users: int, rng: random.Random) -> World:
    """Fills a freshly migrated database; returns who belongs where."""
    tag_names, tag_weights = list(TAGS), list(TAGS.values())
    with engine.begin() as conn:
        world = _people(conn, users)
        personal, shared = _projects(conn, world)
        task_rows, tag_rows, dependency_rows = [], [], []
        by_owner: dict[int, list[int]] = {user_id: [] for user_id in world.user_ids}
        for task_id in range(1, tasks + 1):
            owner_id = rng.choice(world.user_ids)
            task_rows.append(_task_row(rng, task_id, owner_id, world, personal, shared))
            count = rng.choices([0, 1, 2, 3], weights=[40, 35, 18, 7])[0]
            for tag in set(rng.choices(tag_names, weights=tag_weights, k=count)):
                tag_rows.append({"task_id": task_id, "tag": tag})
            earlier = by_owner[owner_id]
            if earlier and rng.random() < 0.03:
                dependency_rows.append({"task_id": task_id, "depends_on_id": rng.choice(earlier)})
            earlier.append(task_id)
        _insert(conn, Task, task_rows)
        _insert(conn, TaskTag, tag_rows)
        _insert(conn, TaskDependency, dependency_rows)
    return world
