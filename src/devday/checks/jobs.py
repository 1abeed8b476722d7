"""The checks' periodic work as one scheduled job, ``checks.tick``, every minute.

Each tick rolls up the finished minutes (and hours and days), reminds stakeholders of
incidents still open, every ten minutes compares each speed-watched check's last hour with its
previous seven days, and every hour prunes what is past its keeping time. The next tick is
queued by the tick itself and by every worker that starts (one row per minute slot, so never
twice).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from devday.checks import incidents, maintenance, rollup
from devday.checks.judge import Finding
from devday.checks.models import (
    App,
    Check,
    Incident,
    IncidentStatus,
    MaintenanceWindow,
    Problem,
)
from devday.jobs import service as jobs_service
from devday.jobs.models import ScheduledJob

if TYPE_CHECKING:
    from devday.jobs.registry import JobRegistry

TICK = "checks.tick"
EVERY = timedelta(minutes=1)
REGRESSION_EVERY_MINUTES = 10
BASELINE = timedelta(days=7)
RECENT = timedelta(hours=1)
MIN_RECENT_RUNS = 10
MIN_BASELINE_RUNS = 50


def tick(session: Session, job: ScheduledJob, now: datetime) -> None:
    slot = job.due_at
    rollup.roll_up(session, now)
    send_reminders(session, now)
    if slot.minute % REGRESSION_EVERY_MINUTES == 0:
        check_regressions(session, now)
    if slot.minute == 0:
        rollup.prune(session, now)
    schedule_tick(session, now)


def schedule_tick(session: Session, now: datetime) -> None:
    due = rollup.floor(now, EVERY) + EVERY
    jobs_service.schedule(session=session, kind=TICK, due_at=due, now=now)


def muted_checks(session: Session, check_ids: list[int], now: datetime) -> set[int]:
    """The checks among ``check_ids`` that a maintenance window covers at ``now``."""
    if not check_ids:
        return set()
    rows = session.execute(select(Check.id, Check.app_id).where(Check.id.in_(check_ids)))
    app_of = {check_id: app_id for check_id, app_id in rows}
    windows: dict[int, list[MaintenanceWindow]] = defaultdict(list)
    for window in session.scalars(
        select(MaintenanceWindow).where(MaintenanceWindow.app_id.in_(set(app_of.values())))
    ):
        windows[window.app_id].append(window)
    return {
        check_id
        for check_id, app_id in app_of.items()
        if maintenance.active_for(windows[app_id], check_id, now)
    }


def send_reminders(session: Session, now: datetime) -> int:
    open_ids = list(
        session.scalars(
            select(Incident.check_id).where(
                Incident.status == IncidentStatus.open, Incident.next_reminder_at <= now
            )
        )
    )
    return incidents.send_reminders(session, now, muted_checks(session, open_ids, now))


def check_regressions(session: Session, now: datetime) -> int:
    """Opens a regression incident where the last hour's p95 exceeds the previous 7 days' p95
    by the check's factor, and resolves it once it no longer does. Returns how many opened."""
    watched = list(session.scalars(select(Check).where(Check.regression_factor.is_not(None))))
    if not watched:
        return 0
    muted = muted_checks(session, [c.id for c in watched], now)
    open_ = incidents.open_incidents(session, [c.id for c in watched])
    opened = 0
    for check in watched:
        factor = check.regression_factor
        if factor is None or not check.enabled:
            continue
        recent, recent_runs = rollup.raw_p95(session, check.id, now - RECENT, now)
        base, base_runs = rollup.window_p95(
            session, check.id, now - RECENT - BASELINE, now - RECENT
        )
        if recent is None or base is None or recent_runs < MIN_RECENT_RUNS:
            continue
        if base_runs < MIN_BASELINE_RUNS:
            continue
        incident = open_.get((check.id, Problem.regression))
        app = session.get_one(App, check.app_id)
        regressed = recent > factor * base
        if regressed:
            finding = Finding(
                Problem.regression,
                2,
                f"p95 of the last hour is {recent:.0f} ms, {recent / base:.1f}x the previous "
                f"7 days' {base:.0f} ms (alarm at {factor:g}x)",
            )
            evidence = {
                "at": now.isoformat(),
                "p95_last_hour_ms": recent,
                "p95_previous_7_days_ms": base,
                "runs_last_hour": recent_runs,
                "factor": factor,
            }
            if incident is not None:
                incidents.touch(
                    session, incident, app, finding, evidence, now, muted=check.id in muted
                )
            elif check.id not in muted:
                incidents.open_incident(session, check, app, finding, evidence, now, failures=1)
                opened += 1
        elif incident is not None:
            incidents.resolve(session, incident, app, now, muted=check.id in muted, runs=1)
    return opened


def register(registry: JobRegistry) -> None:
    registry.register(TICK, tick)
    registry.on_start(schedule_tick)
