"""The planner's API answers built from its rows: the duty list, and a stored plan with its
blocks and their tasks' titles and priorities, the routine and calendar around them, the time
worked on the day, what the planner could not place, each deadline's chance, and when and why
the plan last changed.

FastAPI-free, so that the routes and the CLI's local fast path build the very same answers.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import TypeAdapter
from sqlalchemy.orm import Session

from devday import importance
from devday.account.models import User
from devday.planning import chances, service, team_meeting
from devday.planning.models import DayPlan
from devday.planning.routine import WEEKDAYS
from devday.planning.schemas import (
    BlockRead,
    BusyEventRead,
    CalibrationRead,
    ChanceRead,
    DeferredRead,
    DutyList,
    ForecastRead,
    LateRead,
    OverEstimateRead,
    PlanRead,
    RoutineSlot,
    UnscheduledRead,
    WorkedRead,
)
from devday.worklog import service as worklog_service


def duty_list(*, session: Session, user: User, now: datetime) -> DutyList:
    """The caller's open tasks, today's first planned block first, then by priority score; each
    term of the score explained, with each task's next block today and its chance."""
    duties = service.duty_list(session=session, user=user, now=now)
    # Validated once as a whole: a model per item and per term costs more than the checks.
    return DutyList.model_validate(
        {
            "generated_at": now,
            "note": duties.note,
            "items": [
                {
                    "task_id": int(item.task.id),
                    "title": item.task.title,
                    "priority": importance.label(item.task.importance),
                    "deadline": item.task.deadline,
                    "estimate_minutes": item.task.estimate_minutes,
                    "score": item.score,
                    "terms": [
                        {"name": t.name, "points": t.points, "explanation": t.explanation}
                        for t in item.terms
                    ],
                    "on_time_probability": duties.chances.get(int(item.task.id)),
                    "planned_at": duties.planned_at.get(int(item.task.id)),
                }
                for item in duties.items
            ],
        }
    )


_LATE = TypeAdapter(list[LateRead])
_UNSCHEDULED = TypeAdapter(list[UnscheduledRead])
_CHANCES = TypeAdapter(list[ChanceRead])
_DEFERRED = TypeAdapter(list[DeferredRead])


def _labelled(items: list[dict[str, Any]], labels: dict[int, str]) -> list[dict[str, Any]]:
    """A stored plan's items, each with its task's priority label ("" for a deleted task)."""
    return [{**item, "priority": labels.get(int(item["task_id"]), "")} for item in items]


def read_plan(session: Session, user: User, plan: DayPlan, now: datetime) -> PlanRead:
    zone = ZoneInfo(user.timezone)
    blocks = service.blocks_of(session=session, plan=plan)
    facts = plan.facts or {}
    deferred = facts.get("deferred", [])
    named = [*plan.late, *plan.unscheduled, *deferred]
    # The blocks' tasks and those the stored facts name, for each one's priority label; a task
    # deleted since the plan was stored keeps its stored title and has no label ("").
    ids = {b.task_id for b in blocks} | {int(item["task_id"]) for item in named}
    # Read once with those the chances name: mostly the same thousand tasks.
    tasks = chances.plan_tasks(session=session, ids=ids | chances.task_ids(plan.facts))
    labels = {task_id: importance.label(t.importance) for task_id, t in tasks.items()}
    routine, _ = service.get_routine(session=session, user=user)
    routine = team_meeting.applied(session=session, user_id=user.id, routine=routine)
    day = WEEKDAYS[plan.plan_date.weekday()]
    slots = [
        RoutineSlot(
            title=b["title"],
            personal=b.get("personal", False),
            start=_local(plan.plan_date, b["start"], zone),
            end=_local(plan.plan_date, b["end"], zone),
        )
        for b in routine["blocks"]
        if day in b["days"]
    ]
    midnight = datetime.combine(plan.plan_date, time(0), tzinfo=zone)
    day_end = midnight + timedelta(days=1)
    busy = service.list_busy(session=session, user=user, start=midnight, end=day_end)
    entries = worklog_service.list_entries(session=session, user=user, start=midnight, end=day_end)
    titles = worklog_service.task_titles(session=session, task_ids=[e.task_id for e in entries])
    over = facts.get("over_estimate", [])
    over_titles = worklog_service.task_titles(
        session=session, task_ids=[item["task_id"] for item in over]
    )
    return PlanRead(
        date=plan.plan_date,
        timezone=user.timezone,
        built_at=plan.built_at,
        horizon_days=plan.horizon_days,
        blocks=[
            BlockRead(
                id=b.id,
                task_id=b.task_id,
                title=tasks[b.task_id].title,
                priority=labels[b.task_id],
                kind=tasks[b.task_id].kind.value,
                start=b.start_at,
                end=b.end_at,
                pinned=b.pinned,
                done=b.done,
            )
            for b in blocks
        ],
        routine=sorted(slots, key=lambda s: s.start),
        busy=[
            BusyEventRead(id=e.id, title=e.title, start=e.start_at, end=e.end_at, calendar=name)
            for e, name in busy
        ],
        # The lists that can hold a thousand items are validated a list at a time: a model
        # built per item costs twice as much.
        late=_LATE.validate_python(_labelled(plan.late, labels)),
        unscheduled=_UNSCHEDULED.validate_python(_labelled(plan.unscheduled, labels)),
        missed_deadline_weight=plan.missed_deadline_weight,
        weighted_tardiness_minutes=plan.weighted_tardiness_minutes,
        unplaced_weighted_minutes=facts.get("unplaced_weighted_minutes", 0),
        changed_at=plan.changed_at,
        change_reason=plan.change_reason,
        worked=[
            WorkedRead(
                task_id=e.task_id,
                title=titles.get(e.task_id, ""),
                start=e.start_at,
                end=e.end_at or now,
                running=e.end_at is None,
            )
            for e in entries
        ],
        over_estimate=[
            OverEstimateRead(**item, title=over_titles.get(item["task_id"], "")) for item in over
        ],
        chances=_CHANCES.validate_python(
            chances.stored(session=session, facts_=plan.facts, tasks=tasks)
        ),
        deferred=_DEFERRED.validate_python(_labelled(deferred, labels)),
        version=plan.version,
    )


def _local(day: date, clock_time: str, zone: ZoneInfo) -> datetime:
    hours, minutes = (int(x) for x in clock_time.split(":"))
    return datetime.combine(day, time(0), tzinfo=zone) + timedelta(hours=hours, minutes=minutes)


def forecast(*, session: Session, user: User, now: datetime) -> ForecastRead:
    """The user's estimates against their logged time per kind, and today's plan's chances."""
    today = now.astimezone(ZoneInfo(user.timezone)).date()
    plan = service.find_plan(session=session, user=user, plan_date=today)
    return ForecastRead(
        calibration=[
            CalibrationRead(kind=c.kind, ratio=round(c.ratio, 2), tasks=c.n, summary=c.describe())
            for c in chances.calibration(session=session, user_id=user.id)
        ],
        basis=chances.basis(session=session, user_id=user.id),
        chances=[
            ChanceRead.model_validate(item)
            for item in (chances.stored(session=session, facts_=plan.facts) if plan else [])
        ],
    )
