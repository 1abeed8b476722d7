"""API shapes of apps, checks, results, history, incidents and maintenance windows."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from devday.checks import assertions as assertion_parser
from devday.checks.models import CheckState, IncidentStatus, Problem
from devday.ids import IdField
from devday.inputs import InputModel

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
_STATUS = re.compile(r"^([1-5])xx$|^([1-5]\d\d)(?:-([1-5]\d\d))?$")
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$")


def check_base_url(value: str) -> str:
    value = value.strip().rstrip("/")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("use an http:// or https:// URL with a host, like https://api.example.com")
    if parts.query or parts.fragment:
        raise ValueError("a base URL has no query or fragment; put those in a check's path")
    return value


def status_matches(patterns: list[str], status: int) -> bool:
    """Whether ``status`` is one of ``patterns`` (``200``, ``2xx``, ``200-299``)."""
    for pattern in patterns:
        match = _STATUS.match(pattern)
        if match is None:
            continue
        klass, low, high = match.groups()
        if klass is not None and status // 100 == int(klass):
            return True
        if low is not None and int(low) <= status <= int(high or low):
            return True
    return False


def _statuses(values: list[str]) -> list[str]:
    cleaned = []
    for raw in values:
        value = str(raw).strip().lower()
        match = _STATUS.match(value)
        if match is None or (match.group(3) and int(match.group(3)) < int(match.group(2))):
            raise ValueError(f"{raw!r}: use a status (200), a class (2xx) or a range (200-299)")
        cleaned.append(value)
    return cleaned


def _assertions(values: list[str]) -> list[str]:
    cleaned = []
    for index, raw in enumerate(values):
        try:
            cleaned.append(assertion_parser.parse(raw).source)
        except ValueError as exc:
            raise ValueError(f"assertion {index + 1} ({raw!r}): {exc}") from None
    return cleaned


def _headers(values: dict[str, str]) -> dict[str, str]:
    for name, value in values.items():
        if not _HEADER_NAME.match(name):
            raise ValueError(f"{name!r} is not a valid header name")
        if "\r" in value or "\n" in value or len(value) > 2000:
            raise ValueError(f"header {name}: one line of at most 2000 characters")
    return values


def check_path(value: str) -> str:
    """A path under the base URL. Checked by the service, not here: the API's error names
    drop a field called ``path`` (it reads as the URL path's location)."""
    value = value.strip()
    if not value.startswith("/") or any(c in value for c in " \r\n"):
        raise ValueError("a path starts with / and has no spaces, like /health?full=1")
    return value


def _method(value: str) -> str:
    value = value.strip().upper()
    if value not in METHODS:
        raise ValueError(f"use one of {', '.join(METHODS)}")
    return value


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown timezone {value!r}; use an IANA name like Europe/Berlin"
        ) from None
    return value


BaseUrl = Annotated[str, Field(min_length=1, max_length=2000), AfterValidator(check_base_url)]
Statuses = Annotated[list[str], Field(min_length=1, max_length=20), AfterValidator(_statuses)]
Assertions = Annotated[list[str], Field(max_length=20), AfterValidator(_assertions)]
Headers = Annotated[dict[str, str], Field(max_length=30), AfterValidator(_headers)]
Path = Annotated[str, Field(max_length=2000)]
Method = Annotated[str, AfterValidator(_method)]
Interval = Annotated[
    int, Field(ge=10, le=86_400, description="Seconds between runs: 10 to 86400 (a day)")
]
Timeout = Annotated[float, Field(gt=0, le=60, description="Seconds to wait for the answer")]
Streak = Annotated[int, Field(ge=1, le=100)]
Timezone = Annotated[str, AfterValidator(_timezone)]


