"""Reading the JSON form of a problem (see docs/planner.md).

`problem_from_json` validates everything the solver relies on and raises `ProblemError` naming
the first bad field, so the API can answer 422 with a pointer instead of a 500.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from devday.planning.solver.model import (
    WEEKDAYS,
    BusyEvent,
    PinnedBlock,
    Problem,
    ProblemError,
    RoutineItem,
    Task,
)
from devday.planning.solver.timeline import minutes_between

_HHMM = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")
_GRIDS = (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60)


def require(obj: Mapping[str, Any], key: str, path: str, kind: type | tuple[type, ...]) -> Any:
    if key not in obj:
        raise ProblemError(f"{path}{key}", "is required")
    value = obj[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
        raise ProblemError(f"{path}{key}", f"has the wrong type ({type(value).__name__})")
    return value


def objects(data: Mapping[str, Any], key: str) -> list[dict[str, Any]]:
    """The optional list of objects under `key` (missing or null: empty)."""
    value = data.get(key) or []
    if not isinstance(value, list):
        raise ProblemError(key, "must be a list")
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            raise ProblemError(f"{key}[{i}]", "must be an object")
    return value


MIN_YEAR, MAX_YEAR = 1970, 2200


def read_instant(value: Any, field: str) -> datetime:
    if not isinstance(value, str):
        raise ProblemError(field, "must be an RFC 3339 string")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ProblemError(field, f"is not an RFC 3339 instant: {value!r}") from None
    if moment.tzinfo is None:
        raise ProblemError(field, "needs a UTC offset")
    if not MIN_YEAR <= moment.year <= MAX_YEAR:  # the API's range (devday.input_rules)
        raise ProblemError(field, f"must be from {MIN_YEAR} to {MAX_YEAR}, not {value!r}")
    return moment


def _clock(value: Any, field: str) -> int:
    if not isinstance(value, str) or not (m := _HHMM.match(value)):
        raise ProblemError(field, f"is not a HH:MM time: {value!r}")
    minute = int(m.group(1)) * 60 + int(m.group(2))
    if minute > 1440:
        raise ProblemError(field, f"is past 24:00: {value!r}")
    return minute


def _windows(value: Any, field: str) -> tuple[tuple[int, int], ...]:
    if not isinstance(value, list):
        raise ProblemError(field, "must be a list of [start, end] pairs")
    out = []
    for i, pair in enumerate(value):
        if not isinstance(pair, list) or len(pair) != 2:
            raise ProblemError(f"{field}[{i}]", "must be a [start, end] pair")
        a, b = _clock(pair[0], f"{field}[{i}][0]"), _clock(pair[1], f"{field}[{i}][1]")
        if b <= a:
            raise ProblemError(f"{field}[{i}]", "ends before it starts")
        out.append((a, b))
    return tuple(out)


def _task(raw: Any, i: int) -> Task:
    path = f"tasks[{i}]."
    if not isinstance(raw, dict):
        raise ProblemError(f"tasks[{i}]", "must be an object")
    task_id = require(raw, "id", path, str)
    estimate = require(raw, "estimate_minutes", path, int)
    if estimate <= 0:
        raise ProblemError(f"{path}estimate_minutes", "must be positive")
    importance = raw.get("importance", 2)
    if not isinstance(importance, int) or isinstance(importance, bool) or not 1 <= importance <= 4:
        raise ProblemError(f"{path}importance", "must be an integer from 1 to 4")
    min_chunk = raw.get("min_chunk_minutes", 30)
    if not isinstance(min_chunk, int) or isinstance(min_chunk, bool) or min_chunk <= 0:
        raise ProblemError(f"{path}min_chunk_minutes", "must be a positive integer")
    splittable = raw.get("splittable", True)
    if not isinstance(splittable, bool):
        raise ProblemError(f"{path}splittable", "must be true or false")
    deps = raw.get("depends_on", [])
    if not isinstance(deps, list) or not all(isinstance(d, str) for d in deps):
        raise ProblemError(f"{path}depends_on", "must be a list of task ids")
    deadline = raw.get("deadline")
    earliest = raw.get("earliest_start")
    rank = raw.get("first_rank")
    if rank is not None and (not isinstance(rank, int) or isinstance(rank, bool) or rank < 1):
        raise ProblemError(f"{path}first_rank", "must be a positive integer or null")
    return Task(
        id=task_id,
        title=str(raw.get("title", task_id)),
        estimate_minutes=estimate,
        importance=importance,
        deadline=None if deadline is None else read_instant(deadline, f"{path}deadline"),
        earliest_start=None
        if earliest is None
        else read_instant(earliest, f"{path}earliest_start"),
        depends_on=tuple(deps),
        splittable=splittable,
        min_chunk_minutes=min_chunk,
        kind=str(raw.get("kind") or ""),
        first_rank=rank,
    )


def _check_graph(tasks: tuple[Task, ...]) -> None:
    index = {t.id: i for i, t in enumerate(tasks)}
    for i, t in enumerate(tasks):
        for j, dep in enumerate(t.depends_on):
            if dep not in index:
                raise ProblemError(f"tasks[{i}].depends_on[{j}]", f"unknown task id {dep!r}")
    state = dict.fromkeys(index, 0)  # 0 new, 1 on the stack, 2 done
    for root in index:
        stack = [(root, iter(tasks[index[root]].depends_on))]
        if state[root]:
            continue
        state[root] = 1
        while stack:
            node, deps = stack[-1]
            nxt = next(deps, None)
            if nxt is None:
                state[node] = 2
                stack.pop()
            elif state[nxt] == 1:
                raise ProblemError(f"tasks[{index[node]}].depends_on", f"cycle through {nxt!r}")
            elif state[nxt] == 0:
                state[nxt] = 1
                stack.append((nxt, iter(tasks[index[nxt]].depends_on)))


def _check_grid(problem: Problem) -> None:
    grid = problem.grid_minutes
    pinned: dict[str, int] = {}
    for i, p in enumerate(problem.pinned):
        if p.end <= p.start:
            raise ProblemError(f"pinned[{i}]", "ends before it starts")
        pinned[p.task_id] = pinned.get(p.task_id, 0) + minutes_between(p.start, p.end)
    ids = {t.id for t in problem.tasks}
    for i, p in enumerate(problem.pinned):
        if p.task_id not in ids:
            raise ProblemError(f"pinned[{i}].task_id", f"unknown task id {p.task_id!r}")
    for i, t in enumerate(problem.tasks):
        rest = t.estimate_minutes - pinned.get(t.id, 0)
        if rest < 0:
            raise ProblemError(f"tasks[{i}].estimate_minutes", "is less than its pinned blocks")
        if rest % grid:
            raise ProblemError(
                f"tasks[{i}].estimate_minutes",
                f"minus pinned time must be a multiple of grid_minutes ({grid})",
            )


def problem_from_json(data: Mapping[str, Any]) -> Problem:
    """Validate the public JSON form and build a `Problem`; raises `ProblemError(field, msg)`."""
    if not isinstance(data, Mapping):
        raise ProblemError("problem", "must be an object")
    now = read_instant(require(data, "now", "", str), "now")
    zone_name = require(data, "timezone", "", str)
    try:
        ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ProblemError("timezone", f"unknown IANA timezone {zone_name!r}") from None
    horizon = require(data, "horizon_days", "", int)
    if not 1 <= horizon <= 366:
        raise ProblemError("horizon_days", "must be from 1 to 366")
    grid = data.get("grid_minutes", 5)
    if grid not in _GRIDS or isinstance(grid, bool):
        raise ProblemError("grid_minutes", f"must divide 60, one of {_GRIDS}")
    hours_raw = require(data, "working_hours", "", dict)
    hours = {}
    for key, value in hours_raw.items():
        if key not in WEEKDAYS:
            raise ProblemError(f"working_hours.{key}", "is not a weekday (mon ... sun)")
        hours[key] = _windows(value, f"working_hours.{key}")
    routine = []
    for i, raw in enumerate(objects(data, "routine")):
        path = f"routine[{i}]."
        days = require(raw, "days", path, list)
        for j, d in enumerate(days):
            if d not in WEEKDAYS:
                raise ProblemError(f"{path}days[{j}]", f"is not a weekday: {d!r}")
        start, end = _clock(raw.get("start"), f"{path}start"), _clock(raw.get("end"), f"{path}end")
        if end <= start:
            raise ProblemError(f"{path}end", "is not after start")
        routine.append(RoutineItem(str(raw.get("title", "")), tuple(days), start, end))
    busy = []
    for i, raw in enumerate(objects(data, "busy")):
        begins = read_instant(raw.get("start"), f"busy[{i}].start")
        ends = read_instant(raw.get("end"), f"busy[{i}].end")
        if ends <= begins:
            raise ProblemError(f"busy[{i}].end", "is not after start")
        busy.append(BusyEvent(str(raw.get("title", "")), begins, ends))
    tasks = tuple(_task(raw, i) for i, raw in enumerate(require(data, "tasks", "", list)))
    seen: set[str] = set()
    for i, t in enumerate(tasks):
        if t.id in seen:
            raise ProblemError(f"tasks[{i}].id", f"duplicate id {t.id!r}")
        seen.add(t.id)
    _check_graph(tasks)
    prefs = data.get("preferences") or {}
    if not isinstance(prefs, dict):
        raise ProblemError("preferences", "must be an object")
    windows_raw = prefs.get("kind_windows") or {}
    if not isinstance(windows_raw, dict):
        raise ProblemError("preferences.kind_windows", "must be an object")
    windows = {k: _windows(v, f"preferences.kind_windows.{k}") for k, v in windows_raw.items()}
    pinned = tuple(
        PinnedBlock(
            str(require(raw, "task_id", f"pinned[{i}].", str)),
            read_instant(raw.get("start"), f"pinned[{i}].start"),
            read_instant(raw.get("end"), f"pinned[{i}].end"),
        )
        for i, raw in enumerate(objects(data, "pinned"))
    )
    problem = Problem(
        now=now,
        timezone=zone_name,
        horizon_days=horizon,
        working_hours=hours,
        tasks=tasks,
        routine=tuple(routine),
        busy=tuple(busy),
        kind_windows=windows,
        pinned=pinned,
        grid_minutes=grid,
    )
    _check_grid(problem)
    return problem
