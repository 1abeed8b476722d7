"""From verdicts to incidents: retry streaks, one open incident per problem, tasks, messages.

A problem becomes *failing* after ``fail_after`` consecutive runs that found it and stops after
``recover_after`` consecutive runs that did not. A failing problem has one open incident (a
repeat updates it, never opens another); it becomes a task on the app owner's list and is told
to the app's stakeholders through the outbox on open, on resolve, when it gets worse, and every
``reminder_minutes`` while open. A maintenance window mutes all of that: runs still record and
streaks still count, but no incident opens and nothing is sent; an incident still failing when
the window ends opens then.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from devday import importance
from devday.account.models import User
from devday.checks.judge import Finding, Verdict, grade_rank
from devday.checks.models import (
    App,
    Check,
    CheckState,
    Incident,
    IncidentStatus,
    Problem,
    Stakeholder,
)
from devday.checks.probe import ProbeResult
from devday.errors import Invalid
from devday.notify import service as notify_service
from devday.notify.models import Channel
from devday.task import service as task_service
from devday.task.models import Kind, Source, Status, Task
from devday.task.schemas import TaskCreate, TaskUpdate

NOUN = {
    Problem.down: "is down",
    Problem.slow: "is slow",
    Problem.regression: "got slower",
    Problem.certificate: "has a certificate problem",
    Problem.security: "lost security grade",
}


def open_key(check_id: int, problem: Problem) -> str:
    return f"{check_id}:{problem.value}"


def open_incidents(session: Session, check_ids: list[int]) -> dict[tuple[int, Problem], Incident]:
    if not check_ids:
        return {}
    rows = session.scalars(
        select(Incident).where(
            Incident.check_id.in_(check_ids), Incident.status == IncidentStatus.open
        )
    )
    return {(i.check_id, i.problem): i for i in rows}


def apply(
    session: Session,
    *,
    check: Check,
    app: App,
    result: ProbeResult,
    verdict: Verdict,
    now: datetime,
    muted: bool,
    incidents: dict[tuple[int, Problem], Incident],
) -> None:
    """Updates ``check``'s streaks and state from one run, and its incidents."""
    streaks = {key: list(value) for key, value in (check.streaks or {}).items()}
    evidence = _evidence(result)
    for problem in verdict.evaluated | set(verdict.findings):
        fails, oks, failing = streaks.get(problem.value) or [0, 0, 0]
        finding = verdict.findings.get(problem)
        if finding is not None:
            fails, oks = fails + 1, 0
            if fails >= check.fail_after:
                failing = 1
        else:
            fails, oks = 0, oks + 1
            if oks >= check.recover_after:
                failing = 0
        streaks[problem.value] = [fails, oks, failing]
        incident = incidents.get((check.id, problem))
        if finding is not None and failing:
            if incident is not None:
                touch(session, incident, app, finding, evidence, now, muted=muted)
            elif not muted:
                incidents[(check.id, problem)] = open_incident(
                    session, check, app, finding, evidence, now, failures=fails
                )
        elif not failing and incident is not None:
            resolve(session, incident, app, now, muted=muted, runs=oks)
            del incidents[(check.id, problem)]
    check.streaks = streaks
    check.state = _state(streaks)
    if check.security and result.grade is not None:
        if check.baseline_grade is None or grade_rank(result.grade) > grade_rank(
            check.baseline_grade
        ):
            check.baseline_grade = result.grade


def _state(streaks: dict[str, list[int]]) -> CheckState:
    failing = {name for name, (_, _, flag) in streaks.items() if flag}
    if Problem.down.value in failing or (
        Problem.certificate.value in failing and streaks.get(Problem.down.value) is None
    ):
        return CheckState.down
    return CheckState.degraded if failing else CheckState.up


def _evidence(result: ProbeResult) -> dict[str, Any]:
    evidence: dict[str, Any] = {
        "at": result.started_at.isoformat(),
        "status_code": result.status_code,
        "latency_ms": None if result.latency_ms is None else round(result.latency_ms, 1),
        "error": result.error,
    }
    if result.body and result.status_code is not None:
        evidence["body_start"] = result.body[:300].decode("utf-8", errors="replace")
    if result.cert_not_after is not None:
        evidence["cert_expires_at"] = result.cert_not_after.isoformat()
    if result.tls_error is not None:
        evidence["tls_error"] = result.tls_error
    if result.grade is not None:
        evidence["grade"] = result.grade
        evidence["score"] = result.score
        evidence["failed_tests"] = [t["name"] for t in result.grade_tests if not t["passed"]]
    return evidence


def _summary(app: App, check: Check, finding: Finding) -> str:
    return f"{app.name} {check.name} {NOUN[finding.problem]}: {finding.message}"[:500]


def open_incident(
    session: Session,
    check: Check,
    app: App,
    finding: Finding,
    evidence: dict[str, Any],
    now: datetime,
    *,
    failures: int,
) -> Incident:
    incident = Incident(
        check_id=check.id,
        app_id=app.id,
        team_id=app.team_id,
        problem=finding.problem,
        status=IncidentStatus.open,
        open_key=open_key(check.id, finding.problem),
        severity=finding.severity,
        summary=_summary(app, check, finding),
        evidence=evidence,
        failures=failures,
        opened_at=now,
        last_seen_at=now,
        next_reminder_at=now + timedelta(minutes=app.reminder_minutes),
    )
    session.add(incident)
    session.flush()
    incident.task_id = _create_task(session, incident, check, app, now)
    _notify(session, app, incident, "opened", f"Incident: {incident.summary}", now)
    return incident


