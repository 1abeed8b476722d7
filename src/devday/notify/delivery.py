"""Sending one outbox message: email over SMTP, chat and generic webhooks over HTTP, and the
services Apprise reaches.

Every outside system sits behind ``Deliverer``: a real adapter and a ``MockDeliverer`` twin.
A deliverer raises ``DeliveryError`` for a failed attempt (the worker retries it later).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
import ssl
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

import httpx

from devday import __version__
from devday.netguard import (
    ALLOW_ALL,
    STRICT,
    GuardedTransport,
    OutboundPolicy,
    Refused,
    Unresolvable,
    guarding_urllib3,
    resolve,
)
from devday.notify import apprise_target, chat
from devday.notify.models import ChannelKind, OutboxMessage


class DeliveryError(Exception):
    """One attempt failed (refused, unreachable, a non-2xx answer); worth retrying."""


@dataclass(frozen=True)
class Outgoing:
    """What a deliverer needs of a message: a snapshot, usable outside any session."""

    delivery_id: str
    kind: ChannelKind
    target: str
    secret: str
    subject: str
    text: str
    html: str | None
    payload: dict[str, Any]
    # The team whose channel it goes to (None: a user's own channel), for the outbound guard.
    team_id: int | None = None

    @classmethod
    def of(cls, message: OutboxMessage) -> Outgoing:
        return cls(
            delivery_id=message.delivery_id,
            kind=message.kind,
            target=message.target,
            secret=message.secret,
            subject=message.subject,
            text=message.text,
            html=message.html,
            payload=dict(message.payload),
            team_id=message.team_id,
        )


class Deliverer(Protocol):
    def deliver(self, message: Outgoing) -> None:
        """Sends ``message`` once; raises DeliveryError when this attempt failed."""
        ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class SmtpConfig:
    """``smtp://user:pass@host:587?starttls=true&from=devday@example.com``; ``smtps://`` is
    implicit TLS (port 465 by default)."""

    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None
    implicit_tls: bool = False
    starttls: bool = False
    timeout: float = 30.0

    @classmethod
    def from_url(cls, url: str, *, timeout: float = 30.0) -> SmtpConfig:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("DEVDAY_SMTP_URL must look like smtp://user:pass@host:587?from=...")
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        starttls = query.get("starttls", "false").lower()
        if starttls not in ("true", "false", "1", "0", "yes", "no"):
            raise ValueError("DEVDAY_SMTP_URL: starttls must be true or false")
        implicit = parts.scheme == "smtps"
        try:
            port = parts.port or (465 if implicit else 25)
        except ValueError:
            raise ValueError("DEVDAY_SMTP_URL: the port is not a number") from None
        return cls(
            host=parts.hostname,
            port=port,
            sender=query.get("from") or f"devday@{parts.hostname}",
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            implicit_tls=implicit,
            starttls=starttls in ("true", "1", "yes"),
            timeout=timeout,
        )


def build_email(message: Outgoing, sender: str) -> EmailMessage:
    """A text/plain message, multipart/alternative when there is an HTML part."""
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.target
    email["Subject"] = message.subject
    email["Date"] = formatdate(localtime=False)
    domain = sender.rpartition("@")[2] or "devday"
    # Stable across retries: a resent message has the same Message-ID, so mail clients and
    # receivers can tell it is the same one.
    email["Message-ID"] = f"<{message.delivery_id}@{domain}>"
    email["X-Devday-Delivery"] = message.delivery_id
    email.set_content(message.text)
    if message.html is not None:
        email.add_alternative(message.html, subtype="html")
    return email


class SmtpMailer:
    """Sends email with smtplib: plain, STARTTLS or implicit TLS, with optional AUTH.

    Deliberately not behind the outbound guard: the SMTP host is the administrator's own
    setting (DEVDAY_SMTP_URL), often a relay on the server's own network, never a user's
    input; users choose only the recipients' addresses, which the relay delivers to."""

    def __init__(self, config: SmtpConfig, *, ssl_context: ssl.SSLContext | None = None) -> None:
        self.config = config
        self._ssl_context = ssl_context

    def deliver(self, message: Outgoing) -> None:
        config = self.config
        email = build_email(message, config.sender)
        context = self._ssl_context or ssl.create_default_context()
        try:
            smtp: smtplib.SMTP
            if config.implicit_tls:
                smtp = smtplib.SMTP_SSL(
                    config.host, config.port, timeout=config.timeout, context=context
                )
            else:
                smtp = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
            with smtp:
                if config.starttls:
                    smtp.starttls(context=context)
                if config.username is not None:
                    smtp.login(config.username, config.password or "")
                smtp.send_message(email)
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"SMTP {config.host}:{config.port}: {exc}") from exc

    def close(self) -> None:
        """Nothing to release: every delivery opens and closes its own connection."""


