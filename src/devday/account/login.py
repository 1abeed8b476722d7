"""Signing in with a password, with limits that slow an attacker without locking out the owner.

Three counts, in the app's rate-limit storage (shared through Redis when it is configured):

- every attempt from an address (``login_limit_per_address``): one address cannot hammer;
- failed attempts at one account from one address (``login_limit_per_account_address``): an
  attacker's address is held back from that account while the owner, elsewhere, signs in;
- failed attempts at one account from anywhere (``login_limit_per_account``): past it the
  account is locked to new devices, so that many addresses together cannot guess on.

A *known device* is a browser or client holding the signed cookie that a successful sign-in
sets. Its attempts skip the address counts (its own failures are counted per device instead)
and pass the account's lock, and its correct password lifts that lock. So does
``lift_lockout``, for a password reset. A correct password otherwise clears only the count of
its own address.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.orm import Session

from devday.account import service, sso
from devday.account.models import User
from devday.account.ratelimit import RateLimits
from devday.config import Settings
from devday.errors import Unauthorized

DEVICE_COOKIE = "devday_device"
DEVICE_DAYS = 365
LOCKED = (
    "this account is locked after too many failed sign-ins; sign in from a device you have "
    "signed in from before, or reset your password"
)


@dataclass(frozen=True)
class Device:
    """What a device cookie says: the account it signed in to, and the device's own id."""

    user_id: int
    device_id: str


def read_device(signer: URLSafeSerializer, cookie: str | None) -> Device | None:
    """The device a cookie names, or None when there is none or its signature is wrong."""
    if not cookie:
        return None
    try:
        value = signer.loads(cookie, salt="device")
    except BadSignature:
        return None
    if not (isinstance(value, list) and len(value) == 2):
        return None
    user_id, device_id = value
    if not isinstance(user_id, int) or not isinstance(device_id, str):
        return None
    return Device(user_id, device_id)


def device_cookie(signer: URLSafeSerializer, user: User, device: Device | None) -> str:
    """The cookie value that marks this device as known to ``user`` (its id kept if it had one)."""
    device_id = device.device_id if device else secrets.token_urlsafe(16)
    value: str = signer.dumps([user.id, device_id], salt="device")
    return value


def log_in(
    *,
    session: Session,
    limits: RateLimits,
    settings: Settings,
    email: str,
    password: str,
    address: str,
    device: Device | None,
) -> User:
    """The user with this email and password; RateLimited while a limit holds the attempt,
    Unauthorized (one message for every failure) otherwise; Forbidden while password sign-in
    is turned off (``DEVDAY_PASSWORD_LOGIN``)."""
    sso.require_password_login(settings)
    account = service.normalise_email(email)
    user = service.get_user_by_email(session=session, email=account)
    known = device is not None and user is not None and device.user_id == user.id
    if known and device is not None:
        failures: tuple[str, ...] = ("login-device-failures", account, device.device_id)
    else:
        failures = ("login-failures", account, address)
        limits.hit(
            settings.login_limit_per_address,
            "login-address",
            address,
            message="too many sign-in attempts from this address; try again later",
        )
    limits.check(
        settings.login_limit_per_account_address,
        *failures,
        message="too many failed sign-ins for this account from here; try again later",
    )
    if not known:
        limits.check(
            settings.login_limit_per_account, "login-account-failures", account, message=LOCKED
        )
    try:
        found = service.authenticate(session=session, email=account, password=password)
    except Unauthorized:
        limits.count(settings.login_limit_per_account_address, *failures)
        limits.count(settings.login_limit_per_account, "login-account-failures", account)
        raise
    limits.reset(settings.login_limit_per_account_address, *failures)
    if known:
        lift_lockout(limits, settings, account)
    return found


def lift_lockout(limits: RateLimits, settings: Settings, email: str) -> None:
    """Unlocks the account for every device (its owner proved who they are)."""
    limits.reset(
        settings.login_limit_per_account, "login-account-failures", service.normalise_email(email)
    )