def touch(
    session: Session,
    incident: Incident,
    app: App,
    finding: Finding,
    evidence: dict[str, Any],
    now: datetime,
    *,
    muted: bool,
) -> None:
    """A repeat of an open incident: newer evidence, and an alert only when it got worse."""
    incident.failures += 1
    incident.last_seen_at = now
    incident.evidence = evidence
    if finding.severity > incident.severity:
        incident.severity = finding.severity
        check = session.get_one(Check, incident.check_id)
        incident.summary = _summary(app, check, finding)
        task = session.get(Task, incident.task_id) if incident.task_id else None
        if task is not None and task.status in task_service.OPEN_STATUSES:
            task.importance = max(task.importance, finding.severity)
            task.updated_at = now  # the mapper bumps the task's version
        if not muted:
            subject = f"Incident worse: {incident.summary}"
            _notify(session, app, incident, f"severity{finding.severity}", subject, now)


def resolve(
    session: Session, incident: Incident, app: App, now: datetime, *, muted: bool, runs: int
) -> None:
    incident.status = IncidentStatus.resolved
    incident.open_key = None
    incident.resolved_at = now
    incident.next_reminder_at = None
    session.flush()  # frees open_key before a new incident of this problem may take it
    line = (
        f"Resolved at {now:%Y-%m-%d %H:%M} UTC: the check passed {runs} "
        f"time{'s' if runs != 1 else ''} in a row (incident #{incident.id})."
    )
    _resolve_task(session, incident, app, now, line)
    if not muted:
        _notify(session, app, incident, "resolved", f"Resolved: {incident.summary}", now)


def send_reminders(session: Session, now: datetime, muted: set[int]) -> int:
    """Reminds stakeholders of incidents still open; ``muted`` are check ids in maintenance."""
    due = session.scalars(
        select(Incident)
        .where(Incident.status == IncidentStatus.open, Incident.next_reminder_at <= now)
        .order_by(Incident.id)
        .with_for_update(skip_locked=True)
    ).all()
    sent = 0
    for incident in due:
        app = session.get_one(App, incident.app_id)
        incident.next_reminder_at = now + timedelta(minutes=app.reminder_minutes)
        if incident.check_id in muted:
            continue
        incident.reminders_sent += 1
        hours = (now - incident.opened_at).total_seconds() / 3600
        subject = f"Still open after {hours:.1f} h: {incident.summary}"
        _notify(session, app, incident, f"reminder{incident.reminders_sent}", subject, now)
        sent += 1
    return sent


def _create_task(
    session: Session, incident: Incident, check: Check, app: App, now: datetime
) -> int | None:
    owner = session.get(User, app.owner_id)
    if owner is None:
        return None
    notes = (
        f"{incident.summary}\n\n"
        f"Source: check #{check.id} ({check.name}, {check.method} {app.base_url}{check.path}) "
        f"of the app {app.name}; incident #{incident.id}.\n\n"
        f"Evidence:\n\n```json\n{json.dumps(incident.evidence, indent=2)}\n```"
    )
    data = TaskCreate(
        title=f"Fix {app.name}: {check.name} {NOUN[incident.problem]}"[:300],
        notes=notes[:50_000],
        importance=incident.severity,
        deadline=now + timedelta(minutes=app.response_target_minutes),
        kind=Kind.testing,
        source=Source.check,
        tags=["incident", incident.problem.value],
        project_id=app.project_id,
        estimate_minutes=60,
    )
    try:
        task = task_service.create_task(session=session, user=owner, data=data, now=now)
    except Invalid:  # the owner no longer sees the project: a personal task still reaches them
        task = task_service.create_task(
            session=session, user=owner, data=data.model_copy(update={"project_id": None}), now=now
        )
    return task.id


def _resolve_task(session: Session, incident: Incident, app: App, now: datetime, line: str) -> None:
    """The task says the incident resolved; an open one is marked done, since the check that
    raised it passes again (reopen it if the fix is not finished)."""
    task = session.get(Task, incident.task_id) if incident.task_id else None
    owner = session.get(User, task.owner_id) if task is not None else None
    if task is None or owner is None:
        return
    notes = f"{task.notes}\n\n{line}".strip()[:50_000]
    update = TaskUpdate(notes=notes)
    if task.status in task_service.OPEN_STATUSES:
        update = TaskUpdate(notes=notes, status=Status.done)
    task_service.update_task(
        session=session,
        user=owner,
        task_id=task.id,
        data=update,
        version=task.version,
        now=now,
    )


def stakeholder_channels(session: Session, app_id: int) -> list[Channel]:
    ids = select(Stakeholder.channel_id).where(Stakeholder.app_id == app_id)
    return list(session.scalars(select(Channel).where(Channel.id.in_(ids)).order_by(Channel.id)))


def _notify(
    session: Session, app: App, incident: Incident, event: str, subject: str, now: datetime
) -> None:
    channels = stakeholder_channels(session, app.id)
    if not channels:
        return
    evidence = incident.evidence or {}
    lines = [
        incident.summary,
        f"App: {app.name} ({app.base_url}); severity {importance.label(incident.severity)}.",
        f"Opened {incident.opened_at:%Y-%m-%d %H:%M} UTC; failed runs: {incident.failures}.",
    ]
    if incident.resolved_at is not None:
        lines.append(f"Resolved {incident.resolved_at:%Y-%m-%d %H:%M} UTC.")
    if evidence.get("error"):
        lines.append(f"Last error: {evidence['error']}")
    notify_service.enqueue(
        session=session,
        channels=channels,
        subject=subject,
        text="\n".join(lines),
        html=None,
        payload={
            "event": f"incident.{event}",
            "incident_id": incident.id,
            "app_id": app.id,
            "check_id": incident.check_id,
            "problem": incident.problem.value,
            "status": incident.status.value,
            "severity": incident.severity,
        },
        now=now,
        dedupe_key=f"incident:{incident.id}:{event}",
    )
