"""Polling a team's IMAP mailbox, in three steps so that no database transaction is open while
devday talks to the mail server:

1. ``claim`` (in a short transaction): takes the team's poll lease, so that one poll of a
   mailbox runs at a time, and returns a snapshot of the setup;
2. ``exchange`` (no transaction): connects through the outbound guard to the address it checked,
   reads the unseen mails and marks \\Seen those stored by an earlier poll;
3. ``record`` (a new transaction): stores the new mails, keeps the outcome on the setup and
   gives the lease back.

Errors say what the user can change (host, port, TLS, user name, password, folder) and never
repeat what the far end sent: a mail server's answers, or whatever else answers on that port.
"""

from __future__ import annotations

import imaplib
import logging
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, update
from sqlalchemy.orm import Session, sessionmaker

from devday import netguard
from devday.clock import Clock
from devday.inbox import mail, service
from devday.inbox.models import TeamInbox
from devday.netguard import OutboundPolicy, Target
from devday.team.models import Team

log = logging.getLogger("devday.inbox")
IMAP_TIMEOUT = 30.0
MAX_PER_POLL = 200
# How long a poll holds its team's mailbox; a poll that died gives it up after this.
POLL_LEASE = timedelta(minutes=5)
NO_SYNC = {"synchronize_session": False}

KnownIds = Callable[[list[str]], set[str]]  # which of these Message-IDs are stored


@dataclass(frozen=True)
class Mailbox:
    """What a poll needs of a team's setup: a snapshot, usable outside any session."""

    team_id: int
    host: str
    port: int
    tls: bool
    user: str
    password: str = field(repr=False)
    folder: str

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass
class Fetched:
    """What one exchange got: the mails read (``count``), those not stored before, an error."""

    count: int = 0
    mails: list[mail.ParsedMail] = field(default_factory=list)
    error: str | None = None


@dataclass(frozen=True)
class PollResult:
    fetched: int
    new: int
    error: str | None


def claim(session: Session, team_id: int, now: datetime) -> Mailbox | None:
    """Takes the team's poll lease and returns its mailbox; None when another poll holds it
    (or the team polls nothing). The caller commits before the exchange."""
    taken = session.execute(
        update(TeamInbox)
        .where(
            TeamInbox.team_id == team_id,
            TeamInbox.imap_host != "",
            or_(TeamInbox.poll_claimed_until.is_(None), TeamInbox.poll_claimed_until <= now),
        )
        .values(poll_claimed_until=now + POLL_LEASE)
        .execution_options(**NO_SYNC)
    )
    if getattr(taken, "rowcount", 0) != 1:
        return None
    row = session.get_one(TeamInbox, team_id, populate_existing=True)
    return Mailbox(
        team_id=row.team_id,
        host=row.imap_host,
        port=row.imap_port,
        tls=row.imap_tls,
        user=row.imap_user,
        password=row.imap_password,
        folder=row.imap_folder,
    )


def record(session: Session, box: Mailbox, fetched: Fetched, now: datetime) -> PollResult:
    """Stores the new mails in the team's inbox, keeps the outcome on its setup
    (``last_polled_at``, ``last_error``) and gives the poll lease back."""
    team = session.get(Team, box.team_id)
    if team is None:  # deleted while its mailbox was being read
        return PollResult(fetched.count, 0, fetched.error)
    stored_before = service.known_message_ids(
        session=session, team_id=team.id, message_ids=[m.message_id for m in fetched.mails]
    )
    new = 0
    for parsed in fetched.mails:
        if parsed.message_id not in stored_before and mail.store(session, team, parsed, now):
            stored_before.add(parsed.message_id)
            new += 1
    session.execute(
        update(TeamInbox)
        .where(TeamInbox.team_id == box.team_id)
        .values(last_polled_at=now, last_error=fetched.error, poll_claimed_until=None)
        .execution_options(**NO_SYNC)
    )
    return PollResult(fetched.count, new, fetched.error)


def release(session: Session, team_id: int) -> None:
    """Gives the poll lease back without recording anything."""
    session.execute(
        update(TeamInbox)
        .where(TeamInbox.team_id == team_id)
        .values(poll_claimed_until=None)
        .execution_options(**NO_SYNC)
    )


def poll_now(
    session: Session,
    reader: sessionmaker[Session],
    team_id: int,
    outbound: OutboundPolicy,
    clock: Clock,
) -> PollResult | None:
    """One poll of the team's mailbox, committing ``session`` before and after the exchange
    (this function owns those transactions: that is its point). ``reader`` answers which mails
    were stored before, in short read-only sessions. None when another poll holds the
    mailbox."""
    box = claim(session, team_id, clock.now())
    session.commit()
    if box is None:
        return None
    try:
        fetched = exchange(box, outbound, known_in(reader, team_id))
    except BaseException:
        release(session, team_id)
        session.commit()
        raise
    result = record(session, box, fetched, clock.now())
    session.commit()
    return result


def known_in(sessions: sessionmaker[Session], team_id: int) -> KnownIds:
    """Answers ``KnownIds`` for the team, each time in a short session of its own."""

    def known(message_ids: list[str]) -> set[str]:
        with sessions() as session:
            return service.known_message_ids(
                session=session, team_id=team_id, message_ids=message_ids
            )

    return known


# --- the exchange (no database) ------------------------------------------------------------------