def signature(secret: str, body: bytes) -> str:
    """The X-Devday-Signature value: ``sha256=`` and the hex HMAC-SHA256 of the raw body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhook_request(message: Outgoing) -> tuple[bytes, dict[str, str]]:
    """The body and headers posted for ``message``, by channel kind."""
    headers = {"Content-Type": "application/json", "X-Devday-Delivery": message.delivery_id}
    if message.kind == ChannelKind.slack:
        document: dict[str, Any] = {"text": chat.slack_text(message.subject, message.text)}
    elif message.kind == ChannelKind.mattermost:
        document = {"text": chat.markdown_text(message.subject, message.text)}
    else:
        document = {
            "delivery_id": message.delivery_id,
            "subject": message.subject,
            "text": message.text,
            "payload": message.payload,
        }
    body = json.dumps(document, separators=(",", ":")).encode()
    if message.kind == ChannelKind.webhook:
        headers["X-Devday-Signature"] = signature(message.secret, body)
    return body, headers


class WebhookSender:
    """Posts to Slack, Mattermost and generic webhooks; a 2xx answer is success.

    Every connection goes through the outbound guard with ``outbound`` (the server's setting,
    strict by default there) and the message's team: a target that resolves to a loopback,
    private or other internal address is refused at delivery time too (unless allowed for every
    team or for the channel's team), so a name re-pointed after the channel was created cannot
    reach inside, and the connection goes to the address that was checked. A team with entries
    of its own gets a client of its own, so that no other team reuses its connections.
    """

    def __init__(
        self,
        *,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
        outbound: OutboundPolicy = ALLOW_ALL,
    ) -> None:
        self._timeout = timeout
        self._outbound = outbound
        # A transport given (tests) serves every team; the guard's own is made per team.
        self._teams: dict[int, httpx.Client] | None = None if transport else {}
        self._client = self._new_client(transport or GuardedTransport(outbound))

    def _new_client(self, transport: httpx.BaseTransport) -> httpx.Client:
        return httpx.Client(
            timeout=self._timeout,
            transport=transport,
            follow_redirects=False,
            headers={"User-Agent": f"devday/{__version__}"},
        )

    def _client_for(self, team_id: int | None) -> httpx.Client:
        if self._teams is None or team_id is None or team_id not in self._outbound.teams:
            return self._client
        if team_id not in self._teams:
            transport = GuardedTransport(self._outbound, team_id=team_id)
            self._teams[team_id] = self._new_client(transport)
        return self._teams[team_id]

    def deliver(self, message: Outgoing) -> None:
        body, headers = webhook_request(message)
        client = self._client_for(message.team_id)
        try:
            response = client.post(message.target, content=body, headers=headers)
        except Refused as exc:
            raise DeliveryError(f"refused: {exc}") from exc
        except Unresolvable as exc:
            raise DeliveryError(str(exc)) from exc
        except httpx.ProtocolError as exc:
            # h11 quotes the bytes it could not read: whatever answered is not repeated.
            raise DeliveryError("the answer is not HTTP; check the URL's port and scheme") from exc
        except httpx.HTTPError as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
        if not response.is_success:
            # The far end's body is not repeated: only the status says what went wrong.
            host = urlsplit(message.target).hostname
            raise DeliveryError(f"HTTP {response.status_code} from {host}")

    def close(self) -> None:
        self._client.close()
        for client in (self._teams or {}).values():
            client.close()


class AppriseSender:
    """Sends through Apprise to the services ``apprise_target`` lists: title, Markdown body.

    Apprise makes its own connections, so the guard checks first: the host and port the URL's
    service connects to are resolved and checked with ``outbound`` and the message's team, as
    for a webhook, before Apprise is handed the URL. JSON, XML and form endpoints also get the
    ``X-Devday-Delivery`` header."""

    def __init__(self, *, timeout: float = 10.0, outbound: OutboundPolicy = ALLOW_ALL) -> None:
        self._timeout = timeout
        self._outbound = outbound

    def deliver(self, message: Outgoing) -> None:
        import logging

        import apprise

        scheme = apprise_target.scheme_of(message.target)
        try:
            notifier = apprise_target.plugin(message.target)
            where = apprise_target.endpoint_of(scheme, notifier)
            resolve(where.host, where.port, self._outbound, team_id=message.team_id)
        except ValueError as exc:
            raise DeliveryError(str(exc)) from exc
        except Refused as exc:
            raise DeliveryError(f"refused: {exc}") from exc
        except Unresolvable as exc:
            raise DeliveryError(str(exc)) from exc
        headers = getattr(notifier, "headers", None)
        if isinstance(headers, dict):
            headers["X-Devday-Delivery"] = message.delivery_id
        notifier.socket_connect_timeout = notifier.socket_read_timeout = self._timeout
        capture = apprise.LogCapture(level=logging.WARNING, fmt="%(message)s")  # type: ignore[no-untyped-call]
        # Apprise resolves the name again and follows redirects itself: inside this block
        # every connection it opens is checked as the first one was, for this message's team.
        try:
            with capture as logs, guarding_urllib3(self._outbound, team_id=message.team_id):
                sent = notifier.notify(
                    title=message.subject,
                    body=chat.without_title(message.subject, message.text) or message.subject,
                    body_format=apprise.NotifyFormat.MARKDOWN,
                )
        except Refused as exc:
            raise DeliveryError(f"refused: {exc}") from exc
        if not sent:
            said = [line for line in logs.getvalue().splitlines() if line.strip()]
            detail = f": {said[0][:300]}" if said else ""
            raise DeliveryError(f"{scheme}:// to {where.host}:{where.port} failed{detail}")

    def close(self) -> None:
        """Nothing to release: Apprise opens a connection per notification."""


class MockDeliverer:
    """Records what it is given; fails the first attempts when given ``failures``.

    A failure that is a string becomes a DeliveryError; an exception instance is raised as is
    (a BaseException stands for a worker killed in the middle of a delivery).
    """

    def __init__(self, failures: Iterable[str | BaseException] = ()) -> None:
        self.attempts: list[Outgoing] = []
        self.sent: list[Outgoing] = []
        self._failures = deque(failures)

    def deliver(self, message: Outgoing) -> None:
        self.attempts.append(message)
        if self._failures:
            failure = self._failures.popleft()
            raise DeliveryError(failure) if isinstance(failure, str) else failure
        self.sent.append(message)

    def close(self) -> None:
        """Nothing to release."""


@dataclass
class Deliverers:
    """The deliverer for each channel kind: ``email`` for email, ``apprise`` for Apprise URLs
    (``web`` when not given: a ``MockDeliverer`` there records them too), ``web`` for the rest."""

    web: Deliverer
    email: Deliverer | None = None
    apprise: Deliverer | None = None

    def for_kind(self, kind: ChannelKind) -> Deliverer:
        if kind == ChannelKind.apprise and self.apprise is not None:
            return self.apprise
        if kind != ChannelKind.email:
            return self.web
        if self.email is None:
            raise DeliveryError("email is not configured on this server: set DEVDAY_SMTP_URL")
        return self.email

    def close(self) -> None:
        self.web.close()
        for other in (self.email, self.apprise):
            if other is not None:
                other.close()

    @classmethod
    def from_settings(
        cls,
        *,
        smtp_url: str,
        smtp_timeout: float = 30.0,
        webhook_timeout: float = 10.0,
        outbound: OutboundPolicy = STRICT,
    ) -> Deliverers:
        """The real deliverers; email only when ``smtp_url`` is set (ValueError if malformed)."""
        email = (
            SmtpMailer(SmtpConfig.from_url(smtp_url, timeout=smtp_timeout)) if smtp_url else None
        )
        web = WebhookSender(timeout=webhook_timeout, outbound=outbound)
        apprise = AppriseSender(timeout=webhook_timeout, outbound=outbound)
        return cls(web=web, email=email, apprise=apprise)
