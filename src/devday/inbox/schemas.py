from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from devday.ids import IdField
from devday.inbox.models import EventKind, ItemSource, ItemStatus
from devday.inputs import InputModel
from devday.task.schemas import Deadline, Importance, Instant, Minutes

Version = Field(default=None, ge=1, le=2**31 - 1, description="The version you read, or If-Match")
SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$")


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC)


class AskCreate(InputModel):
    """A request from a colleague: to a teammate (``recipient_id``), to a team (``team_id``),
    or to a teammate within a team (both)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "recipient_id": 2,
                    "subject": "Can you review the auth PR by Thu?",
                    "body": "It is #231; the token refresh part needs a second pair of eyes.",
                },
                {"team_id": 1, "subject": "Staging is slow since this morning", "body": ""},
            ]
        },
    )

    recipient_id: IdField | None = Field(default=None, description="A member of one of your teams")
    team_id: IdField | None = Field(default=None, description="One of your teams")
    subject: str = Field(min_length=1, max_length=300)
    body: str = Field(default="", max_length=20_000)

    @field_validator("subject")
    @classmethod
    def _subject(cls, value: str) -> str:
        value = " ".join(value.split())
        if not value:
            raise ValueError("write what you ask for")
        return value


class EventRead(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "kind": "forwarded",
                    "actor_id": 2,
                    "actor_name": "Sam Okafor",
                    "to_user_id": 3,
                    "to_user_name": "Priya Natarajan",
                    "note": "Priya knows the auth code best",
                    "at": "2026-11-30T09:30:00Z",
                }
            ]
        },
    )

    kind: EventKind
    actor_id: int | None
    actor_name: str | None
    to_user_id: int | None
    to_user_name: str | None
    note: str
    at: datetime

    @field_validator("at")
    @classmethod
    def _at_utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)


class SuggestionRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "importance": 3,
                    "priority": "P2",
                    "deadline": "2026-12-03T17:00:00Z",
                    "reason": "it is due within a day",
                }
            ]
        }
    )

    importance: int
    priority: str
    deadline: datetime | None = Field(description="Read from the text, such as 'by Thu'")
    reason: str

    @field_validator("deadline")
    @classmethod
    def _deadline_utc(cls, value: datetime | None) -> datetime | None:
        return _utc(value)


_ITEM_EXAMPLE: dict[str, Any] = {
    "id": 12,
    "team_id": 1,
    "recipient_id": 1,
    "recipient_name": "Alex Morgan",
    "sender_id": 2,
    "sender_email": "sam@demo.devday.dev",
    "sender_name": "Sam Okafor",
    "subject": "Can you review the auth PR by Thu?",
    "body": "It is #231.",
    "source": "colleague",
    "status": "open",
    "received_at": "2026-11-30T08:40:00Z",
    "answered_at": None,
    "snoozed_until": None,
    "task_id": None,
    "reply": "",
    "suggestion": {
        "importance": 2,
        "priority": "P3",
        "deadline": "2026-12-03T17:00:00Z",
        "reason": "nothing in the text says otherwise",
    },
    "events": [],
    "version": 1,
}


class InboxItemRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_ITEM_EXAMPLE]})

    id: int
    team_id: int | None
    recipient_id: int | None = Field(description="None while a team's request is unassigned")
    recipient_name: str | None
    sender_id: int | None = Field(description="The colleague who asked; None from outside")
    sender_email: str | None
    sender_name: str | None
    subject: str
    body: str
    source: ItemSource
    status: ItemStatus
    received_at: datetime
    answered_at: datetime | None
    snoozed_until: datetime | None
    task_id: int | None = Field(description="The task made when it was accepted")
    task_status: str | None = Field(
        default=None,
        description="Where that task stands (todo, doing, done, dropped), for the requester too",
    )
    reply: str = Field(description="The answer sent with a decline (or the note on accept)")
    suggestion: SuggestionRead = Field(description="What accepting it would suggest")
    events: list[EventRead]
    version: int

    @field_validator("received_at", "answered_at", "snoozed_until")
    @classmethod
    def _times_utc(cls, value: datetime | None) -> datetime | None:
        return _utc(value)


class InboxPage(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"items": [_ITEM_EXAMPLE], "limit": 50, "offset": 0, "next_offset": None}]
        }
    )

    items: list[InboxItemRead]
    limit: int
    offset: int
    next_offset: int | None


class AcceptIn(InputModel):
    """Fields left out take the suggestion read from the request."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"importance": 3, "deadline": "2026-12-03T17:00:00+01:00", "version": 1},
                {"title": "Review the auth PR", "estimate_minutes": 45, "version": 1},
            ]
        },
    )

    title: str | None = Field(default=None, min_length=1, max_length=300)
    importance: Importance | None = None
    deadline: Deadline | None = None
    no_deadline: bool = Field(default=False, description="Make the task with no deadline")
    estimate_minutes: Minutes | None = None
    project_id: IdField | None = None
    reply: str = Field(default="", max_length=5000, description="A note sent to the requester")
    version: int | None = Version


