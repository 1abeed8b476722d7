"""The Today and Week pages (the day's timeline with its block and timer actions, the week
ahead; what they show is built in ``today_view`` and ``week_view``) and the Routine section of
Settings (its form is read in ``routine_form``).

Every action is a form POST that answers 303 back to its page (Post/Redirect/Get); a refused
one shows the page again with the message and a 4xx status.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from devday.deps import IdPath
from devday.learning import pages as learning_pages
from devday.planning import busy_view, routine_form, today_view, week_view
from devday.planning import service as planning_service
from devday.planning.routine import WEEKDAYS
from devday.planning.schemas import BlockUpdate, RoutineWrite
from devday.web.forms import FormInvalid, FormStr, Refusal, form_id, form_version
from devday.web.page import Page, PageContext, page_router
from devday.worklog import service as worklog_service

router = page_router()

TODAY = "planning/today.html"
WEEK = "planning/week.html"
ROUTINE = "planning/routine.html"
ROUTINE_CHANGED = (
    "Your routine was changed elsewhere; here is the stored one. Make your change again."
)


# --- Today ---------------------------------------------------------------------------------------


@router.get("/today", response_class=HTMLResponse)
def today_page(page: Page) -> Response:
    return _today(page)


def _today(page: PageContext, refusal: Refusal | None = None) -> Response:
    context = today_view.page_context(session=page.session, user=page.user, now=page.now)
    context.update(learning_pages.context(page))  # the evening block, filled from the list
    context["error"] = refusal.message if refusal else None
    return page.render(TODAY, context, status=refusal.status if refusal else 200)


def _act(page: PageContext, change: Callable[[], object]) -> Response:
    """Runs ``change`` as a Today form and goes back to /today."""
    return page.submit(change, then="/today", refused=lambda refusal: _today(page, refusal))


def _plan_version(page: PageContext, sent: str) -> int:
    """The plan version the form was made from; none sent means the stored one."""
    version = form_version(sent)
    if version is not None:
        return version
    return planning_service.get_plan(
        session=page.session, user=page.user, plan_date=page.today
    ).version


@router.post("/today/plan")
def plan_day(page: Page) -> Response:
    return _act(
        page,
        lambda: planning_service.build_plan(
            session=page.session, user=page.user, plan_date=page.today, now=page.now
        ),
    )


@router.post("/today/replan")
def replan_day(page: Page, version: FormStr = "") -> Response:
    return _act(
        page,
        lambda: planning_service.replan(
            session=page.session,
            user=page.user,
            plan_date=page.today,
            now=page.now,
            version=_plan_version(page, version),
        ),
    )


@router.post("/today/timer/start")
def start_timer(page: Page, task_id: FormStr = "") -> Response:
    return _act(
        page,
        lambda: worklog_service.start_timer(
            session=page.session,
            user=page.user,
            task_id=form_id(task_id, field="task_id", message="task not found"),
            now=page.now,
        ),
    )


@router.post("/today/timer/stop")
def stop_timer(page: Page) -> Response:
    return _act(
        page, lambda: worklog_service.stop_timer(session=page.session, user=page.user, now=page.now)
    )


def _update_block(
    page: PageContext, block_id: int, version: str, change: Callable[[], BlockUpdate]
) -> Response:
    return _act(
        page,
        lambda: planning_service.update_block(
            session=page.session,
            user=page.user,
            plan_date=page.today,
            block_id=block_id,
            data=change(),
            version=_plan_version(page, version),
            now=page.now,
        ),
    )


@router.post("/today/blocks/{block_id}/done")
def block_done(page: Page, block_id: IdPath, version: FormStr = "") -> Response:
    return _update_block(page, block_id, version, lambda: BlockUpdate(done=True))


@router.post("/today/blocks/{block_id}/pin")
def block_pin(
    page: Page, block_id: IdPath, version: FormStr = "", pinned: FormStr = "1"
) -> Response:
    """Pins the block (``pinned=1``, the default) or unpins it (``pinned=0``)."""
    keep = pinned.strip() not in ("0", "false", "")
    return _update_block(page, block_id, version, lambda: BlockUpdate(pinned=keep))


@router.post("/today/blocks/{block_id}/move")
def block_move(page: Page, block_id: IdPath, version: FormStr = "", time: FormStr = "") -> Response:
    """Moves the block to start at ``time`` (HH:MM, the user's zone) today; it is then pinned."""
    return _update_block(
        page,
        block_id,
        version,
        lambda: BlockUpdate(start=today_view.local_start(page.today, time, page.zone)),
    )


# --- Week ----------------------------------------------------------------------------------------


@router.get("/week", response_class=HTMLResponse)
def week_page(page: Page, start: str = "") -> Response:
    first = week_view.start_date(start, page.today)
    if first is None:
        context = {"error": "Give the week's start as YYYY-MM-DD, e.g. 2026-12-07."}
        return page.render(WEEK, context, status=422)
    plan = week_view.todays_plan(page.session, page.user, page.today)
    context = week_view.page_context(
        session=page.session, user=page.user, plan=plan, first=first, now=page.now
    )
    return page.render(WEEK, context)


# --- Settings: the routine -----------------------------------------------------------------------


def _routine(page: PageContext, status: int = 200, **extra: Any) -> Response:
    if "routine_form" not in extra:
        routine, version = planning_service.get_routine(session=page.session, user=page.user)
        extra["routine_form"] = routine_form.routine_form(routine, version)
    context = {"section": "routine", "weekdays": WEEKDAYS, **extra}
    return page.render(ROUTINE, context, status=status)


@router.get("/settings/routine", response_class=HTMLResponse)
def routine_page(page: Page) -> Response:
    notice = "Routine saved." if page.query("saved") == "routine" else None
    return _routine(page, notice=notice)


@router.post("/settings/routine")
def save_routine(page: Page) -> Response:
    stored, _ = planning_service.get_routine(session=page.session, user=page.user)
    read, errors = routine_form.read_routine(page.form, stored["kind_windows"])
    fields, shown = read["fields"], read["shown"]
    rows = [b.pop("_row") for b in fields["blocks"]]

    def save() -> None:
        if errors:  # the form's own checks come first; the schema's once they pass
            raise FormInvalid(errors)
        try:
            data = RoutineWrite(**fields, kind_windows=stored["kind_windows"])
        except ValidationError as exc:
            raise FormInvalid(routine_form.routine_errors(exc, rows)) from None
        version = form_version(shown["version"])
        planning_service.put_routine(
            session=page.session,
            user=page.user,
            data=data,
            version=-1 if version is None else version,
            now=page.now,
        )

    def refused(refusal: Refusal) -> Response:
        if refusal.expired:
            return _routine(page, 403, error=refusal.message)
        if refusal.status == 409:
            return _routine(page, 409, error=ROUTINE_CHANGED)
        error = None if refusal.errors else refusal.message
        return _routine(
            page, refusal.status, errors=refusal.errors, error=error, routine_form=shown
        )

    return page.submit(save, then="/settings/routine?saved=routine", refused=refused)


# --- Busy time, from Today and Week ------------------------------------------------------------


def _back(target: str) -> str:
    """Where a busy-time form returns: the Today page, or the Week page it was sent from."""
    if target.startswith("/week") and "//" not in target and "\\" not in target:
        return target
    return "/today"


def _busy_act(page: PageContext, back: str, change: Callable[[], object]) -> Response:
    target = _back(back)

    def refused(refusal: Refusal) -> Response:
        if target == "/today":
            return _today(page, refusal)
        return page.render(
            WEEK,
            {"error": f"Busy time: {refusal.message}", "busy_error": True},
            status=refusal.status,
        )

    return page.submit(change, then=target, refused=refused)


@router.post("/busy")
def add_busy(
    page: Page,
    title: FormStr = "",
    day: FormStr = "",
    start: FormStr = "",
    end: FormStr = "",
    back: FormStr = "",
) -> Response:
    """A one-off busy time on ``day`` from ``start`` to ``end`` (local HH:MM)."""

    def add() -> None:
        data = busy_view.from_form(page.user, title=title, day=day, start=start, end=end)
        planning_service.add_busy(session=page.session, user=page.user, data=data)

    return _busy_act(page, back, add)


@router.post("/busy/{event_id}/edit")
def edit_busy(
    page: Page,
    event_id: IdPath,
    title: FormStr = "",
    day: FormStr = "",
    start: FormStr = "",
    end: FormStr = "",
    back: FormStr = "",
) -> Response:
    def edit() -> None:
        data = busy_view.from_form(page.user, title=title, day=day, start=start, end=end)
        planning_service.update_busy(
            session=page.session, user=page.user, event_id=event_id, data=data
        )

    return _busy_act(page, back, edit)


@router.post("/busy/{event_id}/delete")
def delete_busy(page: Page, event_id: IdPath, back: FormStr = "") -> Response:
    return _busy_act(
        page,
        back,
        lambda: planning_service.delete_busy(
            session=page.session, user=page.user, event_id=event_id
        ),
    )
