"""The planner's step after the solver: it fills the personal-development block of a day with
the learning list, and never touches work.

The solver never plans over a personal routine block, so the learning placed here cannot cost
a work deadline. Only when the user allows it (``in_working_hours``) does learning also go in
working time the day's plan leaves free, and then only on a day whose plan keeps every
deadline. The order: the next lesson (or chapter) of the item nearest its goal date first,
then starred items, then the oldest; further lessons of the same course after every item has
had its turn.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from devday.account.models import User
from devday.learning import service
from devday.learning.models import ItemKind
from devday.planning import service as planning_service
from devday.planning.models import BusyEvent, DayPlan, PlanBlock
from devday.planning.routine import WEEKDAYS, clock_minutes

#: Words in a personal routine block's title that make it the learning block.
BLOCK_WORDS = ("personal development", "learning", "course", "study", "reading")
MINUTE = timedelta(minutes=1)
#: A sitting shorter than this is not offered.
SHORTEST = 5

Span = tuple[datetime, datetime]


@dataclass(frozen=True)
class Step:
    item_id: int
    part_id: int | None
    kind: ItemKind
    title: str
    minutes: int


@dataclass(frozen=True)
class Slot:
    item_id: int
    part_id: int | None
    kind: ItemKind
    title: str
    start: datetime
    end: datetime

    @property
    def minutes(self) -> int:
        return (self.end - self.start) // MINUTE


def is_learning_block(block: dict[str, Any]) -> bool:
    """A personal routine block meant for learning ("Personal development: news, courses")."""
    if block.get("learning") is True:
        return True
    title = str(block.get("title", "")).lower()
    return bool(block.get("personal")) and any(word in title for word in BLOCK_WORDS)


def learning_blocks(routine: dict[str, Any], day: date, zone: ZoneInfo) -> list[tuple[str, Span]]:
    """The learning blocks of ``day`` in the routine, as (title, instants)."""
    weekday = WEEKDAYS[day.weekday()]
    found = []
    for block in routine.get("blocks", []):
        if is_learning_block(block) and weekday in block.get("days", []):
            found.append((str(block["title"]), _span(day, block["start"], block["end"], zone)))
    return sorted(found, key=lambda pair: pair[1][0])


def steps(items: list[service.ItemView]) -> list[Step]:
    """What to do next, in order: one step of each item first, then the rest of each."""
    first: list[Step] = []
    rest: list[Step] = []
    for item in items:
        if item.row.done_at is not None:
            continue
        if item.parts:
            open_parts = [p for p in item.parts if p.done_at is None]
            for i, part in enumerate(open_parts):
                step = Step(
                    item.row.id,
                    part.id,
                    item.row.kind,
                    f"{item.row.title}: {part.title}",
                    part.minutes or item.row.minutes,
                )
                (first if i == 0 else rest).append(step)
        else:
            first.append(Step(item.row.id, None, item.row.kind, item.row.title, item.row.minutes))
    return first + rest


def fill(windows: list[Span], queue: list[Step]) -> list[Slot]:
    """Places ``queue`` in ``windows`` in order: a step goes where it fits whole; a window
    nothing fits in whole takes the first step for as long as the window lasts."""
    slots: list[Slot] = []
    left = list(queue)
    for start, end in sorted(windows):
        cursor = start
        for step in list(left):
            room = (end - cursor) // MINUTE
            if room < SHORTEST:
                break
            if step.minutes <= room or cursor == start:
                length = min(step.minutes, room)
                slots.append(
                    Slot(
                        step.item_id,
                        step.part_id,
                        step.kind,
                        step.title,
                        cursor,
                        cursor + length * MINUTE,
                    )
                )
                cursor += length * MINUTE
                left.remove(step)
    return slots


def agenda(*, session: Session, user: User, day: date) -> list[Slot]:
    """The learning planned on ``day``: the learning list placed in its learning blocks (and,
    if the user allows it, in working time the plan leaves free)."""
    zone = ZoneInfo(user.timezone)
    routine, _ = planning_service.get_routine(session=session, user=user)
    windows = [span for _, span in learning_blocks(routine, day, zone)]
    if service.preference(session=session, user=user).in_working_hours:
        windows += free_working_time(session=session, user=user, day=day, routine=routine)
    if not windows:
        return []
    queue = steps(service.list_items(session=session, user=user))
    return fill(windows, queue)


def free_working_time(
    *, session: Session, user: User, day: date, routine: dict[str, Any]
) -> list[Span]:
    """Working time of ``day`` that no routine block, busy time or planned work covers; none
    when the day's plan misses a deadline (the time is the work's, then) or there is no plan."""
    plan = planning_service.find_plan(session=session, user=user, plan_date=day)
    if plan is None or plan.late:
        return []
    zone = ZoneInfo(user.timezone)
    weekday = WEEKDAYS[day.weekday()]
    free = [_span(day, a, b, zone) for a, b in routine["working_hours"].get(weekday, [])]
    taken = [
        _span(day, block["start"], block["end"], zone)
        for block in routine.get("blocks", [])
        if weekday in block.get("days", [])
    ]
    lo = datetime.combine(day, time(0), tzinfo=zone)
    hi = lo + timedelta(days=1)
    taken += [
        (start, end)
        for start, end in session.execute(
            select(PlanBlock.start_at, PlanBlock.end_at)
            .join(DayPlan, DayPlan.id == PlanBlock.plan_id)
            .where(DayPlan.user_id == user.id, PlanBlock.start_at < hi, PlanBlock.end_at > lo)
        )
    ]
    taken += [
        (start, end)
        for start, end in session.execute(
            select(BusyEvent.start_at, BusyEvent.end_at).where(
                BusyEvent.user_id == user.id, BusyEvent.start_at < hi, BusyEvent.end_at > lo
            )
        )
    ]
    return [span for span in _subtract(free, taken) if span[1] - span[0] >= SHORTEST * MINUTE]


def _span(day: date, start: str, end: str, zone: ZoneInfo) -> Span:
    midnight = datetime.combine(day, time(0), tzinfo=zone)
    first, last = clock_minutes(start), clock_minutes(end)
    return (
        datetime.combine(day, time(first // 60, first % 60), tzinfo=zone),
        midnight + timedelta(days=1)
        if last >= 1440
        else datetime.combine(day, time(last // 60, last % 60), tzinfo=zone),
    )


def _subtract(spans: list[Span], taken: list[Span]) -> list[Span]:
    result = []
    for start, end in spans:
        pieces = [(start, end)]
        for t_start, t_end in taken:
            next_pieces = []
            for lo, hi in pieces:
                if t_end <= lo or t_start >= hi:
                    next_pieces.append((lo, hi))
                    continue
                if t_start > lo:
                    next_pieces.append((lo, t_start))
                if t_end < hi:
                    next_pieces.append((t_end, hi))
            pieces = next_pieces
        result += pieces
    return sorted(result)
