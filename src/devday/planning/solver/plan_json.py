"""JSON forms of the plan, and the problem written back out (see docs/planner.md)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from devday.planning.solver.jsonio import objects, read_instant, require
from devday.planning.solver.model import (
    Block,
    DeferredTask,
    LateTask,
    Plan,
    Problem,
    ProblemError,
    UnscheduledTask,
)


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def problem_to_json(problem: Problem) -> dict[str, Any]:
    """The public JSON form of `problem`; `problem_from_json` reads it back unchanged."""
    return {
        "now": problem.now.isoformat(),
        "timezone": problem.timezone,
        "horizon_days": problem.horizon_days,
        "grid_minutes": problem.grid_minutes,
        "working_hours": {
            k: [[_hhmm(a), _hhmm(b)] for a, b in v] for k, v in problem.working_hours.items()
        },
        "routine": [
            {
                "title": r.title,
                "days": list(r.days),
                "start": _hhmm(r.start_minute),
                "end": _hhmm(r.end_minute),
            }
            for r in problem.routine
        ],
        "busy": [
            {"title": b.title, "start": b.start.isoformat(), "end": b.end.isoformat()}
            for b in problem.busy
        ],
        "tasks": [
            {
                "id": t.id,
                "title": t.title,
                "estimate_minutes": t.estimate_minutes,
                "importance": t.importance,
                "deadline": t.deadline.isoformat() if t.deadline else None,
                "earliest_start": t.earliest_start.isoformat() if t.earliest_start else None,
                "depends_on": list(t.depends_on),
                "splittable": t.splittable,
                "min_chunk_minutes": t.min_chunk_minutes,
                "kind": t.kind,
                "first_rank": t.first_rank,
            }
            for t in problem.tasks
        ],
        "preferences": {
            "kind_windows": {
                k: [[_hhmm(a), _hhmm(b)] for a, b in v] for k, v in problem.kind_windows.items()
            }
        },
        "pinned": [
            {"task_id": p.task_id, "start": p.start.isoformat(), "end": p.end.isoformat()}
            for p in problem.pinned
        ],
    }


def plan_to_json(plan: Plan) -> dict[str, Any]:
    """The public JSON form of `plan`; instants keep the offset they carry."""
    return {
        "blocks": [
            {"task_id": b.task_id, "start": b.start.isoformat(), "end": b.end.isoformat()}
            for b in plan.blocks
        ],
        "late": [
            {
                "task_id": x.task_id,
                "deadline": x.deadline.isoformat(),
                "finish": x.finish.isoformat() if x.finish else None,
                "reason": x.reason,
            }
            for x in plan.late
        ],
        "unscheduled": [{"task_id": u.task_id, "reason": u.reason} for u in plan.unscheduled],
        "missed_deadline_weight": plan.missed_deadline_weight,
        "weighted_tardiness_minutes": plan.weighted_tardiness_minutes,
        "unplaced_weighted_minutes": plan.unplaced_weighted_minutes,
        "deferred": [{"task_id": d.task_id, "reason": d.reason} for d in plan.deferred],
    }


def plan_from_json(data: Mapping[str, Any]) -> Plan:
    """Read a plan written by `plan_to_json`; raises `ProblemError` naming a bad field.
    `unplaced_weighted_minutes` (default 0) and `deferred` (default none) may be left out."""
    blocks = tuple(
        Block(
            require(b, "task_id", f"blocks[{i}].", str),
            read_instant(b.get("start"), f"blocks[{i}].start"),
            read_instant(b.get("end"), f"blocks[{i}].end"),
        )
        for i, b in enumerate(objects(data, "blocks"))
    )
    late = tuple(
        LateTask(
            require(x, "task_id", f"late[{i}].", str),
            read_instant(x.get("deadline"), f"late[{i}].deadline"),
            None if x.get("finish") is None else read_instant(x["finish"], f"late[{i}].finish"),
            str(x.get("reason", "")),
        )
        for i, x in enumerate(objects(data, "late"))
    )
    unscheduled = tuple(
        UnscheduledTask(require(u, "task_id", f"unscheduled[{i}].", str), str(u.get("reason", "")))
        for i, u in enumerate(objects(data, "unscheduled"))
    )
    deferred = tuple(
        DeferredTask(require(d, "task_id", f"deferred[{i}].", str), str(d.get("reason", "")))
        for i, d in enumerate(objects(data, "deferred"))
    )
    unplaced = data.get("unplaced_weighted_minutes", 0)
    if not isinstance(unplaced, int) or isinstance(unplaced, bool):
        raise ProblemError("unplaced_weighted_minutes", "must be an integer")
    return Plan(
        blocks=blocks,
        late=late,
        unscheduled=unscheduled,
        missed_deadline_weight=require(data, "missed_deadline_weight", "", int),
        weighted_tardiness_minutes=require(data, "weighted_tardiness_minutes", "", int),
        unplaced_weighted_minutes=unplaced,
        deferred=deferred,
    )
