"""What the API shows of a series, and of the series a task belongs to.

Reads the models and the pure phrases only (no rule expansion), so that the task list, the
CLI's fast reads among them, pays one small query for it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from devday.readmodel import ReadModel, RowView
from devday.recurrence.models import Series, SeriesInstance
from devday.recurrence.phrases import describe


class RepeatRead(ReadModel):
    """The series a task belongs to, as the task API shows it."""

    series_id: int
    rule: str = Field(description="The RFC 5545 RRULE, without DTSTART")
    mode: str = Field(description="schedule (on the calendar) or after_done (every!)")
    description: str
    next_date: date | None = Field(description="The day the next instance is for")
    ended: bool


@dataclass(frozen=True)
class SeriesRow(RowView):
    """A series as ``SeriesRead`` shows it."""

    row: Series
    open_task_id: int | None

    @property
    def repeat(self) -> str:
        return self.row.text

    @property
    def description(self) -> str:
        return describe(self.row.mode, self.row.rule, self.row.at)


def repeats_of(*, session: Session, task_ids: Iterable[int]) -> dict[int, RepeatRead]:
    """The series of each of ``task_ids`` that is an instance of one, in one query."""
    ids = list(task_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(SeriesInstance.task_id, Series)
        .join(Series, Series.id == SeriesInstance.series_id)
        .where(SeriesInstance.task_id.in_(ids))
    )
    return {
        task_id: RepeatRead(
            series_id=series.id,
            rule=series.rule,
            mode=series.mode,
            description=describe(series.mode, series.rule, series.at),
            next_date=series.next_date,
            ended=series.ended_at is not None,
        )
        for task_id, series in rows
    }


def series_form(*, session: Session, task_id: int) -> dict[str, str] | None:
    """The "Edit the series" form of the series ``task_id`` is an instance of, filled from the
    series as stored (None when the task is not one)."""
    series = session.scalar(
        select(Series)
        .join(SeriesInstance, SeriesInstance.series_id == Series.id)
        .where(SeriesInstance.task_id == task_id)
    )
    if series is None:
        return None
    from devday.dateparse import format_duration  # the page's, not the task list's, cost

    minutes = series.estimate_minutes
    return {
        "id": str(series.id),
        "repeat": series.text,
        "title": series.title,
        "importance": str(series.importance),
        "estimate_minutes": format_duration(minutes) if minutes else "",
        "version": str(series.version),
        "ended": "yes" if series.ended_at is not None else "",
    }
