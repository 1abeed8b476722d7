"""Accounts, API tokens and browser sessions. Callers own the transaction."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Engine, bindparam, delete, func, or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from devday.account.models import ApiToken, User, WebSession
from devday.account.passwords import hash_password, verify_password
from devday.account.schemas import UserCreate, UserUpdate
from devday.db import brief_transaction
from devday.errors import Conflict, Invalid, NotFound, Unauthorized

if TYPE_CHECKING:  # only named in signatures: the CLI imports this module on every command
    from devday.account.ratelimit import RateLimits
    from devday.config import Settings

TOKEN_PREFIX = "dd_"  # noqa: S105 - a public prefix, not a secret
# last_used_at is a hint for the user, not an audit log: it is written at most once every few
# minutes per token, in a transaction of its own, and skipped when the database is busy, so
# that no API call becomes a write, waits for one or fails for one.
_LAST_USED_GRANULARITY = timedelta(minutes=5)
_LAST_USED_WAIT_SECONDS = 0.25


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_user(*, session: Session, data: UserCreate) -> User:
    email = normalise_email(data.email)
    if get_user_by_email(session=session, email=email) is not None:
        raise Conflict("an account with this email already exists", field="email")
    user = User(
        email=email,
        name=data.name.strip(),
        password_hash=hash_password(data.password),
        timezone=data.timezone,
    )
    session.add(user)
    session.flush()
    return user


def get_user_by_email(*, session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def local_user(*, session: Session, email: str) -> User:
    """The account the CLI's in-process client names by email (local mode only)."""
    user = get_user_by_email(session=session, email=email)
    if user is None:
        raise Unauthorized(f"no local account uses {email}; see `devday user create`")
    return user


def get_user(*, session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("user not found")
    return user


def update_user(*, session: Session, user: User, data: UserUpdate) -> User:
    if data.name is not None:
        user.name = data.name.strip()
    if data.timezone is not None:
        user.timezone = data.timezone
    session.flush()
    return user


WRONG_PASSWORD = "the current password is wrong"  # noqa: S105 - a message, not a secret


def check_password(
    *,
    limits: RateLimits,
    settings: Settings,
    user: User,
    password: str,
    field: str = "current_password",
    message: str = WRONG_PASSWORD,
) -> None:
    """Invalid, naming ``field``, unless ``password`` is the user's own: asked before a change
    only its owner may make, from a session or token that may have been stolen. Wrong guesses
    are limited per account (``login_limit_per_account_address``), so that a stolen token cannot
    try passwords on."""
    keys = ("password-check", normalise_email(user.email))
    limit = settings.login_limit_per_account_address
    limits.check(limit, *keys, message="too many wrong passwords; try again later")
    if not verify_password(user.password_hash, password):
        limits.count(limit, *keys)
        raise Invalid(message, field=field)


def change_password(
    *,
    session: Session,
    limits: RateLimits,
    settings: Settings,
    user: User,
    current: str,
    new: str,
    keep_session: str | None,
) -> None:
    """Sets ``new`` as the password once ``current`` is checked, and signs out every browser of
    the user but the one whose session key is ``keep_session`` (the one asking, if a browser).
    API tokens stay: they are revoked one by one."""
    check_password(limits=limits, settings=settings, user=user, password=current)
    user.password_hash = hash_password(new)
    drop = delete(WebSession).where(WebSession.user_id == user.id)
    if keep_session:
        drop = drop.where(WebSession.key_hash != _digest(keep_session))
    session.execute(drop)
    session.flush()


def authenticate(*, session: Session, email: str, password: str) -> User:
    """The user with this email and password; Unauthorized with one message for every failure."""
    user = get_user_by_email(session=session, email=email)
    if not verify_password(user.password_hash if user else None, password) or user is None:
        raise Unauthorized("wrong email or password")
    return user


def count_users(*, session: Session) -> int:
    return session.scalar(select(func.count()).select_from(User)) or 0


# --- API tokens -------------------------------------------------------------------------------


def create_token(*, session: Session, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token and its secret; the secret is returned only here and stored hashed."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id, name=name.strip(), prefix=secret[:8], token_hash=_digest(secret)
    )
    session.add(token)
    session.flush()
    return token, secret


def list_tokens(*, session: Session, user: User) -> Sequence[ApiToken]:
    return session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)
    ).all()


def revoke_token(*, session: Session, user: User, token_id: int, now: datetime) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound("token not found")
    if token.revoked_at is None:
        token.revoked_at = now
    session.flush()
    return token


_LIVE_TOKEN = (
    select(ApiToken, User)
    .join(User, User.id == ApiToken.user_id)
    .where(ApiToken.token_hash == bindparam("token_hash"))
)


def live_token(*, session: Session, secret: str) -> tuple[ApiToken, User] | None:
    """The token with this secret and its user, in one query; None for unknown or revoked ones.
    Reads only: record its use with ``note_token_use`` once the caller's transaction has ended
    (when ``token_use_due``)."""
    found = session.execute(_LIVE_TOKEN, {"token_hash": _digest(secret)}).first()
    if found is None or found[0].revoked_at is not None:
        return None
    return found[0], found[1]


def token_use_due(token: ApiToken, now: datetime) -> bool:
    """Whether ``token``'s last use is old enough to be noted again (at most every few minutes)."""
    return token.last_used_at is None or token.last_used_at <= now - _LAST_USED_GRANULARITY


def note_token_use(*, engine: Engine, token: ApiToken, now: datetime) -> bool:
    """Records that ``token`` was used ``now`` if its last use is older than a few minutes, in a
    short transaction of its own (never the request's); skipped, returning False, when the
    database is too busy to take the write at once. Call it outside any transaction of the same
    thread, or on SQLite it would wait for that transaction's own lock."""
    cutoff = now - _LAST_USED_GRANULARITY
    if not token_use_due(token, now):
        return True
    stale = or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at <= cutoff)
    try:
        with brief_transaction(engine, wait_seconds=_LAST_USED_WAIT_SECONDS) as conn:
            conn.execute(
                update(ApiToken).where(ApiToken.id == token.id, stale).values(last_used_at=now)
            )
    except OperationalError:
        return False  # busy: the next use after this one records it
    return True


# --- browser sessions -------------------------------------------------------------------------


def start_session(*, session: Session, user: User, now: datetime, days: int) -> str:
    """A new browser session for ``user``; returns the key for the (signed) cookie."""
    key = secrets.token_urlsafe(32)
    session.add(
        WebSession(
            user_id=user.id,
            key_hash=_digest(key),
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
    )
    session.flush()
    return key


def user_for_session(*, session: Session, key: str, now: datetime) -> User | None:
    row = session.scalar(select(WebSession).where(WebSession.key_hash == _digest(key)))
    if row is None or row.expires_at <= now:
        return None
    return session.get(User, row.user_id)


def end_session(*, session: Session, key: str) -> None:
    row = session.scalar(select(WebSession).where(WebSession.key_hash == _digest(key)))
    if row is not None:
        session.delete(row)
        session.flush()
