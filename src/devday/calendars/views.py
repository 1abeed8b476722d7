"""What the calendar subscriptions' reads show beside their rows."""

from __future__ import annotations

from dataclasses import dataclass

from devday.calendars.models import CalendarSource
from devday.calendars.schemas import masked
from devday.readmodel import RowView


@dataclass
class SourceView(RowView):
    """A subscription as ``CalendarRead`` shows it: the address's origin only, and whether a
    password is stored (never the password)."""

    row: CalendarSource

    @property
    def url(self) -> str:
        return masked(self.row.url)

    @property
    def has_password(self) -> bool:
        return bool(self.row.password)
