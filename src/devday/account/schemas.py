from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from devday.emails import Email
from devday.inputs import InputModel
from devday.timeutil import check_timezone

BLANK_NAME = "name must not be blank"


def _name_given(value: str) -> str:
    """The name without surrounding spaces; a name of only spaces is no name."""
    if not value.strip():
        raise ValueError(BLANK_NAME)
    return value.strip()


class UserCreate(InputModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "email": "alex@example.com",
                    "name": "Alex Doe",
                    "password": "correct horse battery staple",
                    "timezone": "Europe/Berlin",
                }
            ]
        },
    )

    email: Email = Field(max_length=254)
    name: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=10, max_length=200)
    timezone: str = Field(default="UTC", max_length=64)

    _tz = field_validator("timezone")(check_timezone)
    _name = field_validator("name")(_name_given)


class UserUpdate(InputModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"name": "Alex D.", "timezone": "America/New_York"}]},
    )

    name: str | None = Field(default=None, min_length=1, max_length=100)
    timezone: str | None = Field(default=None, max_length=64)

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str | None) -> str | None:
        return None if value is None else check_timezone(value)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        return None if value is None else _name_given(value)


class UserRead(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": 1,
                    "email": "alex@example.com",
                    "name": "Alex Doe",
                    "timezone": "Europe/Berlin",
                    "created_at": "2026-11-02T09:00:00Z",
                }
            ]
        },
    )

    id: int
    email: str
    name: str
    timezone: str
    created_at: datetime


class TokenCreate(InputModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"name": "laptop CLI"}]}
    )

    name: str = Field(min_length=1, max_length=100)


class TokenLogin(InputModel):
    """Email and password exchanged for a new API token (what ``devday login`` sends)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "email": "alex@example.com",
                    "password": "correct horse battery staple",
                    "name": "laptop CLI",
                }
            ]
        },
    )

    email: Email = Field(max_length=254)
    password: str = Field(min_length=1, max_length=200)
    name: str = Field(default="CLI", min_length=1, max_length=100)


class TokenRead(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": 3,
                    "name": "laptop CLI",
                    "prefix": "dd_4f9a",
                    "created_at": "2026-11-02T09:00:00Z",
                    "last_used_at": "2026-11-03T10:12:00Z",
                    "revoked_at": None,
                }
            ]
        },
    )

    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(TokenRead):
    """The only answer that carries the secret: it is shown once and stored only hashed."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 3,
                    "name": "laptop CLI",
                    "prefix": "dd_4f9a",
                    "token": "dd_4f9a8c...",
                    "created_at": "2026-11-02T09:00:00Z",
                    "last_used_at": None,
                    "revoked_at": None,
                }
            ]
        },
    )

    token: str


class PasswordResetRequest(BaseModel):
    """Ask for a password reset link by email (the answer is the same for unknown addresses)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"email": "alex@example.com"}]}
    )

    email: Email = Field(max_length=254)


class PasswordReset(BaseModel):
    """The token from a reset link and the new password."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"token": "WzEsImQ0ZT...", "password": "a brand new passphrase"}]
        },
    )

    token: str = Field(min_length=1, max_length=500)
    password: str = Field(min_length=10, max_length=200)


class NewPassword(BaseModel):
    """A password an operator sets for an account (``devday user reset-password``)."""

    model_config = ConfigDict(extra="forbid")

    password: str = Field(min_length=10, max_length=200)


class PasswordChange(BaseModel):
    """The current password and the new one (other browsers are signed out)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "current_password": "correct horse battery staple",
                    "new_password": "a brand new passphrase",
                }
            ]
        },
    )

    current_password: str = Field(min_length=1, max_length=200)
    new_password: str = Field(min_length=10, max_length=200)


class AccountDelete(BaseModel):
    """The password, to delete the account and everything only it owns."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"password": "correct horse battery staple"}]},
    )

    password: str = Field(min_length=1, max_length=200)


class ResetRequested(BaseModel):
    """The same answer whether or not an account uses the address."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"detail": "if an account uses this address, a reset link is on its way to it"}
            ]
        }
    )

    detail: str
