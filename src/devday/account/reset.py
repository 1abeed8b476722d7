"""Password reset by email: a link that sets a new password and lifts a sign-in lockout.

The link carries a signed token naming the account, a digest of its current password hash and
when it was made: it works for ``RESET_HOURS``, and only until the password changes (so once).
The email goes through the outbox, written in the request's transaction like every other
message; an address that has no account gets the same answer and no email. The link is built
on ``DEVDAY_PUBLIC_URL`` (else the server's own host and port), never on the request's Host
header, which the requester chooses.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from uuid import uuid4

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete
from sqlalchemy.orm import Session

from devday.account import service, sso
from devday.account.login import lift_lockout
from devday.account.models import User, WebSession
from devday.account.passwords import hash_password
from devday.account.ratelimit import RateLimits
from devday.config import Settings
from devday.errors import Invalid, NotFound
from devday.notify.models import ChannelKind, OutboxMessage, OutboxStatus

RESET_HOURS = 1
RESET_LIMIT_PER_ACCOUNT = "5/hour"
EXPIRED = "this reset link is not valid or has expired; ask for a new one"


def _fingerprint(user: User) -> str:
    return hashlib.sha256(b"reset:" + user.password_hash.encode()).hexdigest()[:32]


def reset_token(signer: URLSafeSerializer, user: User, now: datetime) -> str:
    token: str = signer.dumps([user.id, _fingerprint(user), int(now.timestamp())], salt="reset")
    return token


def public_url(settings: Settings) -> str:
    return (settings.public_url or f"http://{settings.host}:{settings.port}").rstrip("/")


def request_reset(
    *,
    session: Session,
    limits: RateLimits,
    settings: Settings,
    signer: URLSafeSerializer,
    email: str,
    address: str,
    now: datetime,
) -> None:
    """Queues the reset email when an account uses ``email``; limited per address and account.
    Forbidden while password sign-in is off: the link would sign its holder in."""
    sso.require_password_login(settings)
    limits.hit(
        settings.login_limit_per_address,
        "reset-address",
        address,
        message="too many reset requests from this address; try again later",
    )
    user = service.get_user_by_email(session=session, email=email)
    if user is None:
        return
    limits.hit(
        RESET_LIMIT_PER_ACCOUNT,
        "reset-account",
        user.email,
        message="a reset email was sent several times already; check your inbox",
    )
    link = f"{public_url(settings)}/reset-password/{reset_token(signer, user, now)}"
    text = (
        f"Someone (hopefully you) asked to reset the password of {user.email} on devday.\n\n"
        f"Set a new one within {RESET_HOURS} hour(s): {link}\n\n"
        "It also lets you sign in again if too many wrong passwords locked the account.\n"
        "If it was not you, ignore this email; your password stays as it is."
    )
    # Not tied to the user's id: the outbox listing would show the live link to their tokens.
    session.add(
        OutboxMessage(
            delivery_id=uuid4().hex,
            kind=ChannelKind.email,
            target=user.email,
            secret="",
            subject="Reset your devday password",
            text=text,
            payload={"kind": "password-reset"},
            status=OutboxStatus.pending,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
    )
    session.flush()


def user_for_reset(
    *, session: Session, signer: URLSafeSerializer, token: str, now: datetime
) -> User:
    """The account a reset link is for; Invalid when it is forged, expired or already used."""
    try:
        value = signer.loads(token, salt="reset")
    except BadSignature:
        raise Invalid(EXPIRED, field="token") from None
    if not (isinstance(value, list) and len(value) == 3):
        raise Invalid(EXPIRED, field="token")
    user_id, fingerprint, made = value
    if not (isinstance(user_id, int) and isinstance(fingerprint, str) and isinstance(made, int)):
        raise Invalid(EXPIRED, field="token")
    user = session.get(User, user_id)
    fresh = 0 <= now.timestamp() - made <= RESET_HOURS * 3600
    if user is None or not fresh or not hmac.compare_digest(fingerprint, _fingerprint(user)):
        raise Invalid(EXPIRED, field="token")
    return user


def reset_password(
    *,
    session: Session,
    limits: RateLimits,
    settings: Settings,
    signer: URLSafeSerializer,
    token: str,
    password: str,
    now: datetime,
) -> User:
    """Sets the new password, signs out every browser and lifts the account's lockout.
    Forbidden while password sign-in is off (an operator's ``set_password`` still works)."""
    sso.require_password_login(settings)
    user = user_for_reset(session=session, signer=signer, token=token, now=now)
    user.password_hash = hash_password(password)
    session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    session.flush()
    lift_lockout(limits, settings, user.email)
    return user


# --- an operator's reset, for servers without email (``devday user reset-password``) ----------


def _account(session: Session, email: str) -> User:
    user = service.get_user_by_email(session=session, email=email)
    if user is None:
        raise NotFound(f"no account uses {service.normalise_email(email)}", field="email")
    return user


def set_password(
    *, session: Session, limits: RateLimits, settings: Settings, email: str, password: str
) -> User:
    """Sets the password of the account that uses ``email`` without the old one (an operator's
    act, on the server's own database), signs out its browsers and lifts its lockout."""
    user = _account(session, email)
    user.password_hash = hash_password(password)
    session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    session.flush()
    lift_lockout(limits, settings, user.email)
    return user


def reset_link(
    *, session: Session, settings: Settings, signer: URLSafeSerializer, email: str, now: datetime
) -> str:
    """A reset link for the account that uses ``email``, as the reset email would carry: it
    works for ``RESET_HOURS`` and only once (until the password changes). Nothing is sent."""
    user = _account(session, email)
    return f"{public_url(settings)}/reset-password/{reset_token(signer, user, now)}"
