"""The Wrap-up and Reflection pages: a thin adapter over ``day.wrapup`` (build, close) and
``day.reflection`` (get, save).

Each form POST answers 303 back to its page (Post/Redirect/Get); a refused one re-renders the
page with the message and a 4xx status, never JSON.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Annotated, Any

from fastapi import Form
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup
from sqlalchemy.orm import Session

from devday.account.models import User
from devday.dateparse import parse_duration
from devday.day import reflection as reflection_service
from devday.day import wrapup as wrapup_service
from devday.day.calendar_days import local_today
from devday.day.reflection import GOAL_MINUTES, Goal
from devday.errors import Invalid
from devday.input_rules import RANGE, day_in_range
from devday.learning import pages as learning_pages
from devday.task.models import Kind
from devday.web.forms import Clean, FormList, FormStr, Refusal, form_version
from devday.web.page import Page, PageContext, PageDay, page_router
from devday.web.rendering import duration

router = page_router()

WRAPUP_PAGE = "day/wrapup.html"
REFLECT_PAGE = "day/reflect.html"
MAX_TEXT = 5000
MAX_GOAL = 300
GOAL_INPUTS = 3
BLANK_GOAL = {"title": "", "estimate": "30m", "kind": "other"}
DECISION_LABELS = {
    "tomorrow": "Next working day",
    "date": "On the date below",
    "backlog": "Back to the list",
    "drop": "Drop it",
}
# Long text fields are checked in the page (with a message) below this hard request limit.
LongText = Annotated[str, Form(max_length=4 * MAX_TEXT), Clean]
#: What a page shows of one day: (session, user, day, now) -> the template's context.
Build = Callable[[Session, User, date, datetime], dict[str, Any]]


def _show(
    page: PageContext,
    day: date,
    build: Build,
    template: str,
    refusal: Refusal | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    context = build(page.session, page.user, day, page.now)
    if refusal is not None and values:
        # The visitor's text comes back; the version stays the stored one, so that sending the
        # form again after a conflict is a choice made with the message in view.
        kept = {k: v for k, v in values.items() if k != "version"}
        context["values"] = {**context["values"], **kept}
    context["error"] = refusal.message if refusal else None
    return page.render(template, context, status=refusal.status if refusal else 200)


def _post(
    page: PageContext,
    day: date,
    build: Build,
    template: str,
    change: Callable[[], object],
    values: dict[str, Any],
) -> Response:
    """Runs ``change`` and goes back to the day's page; a refused one shows it again."""
    prefix = "/wrapup/" if template == WRAPUP_PAGE else "/reflect/"
    return page.submit(
        change,
        then=prefix + day.isoformat(),
        refused=lambda refusal: _show(page, day, build, template, refusal, values),
    )


# --- wrap-up -------------------------------------------------------------------------------------


def wrapup_context(session: Session, user: User, day: date, now: datetime) -> dict[str, Any]:
    view = wrapup_service.build(session=session, user=user, day=day, now=now)
    closed = view.closed
    return {
        **learning_pages.week_context(session, user, day),  # a week in learning
        "day": day,
        "today": local_today(user, now),
        "view": view,
        "min_date": (day + timedelta(days=1)).isoformat(),
        "done_minutes": sum(item.minutes for item in view.done),
        "decisions": DECISION_LABELS,
        # Sanitised by devday.markdown (markdown-it without raw HTML, then nh3) when stored.
        "report": Markup(closed.report_html) if closed else None,  # noqa: S704
        "values": {"blockers": "", "choices": {}},
    }


@router.get("/wrapup", response_class=HTMLResponse)
def wrapup_today(page: Page) -> Response:
    return _show(page, page.today, wrapup_context, WRAPUP_PAGE)


@router.get("/wrapup/{day}", response_class=HTMLResponse)
def wrapup_day(page: Page, day: PageDay) -> Response:
    return _show(page, day, wrapup_context, WRAPUP_PAGE)


def decisions_from(
    task_ids: list[str], choices: list[str], dates: list[str]
) -> list[dict[str, Any]]:
    """The form's rows (a task id, a decision and a date each, in page order) as the service's
    decisions. A date given with the default decision means "on that date"."""
    if not len(task_ids) == len(choices) == len(dates):
        raise Invalid("the decisions came back incomplete; reload the page", field="decisions")
    out: list[dict[str, Any]] = []
    for raw_id, choice, raw_date in zip(task_ids, choices, dates, strict=True):
        if not raw_id.strip().isdigit():
            raise Invalid("the decisions name an unknown task; reload the page", field="decisions")
        if choice not in DECISION_LABELS:
            raise Invalid(f"unknown decision {choice!r}", field="decisions")
        decision: dict[str, Any] = {"task_id": int(raw_id), "decision": choice}
        if raw_date.strip() and choice in ("tomorrow", "date"):
            try:
                day = day_in_range(date.fromisoformat(raw_date.strip()))
            except ValueError:
                raise Invalid(
                    f"{raw_date!r} is not a date (YYYY-MM-DD) from {RANGE}", field="date"
                ) from None
            decision.update(decision="date", date=day)
        elif choice == "date":
            raise Invalid("pick the date to move the task to", field="date")
        out.append(decision)
    return out


