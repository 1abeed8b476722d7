"""The filtered first pages a user actually asks for, with values drawn for a given user."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from bench.tasks.seed import KEYWORDS, NOW, TAGS, World
from devday.task.models import Status
from devday.task.service import OPEN_STATUSES, TaskFilter

Make = Callable[[random.Random, World, int], TaskFilter]


@dataclass(frozen=True)
class Case:
    name: str
    make: Make


def _default(rng: random.Random, world: World, user_id: int) -> TaskFilter:
    return TaskFilter(status=OPEN_STATUSES)


def _project(rng: random.Random, world: World, user_id: int) -> TaskFilter:
    return TaskFilter(status=OPEN_STATUSES, project_id=rng.choice(world.projects_of[user_id]))


def _tag(rng: random.Random, world: World, user_id: int) -> TaskFilter:
    return TaskFilter(tag=rng.choices(list(TAGS), weights=list(TAGS.values()))[0])


def _assignee(rng: random.Random, world: World, user_id: int) -> TaskFilter:
    return TaskFilter(status=OPEN_STATUSES, assignee_id=rng.choice(world.teammates(user_id)))


def _this_week(rng: random.Random, world: World, user_id: int) -> TaskFilter:
    return TaskFilter(
        status=OPEN_STATUSES, deadline_after=NOW, deadline_before=NOW + timedelta(days=7)
    )


def _overdue(rng: random.Random, world: World, user_id: int) -> TaskFilter:
    return TaskFilter(status=(Status.todo, Status.doing), deadline_before=NOW)


def _planned(rng: random.Random, world: World, user_id: int) -> TaskFilter:
    return TaskFilter(planned_date=NOW.date() + timedelta(days=rng.randint(-3, 3)))


def _text(rng: random.Random, world: World, user_id: int) -> TaskFilter:
    return TaskFilter(text=rng.choice(KEYWORDS))


def _done(rng: random.Random, world: World, user_id: int) -> TaskFilter:
    return TaskFilter(status=(Status.done,))


CASES = [
    Case("default: open, by deadline", _default),
    Case("status=open + project", _project),
    Case("tag", _tag),
    Case("status=open + assignee", _assignee),
    Case("open, due this week", _this_week),
    Case("open, overdue", _overdue),
    Case("planned_date", _planned),
    Case("q (text search)", _text),
    Case("status=done", _done),
]