class _Pinned(imaplib.IMAP4):
    """IMAP over a socket to the address the guard checked (no second resolution)."""

    def __init__(self, target: Target, timeout: float) -> None:
        self._target = target
        super().__init__(target.host, target.port, timeout=timeout)

    def _create_socket(self, timeout: float | None) -> socket.socket:
        return netguard.connect(self._target, timeout)


class _PinnedTLS(imaplib.IMAP4_SSL):
    """IMAP over TLS to the checked address; the certificate must name the host."""

    def __init__(self, target: Target, context: ssl.SSLContext, timeout: float) -> None:
        self._target = target
        self._context = context
        super().__init__(target.host, target.port, ssl_context=context, timeout=timeout)

    def _create_socket(self, timeout: float | None) -> socket.socket:
        sock = netguard.connect(self._target, timeout)
        return self._context.wrap_socket(sock, server_hostname=self._target.host)


def _open(target: Target, tls: bool, timeout: float) -> imaplib.IMAP4:
    if tls:
        return _PinnedTLS(target, ssl.create_default_context(), timeout)
    return _Pinned(target, timeout)


# What failed at each step, in words the user can act on.
_STEPS = {
    "connect": "{where} does not answer as an IMAP server; check imap_port and imap_tls "
    "(993 is IMAP over TLS, 143 plain IMAP)",
    "login": "the mailbox refused the sign-in; check imap_user and imap_password",
    "select": "the mailbox has no folder {folder!r}; check imap_folder",
    "search": "the mail server would not list the unseen mails; try again later",
    "fetch": "the mail server would not hand out a mail; try again later",
    "store": "the mail server would not mark mails as read; they are read again next time",
    "logout": "the mail server did not sign off cleanly",
}


class _Step(Exception):
    def __init__(self, step: str) -> None:
        super().__init__(step)
        self.step = step


def _ok(answer: tuple[str, Any], step: str) -> Any:
    status, data = answer
    if status != "OK":
        raise _Step(step)
    return data


def exchange(
    box: Mailbox, outbound: OutboundPolicy, known: KnownIds, *, timeout: float | None = None
) -> Fetched:
    """Reads up to ``MAX_PER_POLL`` unseen mails; marks \\Seen those ``known`` says were stored
    by an earlier poll (a mail is never marked before its item is committed). A failure of
    the mail server is the result's ``error``, with what was read before it; only a failure of
    ``known`` (the database) is raised."""
    timeout = timeout or IMAP_TIMEOUT  # per socket operation
    fetched = Fetched()
    step = "connect"
    try:
        target = netguard.resolve(box.host, box.port, outbound, team_id=box.team_id)
        with _open(target, box.tls, timeout) as imap:
            step = "login"
            _ok(imap.login(box.user, box.password), step)
            step = "select"
            _ok(imap.select(_quoted(box.folder)), step)
            step = "search"
            numbers = _ok(imap.search(None, "UNSEEN"), step)[0].split()[:MAX_PER_POLL]
            step = "fetch"
            read: list[tuple[bytes, mail.ParsedMail]] = []
            for number in numbers:
                raw = _fetch(imap, number)
                if raw is not None:
                    read.append((number, mail.parse(raw)))
            fetched.count = len(read)
            step = "known"
            stored_before = known([m.message_id for _n, m in read])
            fetched.mails = [m for _n, m in read if m.message_id not in stored_before]
            seen = [n for n, m in read if m.message_id in stored_before or m.automatic]
            step = "store"
            if seen:
                _ok(imap.store(b",".join(seen).decode(), "+FLAGS", "\\Seen"), step)
            step = "logout"
            imap.logout()
    except (netguard.Refused, netguard.Unresolvable) as exc:
        fetched.error = f"imap_host: {exc}"
    except ssl.SSLCertVerificationError as exc:
        reason = exc.verify_message or "not trusted"
        fetched.error = (
            f"the certificate of {box.where} is not accepted for {box.host} ({reason}); "
            "check imap_host"
        )
    except ssl.SSLError:
        fetched.error = (
            f"TLS with {box.where} failed; check imap_tls and imap_port "
            "(993 is IMAP over TLS, 143 plain IMAP)"
        )
    except _Step as exc:
        fetched.error = _STEPS[exc.step].format(where=box.where, folder=box.folder)
    except OSError as exc:
        if step == "connect":
            fetched.error = netguard.explain(exc, box.where, timeout)
        else:
            fetched.error = f"the connection to {box.where} broke ({step}); try again later"
    except Exception:  # imaplib's errors quote the far end: only the step is named
        if step == "known":
            raise  # our own database, not the mail server: the caller's to handle
        fetched.error = _STEPS[step].format(where=box.where, folder=box.folder)
    if fetched.error is not None:
        log.warning("inbox poll of team %s failed: %s", box.team_id, fetched.error)
    return fetched


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _fetch(imap: imaplib.IMAP4, number: bytes) -> bytes | None:
    # BODY.PEEK[] leaves the mail unseen: it is marked only after its item is committed.
    data = _ok(imap.fetch(number.decode(), "(BODY.PEEK[])"), "fetch")
    for part in data:
        if isinstance(part, tuple) and len(part) >= 2 and isinstance(part[1], bytes):
            return part[1][: mail.MAX_MAIL_BYTES]
    return None