@router.post("/wrapup/{day}")
def close_day(
    page: Page,
    day: PageDay,
    blockers: LongText = "",
    task_id: FormList = [],  # noqa: B006 - FastAPI copies defaults per request
    decision: FormList = [],  # noqa: B006
    move_date: FormList = [],  # noqa: B006
) -> Response:
    def close() -> None:
        if len(blockers) > MAX_TEXT:
            raise Invalid(f"keep the blockers under {MAX_TEXT} characters", field="blockers")
        wrapup_service.close(
            session=page.session,
            user=page.user,
            day=day,
            decisions=decisions_from(task_id, decision, move_date),
            blockers=blockers.strip(),
            now=page.now,
        )

    values = {"blockers": blockers, "choices": dict(zip(task_id, decision, strict=False))}
    return _post(page, day, wrapup_context, WRAPUP_PAGE, close, values)


# --- reflection ----------------------------------------------------------------------------------


def reflect_context(session: Session, user: User, day: date, now: datetime) -> dict[str, Any]:
    view = reflection_service.get(session=session, user=user, day=day)
    row = view.reflection
    goals = [
        {"title": t.title, "estimate": duration(t.estimate_minutes or 30), "kind": t.kind.value}
        for t in view.goals
    ]
    return {
        **learning_pages.week_context(session, user, day),  # a week in learning
        "day": day,
        "today": local_today(user, now),
        "view": view,
        "values": {
            "went_well": row.went_well if row else "",
            "improve": row.improve if row else "",
            "energy": str(row.energy) if row and row.energy else "",
            "note": row.note if row else "",
            "learned": row.learned if row else "",
            "goals": goals + [BLANK_GOAL] * max(0, GOAL_INPUTS - len(goals)),
            "version": str(row.version) if row else "",
        },
    }


@router.get("/reflect", response_class=HTMLResponse)
def reflect_today(page: Page) -> Response:
    return _show(page, page.today, reflect_context, REFLECT_PAGE)


@router.get("/reflect/{day}", response_class=HTMLResponse)
def reflect_day(page: Page, day: PageDay) -> Response:
    return _show(page, day, reflect_context, REFLECT_PAGE)


def _energy(text: str) -> int | None:
    if not text.strip():
        return None
    if text.strip() not in ("1", "2", "3"):
        raise Invalid("energy is 1 (low), 2 (ok) or 3 (high)", field="energy")
    return int(text)


def _goals(titles: list[str], estimates: list[str], kinds: list[str]) -> list[Goal]:
    """The form's goal rows, in order: blank rows left out, the same title once."""
    goals: dict[str, Goal] = {}
    for i, raw in enumerate(titles):
        title = raw.strip()
        if not title:
            continue
        if len(title) > MAX_GOAL:
            raise Invalid(f"keep each goal under {MAX_GOAL} characters", field="goal")
        estimate = estimates[i].strip() if i < len(estimates) else ""
        try:
            minutes = parse_duration(estimate) if estimate else GOAL_MINUTES
        except ValueError as exc:
            raise Invalid(f"goal {i + 1}: {exc}", field="goal_estimate") from None
        if not 5 <= minutes <= 8 * 60:
            raise Invalid(f"goal {i + 1}: give 5 minutes to 8 hours", field="goal_estimate")
        kind = kinds[i] if i < len(kinds) and kinds[i] else Kind.other.value
        if kind not in Kind.__members__:
            raise Invalid(f"goal {i + 1}: unknown kind {kind!r}", field="goal_kind")
        goals.setdefault(title, Goal(title=title, estimate_minutes=minutes, kind=Kind(kind)))
    if len(goals) > 10:
        raise Invalid("ten goals at most", field="goal")
    return list(goals.values())


@router.post("/reflect/{day}")
def save_reflection(
    page: Page,
    day: PageDay,
    went_well: LongText = "",
    improve: LongText = "",
    energy: FormStr = "",
    note: LongText = "",
    learned: LongText = "",
    goal: FormList = [],  # noqa: B006 - FastAPI copies defaults per request
    goal_estimate: FormList = [],  # noqa: B006
    goal_kind: FormList = [],  # noqa: B006
    version: FormStr = "",
) -> Response:
    def save() -> None:
        texts = (("went_well", went_well), ("improve", improve), ("note", note))
        for name, text in (*texts, ("learned", learned)):
            if len(text) > MAX_TEXT:
                raise Invalid(f"keep it under {MAX_TEXT} characters", field=name)
        reflection_service.save(
            session=page.session,
            user=page.user,
            day=day,
            went_well=went_well.strip(),
            improve=improve.strip(),
            energy=_energy(energy),
            note=note.strip(),
            learned=learned.strip(),
            goals=_goals(goal, goal_estimate, goal_kind),
            version=form_version(version),
            now=page.now,
        )

    values = {
        "went_well": went_well,
        "improve": improve,
        "energy": energy,
        "note": note,
        "learned": learned,
        "goals": [
            *(
                {
                    "title": title,
                    "estimate": goal_estimate[i] if i < len(goal_estimate) else "",
                    "kind": goal_kind[i] if i < len(goal_kind) else "",
                }
                for i, title in enumerate(goal)
            ),
            *[BLANK_GOAL] * max(0, GOAL_INPUTS - len(goal)),
        ],
        "version": version,
    }
    return _post(page, day, reflect_context, REFLECT_PAGE, save, values)
