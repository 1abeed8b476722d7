"""Busy time as the Today and Week pages list it: one-off busy times the user entered (which
they can edit and remove there) and the events of their subscribed calendars (read-only, with
the calendar's name)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from devday.account.models import User
from devday.errors import Invalid
from devday.planning import service as planning_service
from devday.planning.models import BusyEvent
from devday.planning.schemas import BusyEventCreate


@dataclass(frozen=True)
class BusyRow:
    id: int
    title: str
    day: date
    start: str
    end: str
    calendar: str | None

    @property
    def editable(self) -> bool:
        return self.calendar is None


def busy_rows(*, session: Session, user: User, start: datetime, end: datetime) -> list[BusyRow]:
    busy = planning_service.list_busy(session=session, user=user, start=start, end=end)
    return rows_of(busy, user.timezone)


def rows_of(busy: list[tuple[BusyEvent, str | None]], timezone: str) -> list[BusyRow]:
    """``planning_service.list_busy``'s answer as the pages list it, in ``timezone``."""
    zone = ZoneInfo(timezone)
    return [
        BusyRow(
            id=event.id,
            title=event.title,
            day=event.start_at.astimezone(zone).date(),
            start=event.start_at.astimezone(zone).strftime("%H:%M"),
            end=event.end_at.astimezone(zone).strftime("%H:%M"),
            calendar=calendar,
        )
        for event, calendar in busy
    ]


def _clock(text: str, field: str) -> time:
    try:
        return time.fromisoformat(text.strip())
    except ValueError:
        raise Invalid("give a time as HH:MM, e.g. 14:30", field=field) from None


def from_form(user: User, *, title: str, day: str, start: str, end: str) -> BusyEventCreate:
    """The busy time a form describes, on ``day`` between two local times."""
    try:
        on = date.fromisoformat(day.strip())
    except ValueError:
        raise Invalid("give the day as YYYY-MM-DD", field="day") from None
    zone = ZoneInfo(user.timezone)
    begins = datetime.combine(on, _clock(start, "start"), tzinfo=zone)
    ends = datetime.combine(on, _clock(end, "end"), tzinfo=zone)
    if ends <= begins:
        raise Invalid("the busy time must end after it starts (same day)", field="end")
    return BusyEventCreate(title=title.strip(), start=begins, end=ends)
