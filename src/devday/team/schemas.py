from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

from devday.team.models import Role
from devday.timeutil import check_timezone


class TeamCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"name": "Backend", "timezone": "Europe/Berlin"}]},
    )

    name: str = Field(min_length=1, max_length=100)
    timezone: str = Field(default="UTC", max_length=64)

    _tz = field_validator("timezone")(check_timezone)


class TeamUpdate(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"name": "Platform"}]}
    )

    name: str | None = Field(default=None, min_length=1, max_length=100)
    timezone: str | None = Field(default=None, max_length=64)

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str | None) -> str | None:
        return None if value is None else check_timezone(value)


class TeamRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 1,
                    "name": "Backend",
                    "timezone": "Europe/Berlin",
                    "my_role": "owner",
                    "created_at": "2026-11-02T09:00:00Z",
                }
            ]
        },
    )

    id: int
    name: str
    timezone: str
    my_role: Role
    created_at: datetime


class MemberAdd(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"email": "sam@example.com", "role": "member"}]},
    )

    email: EmailStr = Field(max_length=254)
    role: Role = Role.member


class MemberUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"role": "manager"}]})

    role: Role


class MemberRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "user_id": 2,
                    "email": "sam@example.com",
                    "name": "Sam Lee",
                    "role": "member",
                    "timezone": "Europe/Lisbon",
                }
            ]
        },
    )

    user_id: int
    email: str
    name: str
    role: Role
    timezone: str
