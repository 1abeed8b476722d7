"""How likely each deadline is, from the user's own history (evidence-based scheduling).

Worked out when a plan is stored (so that reading a plan computes nothing): the velocities
(estimate / time logged) of the user's most recent finished tasks, a seeded Monte Carlo of
1,000 futures over the new plan (see ``solver.forecast``), and for each task below 80% what
would raise it. Stored in the plan's facts as JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from devday import importance
from devday.planning import solver
from devday.task.models import Kind, Status, Task
from devday.worklog import service as worklog_service

FUTURES = 1000
CLOSED = (Status.done, Status.dropped)
#: Finished tasks read for the history; the velocities use the most recent 50 with logged time.
HISTORY_ROWS = 200


def history(*, session: Session, user_id: int) -> list[solver.History]:
    """The user's most recent finished tasks with an estimate, with the time logged on each."""
    rows = session.execute(
        select(Task.id, Task.kind, Task.estimate_minutes, Task.completed_at)
        .where(
            Task.assignee_id == user_id,
            Task.status == Status.done,
            Task.estimate_minutes.is_not(None),
            Task.completed_at.is_not(None),
        )
        .order_by(Task.completed_at.desc())
        .limit(HISTORY_ROWS)
    ).all()
    if not rows:
        return []
    logged = worklog_service.actual_minutes(
        session=session, task_ids=[r.id for r in rows], now=rows[0].completed_at
    )
    return [
        solver.History(
            kind=r.kind.value,
            estimate_minutes=r.estimate_minutes,
            actual_minutes=logged.get(r.id, 0),
            finished_at=r.completed_at,
        )
        for r in rows
        if logged.get(r.id, 0) > 0
    ]


def facts(
    *, session: Session, user_id: int, problem: solver.Problem, plan: solver.Plan
) -> dict[str, Any]:
    """The chance of each task with a deadline, as stored with the plan: ``{task id: {"p",
    "extra_minutes", "movable": [[task id, minutes], ...]}}`` and what the velocities of each
    kind came from (``{"kind": {"basis": "kind" | "all" | "prior", "n"}}``)."""
    deadlines = [t for t in problem.tasks if t.deadline is not None]
    if not deadlines:
        return {"chances": {}, "velocity": {}}
    samples = solver.velocities(history(session=session, user_id=user_id))
    found = solver.forecast(problem, plan, samples, futures=FUTURES, seed=0)
    return {
        "chances": {
            task_id: {
                "p": round(f.probability, 3),
                "extra_minutes": f.extra_minutes,
                "movable": [[int(other), minutes] for other, minutes in f.movable],
            }
            for task_id, f in found.items()
        },
        "velocity": {
            kind: {"basis": samples.source(kind).basis, "n": samples.source(kind).n}
            for kind in sorted({t.kind for t in deadlines})
        },
    }


def calibration(*, session: Session, user_id: int) -> list[solver.Calibration]:
    """Per kind, how the user's estimates compare with the time logged ("" is all kinds)."""
    found = solver.calibration(history(session=session, user_id=user_id))
    return sorted(found.values(), key=lambda c: (c.kind != "", -c.n, c.kind))


class PlanTask(NamedTuple):
    """The columns a stored plan's answer reads of a task it names. A plain tuple: a SQLAlchemy
    row looks each attribute up by name (~0.8 us), and a plan can name a thousand tasks."""

    id: int
    title: str
    kind: Kind
    importance: int
    deadline_at: datetime | None
    status: Status


def plan_tasks(*, session: Session, ids: set[int]) -> dict[int, PlanTask]:
    """The tasks of ``ids`` that still exist, by id: the few columns, not whole rows."""
    if not ids:
        return {}
    columns = select(Task.id, Task.title, Task.kind, Task.importance, Task.deadline_at, Task.status)
    return {t.id: t for t in map(PlanTask._make, session.execute(columns.where(Task.id.in_(ids))))}


def task_ids(facts_: dict[str, Any] | None) -> set[int]:
    """The tasks the chances stored with a plan name: their own and those movable before them."""
    found = (facts_ or {}).get("chances", {})
    ids = {int(task_id) for task_id in found}
    return ids | {other for item in found.values() for other, _ in item.get("movable", [])}


def stored(
    *,
    session: Session,
    facts_: dict[str, Any] | None,
    tasks: Mapping[int, PlanTask] | None = None,
) -> list[dict[str, Any]]:
    """The chances stored with a plan, least likely first, each with its task's title, priority
    label and deadline and a hint in words: ``{"task_id", "title", "priority", "deadline",
    "on_time_probability", "extra_minutes", "movable": [{"task_id", "title", "minutes"}],
    "hint"}``. ``tasks``, when given, holds (at least) the tasks of ``task_ids(facts_)``, as
    ``plan_tasks`` reads them; otherwise they are read here."""
    found = (facts_ or {}).get("chances", {})
    rows = plan_tasks(session=session, ids=task_ids(facts_)) if tasks is None else tasks
    out = []
    for task_id, item in found.items():
        task = rows.get(int(task_id))
        if (
            task is None
            or task.deadline_at is None
            or task.status not in (Status.todo, Status.doing)
        ):
            continue
        moves = item.get("movable", [])
        if len(moves) > solver.MOVABLE_AT_MOST:  # a plan stored before the limit
            moves = []
        movable = [
            {"task_id": other, "title": rows[other].title, "minutes": minutes}
            for other, minutes in moves
            if other in rows
        ]
        out.append(
            {
                "task_id": task.id,
                "title": task.title,
                "priority": importance.label(task.importance),
                "deadline": task.deadline_at,
                "on_time_probability": item["p"],
                "extra_minutes": item.get("extra_minutes"),
                "movable": movable,
                "hint": hint(item["p"], item.get("extra_minutes"), movable),
            }
        )
    return sorted(out, key=lambda c: (c["on_time_probability"], c["deadline"]))


def hint(probability: float, extra: int | None, movable: list[dict[str, Any]]) -> str:
    """What would raise a chance below 80%, in words."""
    if probability >= solver.ON_TIME_TARGET or extra is None:
        return ""
    if extra == 0:
        return "start it sooner: in most futures it is only just late"
    need = _duration(extra)
    if not movable:
        return (
            f"needs {need} more free time before its deadline: add working time, or cut "
            "its estimate"
        )
    names = ", ".join(f"'{m['title']}' ({_duration(m['minutes'])})" for m in movable)
    return (
        f"needs {need} more free time before its deadline: move {names} after it, or add "
        "working time"
    )


def _duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def basis(*, session: Session, user_id: int) -> str:
    """What the chances are read from, in words."""
    found = history(session=session, user_id=user_id)[: solver.HISTORY_RECENT]
    if len(found) < solver.HISTORY_ENOUGH:
        return (
            f"a stated prior of typical developer estimates (you have {len(found)} finished "
            f"tasks with logged time; {solver.HISTORY_ENOUGH} are needed)"
        )
    return f"your {len(found)} most recent finished tasks with logged time"
