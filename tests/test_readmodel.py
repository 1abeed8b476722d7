"""``ReadModel.trusted``: the pages of many rows take their values as they are, and must give
the very model, and JSON, that validating the same values gives."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from devday.readmodel import ReadModel
from devday.task.models import Kind, Source, Status
from devday.task.schemas import TaskRead


def task_values() -> dict[str, Any]:
    values: dict[str, Any] = {
        "id": 17,
        "title": "Fix login rate limit",
        "notes": "Per-account limit is **missing**.",
        "notes_html": "<p>Per-account limit is <strong>missing</strong>.</p>",
        "status": Status.todo,
        "importance": 3,
        "priority": "P2",
        "deadline": datetime(2026, 12, 4, 16, tzinfo=UTC),
        "planned_date": date(2026, 12, 4),
        "estimate_minutes": 90,
        "actual_minutes": 45,
        "earliest_start": None,
        "splittable": True,
        "min_chunk_minutes": 30,
        "kind": Kind.coding,
        "tags": ["backend", "security"],
        "owner_id": 1,
        "team_id": None,
        "project_id": None,
        "assignee_id": 1,
        "depends_on": [3, 5],
        "source": Source.manual,
        "created_at": datetime(2026, 11, 30, 9, 12, tzinfo=UTC),
        "updated_at": datetime(2026, 11, 30, 9, 12, tzinfo=UTC),
        "completed_at": None,
        "version": 1,
    }
    return {name: values.get(name) for name in TaskRead.model_fields}


def test_a_trusted_model_is_the_validated_one() -> None:
    values = task_values()
    validated = TaskRead.model_validate(values)
    shuffled = dict(reversed(list(values.items())))  # as the columns of a query may come
    trusted = TaskRead.trusted({**shuffled, "not_a_field": "left out"})
    assert trusted == validated
    assert trusted.model_dump_json() == validated.model_dump_json()
    assert list(trusted.model_dump()) == list(TaskRead.model_fields)  # the declared order
    assert trusted.model_fields_set == validated.model_fields_set
    assert trusted.model_copy(update={"title": "Other"}).title == "Other"


def test_a_trusted_model_needs_every_field() -> None:
    values = task_values()
    del values["priority"]
    with pytest.raises(KeyError, match="priority"):
        TaskRead.trusted(values)


def test_every_read_model_can_be_trusted() -> None:
    class Small(ReadModel):
        id: int
        name: str = "unnamed"

    small = Small.trusted({"id": 1, "name": "x"})
    assert small == Small(id=1, name="x") and small.model_dump_json() == '{"id":1,"name":"x"}'
