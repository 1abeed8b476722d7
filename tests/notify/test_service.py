from __future__ import annotations

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from devday.db import make_session_factory, transaction
from devday.notify import service
from devday.notify.models import Channel, ChannelKind, OutboxMessage, OutboxStatus
from devday.team.models import Role
from tests.conftest import START
from tests.factories import db_channel, db_team, db_user


def count_messages(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(OutboxMessage)) or 0


def enqueue(session: Session, channel_ids: list[int], dedupe_key: str | None = None) -> list[int]:
    channels = [session.get_one(Channel, i) for i in channel_ids]
    created = service.enqueue(
        session=session,
        channels=channels,
        subject="Deadline at risk",
        text="**Ship the API** is due at 17:00.",
        html=None,
        payload={"task_id": 7},
        now=START,
        dedupe_key=dedupe_key,
    )
    return [m.id for m in created]


def test_it_writes_messages_only_when_the_callers_transaction_commits(engine: Engine) -> None:
    factory = make_session_factory(engine, writer=True)
    with transaction(factory) as session:
        alice = db_user(session, "Alice")
        channel_id = db_channel(session, "https://hooks.example.com/a", user=alice).id

    class CauseFailed(Exception):
        pass

    with pytest.raises(CauseFailed), transaction(factory) as session:
        assert len(enqueue(session, [channel_id])) == 1
        raise CauseFailed  # the change that caused the notification is rolled back
    assert count_messages(engine) == 0

    with transaction(factory) as session:
        enqueue(session, [channel_id])
    with Session(engine) as session:
        [message] = session.scalars(select(OutboxMessage)).all()
    assert message.status == OutboxStatus.pending and message.attempts == 0
    assert message.next_attempt_at == START and len(message.delivery_id) == 32
    assert (message.kind, message.target, message.user_id) == (
        ChannelKind.webhook,
        "https://hooks.example.com/a",
        alice.id,
    )


def test_it_enqueues_a_dedupe_key_once_per_channel(engine: Engine) -> None:
    factory = make_session_factory(engine, writer=True)
    with transaction(factory) as session:
        alice = db_user(session, "Alice")
        first = db_channel(session, "https://hooks.example.com/a", user=alice).id
        second = db_channel(session, "alice@example.com", user=alice, kind=ChannelKind.email).id
    with transaction(factory) as session:
        assert len(enqueue(session, [first, second], dedupe_key="deadline:7:2026-11-30")) == 2
    with transaction(factory) as session:
        assert enqueue(session, [first, second], dedupe_key="deadline:7:2026-11-30") == []
        assert len(enqueue(session, [first], dedupe_key="deadline:7:2026-12-01")) == 1
    with transaction(factory) as session:  # twice in one transaction, too
        assert len(enqueue(session, [second], dedupe_key="x")) == 1
        assert enqueue(session, [second], dedupe_key="x") == []
    with Session(engine) as session:
        keys = sorted(k or "" for k in session.scalars(select(OutboxMessage.dedupe_key)))
    assert keys == [
        f"deadline:7:2026-11-30:{first}",
        f"deadline:7:2026-11-30:{second}",
        f"deadline:7:2026-12-01:{first}",
        f"x:{second}",
    ]


def test_it_finds_the_channels_of_a_user_and_of_a_team(engine: Engine) -> None:
    factory = make_session_factory(engine, writer=True)
    with transaction(factory) as session:
        alice, bob = db_user(session, "Alice"), db_user(session, "Bob")
        team = db_team(session, "Backend", {alice: Role.owner})
        other = db_team(session, "Frontend", {bob: Role.owner})
        own = db_channel(session, "https://a.example.com/", user=alice)
        shared = db_channel(session, "https://t.example.com/", team=team)
        db_channel(session, "https://b.example.com/", user=bob)
        db_channel(session, "https://f.example.com/", team=other)
    with Session(engine) as session:
        mine = service.channels_for_user(session=session, user_id=alice.id)
        teams = service.channels_for_team(session=session, team_id=team.id)
    assert [c.id for c in mine] == [own.id, shared.id]
    assert [c.id for c in teams] == [shared.id]


def test_it_keeps_queued_messages_when_their_channel_is_deleted(engine: Engine) -> None:
    factory = make_session_factory(engine, writer=True)
    with transaction(factory) as session:
        alice = db_user(session, "Alice")
        channel_id = db_channel(session, "https://hooks.example.com/a", user=alice).id
        [message_id] = enqueue(session, [channel_id])
    with transaction(factory) as session:
        service.delete_channel(session=session, user=alice, channel_id=channel_id)
    with Session(engine) as session:
        message = session.get_one(OutboxMessage, message_id)
        assert message.channel_id is None and message.target == "https://hooks.example.com/a"
        listed = service.list_outbox(session=session, user=alice)
    assert [m.id for m in listed] == [message_id]
