"""Recurring tasks: /api/v1/series (a series is made by a task's ``repeat`` field)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Response

from devday.concurrency import etag, expected_version
from devday.deps import ClockDep, CurrentUser, IdPath, SessionDep
from devday.recurrence import service
from devday.recurrence.schemas import SeriesRead, SeriesUpdate
from devday.recurrence.views import SeriesRow

router = APIRouter(prefix="/api/v1/series", tags=["series"])


@router.get("", response_model=list[SeriesRead])
def list_series(
    user: CurrentUser,
    session: SessionDep,
    ended: Annotated[bool, Query(description="Ended series too")] = False,
) -> list[SeriesRow]:
    """The repeating series you can see (yours, assigned to you, your teams')."""
    found = service.list_series(session=session, user=user, ended=ended)
    return service.rows(session=session, series=found)


@router.get("/{series_id}", response_model=SeriesRead)
def read_series(
    series_id: IdPath, user: CurrentUser, session: SessionDep, response: Response
) -> SeriesRow:
    """One series: its rule in words, the day of its next instance and its open instance."""
    series = service.get_series(session=session, user=user, series_id=series_id)
    response.headers["ETag"] = etag(series.version)
    return service.rows(session=session, series=[series])[0]


@router.patch("/{series_id}", response_model=SeriesRead)
def update_series(
    series_id: IdPath,
    data: SeriesUpdate,
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
    response: Response,
    if_match: Annotated[str | None, Header()] = None,
) -> SeriesRow:
    """Edit the whole series: its template and rule. The open instance takes each change where
    it still had the series' value (a field edited on the instance alone keeps its value)."""
    version = expected_version(if_match, data.version)
    series = service.update_series(
        session=session, user=user, series_id=series_id, data=data, version=version, now=clock.now()
    )
    session.commit()
    response.headers["ETag"] = etag(series.version)
    return service.rows(session=session, series=[series])[0]


@router.post("/{series_id}/skip", response_model=SeriesRead)
def skip(
    series_id: IdPath, user: CurrentUser, session: SessionDep, clock: ClockDep, response: Response
) -> SeriesRow:
    """Skip this one: the open instance is dropped and the next one made at once (with none
    open, the next occurrence is passed over)."""
    service.skip(session=session, user=user, series_id=series_id, now=clock.now())
    session.commit()
    series = service.get_series(session=session, user=user, series_id=series_id)
    response.headers["ETag"] = etag(series.version)
    return service.rows(session=session, series=[series])[0]


@router.post("/{series_id}/end", response_model=SeriesRead)
def end(
    series_id: IdPath, user: CurrentUser, session: SessionDep, clock: ClockDep, response: Response
) -> SeriesRow:
    """End the series: no more instances; the open one stays."""
    series = service.end_series(session=session, user=user, series_id=series_id, now=clock.now())
    session.commit()
    response.headers["ETag"] = etag(series.version)
    return service.rows(session=session, series=[series])[0]
