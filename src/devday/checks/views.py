"""What the app-check pages show, built from the checks service: rows of checks with their
sparkline, a check's latency chart over a range, its grade history, and incidents as lists
show them. Plain functions over a caller's session; the page module renders them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from devday import timetext
from devday.account.models import User
from devday.checks import service as checks_service
from devday.checks.models import App, Check, CheckRollup, Incident
from devday.checks.schemas import CheckSummary
from devday.web.charts.checks import (
    LatencyPoint,
    latency_chart,
    milliseconds,
    sparkline,
    time_ticks,
)

# The chart ranges: (label, length, buckets). Each bucket count makes the history read the
# coarsest roll-ups that still show the range's shape (minutes, hours, days), which keeps
# every page well under 50 ms: a month is 30 daily points, a week 84 two-hour points.
RANGES: dict[str, tuple[str, timedelta, int]] = {
    "1h": ("1 hour", timedelta(hours=1), 60),
    "24h": ("24 hours", timedelta(hours=24), 48),
    "7d": ("7 days", timedelta(days=7), 84),
    "30d": ("30 days", timedelta(days=30), 30),
}
DEFAULT_RANGE = "24h"
SPARK_RANGE = timedelta(hours=24)
SPARK_POINTS = 24
GRADE_DAYS = 30
# How the evidence an incident keeps is labelled; anything else shows under its own key.
EVIDENCE_LABELS = {
    "at": "Seen at",
    "status_code": "HTTP status",
    "latency_ms": "Latency",
    "error": "Error",
    "body_start": "Body (start)",
    "cert_expires_at": "Certificate expires",
    "grade": "Security grade",
    "score": "Score",
    "failed_tests": "Failed header tests",
}


@dataclass(frozen=True)
class CheckRow:
    summary: CheckSummary
    spark: Markup


@dataclass(frozen=True)
class AppCard:
    app: App
    state: str
    open_incidents: int
    checks: list[CheckRow]


@dataclass(frozen=True)
class CheckPanel:
    check: Check
    summary: CheckSummary
    chart: Markup
    grades: list[tuple[str, str]]  # (grade, when), newest first


@dataclass(frozen=True)
class IncidentRow:
    incident: Incident
    app_name: str
    check_name: str
    evidence: list[tuple[str, str]]
    duration: str


def _history(
    session: Session, user: User, check_id: int, start: datetime, end: datetime, points: int
) -> list[LatencyPoint]:
    history = checks_service.history(
        session=session, user=user, check_id=check_id, start=start, end=end, points=points
    )
    return [
        LatencyPoint(at=p.at, p50_ms=p.p50_ms, p95_ms=p.p95_ms, runs=p.runs, failures=p.failures)
        for p in history.points
    ]


def app_cards(*, session: Session, user: User, now: datetime) -> list[AppCard]:
    """The caller's teams' apps, each check with its current status and a 24-hour sparkline
    of its p95 latency."""
    apps = checks_service.list_apps(session=session, user=user)
    views = checks_service.app_views(session=session, apps=apps, now=now)
    cards = []
    for app, view in zip(apps, views, strict=True):
        rows = []
        for summary in view.checks:
            points = _history(session, user, summary.id, now - SPARK_RANGE, now, SPARK_POINTS)
            label = (
                f"{summary.name}: p95 latency over the last 24 hours, "
                f"up to {milliseconds(max((p.p95_ms or 0 for p in points), default=0))}"
            )
            spark = sparkline([p.p95_ms for p in points], label=label)
            rows.append(CheckRow(summary=summary, spark=spark))
        cards.append(
            AppCard(
                app=app, state=view.state.value, open_incidents=view.open_incidents, checks=rows
            )
        )
    return cards


def check_panels(
    *, session: Session, user: User, app: App, range_key: str, now: datetime, zone: ZoneInfo
) -> list[CheckPanel]:
    """Each check of ``app`` with its latency chart over the range and its grade history."""
    _, length, buckets = RANGES[range_key]
    checks = checks_service.list_checks(session=session, user=user, app_id=app.id)
    summaries = checks_service.check_summaries(session=session, checks=checks, now=now)
    ticks = time_ticks(now - length, now, zone)
    panels = []
    for check, summary in zip(checks, summaries, strict=True):
        points = _history(session, user, check.id, now - length, now, buckets)
        chart = latency_chart(
            points=points,
            start=now - length,
            end=now,
            ticks=ticks,
            label=f"{check.name}: latency p50 and p95 over {RANGES[range_key][0]}",
            chart_id=f"latency-{check.id}",
        )
        panels.append(
            CheckPanel(
                check=check,
                summary=summary,
                chart=chart,
                grades=grade_history(session=session, check=check, now=now, zone=zone),
            )
        )
    return panels


def grade_history(
    *, session: Session, check: Check, now: datetime, zone: ZoneInfo
) -> list[tuple[str, str]]:
    """The check's security grade over the last 30 days, newest first, one entry per run of
    days with the same (worst) grade: from the daily roll-ups, then the latest run's grade."""
    if not check.security:
        return []
    rows = session.execute(
        select(CheckRollup.bucket_at, CheckRollup.worst_grade)
        .where(
            CheckRollup.check_id == check.id,
            CheckRollup.resolution == "day",
            CheckRollup.bucket_at >= now - timedelta(days=GRADE_DAYS),
            CheckRollup.worst_grade.is_not(None),
        )
        .order_by(CheckRollup.bucket_at)
    ).all()
    days: list[tuple[datetime, str]] = [(at, grade) for at, grade in rows if grade]
    if check.last_grade and check.last_run_at is not None:
        days.append((check.last_run_at, check.last_grade))
    spans: list[list[Any]] = []  # [grade, first, last]
    for at, grade in days:
        if spans and spans[-1][0] == grade:
            spans[-1][2] = at
        else:
            spans.append([grade, at, at])
    out = []
    for index, (grade, first, last) in enumerate(reversed(spans)):
        first_day = timetext.day(first.astimezone(zone).date(), zone.key, now)
        last_day = timetext.day(last.astimezone(zone).date(), zone.key, now)
        if index == 0:
            when = f"since {first_day}"
        elif first_day == last_day:
            when = first_day
        else:
            when = f"{first_day} to {last_day}"
        out.append((grade, when))
    return out


