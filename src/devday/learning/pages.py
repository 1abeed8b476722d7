"""The Learning page (/learning): tonight's personal-development block as the planner fills it,
the learning list with its form, the feeds with "today in your feeds", and the setting that
lets learning into working hours."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from devday.account.models import User
from devday.deps import IdPath
from devday.errors import DomainError, Invalid
from devday.learning import agenda, feeds, service
from devday.learning import fetch as feed_fetch
from devday.learning.models import ItemKind
from devday.learning.schemas import FeedCreate, LearningDone, LearningItemCreate, PartCreate
from devday.web.charts.learning import Progress, progress_bars
from devday.web.charts.week import Series, stacked_bars
from devday.web.forms import AnyFormStr, FormStr, Refusal, optional_id
from devday.web.page import Missing, Page, PageContext, page_router

router = page_router(
    Missing(
        title="Not found",
        text="There is no such item on your learning list or in your feeds.",
        back="/learning",
        back_label="Learning",
    )
)

PAGE = "learning/page.html"
NOTICES = {
    "added": "Added to your learning list.",
    "done": "Marked done; the time is on your week.",
    "subscribed": "Subscribed: its items are below.",
    "later": "On your learning list, to read later.",
    "dismissed": "Dismissed.",
    "saved": "Saved.",
}


def context(page: PageContext) -> dict[str, Any]:
    """What the evening part of a day shows: the block filled from the list, and the feeds'
    newest items (used by this page and the Today page)."""
    today = page.today
    blocks = agenda.learning_blocks(service_routine(page), today, page.zone)
    return {
        "learning_slots": agenda.agenda(session=page.session, user=page.user, day=today),
        "learning_blocks": blocks,
        "feed_items": feeds.list_items(
            session=page.session,
            user=page.user,
            since=page.now - timedelta(days=2),
            limit=20,
        ),
    }


def service_routine(page: PageContext) -> dict[str, Any]:
    from devday.planning import service as planning_service

    routine, _ = planning_service.get_routine(session=page.session, user=page.user)
    return routine


@router.get("/learning", response_class=HTMLResponse)
def learning_page(page: Page) -> Response:
    return _show(page, notice=NOTICES.get(page.query("saved")))


def _show(page: PageContext, *, status: int = 200, **extra: Any) -> Response:
    values: dict[str, Any] = {"kind": "article", "minutes": "30"}
    values.update(extra.pop("values", {}))
    data: dict[str, Any] = {
        **context(page),
        "items": service.list_items(session=page.session, user=page.user),
        "done_items": [
            i
            for i in service.list_items(session=page.session, user=page.user, include_done=True)
            if i.row.done_at is not None
        ][:20],
        "feeds": feeds.list_feeds(session=page.session, user=page.user),
        "kinds": [kind.value for kind in ItemKind],
        "preference": service.preference(session=page.session, user=page.user),
        "values": values,
        "errors": {},
        "error": None,
        "notice": None,
        **extra,
    }
    return page.render(PAGE, data, status=status)


def _refused(page: PageContext, values: dict[str, Any] | None = None) -> Any:
    def show(refusal: Refusal) -> Response:
        message = None if refusal.errors and not refusal.expired else refusal.message
        return _show(
            page,
            values=values or {},
            errors=refusal.errors,
            error=message,
            status=refusal.status,
        )

    return show


@router.post("/learning/items", response_class=HTMLResponse)
def add_item(
    page: Page,
    kind: FormStr = "article",
    title: FormStr = "",
    url: FormStr = "",
    minutes: FormStr = "30",
    goal_date: FormStr = "",
    parts: AnyFormStr = "",
    starred: FormStr = "",
) -> Response:
    values = {
        "kind": kind,
        "title": title,
        "url": url,
        "minutes": minutes,
        "goal_date": goal_date,
        "parts": parts,
        "starred": starred,
    }

    def change() -> None:
        if not minutes.strip().isdigit():
            raise Invalid("a whole number of minutes", field="minutes")
        lines = [line.strip() for line in parts.splitlines() if line.strip()]
        data = LearningItemCreate.model_validate(
            {
                "kind": kind,
                "title": title,
                "url": url,
                "minutes": int(minutes),
                "goal_date": goal_date or None,
                "starred": starred == "on",
                "parts": [PartCreate(title=line[:300]) for line in lines],
            }
        )
        service.add_item(session=page.session, user=page.user, data=data, now=page.now)

    return page.submit(change, then="/learning?saved=added", refused=_refused(page, values))


@router.post("/learning/items/{learning_item_id}/done", response_class=HTMLResponse)
def mark_done(
    page: Page, learning_item_id: IdPath, part_id: FormStr = "", minutes: FormStr = ""
) -> Response:
    def change() -> None:
        data = LearningDone(
            part_id=optional_id(part_id),
            minutes=int(minutes) if minutes.strip().isdigit() else None,
        )
        service.mark_done(
            session=page.session, user=page.user, item_id=learning_item_id, data=data, now=page.now
        )

    return page.submit(change, then=_back(page, "done"), refused=_refused(page))


@router.post("/learning/settings", response_class=HTMLResponse)
def save_settings(page: Page, in_working_hours: FormStr = "") -> Response:
    def change() -> None:
        service.set_preference(
            session=page.session, user=page.user, in_working_hours=in_working_hours == "on"
        )

    return page.submit(change, then="/learning?saved=saved", refused=_refused(page))


@router.post("/learning/feeds", response_class=HTMLResponse)
def subscribe(page: Page, url: FormStr = "", starred: FormStr = "") -> Response:
    values = {"feed_url": url, "feed_starred": starred}
    if not page.form_ok():
        expired = Refusal.form_expired()
        return _show(page, values=values, error=expired.message, status=expired.status)
    try:
        data = FeedCreate(url=url, starred=starred == "on")
        feeds.check_new(session=page.session, user=page.user, url=data.url)
    except (DomainError, ValidationError) as exc:
        page.session.rollback()
        refusal = Refusal.of(exc)
        errors = {"feed_url": refusal.errors.get("url", refusal.message)}
        return _show(page, values=values, errors=errors, status=refusal.status)
    page.session.commit()  # no transaction stays open while the far end is spoken to
    settings = page.state.settings
    with feed_fetch.client(settings.outbound_policy()) as http:
        fetched = feed_fetch.fetch(http, data.url, max_bytes=settings.feed_max_bytes)

    def change() -> None:
        feeds.subscribe(
            session=page.session,
            user=page.user,
            fetched=fetched,
            starred=data.starred,
            now=page.now,
            minimum_minutes=settings.feed_min_interval_minutes,
        )

    def refused(refusal: Refusal) -> Response:
        errors = {"feed_url": refusal.errors.get("url", refusal.message)}
        return _show(page, values=values, errors=errors, status=refusal.status)

    return page.submit(change, then="/learning?saved=subscribed", refused=refused)


@router.post("/learning/feed-items/{feed_item_id}/later", response_class=HTMLResponse)
def read_later(page: Page, feed_item_id: IdPath) -> Response:
    def change() -> None:
        feeds.read_later(session=page.session, user=page.user, item_id=feed_item_id, now=page.now)

    return page.submit(change, then=_back(page, "later"), refused=_refused(page))


@router.post("/learning/feed-items/{feed_item_id}/dismiss", response_class=HTMLResponse)
def dismiss(page: Page, feed_item_id: IdPath) -> Response:
    def change() -> None:
        feeds.dismiss(session=page.session, user=page.user, item_id=feed_item_id)

    return page.submit(change, then=_back(page, "dismissed"), refused=_refused(page))


def _back(page: PageContext, what: str) -> str:
    """Back to the page the form was on: the Today page's evening part, or this page."""
    if page.form_value("back") == "today":
        return "/today#evening"
    return f"/learning?saved={what}"


def week_context(session: Session, user: User, day: date) -> dict[str, Any]:
    """A week in learning for the reflection page: the seven days up to ``day``, time by kind
    each day as stacked bars, and each course's progress."""
    found = service.week(session=session, user=user, first=day - timedelta(days=6))
    kinds = [kind for kind, values in found.table.items() if any(values)]
    return {
        "learning_week": found,
        "learning_chart": stacked_bars(
            days=[d.strftime("%a %d") for d in found.days],
            series=[
                Series(key=kind.value, label=kind.value, values=tuple(found.table[kind]))
                for kind in kinds
            ],
            label=f"Time learning per day, {found.days[0]:%a %d %b} to {found.days[-1]:%a %d %b}",
        )
        if kinds
        else None,
        "learning_progress": progress_bars(
            rows=[Progress(c.row.title, c.parts_done, len(c.parts)) for c in found.courses],
            label="Progress of each course and book",
        )
        if found.courses
        else None,
    }
