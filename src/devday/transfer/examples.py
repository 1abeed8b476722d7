"""The examples the API document shows for moving in and out."""

from __future__ import annotations

from typing import Any

UUID = "2ed9c9bb-456a-4bc3-a3f9-4d42cc7ebded"

TASKWARRIOR: list[dict[str, Any]] = [
    {
        "uuid": UUID,
        "description": "Write the migration guide",
        "status": "pending",
        "entry": "20261130T090000Z",
        "project": "Docs",
        "tags": ["docs"],
        "priority": "H",
        "due": "20261204T170000Z",
        "scheduled": "20261202T000000Z",
        "estimate": "PT1H30M",
        "annotations": [{"entry": "20261130T093000Z", "description": "asked Sam for the outline"}],
    }
]

ACCOUNT: dict[str, Any] = {
    "format": "devday-export",
    "version": 1,
    "exported_at": "2026-11-30T09:00:00+00:00",
    "profile": {"email": "alex@example.com", "name": "Alex", "timezone": "Europe/Berlin"},
    "projects": [{"ref": 1, "name": "Docs", "description": "", "owner_id": "self"}],
    "tasks": [
        {
            "ref": 1,
            "owner_id": "self",
            "project_id": 1,
            "title": "Write the guide",
            "status": "todo",
        }
    ],
    "task_tags": [{"ref": 1, "task_id": 1, "tag": "docs"}],
    "time_entries": [],
    "routine": [],
}

COUNTS: dict[str, int] = {"projects": 1, "tasks": 1, "task_tags": 1, "time_entries": 0}
