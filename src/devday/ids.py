"""Id types for paths, queries and bodies: positive and within PostgreSQL's ``integer``.

Without the bound a huge id would reach the database driver and fail there (a 500) instead of
being refused as bad input.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query
from pydantic import Field

MAX_ID = 2**31 - 1

IdField = Annotated[int, Field(ge=1, le=MAX_ID)]
IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
IdQuery = Annotated[int | None, Query(ge=1, le=MAX_ID)]
