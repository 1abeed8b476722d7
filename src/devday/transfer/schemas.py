from __future__ import annotations

from devday.readmodel import ReadModel


class ImportReportRead(ReadModel):
    """What an import did: tasks created, updated, left as they were, and skipped."""

    created: int
    updated: int
    unchanged: int
    skipped: int
    projects_created: list[str]
    notes: list[str]
