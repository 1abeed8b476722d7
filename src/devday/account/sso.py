"""Single sign-on: which account an identity from the provider signs in to, and the switch that
turns password sign-in off. The protocol itself is ``account/oidc.py``'s.

An identity signs in to the account linked to it (issuer and subject, stored on the account:
a later change of the email at the provider still finds it); else to the account with the
same email, which it is then linked to, but only when the provider says it verified that email
(anyone may type any address into some providers, and linking on it would hand them the
account); else to a new account. An email outside ``DEVDAY_OIDC_ALLOWED_DOMAINS`` is refused
in every case.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from devday.account import service
from devday.account.models import User
from devday.account.oidc import Begun, Identity, SignOnRefused
from devday.account.passwords import hash_password
from devday.config import Settings
from devday.errors import Forbidden
from devday.input_rules import without_controls

NEW_ACCOUNT_TIMEZONE = "UTC"  # as the sign-up form's, until the user sets theirs in Settings
# How long a sign-in begun here may take at the provider.
CARRIED_MINUTES = 10


@dataclass(frozen=True)
class Carried:
    """What the browser carries, signed, from the redirect to the provider until its redirect
    back: the sign-in's state, nonce and PKCE verifier, and the page to go on to."""

    state: str
    nonce: str
    verifier: str
    next: str


def carry(signer: URLSafeSerializer, begun: Begun, next: str, now: datetime) -> str:
    """The signed cookie value of a sign-in begun ``now``."""
    value = [begun.state, begun.nonce, begun.verifier, next, int(now.timestamp())]
    signed: str = signer.dumps(value, salt="sso")
    return signed


def carried(signer: URLSafeSerializer, cookie: str, now: datetime) -> Carried | None:
    """What a cookie from ``carry`` says; None when its signature is wrong or it is older than
    ``CARRIED_MINUTES``."""
    try:
        value = signer.loads(cookie, salt="sso")
    except BadSignature:
        return None
    if not (isinstance(value, list) and len(value) == 5 and isinstance(value[4], int)):
        return None
    if not 0 <= now.timestamp() - value[4] <= CARRIED_MINUTES * 60:
        return None
    if not all(isinstance(part, str) for part in value[:4]):
        return None
    return Carried(*value[:4])


def password_login_off(settings: Settings) -> str:
    """What a password sign-in, sign-up or reset is told while password sign-in is off."""
    return (
        f"password sign-in is turned off on this server: use 'Sign in with "
        f"{settings.oidc_label}' on the login page (for the CLI and scripts, make an API token "
        "in Settings, API tokens)"
    )


def require_password_login(settings: Settings) -> None:
    """Forbidden while ``DEVDAY_PASSWORD_LOGIN`` is off."""
    if not settings.password_login:
        raise Forbidden(password_login_off(settings))


def _check_domain(settings: Settings, email: str) -> None:
    domains = settings.oidc_domains()
    domain = email.rsplit("@", 1)[-1].lower()
    if domains and domain not in domains:
        allowed = ", ".join(sorted(domains))
        raise SignOnRefused(
            f"{email} may not sign in here: this server lets in addresses at {allowed}"
        )


def linked_user(*, session: Session, issuer: str, subject: str) -> User | None:
    return session.scalar(
        select(User).where(User.oidc_issuer == issuer, User.oidc_subject == subject)
    )


def account_for(*, session: Session, settings: Settings, identity: Identity) -> User:
    """The account ``identity`` signs in to, linked or made as the module says; SignOnRefused
    with the reason otherwise. The caller commits."""
    email = service.normalise_email(identity.email)
    if "@" not in email or len(email) > 254:
        raise SignOnRefused(
            "the sign-on provider sent no email address; the provider must release the "
            "'email' scope to devday"
        )
    _check_domain(settings, email)
    if len(identity.issuer) > 500 or len(identity.subject) > 255:
        raise SignOnRefused("the sign-on provider's issuer or subject id is too long to store")
    user = linked_user(session=session, issuer=identity.issuer, subject=identity.subject)
    if user is not None:
        return user
    user = service.get_user_by_email(session=session, email=email)
    if user is not None:
        if not identity.email_verified:
            raise SignOnRefused(
                f"an account with {email} exists, but the sign-on provider has not verified "
                "that address, so it is not linked: verify it at the provider, or sign in with "
                "your password"
            )
        if user.oidc_subject is not None:
            raise SignOnRefused(
                f"the account with {email} is linked to another single sign-on identity"
            )
        user.oidc_issuer, user.oidc_subject = identity.issuer, identity.subject
        session.flush()
        return user
    name = without_controls(identity.name, lines=False).strip() or email.split("@", 1)[0]
    user = User(
        email=email,
        name=name[:100],
        # A password nobody knows: the account signs in by single sign-on (or a reset link).
        password_hash=hash_password(secrets.token_urlsafe(32)),
        timezone=NEW_ACCOUNT_TIMEZONE,
        oidc_issuer=identity.issuer,
        oidc_subject=identity.subject,
    )
    session.add(user)
    session.flush()
    return user
