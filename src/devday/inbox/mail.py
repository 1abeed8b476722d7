"""Mail into the inbox: parsing with the stdlib ``email`` package, and devday's own SMTP
receiver (aiosmtpd). Polling a team's IMAP mailbox is ``devday.inbox.imap``.

A mail is keyed by its Message-ID (a digest of the raw mail when it has none), so that a mail
seen twice is one item. Polling marks a mail \\Seen only once its item was stored by an earlier
poll; a crash between fetching and committing cannot lose a mail, at the cost of reading new
mails twice.
"""

from __future__ import annotations

import hashlib
import html
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr
from typing import Any

import nh3
from sqlalchemy.orm import Session, sessionmaker

from devday.clock import Clock
from devday.db import transaction
from devday.inbox import service, setup
from devday.inbox.models import InboxItem, ItemSource
from devday.team.models import Team

log = logging.getLogger("devday.inbox")
MAX_MAIL_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class ParsedMail:
    message_id: str
    sender_email: str
    sender_name: str
    subject: str
    body: str
    recipients: tuple[str, ...]
    automatic: bool


def parse(raw: bytes) -> ParsedMail:
    """The parts of a mail the inbox keeps; the plain-text part is preferred, HTML is stripped
    to its text."""
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    name, address = parseaddr(str(message.get("From", "")))
    message_id = str(message.get("Message-ID", "")).strip()
    if not message_id:
        message_id = "<sha256:" + hashlib.sha256(raw).hexdigest() + ">"
    recipients = tuple(
        addr.lower()
        for _n, addr in getaddresses(
            [str(v) for key in ("To", "Cc", "Delivered-To") for v in message.get_all(key, [])]
        )
        if addr
    )
    auto = str(message.get("Auto-Submitted", "no")).lower()
    automatic = (auto not in ("", "no")) or "X-Devday-Delivery" in message
    return ParsedMail(
        message_id=message_id,
        sender_email=address.strip().lower(),
        sender_name=name.strip(),
        subject=" ".join(str(message.get("Subject", "")).split()),
        body=_body(message),
        recipients=recipients,
        automatic=automatic,
    )


def _body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, ValueError):  # an unknown charset: keep what decodes
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    if not isinstance(content, str):
        return ""
    if part.get_content_subtype() == "html":
        return html_to_text(content)
    return content.strip()


def html_to_text(markup: str) -> str:
    """The text of an HTML mail: nh3 drops every tag (and script/style content)."""
    spaced = re.sub(r"(?i)<\s*(br|/p|/div|/li|/h\d|/tr)\b[^>]*>", "\n", markup)
    text = html.unescape(nh3.clean(spaced, tags=set()))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def store(session: Session, team: Team, mail: ParsedMail, now: datetime) -> InboxItem | None:
    """The item for ``mail`` in ``team``'s inbox; None for a duplicate or an automatic reply
    (out-of-office answers and devday's own mail would otherwise loop)."""
    if mail.automatic:
        return None
    return service.receive(
        session=session,
        team=team,
        source=ItemSource.email,
        sender_email=mail.sender_email,
        sender_name=mail.sender_name,
        subject=mail.subject,
        body=mail.body,
        message_id=mail.message_id,
        now=now,
    )


# --- SMTP ----------------------------------------------------------------------------------------


class InboxHandler:
    """An aiosmtpd handler: RCPT TO <slug>@<domain> must name a team's inbox; DATA stores the
    mail in each named team's inbox, in one transaction."""

    def __init__(self, factory: sessionmaker[Session], clock: Clock, domain: str) -> None:
        self.factory = factory
        self.clock = clock
        self.domain = domain.strip().lower()

    def team_for(self, address: str) -> int | None:
        local, _, domain = address.strip().lower().partition("@")
        if self.domain and domain != self.domain:
            return None
        local = local.split("+", 1)[0]
        with self.factory() as session:
            found = setup.by_slug(session=session, slug=local)
            return found.team_id if found is not None else None

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if self.team_for(address) is None:
            return "550 5.1.1 no such inbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode()
        if len(raw) > MAX_MAIL_BYTES:
            return "552 5.3.4 message too big"
        try:
            self.deliver(raw, list(envelope.rcpt_tos))
        except Exception:
            log.exception("storing a received mail failed")
            return "451 4.3.0 could not store the mail; try again later"
        return "250 OK stored"

    def deliver(self, raw: bytes, rcpt_tos: list[str]) -> list[InboxItem]:
        mail = parse(raw)
        stored: list[InboxItem] = []
        with transaction(self.factory) as session:
            now = self.clock.now()
            for team_id in dict.fromkeys(t for t in map(self.team_for, rcpt_tos) if t):
                team = session.get(Team, team_id)
                if team is not None and (item := store(session, team, mail, now)):
                    stored.append(item)
        return stored


def listen_address(text: str) -> tuple[str, int]:
    """``"127.0.0.1:2525"`` (or ``"[::1]:2525"``) as a host and a port; ValueError otherwise."""
    host, sep, port = text.strip().rpartition(":")
    if not sep or not port.isdigit() or not host:
        raise ValueError(f"DEVDAY_SMTP_LISTEN must be host:port, such as 127.0.0.1:2525: {text!r}")
    number = int(port)
    if not 0 < number < 65536:
        raise ValueError(f"DEVDAY_SMTP_LISTEN: no such port {number}")
    return host.strip("[]"), number


def start_receiver(
    *, factory: sessionmaker[Session], clock: Clock, listen: str, domain: str
) -> Callable[[], None]:
    """Starts the SMTP receiver in its own thread; returns the function that stops it."""
    from aiosmtpd.controller import Controller

    host, port = listen_address(listen)
    controller = Controller(
        InboxHandler(factory, clock, domain),
        hostname=host,
        port=port,
        data_size_limit=MAX_MAIL_BYTES,
        server_hostname=domain or None,
    )
    controller.start()
    return controller.stop
