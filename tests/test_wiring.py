"""The composition root: events reach the handlers wired for them, and only through the
wiring; the job registry is built there with every domain's kinds."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine

from devday import wiring
from devday.db import make_session_factory
from devday.events import Events, publish
from devday.task.service import TaskFinished


def test_it_refuses_an_event_on_a_session_the_wiring_did_not_make(engine: Engine) -> None:
    # A session without the wiring would finish a task and tell no one: it fails loudly instead.
    with make_session_factory(engine)() as session, pytest.raises(RuntimeError, match="wiring"):
        publish(session, TaskFinished(task=None, now=datetime.now(UTC)))  # type: ignore[arg-type]


def test_it_runs_the_handlers_wired_for_an_event_in_order(engine: Engine) -> None:
    heard: list[str] = []
    wired = Events()
    wired.on(TaskFinished, lambda _session, event: heard.append(f"first {event.now:%H:%M}"))
    wired.on(TaskFinished, lambda _session, event: heard.append(f"second {event.now:%H:%M}"))
    wired.on(str, lambda _session, event: heard.append(event))
    factory = make_session_factory(engine)
    wired.attach(factory)
    with factory() as session:
        at = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
        publish(session, TaskFinished(task=None, now=at))  # type: ignore[arg-type]
    assert heard == ["first 09:00", "second 09:00"]


def test_it_builds_a_fresh_job_registry_with_every_domains_kinds() -> None:
    registry = wiring.job_registry()
    kinds = registry.kinds()
    for kind in ("notify.send", "inbox.poll", "checks.tick", "planning.catch_up"):
        assert kind in kinds
    assert wiring.job_registry() is not registry
