"""Id types for bodies and query models: positive and within PostgreSQL's ``integer``.

Without the bound a huge id would reach the database driver and fail there (a 500) instead of
being refused as bad input. Pydantic only, so that schemas stay importable without FastAPI; the
path and query parameter forms are ``devday.deps.IdPath`` and ``IdQuery``.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

MAX_ID = 2**31 - 1

IdField = Annotated[int, Field(ge=1, le=MAX_ID)]
