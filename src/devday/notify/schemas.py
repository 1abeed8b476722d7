from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from devday.ids import IdField
from devday.inputs import InputModel
from devday.notify import apprise_target
from devday.notify.models import ChannelKind, OutboxStatus


def check_target(kind: ChannelKind, target: str) -> str:
    """An email address for email channels, an Apprise URL of a service devday sends to for
    Apprise channels, an http(s) URL with a host for the others."""
    target = target.strip()
    if kind == ChannelKind.apprise:
        return apprise_target.check(target)
    if kind == ChannelKind.email:
        try:
            return validate_email(target, check_deliverability=False).normalized
        except EmailNotValidError as exc:
            raise ValueError(f"not an email address: {exc}") from None
    parts = urlsplit(target)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"a {kind} channel needs an http:// or https:// URL")
    return target


def masked(kind: ChannelKind, target: str) -> str:
    """What reads show of a target: chat webhook URLs are credentials, so only their origin."""
    if kind == ChannelKind.email:
        return target
    if kind == ChannelKind.apprise:
        return apprise_target.masked(target)
    parts = urlsplit(target)
    return f"{parts.scheme}://{parts.netloc}/…"


class ChannelCreate(InputModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "kind": "slack",
                    "name": "#backend",
                    "target": "https://hooks.slack.com/services/T000/B000/XXXX",
                    "team_id": 1,
                },
                {"kind": "email", "name": "my inbox", "target": "alex@example.com"},
            ]
        },
    )

    kind: ChannelKind
    name: str = Field(min_length=1, max_length=100)
    target: str = Field(
        min_length=1,
        max_length=2000,
        description="An email address (email), an Apprise URL such as ntfys://ntfy.example.com/"
        "topic (apprise), or the http(s) URL to post to (the others).",
    )
    team_id: IdField | None = Field(
        default=None, description="The owning team; leave out for a personal channel."
    )

    @field_validator("target")
    @classmethod
    def _target(cls, value: str, info: ValidationInfo) -> str:
        kind = info.data.get("kind")
        return value if kind is None else check_target(kind, value)


class ChannelRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 2,
                    "kind": "slack",
                    "name": "#backend",
                    "target": "https://hooks.slack.com/…",
                    "user_id": None,
                    "team_id": 1,
                    "created_at": "2026-11-02T09:00:00Z",
                }
            ]
        },
    )

    id: int
    kind: ChannelKind
    name: str
    target: str = Field(description="The email address; for URLs only their origin.")
    user_id: int | None
    team_id: int | None
    created_at: datetime


class ChannelCreated(ChannelRead):
    """The only answer that carries the webhook signing secret: store it now."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 3,
                    "kind": "webhook",
                    "name": "ops bridge",
                    "target": "https://ops.example.com/…",
                    "user_id": 1,
                    "team_id": None,
                    "created_at": "2026-11-02T09:00:00Z",
                    "secret": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                }
            ]
        },
    )

    secret: str = Field(
        description="Generic webhooks are signed with it: "
        "X-Devday-Signature: sha256=<hex HMAC-SHA256 of the raw body>."
    )


class ChannelTest(InputModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"text": "Hello from devday: this channel works."}]},
    )

    text: str | None = Field(default=None, min_length=1, max_length=2000)


class OutboxRead(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": 41,
                    "delivery_id": "5f1c9a0e2b7d4c3e8a6f1d2c3b4a5e6f",
                    "channel_id": 2,
                    "user_id": None,
                    "team_id": 1,
                    "kind": "slack",
                    "subject": "End-of-day report",
                    "status": "pending",
                    "attempts": 2,
                    "next_attempt_at": "2026-11-30T17:12:00Z",
                    "last_error": "HTTP 503 from hooks.slack.com",
                    "created_at": "2026-11-30T17:00:00Z",
                    "delivered_at": None,
                }
            ]
        },
    )

    id: int
    delivery_id: str
    channel_id: int | None = Field(description="None once the channel was deleted.")
    user_id: int | None
    team_id: int | None
    kind: ChannelKind
    subject: str
    status: OutboxStatus
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None
