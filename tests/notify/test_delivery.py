from __future__ import annotations

import email
import email.policy
import shutil
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from devday.notify.delivery import (
    Deliverers,
    DeliveryError,
    MockDeliverer,
    Outgoing,
    SmtpConfig,
    SmtpMailer,
    WebhookSender,
)
from devday.notify.models import ChannelKind
from tests.notify.support import (
    SMTP_PASSWORD,
    SMTP_USER,
    SmtpRecorder,
    WebhookReceiver,
    free_port,
    valid_signature,
)

MESSAGE = Outgoing(
    delivery_id="0f3c2a9b8d7e4f60a1b2c3d4e5f60718",
    kind=ChannelKind.email,
    target="alice@example.com",
    secret="s" * 64,
    subject="End-of-day report",
    text="Done: the rate limit.\nTomorrow: the docs.",
    html="<p>Done: <b>the rate limit</b>.</p>",
    payload={"event": "day.wrapup", "day": "2026-11-30"},
)


def smtp_server(recorder: SmtpRecorder, **options: Any) -> Controller:
    controller = Controller(
        recorder,
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=recorder.authenticate,
        **options,
    )
    controller.start()
    return controller


@pytest.fixture(params=["PLAIN", "LOGIN"])
def smtp(request: pytest.FixtureRequest) -> Iterator[tuple[Controller, SmtpRecorder]]:
    """A plain SMTP server on loopback that offers one AUTH mechanism (the parameter)."""
    recorder = SmtpRecorder()
    other = {"PLAIN": "LOGIN", "LOGIN": "PLAIN"}[request.param]
    controller = smtp_server(recorder, auth_require_tls=False, auth_exclude_mechanism=[other])
    yield controller, recorder
    controller.stop()


def test_it_sends_a_multipart_email_over_smtp_with_auth(
    smtp: tuple[Controller, SmtpRecorder],
) -> None:
    controller, recorder = smtp
    url = (
        f"smtp://{SMTP_USER}:{SMTP_PASSWORD.replace(' ', '%20')}@127.0.0.1:{controller.port}"
        "?from=devday@example.com"
    )
    SmtpMailer(SmtpConfig.from_url(url, timeout=5)).deliver(MESSAGE)

    [(sender, recipients, raw)] = recorder.messages
    assert (sender, recipients) == ("devday@example.com", ["alice@example.com"])
    assert len(recorder.logins) == 1  # AUTH PLAIN or AUTH LOGIN, as offered
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["Message-ID"] == f"<{MESSAGE.delivery_id}@example.com>"
    assert parsed["X-Devday-Delivery"] == MESSAGE.delivery_id
    assert parsed["Subject"] == "End-of-day report"
    assert parsed.get_content_type() == "multipart/alternative"
    text = parsed.get_body(preferencelist=("plain",))
    html = parsed.get_body(preferencelist=("html",))
    assert text is not None and "Tomorrow: the docs." in text.get_content()
    assert html is not None and "<b>the rate limit</b>" in html.get_content()

    plain_only = replace(MESSAGE, html=None, delivery_id="1" * 32)
    SmtpMailer(SmtpConfig.from_url(url, timeout=5)).deliver(plain_only)
    second = email.message_from_bytes(recorder.messages[1][2], policy=email.policy.default)
    assert second.get_content_type() == "text/plain"


