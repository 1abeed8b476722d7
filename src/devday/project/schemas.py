from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from devday.ids import MAX_ID, IdField
from devday.inputs import InputModel


def _not_blank(name: str | None) -> str | None:
    if name is not None and not name.strip():
        raise ValueError("a name cannot be only spaces")
    return None if name is None else name.strip()


class ProjectCreate(InputModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"name": "api", "description": "Public REST API", "team_id": 1}]
        },
    )

    name: str = Field(min_length=1, max_length=100)
    description: str = Field(default="", max_length=5000)
    team_id: IdField | None = Field(
        default=None, description="The owning team; leave out for a personal project."
    )

    _name = field_validator("name")(_not_blank)


class ProjectUpdate(InputModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"name": "api-v2", "archived": False, "version": 1}]},
    )

    name: str | None = Field(default=None, min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=5000)
    archived: bool | None = None

    _name = field_validator("name")(_not_blank)
    version: int | None = Field(
        default=None,
        ge=1,
        le=2**31 - 1,
        description="The version you read; or send it as If-Match.",
    )


class ProjectRead(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": 4,
                    "name": "api",
                    "description": "Public REST API",
                    "team_id": 1,
                    "owner_id": None,
                    "archived": False,
                    "created_at": "2026-11-02T09:00:00Z",
                    "version": 1,
                }
            ]
        },
    )

    id: int
    name: str
    description: str
    team_id: int | None
    owner_id: int | None
    archived: bool
    created_at: datetime
    version: int


class ProjectListQuery(InputModel):
    """The query of GET /api/v1/projects. FastAPI reads it from the query string; the CLI's
    local fast path validates the same model."""

    name: str | None = Field(default=None, max_length=100, description="Exact name, any case")
    team_id: int | None = Field(
        default=None, ge=1, le=MAX_ID, description="Only this team's projects"
    )
    include_archived: bool = False