class StakeholderIn(InputModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    role: str = Field(default="", max_length=50, description="qa, pm, ... (free text)")
    channel_id: IdField = Field(description="A channel of the app's team, or one of yours")


class StakeholderRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    role: str
    channel_id: int


_APP_EXAMPLE: dict[str, Any] = {
    "team_id": 1,
    "name": "orders-api",
    "base_url": "https://orders.example.com",
    "owner_id": 1,
    "response_target_minutes": 240,
    "reminder_minutes": 60,
    "stakeholders": [{"name": "QA", "role": "qa", "channel_id": 2}],
}


class AppCreate(InputModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_APP_EXAMPLE]})

    team_id: IdField
    name: str = Field(min_length=1, max_length=100)
    base_url: BaseUrl
    owner_id: IdField | None = Field(
        default=None, description="A member who fixes it; you when left out"
    )
    project_id: IdField | None = Field(
        default=None, description="A project of the team: incident tasks go into it"
    )
    response_target_minutes: int = Field(
        default=240, ge=5, le=43_200, description="An incident's task is due this long after"
    )
    reminder_minutes: int = Field(
        default=60, ge=5, le=10_080, description="Stakeholders are reminded this often"
    )
    stakeholders: list[StakeholderIn] = Field(default_factory=list, max_length=20)


class AppUpdate(InputModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"reminder_minutes": 30, "version": 1}]},
    )

    name: str | None = Field(default=None, min_length=1, max_length=100)
    base_url: BaseUrl | None = None
    owner_id: IdField | None = None
    project_id: IdField | None = None
    response_target_minutes: int | None = Field(default=None, ge=5, le=43_200)
    reminder_minutes: int | None = Field(default=None, ge=5, le=10_080)
    stakeholders: list[StakeholderIn] | None = Field(default=None, max_length=20)
    version: int | None = Field(default=None, ge=1, le=2**31 - 1)


class CheckSummary(BaseModel):
    """A check as lists show it: its current status and recent speed."""

    id: int
    name: str
    state: CheckState
    enabled: bool
    last_run_at: datetime | None
    last_latency_ms: float | None
    last_status_code: int | None
    last_error: str | None
    grade: str | None
    p50_ms: float | None = Field(description="Median latency over the last hour")
    p95_ms: float | None = Field(description="95th percentile latency over the last hour")
    open_incidents: int


class AppRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **_APP_EXAMPLE,
                    "id": 3,
                    "project_id": None,
                    "stakeholders": [{"id": 1, "name": "QA", "role": "qa", "channel_id": 2}],
                    "state": "up",
                    "checks": [],
                    "open_incidents": 0,
                    "created_at": "2026-11-30T09:00:00Z",
                    "version": 1,
                }
            ]
        }
    )

    id: int
    team_id: int
    name: str
    base_url: str
    owner_id: int
    project_id: int | None
    response_target_minutes: int
    reminder_minutes: int
    stakeholders: list[StakeholderRead]
    state: CheckState = Field(description="down if any check is down, up if all are up")
    checks: list[CheckSummary]
    open_incidents: int
    created_at: datetime
    version: int


_CHECK_EXAMPLE: dict[str, Any] = {
    "name": "health",
    "method": "GET",
    "path": "/health",
    "accepted_statuses": ["2xx"],
    "must_contain": "ok",
    "assertions": ['$.status == "ok"', "len($.items) > 0"],
    "latency_budget_ms": 500,
    "regression_factor": 2.0,
    "security": True,
    "interval_seconds": 60,
    "timeout_seconds": 10,
}


