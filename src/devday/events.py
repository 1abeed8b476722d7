"""Domain events: a service says what happened, and whoever must react hears it at once.

A service raises an event where the thing happens, explicitly::

    events.publish(session, TaskFinished(task=task, now=now))

Each handler is ``handler(session, event)``. Handlers run then and there, in the caller's
transaction: what they write (a notification queued in the outbox) commits or rolls back with
the change that caused it. A handler must not commit.

Which handler hears which event is decided in one place, ``devday.wiring``, which builds an
``Events`` registry per app (or worker, or CLI process) and attaches it to the session
factories it makes. Nothing registers at import time. A session made by a factory the wiring
did not build has no registry, and raising an event on it is a programming error
(``RuntimeError``): better a loud failure than a requester who is silently never told.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.orm import Session, sessionmaker

E = TypeVar("E")
Handler = Callable[[Session, E], None]

_KEY = "devday.events"


class Events:
    """Which handlers hear which event type; one per composition root, no global state."""

    def __init__(self) -> None:
        self._handlers: dict[type[Any], list[Handler[Any]]] = {}

    def on(self, kind: type[E], handler: Handler[E]) -> None:
        """``handler`` hears every event of exactly ``kind``, after those added before it."""
        self._handlers.setdefault(kind, []).append(handler)

    def handlers(self, kind: type[E]) -> list[Handler[E]]:
        return list(self._handlers.get(kind, ()))

    def emit(self, session: Session, event: object) -> None:
        """Runs every handler of ``type(event)``, in the order they were added."""
        for handler in self._handlers.get(type(event), ()):
            handler(session, event)

    def attach(self, factory: sessionmaker[Session]) -> None:
        """Sessions made by ``factory`` from now on raise their events here."""
        info = dict(factory.kw.get("info") or {})
        info[_KEY] = self
        factory.configure(info=info)


def publish(session: Session, event: object) -> None:
    """Tells the handlers wired for ``event``'s type, in ``session``'s transaction.

    Raises RuntimeError when ``session`` was not made by a factory ``devday.wiring`` built.
    """
    events = session.info.get(_KEY)
    if not isinstance(events, Events):
        raise RuntimeError(
            f"{type(event).__name__} raised on a session with no events wired; "
            "make sessions with devday.wiring (writer_sessions or wire)"
        )
    events.emit(session, event)
