from __future__ import annotations

from pydantic import ConfigDict, Field

from devday.inputs import InputModel
from devday.readmodel import ReadModel


class TodoistImport(InputModel):
    """A Todoist CSV file's text and the project its tasks go in."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"csv": "TYPE,CONTENT,PRIORITY\ntask,Write the post,1\n", "project": "Blog"}
            ]
        },
    )

    csv: str = Field(max_length=50_000_000)
    project: str = Field(min_length=1, max_length=100)


class ImportReportRead(ReadModel):
    """What an import did: tasks created, updated, left as they were, and skipped (and why)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "created": 5,
                    "updated": 1,
                    "unchanged": 0,
                    "skipped": 1,
                    "skipped_reasons": [
                        "tasks[3]: 'Standup' is a recurring template (its instances are imported)"
                    ],
                    "projects_created": ["Docs"],
                    "notes": [],
                }
            ]
        }
    )

    created: int
    updated: int
    unchanged: int
    skipped: int
    skipped_reasons: list[str]
    projects_created: list[str]
    notes: list[str]
