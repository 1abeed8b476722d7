"""The base of the API's read models, and of the views they are read from.

A route returns the rows or dataclasses it read under ``response_model=XRead``; pydantic reads
their attributes (``from_attributes``), so nothing copies a row into a schema field by field.
Where a read model shows more than the row holds (a task's tags, a name looked up elsewhere), a
small ``RowView`` dataclass carries the row and the extra attributes.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class ReadModel(BaseModel):
    """What every ``XRead`` schema derives from."""

    model_config = ConfigDict(from_attributes=True)


class RowView:
    """A row together with what its read model adds. Subclasses are dataclasses whose first
    field is ``row``; any attribute they do not define is the row's."""

    row: Any

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name == "row":  # copy and pickle probe before ``row`` is set
            raise AttributeError(name)
        return getattr(self.row, name)
