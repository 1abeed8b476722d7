"""The worker's outbox steps, against a real webhook receiver on loopback and a MockClock."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import Engine

from devday.clock import MockClock
from devday.jobs.runner import BACKOFF, backoff
from devday.notify.delivery import MockDeliverer, Outgoing, WebhookSender
from devday.notify.models import OutboxStatus
from tests.conftest import START
from tests.jobs.support import alice_with_channel, enqueue_many, load, make_worker
from tests.notify.support import WebhookReceiver, valid_signature


def test_it_retries_with_backoff_until_the_receiver_accepts(
    engine: Engine, clock: MockClock, receiver: WebhookReceiver
) -> None:
    receiver.fail_first = 2
    _, channel_id = alice_with_channel(engine, f"{receiver.url}/hook")
    [message_id] = enqueue_many(engine, channel_id, 1)
    worker = make_worker(engine, clock, WebhookSender(timeout=5))
    try:
        assert worker.run_once()
        first = load(engine, message_id)
        assert (first.status, first.attempts) == (OutboxStatus.pending, 1)
        assert first.next_attempt_at == START + timedelta(seconds=30)
        assert first.last_error is not None and "HTTP 500" in first.last_error

        clock.advance(timedelta(seconds=29))
        assert not worker.run_once()  # not due yet
        clock.advance(timedelta(seconds=1))
        assert worker.run_once()
        second = load(engine, message_id)
        assert (second.status, second.attempts) == (OutboxStatus.pending, 2)
        assert second.next_attempt_at == START + timedelta(seconds=30 + 120)

        clock.advance(timedelta(seconds=119))
        assert not worker.run_once()
        clock.advance(timedelta(seconds=1))
        assert worker.run_once()
        assert not worker.run_once()
    finally:
        worker.close()
    delivered = load(engine, message_id)
    assert (delivered.status, delivered.attempts) == (OutboxStatus.delivered, 3)
    assert delivered.delivered_at == START + timedelta(seconds=150)
    assert delivered.last_error is None and delivered.claimed_by is None
    assert list(receiver.delivery_ids().values()) == [3]  # one delivery id, three attempts
    assert all(valid_signature("test-secret-webhook", r) for r in receiver.received)


def test_it_gives_up_after_eight_attempts_and_keeps_the_error(
    engine: Engine, clock: MockClock
) -> None:
    _, channel_id = alice_with_channel(engine, "https://hooks.example.com/x")
    [message_id] = enqueue_many(engine, channel_id, 1)
    mock = MockDeliverer(failures=[f"refused #{n}" for n in range(1, 10)])
    worker = make_worker(engine, clock, mock)
    waits = []
    for attempt in range(1, 9):
        assert worker.run_once()
        message = load(engine, message_id)
        assert message.attempts == attempt and message.last_error == f"refused #{attempt}"
        if attempt < 8:
            waits.append(message.next_attempt_at - clock.now())
            clock.set(message.next_attempt_at)
    assert waits == [*BACKOFF, BACKOFF[-1], BACKOFF[-1]]
    assert backoff(7) == timedelta(hours=6)
    assert load(engine, message_id).status == OutboxStatus.failed
    clock.advance(timedelta(days=2))
    assert not worker.run_once()
    assert len(mock.attempts) == 8 and mock.sent == []


class Killed(BaseException):
    """A worker dying mid-delivery (SIGKILL, OOM): nothing after it runs."""


class SendsThenDies:
    """Sends for real, then dies before the worker can record that it did."""

    def __init__(self, sender: WebhookSender) -> None:
        self.sender = sender

    def deliver(self, message: Outgoing) -> None:
        self.sender.deliver(message)
        raise Killed

    def close(self) -> None:
        self.sender.close()


def test_it_redelivers_with_the_same_id_after_a_worker_dies_mid_delivery(
    engine: Engine, clock: MockClock, receiver: WebhookReceiver
) -> None:
    _, channel_id = alice_with_channel(engine, f"{receiver.url}/hook")
    [message_id] = enqueue_many(engine, channel_id, 1)
    doomed = make_worker(engine, clock, SendsThenDies(WebhookSender(timeout=5)), "doomed")
    survivor = make_worker(engine, clock, WebhookSender(timeout=5), "survivor")
    deaths: list[BaseException] = []

    def doomed_thread() -> None:
        try:
            doomed.run_once()
        except Killed as exc:
            deaths.append(exc)

    try:
        thread = threading.Thread(target=doomed_thread)
        thread.start()
        thread.join()
        assert len(deaths) == 1
        stuck = load(engine, message_id)
        assert (stuck.status, stuck.claimed_by) == (OutboxStatus.sending, "doomed")
        assert stuck.claimed_until == START + timedelta(seconds=60)

        assert not survivor.run_once()  # the lease still holds
        clock.advance(timedelta(seconds=60))
        assert survivor.run_once()
        assert not doomed.deliver_one(message_id)  # no longer the dead worker's to record
    finally:
        doomed.close()
        survivor.close()
    delivered = load(engine, message_id)
    assert (delivered.status, delivered.attempts) == (OutboxStatus.delivered, 2)
    # Sent twice with one delivery id: the receiver dedupes on it, so it is not lost and not
    # acted on twice.
    assert list(receiver.delivery_ids().items()) == [(delivered.delivery_id, 2)]


def test_it_hands_back_claimed_messages_when_stopped(engine: Engine, clock: MockClock) -> None:
    _, channel_id = alice_with_channel(engine, "https://hooks.example.com/x")
    ids = enqueue_many(engine, channel_id, 3)
    mock = MockDeliverer()
    worker = make_worker(engine, clock, mock)
    stop = threading.Event()
    stop.set()
    assert worker.run_once(stop)
    for message_id in ids:
        message = load(engine, message_id)
        assert (message.status, message.attempts, message.claimed_by) == (
            OutboxStatus.pending,
            0,
            None,
        )
    assert mock.attempts == []

    thread = threading.Thread(target=worker.run_forever, args=(stop,), kwargs={"idle_sleep": 30})
    thread.start()
    thread.join(timeout=5)
    assert not thread.is_alive()  # returns at once when stop is set
    stop.clear()
    thread = threading.Thread(target=worker.run_forever, args=(stop,), kwargs={"idle_sleep": 30})
    thread.start()
    while len(mock.sent) < 3 and thread.is_alive():
        stop.wait(0.01)
    stop.set()
    thread.join(timeout=5)
    assert not thread.is_alive()
    assert sorted(m.subject for m in mock.sent) == ["message 0", "message 1", "message 2"]
