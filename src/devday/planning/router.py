"""The planner's API: routine, busy times, duty list, day plans, and the solver itself."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Path, Query, Response, status

from devday import inputs
from devday.concurrency import etag, expected_version
from devday.deps import ClockDep, CurrentUser, IdPath, SessionDep
from devday.errors import Invalid
from devday.planning import service, solver, views
from devday.planning.routine import WEEKDAYS
from devday.planning.schemas import (
    BlockUpdate,
    BusyEventCreate,
    BusyEventRead,
    DutyList,
    ForecastRead,
    PlanRead,
    RoutineRead,
    RoutineWrite,
)
from devday.planning.views import read_plan
from devday.task.schemas import Instant

router = APIRouter(prefix="/api/v1", tags=["planner"])
PlanDate = Annotated[inputs.Day, Path(description="The local date of the plan, YYYY-MM-DD")]


@router.get("/routine", response_model=RoutineRead)
def read_routine(user: CurrentUser, session: SessionDep, response: Response) -> RoutineRead:
    """Your routine: working hours per weekday, fixed blocks, which kinds of work fit which
    hours, and your priority boosts. Version 0 is the untouched default."""
    routine, version = service.get_routine(session=session, user=user)
    response.headers["ETag"] = etag(version)
    return RoutineRead(**routine, version=version)


@router.put("/routine", response_model=RoutineRead)
def write_routine(
    data: RoutineWrite,
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
    response: Response,
    if_match: Annotated[str | None, Header()] = None,
) -> RoutineRead:
    """Replace your routine. Send the version you read (0 for the default)."""
    version = expected_version(if_match, data.version)
    routine, new_version = service.put_routine(
        session=session, user=user, data=data, version=version, now=clock.now()
    )
    session.commit()
    response.headers["ETag"] = etag(new_version)
    return RoutineRead(**routine, version=new_version)


@router.get("/busy-events", response_model=list[BusyEventRead])
def list_busy(
    user: CurrentUser,
    session: SessionDep,
    start: Annotated[Instant | None, Query(description="Events ending after this")] = None,
    end: Annotated[Instant | None, Query(description="Events starting before this")] = None,
) -> list[BusyEventRead]:
    """Your one-off busy times (calendar events); the planner places nothing in them."""
    events = service.list_busy(session=session, user=user, start=start, end=end)
    return [
        BusyEventRead(id=e.id, title=e.title, start=e.start_at, end=e.end_at, calendar=name)
        for e, name in events
    ]


@router.post("/busy-events", status_code=status.HTTP_201_CREATED, response_model=BusyEventRead)
def add_busy(data: BusyEventCreate, user: CurrentUser, session: SessionDep) -> BusyEventRead:
    """Block a time in your calendar (a dentist appointment, an interview)."""
    event = service.add_busy(session=session, user=user, data=data)
    session.commit()
    return BusyEventRead(id=event.id, title=event.title, start=event.start_at, end=event.end_at)


@router.put("/busy-events/{event_id}", response_model=BusyEventRead)
def replace_busy(
    event_id: IdPath, data: BusyEventCreate, user: CurrentUser, session: SessionDep
) -> BusyEventRead:
    """Change a busy time you entered (title, start and end); a subscribed calendar's events
    are changed in that calendar."""
    event = service.update_busy(session=session, user=user, event_id=event_id, data=data)
    session.commit()
    return BusyEventRead(id=event.id, title=event.title, start=event.start_at, end=event.end_at)


@router.delete("/busy-events/{event_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_busy(event_id: IdPath, user: CurrentUser, session: SessionDep) -> Response:
    """Remove a busy time (one entered here: a subscribed calendar's events change there)."""
    service.delete_busy(session=session, user=user, event_id=event_id)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/duty-list", response_model=DutyList)
def duty_list(user: CurrentUser, session: SessionDep, clock: ClockDep) -> DutyList:
    """Your open tasks ordered by priority score, each term of the score explained:
    importance, deadline pressure (work due against free hours), tasks waiting on it, waiting
    on others, age and your boosts."""
    return views.duty_list(session=session, user=user, now=clock.now())


@router.get("/forecast", response_model=ForecastRead)
def forecast(user: CurrentUser, session: SessionDep, clock: ClockDep) -> ForecastRead:
    """How likely your deadlines are, and why: your estimates against the time you logged,
    per kind ("your coding estimates run 1.4x short"), what the chances are read from, and the
    chance of every deadline in today's plan (1,000 futures of the plan, each remaining
    estimate divided by a velocity drawn from your own finished work)."""
    return views.forecast(session=session, user=user, now=clock.now())


@router.post("/plans/{plan_date}", response_model=PlanRead)
def build_plan(
    plan_date: PlanDate,
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
    response: Response,
    horizon_days: Annotated[int, Query(ge=1, le=60, description="Days planned ahead")] = 14,
) -> PlanRead:
    """Build and store the plan for a day, with the horizon behind it: time blocks for your
    open tasks that miss no deadline that can be met, and for each late task the reason and
    what would save it. Pinned and finished blocks are kept."""
    plan = service.build_plan(
        session=session, user=user, plan_date=plan_date, now=clock.now(), horizon_days=horizon_days
    )
    session.commit()
    response.headers["ETag"] = etag(plan.version)
    return read_plan(session, user, plan, clock.now())


@router.get("/plans/{plan_date}", response_model=PlanRead)
def get_plan(
    plan_date: PlanDate, user: CurrentUser, session: SessionDep, clock: ClockDep, response: Response
) -> PlanRead:
    """The stored plan for a day; 404 until it is built."""
    plan = service.get_plan(session=session, user=user, plan_date=plan_date)
    response.headers["ETag"] = etag(plan.version)
    return read_plan(session, user, plan, clock.now())


@router.post("/plans/{plan_date}/replan", response_model=PlanRead)
def replan(
    plan_date: PlanDate,
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
    response: Response,
    if_match: Annotated[str | None, Header()] = None,
    version: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> PlanRead:
    """Re-plan from now after an overrun or a new urgent task: finished and pinned blocks stay,
    and nothing moves outside today unless a deadline forces it."""
    expected = expected_version(if_match, version)
    plan = service.replan(
        session=session, user=user, plan_date=plan_date, now=clock.now(), version=expected
    )
    session.commit()
    response.headers["ETag"] = etag(plan.version)
    return read_plan(session, user, plan, clock.now())


@router.patch("/plans/{plan_date}/blocks/{block_id}", response_model=PlanRead)
def update_block(
    plan_date: PlanDate,
    block_id: IdPath,
    data: BlockUpdate,
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
    response: Response,
    if_match: Annotated[str | None, Header()] = None,
    version: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> PlanRead:
    """Pin a block, move it (it is then pinned), or mark it done; when a task's last block is
    done, the task is done. Send the plan's version (If-Match)."""
    expected = expected_version(if_match, version)
    plan, _block = service.update_block(
        session=session,
        user=user,
        plan_date=plan_date,
        block_id=block_id,
        data=data,
        version=expected,
        now=clock.now(),
    )
    session.commit()
    response.headers["ETag"] = etag(plan.version)
    return read_plan(session, user, plan, clock.now())


PROBLEM_EXAMPLE: dict[str, Any] = {
    "now": "2026-11-30T10:00:00+01:00",
    "timezone": "Europe/Berlin",
    "horizon_days": 5,
    "working_hours": {**{d: [["10:00", "18:00"]] for d in WEEKDAYS[:5]}, "sat": [], "sun": []},
    "routine": [{"title": "Lunch", "days": list(WEEKDAYS[:5]), "start": "12:30", "end": "13:30"}],
    "busy": [],
    "tasks": [
        {
            "id": "a",
            "title": "Fix login",
            "estimate_minutes": 120,
            "importance": 4,
            "deadline": "2026-12-01T17:00:00+01:00",
            "kind": "coding",
        }
    ],
    "preferences": {"kind_windows": {"coding": [["10:30", "12:30"]]}},
}


PLAN_EXAMPLE: dict[str, Any] = {
    "blocks": [
        {"task_id": "a", "start": "2026-11-30T10:30:00+01:00", "end": "2026-11-30T12:30:00+01:00"}
    ],
    "late": [],
    "unscheduled": [],
    "missed_deadline_weight": 0,
    "weighted_tardiness_minutes": 0,
}


@router.post(
    "/planner/solve",
    responses={200: {"content": {"application/json": {"example": PLAN_EXAMPLE}}}},
)
def solve(
    problem: Annotated[dict[str, Any], Body(examples=[PROBLEM_EXAMPLE])],
    user: CurrentUser,
) -> dict[str, Any]:
    """Solve a planning problem given in its public JSON form (see docs/planner.md) and
    return the plan JSON. Nothing is stored."""
    try:
        return solver.solve_json(problem)
    except solver.ProblemError as exc:
        raise Invalid(exc.message, field=exc.field) from None


@router.post(
    "/planner/check",
    responses={
        200: {
            "content": {
                "application/json": {
                    "example": {
                        "ok": False,
                        "violations": [
                            {
                                "rule": "inside_working_hours",
                                "message": "block of 'a' at Sat 10:00 is outside working hours",
                            }
                        ],
                    }
                }
            }
        }
    },
)
def check(
    body: Annotated[
        dict[str, Any],
        Body(
            examples=[
                {
                    "problem": PROBLEM_EXAMPLE,
                    "plan": {
                        "blocks": [
                            {
                                "task_id": "a",
                                "start": "2026-11-30T10:30:00+01:00",
                                "end": "2026-11-30T12:30:00+01:00",
                            }
                        ],
                        "late": [],
                        "unscheduled": [],
                        "missed_deadline_weight": 0,
                        "weighted_tardiness_minutes": 0,
                    },
                }
            ]
        ),
    ],
    user: CurrentUser,
) -> dict[str, Any]:
    """Check a plan against a problem: every broken hard rule, with a message."""
    if not isinstance(body.get("problem"), dict) or not isinstance(body.get("plan"), dict):
        raise Invalid('send {"problem": {...}, "plan": {...}}', field="body")
    try:
        violations = solver.check_json(body["problem"], body["plan"])
    except solver.ProblemError as exc:
        raise Invalid(exc.message, field=exc.field) from None
    return {
        "ok": not violations,
        "violations": [{"rule": v.rule, "message": v.message} for v in violations],
    }
