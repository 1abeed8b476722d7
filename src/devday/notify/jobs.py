"""Scheduled notifications: the ``notify.send`` job kind.

Payload ``{"subject": str, "text": str, "html": str | None}``; it goes to the job's team's
channels when the job names a team, else to the job's user's channels (their own and their
teams'). Keyed by the job id, so a re-run never queues the message twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from devday.jobs.models import ScheduledJob
from devday.notify import service

if TYPE_CHECKING:
    from devday.jobs.registry import JobRegistry

SEND = "notify.send"


def send(session: Session, job: ScheduledJob, now: datetime) -> None:
    subject, text, html = (job.payload.get(key) for key in ("subject", "text", "html"))
    if not isinstance(subject, str) or not isinstance(text, str):
        raise ValueError("a notify.send job needs a 'subject' and a 'text' string")
    if job.team_id is not None:
        channels = service.channels_for_team(session=session, team_id=job.team_id)
    elif job.user_id is not None:
        channels = service.channels_for_user(session=session, user_id=job.user_id)
    else:
        raise ValueError("a notify.send job needs a user_id or a team_id")
    service.enqueue(
        session=session,
        channels=channels,
        subject=subject,
        text=text,
        html=html if isinstance(html, str) else None,
        payload={"event": SEND, "job_id": job.id},
        now=now,
        dedupe_key=f"job:{job.id}",
    )


def register(registry: JobRegistry) -> None:
    registry.register(SEND, send)
