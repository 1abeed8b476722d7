"""Frozen value types of the planning solver: the problem that goes in and the plan that comes out.

All datetimes are timezone-aware. Wall-clock times (working hours, routine, kind windows) are
minutes after local midnight, in the problem's timezone; 1440 stands for "24:00".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class ProblemError(ValueError):
    """An invalid problem; `field` names the offending field, e.g. `tasks[2].deadline`."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class RoutineItem:
    """A recurring local-time block (lunch, stand-up) on the given weekdays."""

    title: str
    days: tuple[str, ...]
    start_minute: int
    end_minute: int


@dataclass(frozen=True)
class BusyEvent:
    """A one-off calendar event between two instants."""

    title: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Task:
    """A piece of work to place. `estimate_minutes` counts pinned blocks of the task too."""

    id: str
    title: str
    estimate_minutes: int
    importance: int = 2
    deadline: datetime | None = None
    earliest_start: datetime | None = None
    depends_on: tuple[str, ...] = ()
    splittable: bool = True
    min_chunk_minutes: int = 30
    kind: str = ""
    # A goal for the day (from the evening reflection): ranked tasks are the first new work from
    # their earliest start, in rank order, unless a deadline needs that time (see `Plan.deferred`).
    first_rank: int | None = None

    @property
    def weight(self) -> int:
        """Deadline weight 2^(importance-1): one P4 miss outweighs seven P1 misses."""
        return 1 << (self.importance - 1)


@dataclass(frozen=True)
class PinnedBlock:
    """A block that must be kept exactly as it is (already done, or pinned by the user)."""

    task_id: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Problem:
    """A validated planning problem; build it with `problem_from_json` or by hand."""

    now: datetime
    timezone: str
    horizon_days: int
    working_hours: dict[str, tuple[tuple[int, int], ...]]
    tasks: tuple[Task, ...]
    routine: tuple[RoutineItem, ...] = ()
    busy: tuple[BusyEvent, ...] = ()
    kind_windows: dict[str, tuple[tuple[int, int], ...]] = field(default_factory=dict)
    pinned: tuple[PinnedBlock, ...] = ()
    grid_minutes: int = 5


@dataclass(frozen=True)
class Block:
    """One contiguous block of work on a task."""

    task_id: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class LateTask:
    """A task that misses its deadline; `finish` is None when it is unscheduled."""

    task_id: str
    deadline: datetime
    finish: datetime | None
    reason: str


@dataclass(frozen=True)
class UnscheduledTask:
    """A task the plan does not place, with a reason a person can read."""

    task_id: str
    reason: str


@dataclass(frozen=True)
class DeferredTask:
    """A goal (a task with `first_rank`) that is not the first work from its earliest start,
    because a deadline needs that time; `reason` names what goes first."""

    task_id: str
    reason: str


@dataclass(frozen=True)
class Plan:
    """The solver's answer. `blocks` include the problem's pinned blocks, sorted by start.

    The objective, lexicographic: `missed_deadline_weight` (tasks with a deadline that are late
    or unscheduled), `weighted_tardiness_minutes` (theirs), `unplaced_weighted_minutes` (weight x
    minutes of the tasks without a deadline left unscheduled), then preferences.
    """

    blocks: tuple[Block, ...]
    late: tuple[LateTask, ...] = ()
    unscheduled: tuple[UnscheduledTask, ...] = ()
    missed_deadline_weight: int = 0
    weighted_tardiness_minutes: int = 0
    unplaced_weighted_minutes: int = 0
    deferred: tuple[DeferredTask, ...] = ()


@dataclass(frozen=True)
class Violation:
    """A broken hard rule found by `check_plan`."""

    rule: str
    message: str
