"""The plan feed's API: whether it is on, a new secret address, and turning it off."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request, Response, status

from devday.calendars import service, sources
from devday.calendars.models import CalendarSource
from devday.calendars.schemas import (
    CalendarCreate,
    CalendarRead,
    CalendarUpdate,
    PlanFeedCreated,
    PlanFeedRead,
)
from devday.calendars.views import SourceView
from devday.concurrency import etag, expected_version
from devday.deps import ClockDep, CurrentUser, IdPath, OutboundDep, SessionDep, StateDep
from devday.errors import NotFound

router = APIRouter(prefix="/api/v1", tags=["calendar"])
IfMatch = Annotated[str | None, Header()]


def base_url(request: Request, state: StateDep) -> str:
    return service.base_url(state.settings.public_url, str(request.base_url))


@router.get("/calendar-feed", response_model=PlanFeedRead)
def read_feed(user: CurrentUser, session: SessionDep) -> PlanFeedRead:
    """Whether your plan feed is on. Its address is shown only when it is made."""
    row = service.feed_of(session=session, user=user)
    return PlanFeedRead(enabled=row is not None, created_at=row.created_at if row else None)


@router.post("/calendar-feed", response_model=PlanFeedCreated, status_code=status.HTTP_201_CREATED)
def rotate_feed(
    request: Request, user: CurrentUser, session: SessionDep, state: StateDep, clock: ClockDep
) -> PlanFeedCreated:
    """Turn your plan feed on with a new secret address (an earlier address stops working).
    Any calendar app can subscribe to it: the work blocks of your plans, your deadlines and
    your teams' meetings, refreshed every 15 minutes."""
    now = clock.now()
    secret = service.rotate(session=session, user=user, now=now)
    session.commit()
    return PlanFeedCreated(
        enabled=True, created_at=now, url=service.address(base_url(request, state), secret)
    )


@router.delete("/calendar-feed", status_code=status.HTTP_204_NO_CONTENT)
def turn_off_feed(user: CurrentUser, session: SessionDep) -> Response:
    """Turn your plan feed off: its address stops answering."""
    service.turn_off(session=session, user=user)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- subscriptions ---------------------------------------------------------------------------


def _read(source: CalendarSource, response: Response) -> SourceView:
    response.headers["ETag"] = etag(source.version)
    return SourceView(source)


@router.get("/calendars", response_model=list[CalendarRead])
def list_calendars(user: CurrentUser, session: SessionDep) -> list[SourceView]:
    """The calendars you subscribed to, with when each was last read and its last error."""
    return [SourceView(s) for s in sources.list_sources(session=session, user=user)]


@router.post("/calendars", response_model=CalendarRead, status_code=status.HTTP_201_CREATED)
def add_calendar(
    data: CalendarCreate,
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
    outbound: OutboundDep,
    response: Response,
) -> SourceView:
    """Subscribe to a calendar: an ICS address (the secret address Google, Outlook or Apple
    gives out; `webcal://` works) or a CalDAV calendar (URL, user name, password or app
    password). Its events become busy time for the planner: recurring events expanded, events
    marked free or declined skipped, all-day events busy or not as `all_day_busy` says. The
    worker reads it within minutes and then every 15 minutes; `POST .../refresh` reads it now.
    An address on an internal network is refused unless the administrator allows it."""
    source = outbound.run(
        lambda vetted: sources.create_source(
            session=session, user=user, data=data, now=clock.now(), outbound=vetted
        ),
    )
    session.commit()
    return _read(source, response)


@router.get("/calendars/{calendar_id}", response_model=CalendarRead)
def read_calendar(
    calendar_id: IdPath, user: CurrentUser, session: SessionDep, response: Response
) -> SourceView:
    """One subscription."""
    return _read(sources.get_source(session=session, user=user, source_id=calendar_id), response)


@router.patch("/calendars/{calendar_id}", response_model=CalendarRead)
def update_calendar(
    calendar_id: IdPath,
    data: CalendarUpdate,
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
    outbound: OutboundDep,
    response: Response,
    if_match: IfMatch = None,
) -> SourceView:
    """Change what was sent. A new address or new credentials are read again at once."""
    version = expected_version(if_match, data.version)
    source = outbound.run(
        lambda vetted: sources.update_source(
            session=session,
            user=user,
            source_id=calendar_id,
            data=data,
            version=version,
            now=clock.now(),
            outbound=vetted,
        ),
    )
    session.commit()
    return _read(source, response)


@router.delete("/calendars/{calendar_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_calendar(
    calendar_id: IdPath, user: CurrentUser, session: SessionDep, clock: ClockDep, state: StateDep
) -> Response:
    """Unsubscribe: the calendar's busy times leave the plan, and the events devday wrote
    there for the plan are removed (nothing else in it is touched)."""
    sources.unsubscribe(
        session=session,
        user=user,
        source_id=calendar_id,
        policy=state.settings.outbound_policy(),
        clock=clock,
    )
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/calendars/{calendar_id}/refresh", response_model=CalendarRead)
def refresh_calendar(
    calendar_id: IdPath,
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
    state: StateDep,
    response: Response,
) -> SourceView:
    """Read the calendar now (and write the plan into it, when it receives the plan), and
    answer how it went (`last_error`, `event_count`, `push_error`)."""
    source = sources.refresh_now(
        session=session,
        user=user,
        source_id=calendar_id,
        policy=state.settings.outbound_policy(),
        clock=clock,
    )
    session.commit()
    if source is None:
        raise NotFound(f"calendar {calendar_id} not found")
    return _read(source, response)