class DeclineIn(InputModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"reply": "Not this week, sorry; Priya owns that part now.", "version": 1}]
        },
    )

    reply: str = Field(min_length=1, max_length=5000, description="Sent to the requester")
    version: int | None = Version


class SnoozeIn(InputModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"until": "2026-12-01T09:00:00+01:00", "version": 1}]},
    )

    until: Instant = Field(description="When it comes back into the open list")
    version: int | None = Version


class ForwardIn(InputModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"to_user_id": 3, "note": "Priya knows this code best", "version": 1}]
        },
    )

    to_user_id: IdField = Field(description="A teammate")
    note: str = Field(default="", max_length=2000)
    version: int | None = Version


class TeamInboxRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "team_id": 1,
                    "slug": "backend",
                    "help_form": True,
                    "help_url": "/help/backend",
                    "address": "backend@devday.example.com",
                    "imap_enabled": True,
                    "imap_host": "imap.example.com",
                    "imap_port": 993,
                    "imap_tls": True,
                    "imap_user": "backend-requests@example.com",
                    "imap_password_set": True,
                    "imap_folder": "INBOX",
                    "poll_minutes": 5,
                    "last_polled_at": "2026-11-30T08:55:00Z",
                    "last_error": None,
                    "version": 2,
                }
            ]
        }
    )

    team_id: int
    slug: str
    help_form: bool
    help_url: str | None
    address: str | None = Field(description="Mail here reaches the team (with DEVDAY_SMTP_LISTEN)")
    imap_enabled: bool
    imap_host: str
    imap_port: int
    imap_tls: bool
    imap_user: str
    imap_password_set: bool = Field(description="The password itself is never shown")
    imap_folder: str
    poll_minutes: int
    last_polled_at: datetime | None
    last_error: str | None
    version: int | None = Field(description="None until the inbox is set up")


class TeamInboxUpdate(InputModel):
    """Only the fields sent change. Leave out ``imap_password`` to keep the stored one."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "slug": "backend",
                    "help_form": True,
                    "imap_enabled": True,
                    "imap_host": "imap.example.com",
                    "imap_user": "backend-requests@example.com",
                    "imap_password": "app-password",
                    "version": 1,
                }
            ]
        },
    )

    slug: str | None = Field(default=None, min_length=1, max_length=60)
    help_form: bool | None = None
    imap_enabled: bool | None = None
    imap_host: str | None = Field(default=None, max_length=253)
    imap_port: int | None = Field(default=None, ge=1, le=65535)
    imap_tls: bool | None = None
    imap_user: str | None = Field(default=None, max_length=254)
    imap_password: str | None = Field(default=None, max_length=500)
    imap_folder: str | None = Field(default=None, min_length=1, max_length=200)
    poll_minutes: int | None = Field(default=None, ge=1, le=1440)
    version: int | None = Field(
        default=None, ge=1, le=2**31 - 1, description="The version you read; none the first time"
    )

    @field_validator("slug")
    @classmethod
    def _slug(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip().lower()
        if not SLUG.match(value):
            raise ValueError("lowercase letters, digits and dashes, like 'backend-help'")
        return value


class PollRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"fetched": 3, "new": 2, "error": None}]}
    )

    fetched: int = Field(description="Unseen mails read from the mailbox")
    new: int = Field(description="Items made from them (the others were already in)")
    error: str | None
