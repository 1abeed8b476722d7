"""How instants and days are written for people: in their timezone, with the year when it is
not the current one.

"Current" is the year of ``now`` (the app's clock, never the machine's) in the same timezone,
so that a deadline of next January reads "Mon 04 Jan 2027 17:00" in December and "Mon 04 Jan
17:00" once January has come. Every page, message and CLI line that shows a date uses these.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

#: An instant as the pages and the CLI show it; ``YEAR_MOMENT`` when its year is not this one.
MOMENT = "%a %d %b %H:%M"
YEAR_MOMENT = "%a %d %b %Y %H:%M"
#: A day as the pages show it; ``YEAR_DAY`` when its year is not this one.
DAY = "%a %d %b"
YEAR_DAY = "%a %d %b %Y"


def moment(value: datetime, timezone: str, now: datetime) -> str:
    """``value`` in ``timezone`` as "Fri 04 Dec 17:00", or "Mon 04 Jan 2027 17:00" when its
    year there is not the year of ``now`` there."""
    zone = ZoneInfo(timezone)
    local = value.astimezone(zone)
    same_year = local.year == now.astimezone(zone).year
    return local.strftime(MOMENT if same_year else YEAR_MOMENT)


def day(value: date, timezone: str, now: datetime, *, long: bool = False) -> str:
    """``value`` as "Fri 04 Dec" (``long``: "Friday 04 December"), with the year after it when
    it is not the year of ``now`` in ``timezone``."""
    pattern = "%A %d %B" if long else DAY
    if value.year != now.astimezone(ZoneInfo(timezone)).year:
        pattern += " %Y"
    return value.strftime(pattern)