def incident_rows(
    *, session: Session, user: User, incidents: list[Incident], now: datetime, zone: ZoneInfo
) -> list[IncidentRow]:
    apps = {a.id: a.name for a in checks_service.list_apps(session=session, user=user)}
    checks = {c.id: c.name for c in checks_service.list_checks(session=session, user=user)}
    rows = []
    for incident in incidents:
        ended = incident.resolved_at or now
        rows.append(
            IncidentRow(
                incident=incident,
                app_name=apps.get(incident.app_id, f"app {incident.app_id}"),
                check_name=checks.get(incident.check_id, f"check {incident.check_id}"),
                evidence=evidence(incident.evidence or {}, zone, now),
                duration=_duration(ended - incident.opened_at),
            )
        )
    return rows


def evidence(values: dict[str, Any], zone: ZoneInfo, now: datetime) -> list[tuple[str, str]]:
    """An incident's evidence as (label, text) pairs, in a fixed order, empties left out."""
    out = []
    keys = [k for k in EVIDENCE_LABELS if k in values] + sorted(
        k for k in values if k not in EVIDENCE_LABELS
    )
    for key in keys:
        value = values[key]
        if value is None or value == "" or value == []:
            continue
        if key == "latency_ms" and isinstance(value, int | float):
            text = milliseconds(float(value))
        elif key in ("at", "cert_expires_at") and isinstance(value, str):
            text = _local_text(value, zone, now)
        elif isinstance(value, list):
            text = ", ".join(_short(item) for item in value)
        else:
            text = _short(value)
        out.append((EVIDENCE_LABELS.get(key, key.replace("_", " ").capitalize()), text))
    return out


def _short(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())[:300]
    return str(value)[:300]


def _local_text(value: str, zone: ZoneInfo, now: datetime) -> str:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is None:
        return value
    return timetext.moment(moment, zone.key, now)


def _duration(length: timedelta) -> str:
    minutes = max(int(length.total_seconds() // 60), 0)
    days, rest = divmod(minutes, 1440)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m"
