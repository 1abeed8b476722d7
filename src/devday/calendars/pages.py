"""The Calendar section of Settings (turn the plan feed on, rotate it, turn it off) and the feed
itself at ``/calendar/<secret>.ics``, which calendar apps fetch without signing in."""

from __future__ import annotations

import hashlib
from typing import Any

from fastapi import Path
from fastapi.responses import HTMLResponse, Response

from devday.calendars import service
from devday.errors import NotFound
from devday.web.forms import Refusal
from devday.web.page import Page, PageContext, Visit, VisitorPage, page_router

router = page_router()

PAGE = "calendars/feed.html"
SAVED = {"off": "The plan feed is off; its address no longer answers."}


def _base(visit: Visit) -> str:
    return visit.state.settings.public_url or str(visit.request.base_url)


def _section(page: PageContext, status: int = 200, **extra: Any) -> Response:
    context = {
        "section": "calendar",
        "feed": service.feed_of(session=page.session, user=page.user),
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
