"""What the forge API takes and gives."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import AfterValidator, ConfigDict, Field, StrictBool

from devday.forge import mapping
from devday.forge.models import ForgeConnection, ForgeKind, OnFinish
from devday.ids import IdField
from devday.inputs import InputModel
from devday.readmodel import ReadModel

DEFAULT_BASE = {
    ForgeKind.github: "https://api.github.com",
    ForgeKind.gitlab: "https://gitlab.com",
}
_REPO = re.compile(r"^[\w.\-]+(/[\w.\-]+)*$")
_LABEL = re.compile(r"^[^,\x00-\x1f\x7f]{1,100}$")


def _base_url(value: str) -> str:
    value = value.strip().rstrip("/")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("use an http:// or https:// URL, such as https://gitlab.example.com")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError("the base URL takes no query, fragment or user name")
    return value


def _repo(value: str) -> str:
    value = value.strip().strip("/")
    if not _REPO.match(value):
        raise ValueError(
            "write the repository as owner/name (GitHub), or the project's path such as "
            "group/project, or its numeric id (GitLab)"
        )
    return value


def _labels(values: list[str]) -> list[str]:
    cleaned: list[str] = []
    for raw in values:
        label = raw.strip()
        if not _LABEL.match(label):
            raise ValueError(f"label {raw!r}: 1 to 100 characters, no commas")
        if label not in cleaned:
            cleaned.append(label)
    return cleaned


def _importance_map(value: str) -> str:
    mapping.parse_importance_map(value)
    return value.strip()


BaseUrl = Annotated[str, Field(max_length=500), AfterValidator(_base_url)]
Repo = Annotated[str, Field(min_length=1, max_length=300), AfterValidator(_repo)]
Labels = Annotated[list[str], Field(max_length=20), AfterValidator(_labels)]
ImportanceMap = Annotated[str, Field(max_length=1000), AfterValidator(_importance_map)]
Login = Annotated[str, Field(max_length=100, pattern=r"^[\w.\-]*$")]
PollMinutes = Annotated[int, Field(ge=1, le=1440)]

_EXAMPLE: dict[str, Any] = {
    "kind": "github",
    "repo": "acme/api",
    "token": "github_pat_11AAAA...",
    "project_id": 4,
    "assignee": "alexdev",
    "labels": [],
    "importance_map": "priority:high=high, priority:critical=critical",
    "estimate_label": "estimate:",
    "on_finish": "close",
}


class ForgeCreate(InputModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_EXAMPLE]})

    kind: ForgeKind
    repo: Repo = Field(description="owner/name on GitHub; a project's path or id on GitLab")
    token: str = Field(min_length=1, max_length=500, pattern=r"^\S+$")
    base_url: BaseUrl | None = Field(
        default=None,
        description="GitHub's API root (default https://api.github.com; "
        "https://HOST/api/v3 for GitHub Enterprise) or the GitLab server "
        "(default https://gitlab.com)",
    )
    project_id: IdField | None = Field(default=None, description="Where the tasks go")
    assignee: Login = Field(default="", description="Only issues assigned to this forge login")
    labels: Labels = Field(default_factory=list, description="Only issues with all these labels")
    importance_map: ImportanceMap = mapping.DEFAULT_IMPORTANCE
    estimate_label: str = Field(default="estimate:", max_length=50, pattern=r"^[^,\s]*$")
    estimate_from_body: StrictBool = True
    on_finish: OnFinish = OnFinish.nothing
    poll_minutes: PollMinutes = 10


class ForgeUpdate(InputModel):
    """Only the fields sent change."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"on_finish": "comment"}]}
    )

    repo: Repo | None = None
    token: str | None = Field(default=None, min_length=1, max_length=500, pattern=r"^\S+$")
    base_url: BaseUrl | None = None
    project_id: IdField | None = None
    assignee: Login | None = None
    labels: Labels | None = None
    importance_map: ImportanceMap | None = None
    estimate_label: str | None = Field(default=None, max_length=50, pattern=r"^[^,\s]*$")
    estimate_from_body: StrictBool | None = None
    on_finish: OnFinish | None = None
    poll_minutes: PollMinutes | None = None


def token_hint(token: str) -> str:
    """What reads show of a token: its last four characters, when it is long enough to
    keep the rest secret."""
    return f"…{token[-4:]}" if len(token) >= 16 else "…"


class ForgeRead(ReadModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                _EXAMPLE
                | {
                    "id": 3,
                    "token": "…Xy7Q",
                    "base_url": "https://api.github.com",
                    "team_id": 1,
                    "estimate_from_body": True,
                    "poll_minutes": 10,
                    "last_synced_at": "2026-11-30T09:10:00Z",
                    "last_error": None,
                    "retry_at": None,
                    "created_at": "2026-11-30T09:00:00Z",
                }
            ]
        },
    )

    id: int
    kind: ForgeKind
    base_url: str
    repo: str
    token: str = Field(description="The token's last four characters only")
    project_id: int | None
    team_id: int | None
    assignee: str
    labels: list[str]
    importance_map: str
    estimate_label: str
    estimate_from_body: bool
    on_finish: OnFinish
    poll_minutes: int
    last_synced_at: datetime | None
    last_error: str | None
    retry_at: datetime | None = Field(description="After a rate limit: no request before then")
    created_at: datetime

    @classmethod
    def of(cls, row: ForgeConnection) -> ForgeRead:
        values = {name: getattr(row, name) for name in cls.model_fields if hasattr(row, name)}
        values["token"] = token_hint(row.token)
        values["labels"] = [label for label in row.labels.split(",") if label]
        return cls.model_validate(values)


class SyncRead(ReadModel):
    """What one sync did."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "not_modified": False,
                    "created": 12,
                    "updated": 2,
                    "finished": 1,
                    "error": None,
                    "retry_at": None,
                }
            ]
        },
    )

    not_modified: bool = Field(description="The forge answered 304: nothing changed")
    created: int
    updated: int
    finished: int
    error: str | None
    retry_at: datetime | None