def test_it_fails_the_attempt_when_the_smtp_server_refuses_the_login() -> None:
    recorder = SmtpRecorder()
    controller = smtp_server(recorder, auth_require_tls=False)  # PLAIN, then LOGIN refused
    try:
        url = f"smtp://{SMTP_USER}:wrong@127.0.0.1:{controller.port}?from=devday@example.com"
        with pytest.raises(DeliveryError, match=r"SMTP 127\.0\.0\.1"):
            SmtpMailer(SmtpConfig.from_url(url, timeout=5)).deliver(MESSAGE)
    finally:
        controller.stop()
    assert recorder.messages == [] and recorder.logins == []
    closed = f"smtp://127.0.0.1:{free_port()}"
    with pytest.raises(DeliveryError):
        SmtpMailer(SmtpConfig.from_url(closed, timeout=5)).deliver(MESSAGE)


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl to make a certificate")
def test_it_sends_email_over_starttls(tmp_path: Path) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1"),
            *("-addext", "subjectAltName=IP:127.0.0.1"),
        ],
        check=True,
        capture_output=True,
    )
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    recorder = SmtpRecorder()
    controller = smtp_server(
        recorder, tls_context=server_context, require_starttls=True, auth_required=True
    )
    try:
        url = (
            f"smtp://{SMTP_USER}:{SMTP_PASSWORD.replace(' ', '%20')}@127.0.0.1:{controller.port}"
            "?starttls=true&from=devday@example.com"
        )
        config = SmtpConfig.from_url(url, timeout=5)
        trusting = ssl.create_default_context(cafile=str(cert))
        SmtpMailer(config, ssl_context=trusting).deliver(MESSAGE)
        # Without STARTTLS the server refuses to go on: the attempt fails, nothing is sent.
        with pytest.raises(DeliveryError):
            SmtpMailer(replace(config, starttls=False)).deliver(MESSAGE)
    finally:
        controller.stop()
    assert len(recorder.messages) == 1 and recorder.logins


def test_it_reads_smtp_urls() -> None:
    implicit = SmtpConfig.from_url("smtps://me%40corp:p%3Ass@mail.example.com?from=dd@corp.com")
    assert (implicit.port, implicit.implicit_tls, implicit.starttls) == (465, True, False)
    assert (implicit.username, implicit.password, implicit.sender) == (
        "me@corp",
        "p:ss",
        "dd@corp.com",
    )
    plain = SmtpConfig.from_url("smtp://mail.example.com:587?starttls=true")
    assert (plain.port, plain.starttls, plain.sender) == (587, True, "devday@mail.example.com")
    for bad in ("http://mail.example.com", "smtp://", "smtp://h?starttls=maybe", "smtp://h:x"):
        with pytest.raises(ValueError, match="DEVDAY_SMTP_URL"):
            SmtpConfig.from_url(bad)


def test_it_posts_signed_generic_webhooks_and_plain_chat_text(receiver: WebhookReceiver) -> None:
    sender = WebhookSender(timeout=5)
    try:
        for kind in (ChannelKind.webhook, ChannelKind.slack, ChannelKind.mattermost):
            sender.deliver(replace(MESSAGE, kind=kind, target=f"{receiver.url}/{kind}"))
    finally:
        sender.close()
    generic, slack, mattermost = receiver.received
    assert generic.path == "/webhook"
    assert generic.json() == {
        "delivery_id": MESSAGE.delivery_id,
        "subject": MESSAGE.subject,
        "text": MESSAGE.text,
        "payload": MESSAGE.payload,
    }
    assert generic.headers["X-Devday-Delivery"] == MESSAGE.delivery_id
    assert valid_signature(MESSAGE.secret, generic)
    assert not valid_signature("another secret", generic)
    assert slack.json() == {"text": f"*{MESSAGE.subject}*\n{MESSAGE.text}"}
    assert mattermost.json() == {"text": f"**{MESSAGE.subject}**\n{MESSAGE.text}"}
    assert "X-Devday-Signature" not in slack.headers


def test_it_fails_the_attempt_on_a_non_2xx_answer_or_a_network_error() -> None:
    failing = WebhookReceiver(fail_first=1).start()
    sender = WebhookSender(timeout=5)
    try:
        hook = replace(MESSAGE, kind=ChannelKind.webhook, target=failing.url)
        with pytest.raises(DeliveryError, match=r"HTTP 500 from 127\.0\.0\.1"):
            sender.deliver(hook)
        sender.deliver(hook)  # the second answer is a 204
        with pytest.raises(DeliveryError, match="ConnectError"):
            sender.deliver(replace(hook, target=f"http://127.0.0.1:{free_port()}/"))
    finally:
        sender.close()
        failing.stop()
    assert len(failing.received) == 2


def test_it_refuses_email_when_no_smtp_server_is_configured() -> None:
    web = MockDeliverer()
    deliverers = Deliverers(web=web)
    assert deliverers.for_kind(ChannelKind.slack) is web
    with pytest.raises(DeliveryError, match="DEVDAY_SMTP_URL"):
        deliverers.for_kind(ChannelKind.email)
    with pytest.raises(ValueError, match="DEVDAY_SMTP_URL"):
        Deliverers.from_settings(smtp_url="mail.example.com")
