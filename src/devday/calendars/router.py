"""The plan feed's API: whether it is on, a new secret address, and turning it off."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from devday.calendars import service
from devday.calendars.schemas import PlanFeedCreated, PlanFeedRead
from devday.deps import ClockDep, CurrentUser, SessionDep, StateDep

router = APIRouter(prefix="/api/v1", tags=["calendar"])


def base_url(request: Request, state: StateDep) -> str:
    return state.settings.public_url or str(request.base_url)


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