class CheckCreate(InputModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_CHECK_EXAMPLE]})

    name: str = Field(min_length=1, max_length=100)
    method: Method = "GET"
    path: Path = "/"
    headers: Headers = Field(default_factory=dict)
    body: str | None = Field(default=None, max_length=100_000)
    accepted_statuses: Statuses = Field(default_factory=lambda: ["2xx", "3xx"])
    must_contain: str | None = Field(default=None, min_length=1, max_length=500)
    must_not_contain: str | None = Field(default=None, min_length=1, max_length=500)
    assertions: Assertions = Field(
        default_factory=list,
        description='JSON body assertions, like `$.status == "ok"` or `len($.items) > 0`',
    )
    latency_budget_ms: int | None = Field(
        default=None, ge=1, le=600_000, description="Slower answers count as failures (slow)"
    )
    regression_factor: float | None = Field(
        default=None,
        ge=1.1,
        le=100,
        description="Alarm when the last hour's p95 exceeds the previous 7 days' p95 this many "
        "times",
    )
    tls: bool = Field(default=True, description="https: certificate expiry and validity")
    security: bool = Field(default=False, description="Grade the security headers (A+ to F)")
    interval_seconds: Interval = 60
    timeout_seconds: Timeout = 10.0
    fail_after: Streak = Field(default=3, description="Consecutive failures before an incident")
    recover_after: Streak = Field(default=2, description="Consecutive successes to recover")
    enabled: bool = True

    @model_validator(mode="after")
    def _timeout_within_interval(self) -> CheckCreate:
        if self.timeout_seconds > self.interval_seconds:
            raise ValueError("timeout_seconds may not exceed interval_seconds")
        return self


class CheckUpdate(InputModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"interval_seconds": 30, "version": 1}]},
    )

    name: str | None = Field(default=None, min_length=1, max_length=100)
    method: Method | None = None
    path: Path | None = None
    headers: Headers | None = None
    body: str | None = Field(default=None, max_length=100_000)
    accepted_statuses: Statuses | None = None
    must_contain: str | None = Field(default=None, min_length=1, max_length=500)
    must_not_contain: str | None = Field(default=None, min_length=1, max_length=500)
    assertions: Assertions | None = None
    latency_budget_ms: int | None = Field(default=None, ge=1, le=600_000)
    regression_factor: float | None = Field(default=None, ge=1.1, le=100)
    tls: bool | None = None
    security: bool | None = None
    interval_seconds: Interval | None = None
    timeout_seconds: Timeout | None = None
    fail_after: Streak | None = None
    recover_after: Streak | None = None
    enabled: bool | None = None
    version: int | None = Field(default=None, ge=1, le=2**31 - 1)


class CheckRead(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    **_CHECK_EXAMPLE,
                    "id": 7,
                    "app_id": 3,
                    "team_id": 1,
                    "url": "https://orders.example.com/health",
                    "headers": {},
                    "body": None,
                    "must_not_contain": None,
                    "fail_after": 3,
                    "recover_after": 2,
                    "enabled": True,
                    "tls": True,
                    "next_run_at": "2026-11-30T09:01:07.311Z",
                    "state": "up",
                    "last_run_at": "2026-11-30T09:00:07.311Z",
                    "last_latency_ms": 84.2,
                    "last_status_code": 200,
                    "last_error": None,
                    "last_grade": "A",
                    "baseline_grade": "A",
                    "cert_expires_at": "2027-02-01T00:00:00Z",
                    "created_at": "2026-11-30T09:00:00Z",
                    "version": 1,
                }
            ]
        },
    )

    id: int
    app_id: int
    team_id: int
    name: str
    url: str = Field(description="The app's base URL and the check's path")
    method: str
    path: str
    headers: dict[str, str]
    body: str | None
    accepted_statuses: list[str]
    must_contain: str | None
    must_not_contain: str | None
    assertions: list[str]
    latency_budget_ms: int | None
    regression_factor: float | None
    tls: bool
    security: bool
    interval_seconds: int
    timeout_seconds: float
    fail_after: int
    recover_after: int
    enabled: bool
    next_run_at: datetime
    state: CheckState
    last_run_at: datetime | None
    last_latency_ms: float | None
    last_status_code: int | None
    last_error: str | None
    last_grade: str | None
    baseline_grade: str | None
    cert_expires_at: datetime | None
    created_at: datetime
    version: int


