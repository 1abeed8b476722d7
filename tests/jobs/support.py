from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from devday.clock import Clock
from devday.db import make_session_factory, transaction
from devday.jobs.registry import JobRegistry
from devday.jobs.runner import Worker
from devday.notify import service
from devday.notify.delivery import Deliverer, Deliverers
from devday.notify.models import Channel, OutboxMessage
from devday.wiring import job_registry, writer_sessions
from tests.conftest import START
from tests.factories import db_channel, db_user


def make_worker(
    engine: Engine,
    clock: Clock,
    web: Deliverer,
    name: str = "worker-a",
    *,
    registry: JobRegistry | None = None,
    batch: int = 20,
    email: Deliverer | None = None,
) -> Worker:
    return Worker(
        writer_sessions(engine, clock),
        Deliverers(web=web, email=email),
        registry or job_registry(),
        clock,
        name,
        lease_seconds=60,
        batch=batch,
    )


def alice_with_channel(engine: Engine, target: str) -> tuple[int, int]:
    """Alice and a generic webhook channel of hers to ``target``: (user id, channel id)."""
    with transaction(make_session_factory(engine, writer=True)) as session:
        alice = db_user(session, "Alice")
        return alice.id, db_channel(session, target, user=alice).id


def enqueue_many(engine: Engine, channel_id: int, count: int) -> list[int]:
    with transaction(make_session_factory(engine, writer=True)) as session:
        channel = session.get_one(Channel, channel_id)
        return [enqueue_one(session, channel, f"message {n}") for n in range(count)]


def enqueue_one(session: Session, channel: Channel, subject: str) -> int:
    [message] = service.enqueue(
        session=session,
        channels=[channel],
        subject=subject,
        text="text",
        html=None,
        payload={},
        now=START,
    )
    return message.id


def load(engine: Engine, message_id: int) -> OutboxMessage:
    with Session(engine) as session:
        return session.get_one(OutboxMessage, message_id)
