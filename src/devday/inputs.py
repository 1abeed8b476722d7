"""The API's input types: what the API, the web forms and the CLI accept as dates, instants
and text, by the rules of ``devday.input_rules``.

``Day``, ``Moment``, ``Line`` and ``Text`` are the annotated types for one field or parameter;
``InputModel`` applies the same rules to every field of a request schema (lists and dictionaries
included), so that a field added later is covered without anyone remembering it. Pydantic only,
so that the schemas stay importable without FastAPI.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, field_validator

from devday.input_rules import (
    MAX_YEAR,
    MIN_YEAR,
    RANGE,
    checked,
    day_in_range,
    line_clean,
    moment_in_range,
    text_clean,
    without_controls,
)
from devday.isodate import IsoDate

__all__ = [
    "MAX_YEAR",
    "MIN_YEAR",
    "RANGE",
    "Day",
    "InputModel",
    "Line",
    "Moment",
    "Text",
    "day_in_range",
    "line_clean",
    "moment_in_range",
    "text_clean",
    "without_controls",
]

# A day is written YYYY-MM-DD (a number is not a day) and lies in the range.
Day = Annotated[IsoDate, AfterValidator(day_in_range)]
Moment = Annotated[datetime, AfterValidator(moment_in_range)]
Text = Annotated[str, AfterValidator(text_clean)]
Line = Annotated[str, AfterValidator(line_clean)]


class InputModel(BaseModel):
    """The base of every request body and query model: the same rules on every field."""

    @field_validator("*", mode="after")
    @classmethod
    def _inputs_in_range(cls, value: Any) -> Any:
        return checked(value)