class ResultRead(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": 901,
                    "due_at": "2026-11-30T09:00:07.311Z",
                    "started_at": "2026-11-30T09:00:07.320Z",
                    "ok": False,
                    "latency_ms": 612.0,
                    "status_code": 200,
                    "error": "slower than the 500 ms budget",
                    "problems": ["slow"],
                    "cert_expires_at": None,
                    "grade": "B",
                    "score": 70,
                }
            ]
        },
    )

    id: int
    due_at: datetime
    started_at: datetime
    ok: bool
    latency_ms: float | None
    status_code: int | None
    error: str | None
    problems: list[str]
    cert_expires_at: datetime | None
    grade: str | None
    score: int | None


class HistoryPoint(BaseModel):
    at: datetime = Field(description="Start of the bucket")
    runs: int
    failures: int
    uptime: float | None = Field(description="Share of runs that passed, 0 to 1")
    p50_ms: float | None
    p95_ms: float | None
    max_ms: float | None


class HistoryRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "check_id": 7,
                    "start": "2026-11-29T09:00:00Z",
                    "end": "2026-11-30T09:00:00Z",
                    "step_seconds": 900,
                    "source": "minute",
                    "points": [
                        {
                            "at": "2026-11-29T09:00:00Z",
                            "runs": 15,
                            "failures": 0,
                            "uptime": 1.0,
                            "p50_ms": 80.0,
                            "p95_ms": 150.0,
                            "max_ms": 180.0,
                        }
                    ],
                }
            ]
        }
    )

    check_id: int
    start: datetime
    end: datetime
    step_seconds: int
    source: str = Field(description="raw, minute, hour or day: the finest data read")
    points: list[HistoryPoint]


class IncidentRead(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": 5,
                    "check_id": 7,
                    "app_id": 3,
                    "team_id": 1,
                    "task_id": 42,
                    "problem": "down",
                    "status": "open",
                    "severity": 4,
                    "summary": "orders-api health is down: HTTP 503",
                    "evidence": {"status_code": 503, "error": "HTTP 503 is not accepted"},
                    "failures": 3,
                    "opened_at": "2026-11-30T09:03:00Z",
                    "last_seen_at": "2026-11-30T09:05:00Z",
                    "resolved_at": None,
                    "reminders_sent": 0,
                }
            ]
        },
    )

    id: int
    check_id: int
    app_id: int
    team_id: int
    task_id: int | None
    problem: Problem
    status: IncidentStatus
    severity: int = Field(description="1 (low) to 4 (critical), the task's importance")
    summary: str
    evidence: dict[str, Any]
    failures: int
    opened_at: datetime
    last_seen_at: datetime
    resolved_at: datetime | None
    reminders_sent: int


class MaintenanceCreate(InputModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "starts_at": "2026-12-06T02:00:00",
                    "duration_minutes": 60,
                    "timezone": "Europe/Berlin",
                    "rrule": "FREQ=WEEKLY;BYDAY=SU",
                    "reason": "weekly database upgrade",
                }
            ]
        },
    )

    starts_at: datetime = Field(
        description="Wall time in `timezone` (an offset, if given, is converted to it)"
    )
    duration_minutes: int = Field(ge=1, le=10_080)
    timezone: Timezone = "UTC"
    rrule: str | None = Field(
        default=None, max_length=500, description="RFC 5545 recurrence, like FREQ=WEEKLY;BYDAY=SU"
    )
    check_id: IdField | None = Field(default=None, description="One check only; else the app")
    reason: str = Field(default="", max_length=300)


class MaintenanceRead(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": 2,
                    "app_id": 3,
                    "check_id": None,
                    "starts_at": "2026-12-06T01:00:00Z",
                    "duration_minutes": 60,
                    "timezone": "Europe/Berlin",
                    "rrule": "FREQ=WEEKLY;BYDAY=SU",
                    "reason": "weekly database upgrade",
                    "active": False,
                }
            ]
        },
    )

    id: int
    app_id: int
    check_id: int | None
    starts_at: datetime
    duration_minutes: int
    timezone: str
    rrule: str | None
    reason: str
    active: bool = Field(default=False, description="Whether it mutes alerts right now")
