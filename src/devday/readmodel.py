"""The base of the API's read models, and of the views they are read from.

A route returns the rows or dataclasses it read under ``response_model=XRead``; pydantic reads
their attributes (``from_attributes``), so nothing copies a row into a schema field by field.
Where a read model shows more than the row holds (a task's tags, a name looked up elsewhere), a
small ``RowView`` dataclass carries the row and the extra attributes.
"""

from __future__ import annotations

from typing import Any, Self

from pydantic import BaseModel, ConfigDict


class ReadModel(BaseModel):
    """What every ``XRead`` schema derives from."""

    model_config = ConfigDict(from_attributes=True)

    @classmethod
    def trusted(cls, values: dict[str, Any]) -> Self:
        """An instance holding ``values`` as they are, for pages of many rows whose every value
        is already of its field's type: neither validated nor passed through
        ``model_construct``, whose per-field look for aliases and defaults was a third of a
        1,000-task page's time. Every field must be given (a missing one is a KeyError, an
        extra one is left out); the fields keep their declared order, as the JSON does."""
        model = cls.__new__(cls)
        fields = cls.__pydantic_fields__
        _set(model, "__dict__", {name: values[name] for name in fields})
        _set(model, "__pydantic_fields_set__", set(fields))
        _set(model, "__pydantic_extra__", None)
        _set(model, "__pydantic_private__", None)
        return model


_set = object.__setattr__


class RowView:
    """A row together with what its read model adds. Subclasses are dataclasses whose first
    field is ``row``; any attribute they do not define is the row's."""

    row: Any

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name == "row":  # copy and pickle probe before ``row`` is set
            raise AttributeError(name)
        return getattr(self.row, name)
