"""Days as the API takes them: ``YYYY-MM-DD``, and nothing else.

Pydantic reads a number, or a string of digits, as seconds since 1970 when it expects a date, so
``"0"`` or ``0`` became 1 January 1970 on every database: a typo, or a client that sent the
wrong field, was taken for a real day. ``IsoDate`` refuses them with a 422 naming the field.
Pydantic only, so that schemas stay importable without FastAPI.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BeforeValidator

_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _iso_day(value: Any) -> Any:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _DAY.fullmatch(value):
        return value  # pydantic still checks that the day exists
    raise ValueError("use a date as YYYY-MM-DD")


IsoDate = Annotated[date, BeforeValidator(_iso_day)]
