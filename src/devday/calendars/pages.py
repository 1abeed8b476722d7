"""The Calendars section of Settings: the calendars the user subscribes to (add, refresh now,
remove, with each one's last error) and the plan feed (on, rotate, off); and the feed itself
at ``/calendar/<secret>.ics``, which calendar apps fetch without signing in."""

from __future__ import annotations

import hashlib
from typing import Any

from fastapi import Path
from fastapi.responses import HTMLResponse, Response

from devday.calendars import service, sources
from devday.calendars.schemas import CalendarCreate
from devday.calendars.views import SourceView
from devday.deps import IdPath
from devday.errors import NotFound
from devday.web.forms import AnyFormStr, FormStr, Refusal
from devday.web.page import Page, PageContext, Visit, VisitorPage, page_router

router = page_router()

PAGE = "calendars/feed.html"
SAVED = {
    "off": "The plan feed is off; its address no longer answers.",
    "added": "Calendar added: its events are read within a minute (or press Refresh now).",
    "removed": "Calendar removed; its busy times left your plan.",
}


def _base(visit: Visit) -> str:
    return service.base_url(visit.state.settings.public_url, str(visit.request.base_url))


def _section(page: PageContext, status: int = 200, **extra: Any) -> Response:
    context = {
        "section": "calendar",
        "feed": service.feed_of(session=page.session, user=page.user),
        "sources": [
            SourceView(s) for s in sources.list_sources(session=page.session, user=page.user)
        ],
        "values": {},
        **extra,
    }
    response = page.render(PAGE, context, status=status)
    if extra.get("feed_url"):
        response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/settings/calendar", response_class=HTMLResponse)
def calendar_page(page: Page) -> Response:
    return _section(page, notice=SAVED.get(page.query("saved")))


def _refused(page: PageContext) -> Any:
    def refused(refusal: Refusal) -> Response:
        return _section(page, refusal.status, error=refusal.message)

    return refused


@router.post("/settings/calendar/rotate", response_class=HTMLResponse)
def rotate_feed(page: Page) -> Response:
    def rotate() -> str:
        return service.rotate(session=page.session, user=page.user, now=page.now)

    def made(secret: str) -> Response:
        return _section(page, 201, feed_url=service.address(_base(page), secret))

    return page.submit(rotate, then=made, refused=_refused(page))


@router.post("/settings/calendar/off")
def turn_off_feed(page: Page) -> Response:
    def off() -> None:
        service.turn_off(session=page.session, user=page.user)

    return page.submit(off, then="/settings/calendar?saved=off", refused=_refused(page))


@router.post("/settings/calendars")
def add_calendar(
    page: Page,
    name: AnyFormStr = "",
    kind: AnyFormStr = "ics",
    url: AnyFormStr = "",
    username: AnyFormStr = "",
    password: AnyFormStr = "",
    all_day_busy: FormStr = "",
    write_plan: FormStr = "",
) -> Response:
    values = {"name": name, "kind": kind, "url": url, "username": username}

    def add() -> None:
        page.outbound.run(
            lambda vetted: sources.create_source(
                session=page.session,
                user=page.user,
                data=CalendarCreate(
                    name=name,
                    kind=kind or "ics",
                    url=url,
                    username=username,
                    password=password,
                    all_day_busy=bool(all_day_busy),
                    write_plan=bool(write_plan),
                ),
                now=page.now,
                outbound=vetted,
            ),
        )

    def refused(refusal: Refusal) -> Response:
        if refusal.expired:
            return _section(page, 403, error=refusal.message)
        errors = refusal.prefixed("calendar-", default="url")
        return _section(page, refusal.status, errors=errors, values=values)

    return page.submit(add, then="/settings/calendar?saved=added", refused=refused)


@router.post("/settings/calendars/{calendar_id}/refresh")
def refresh_calendar(page: Page, calendar_id: IdPath) -> Response:
    def refresh() -> str:
        source = sources.refresh_now(
            session=page.session,
            user=page.user,
            source_id=calendar_id,
            policy=page.state.settings.outbound_policy(),
            clock=page.state.clock,
        )
        return (source.last_error or source.push_error) if source else ""

    def done(error: str) -> Response:
        if error:
            return _section(page, error=f"The calendar could not be read: {error}")
        return _section(page, notice="Calendar read now.")

    return page.submit(refresh, then=done, refused=_refused(page))


@router.post("/settings/calendars/{calendar_id}/delete")
def remove_calendar(page: Page, calendar_id: IdPath) -> Response:
    def remove() -> None:
        sources.unsubscribe(
            session=page.session,
            user=page.user,
            source_id=calendar_id,
            policy=page.state.settings.outbound_policy(),
            clock=page.state.clock,
        )

    return page.submit(remove, then="/settings/calendar?saved=removed", refused=_refused(page))


@router.get("/calendar/{secret}.ics", include_in_schema=False)
def plan_feed(visit: VisitorPage, secret: str = Path(max_length=100)) -> Response:
    """The plan as iCalendar; ``If-None-Match`` with the last ``ETag`` gets 304."""
    owner = service.owner_of(session=visit.session, secret=secret)
    if owner is None:
        raise NotFound("No calendar feed at this address: it was turned off or rotated.")
    body = service.plan_calendar(
        session=visit.session, user=owner, now=visit.now, base_url=_base(visit)
    )
    tag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {"ETag": tag, "Cache-Control": "private, no-cache"}
    if tag in visit.request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="text/calendar; charset=utf-8", headers=headers)
