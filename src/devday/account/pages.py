"""The account's pages: sign up, log in and out (open to visitors), the home page (which sends a
signed-in user to /today), and the profile and API-token sections of Settings.

Settings sections share the frame of ``settings.html``; each POST answers 303 back to its
section, except creating a token: its secret is shown once, in the answer itself, so that it
never travels in a URL or is stored anywhere.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode, urlsplit
from zoneinfo import available_timezones

from fastapi.responses import HTMLResponse, RedirectResponse, Response

from devday.account import closing, oidc, reset, sso
from devday.account import service as account_service
from devday.account.login import DEVICE_COOKIE, DEVICE_DAYS, device_cookie, read_device
from devday.account.login import log_in as log_in_with_password
from devday.account.models import ApiToken, User
from devday.account.schemas import (
    AccountDelete,
    PasswordChange,
    PasswordReset,
    TokenCreate,
    UserCreate,
    UserUpdate,
)
from devday.config import Settings
from devday.deps import SESSION_COOKIE, IdPath, session_key_from_cookie
from devday.errors import DomainError, NotFound
from devday.web.forms import AnyFormStr, FormInvalid, FormStr, Refusal
from devday.web.page import Page, PageContext, Visit, VisitorPage, page_router

router = page_router()

SIGNUP = "account/signup.html"
LOGIN = "account/login.html"
RESET_REQUEST = "account/reset_request.html"
RESET = "account/reset.html"
PROFILE = "account/profile.html"
TOKENS = "account/tokens.html"
# What a section says after its form redirected back with ``saved=<key>``.
PROFILE_SAVED = {
    "profile": "Profile saved.",
    "password": "Password changed; your other browsers are signed out.",
}
TOKENS_SAVED = {"revoked": "Token revoked."}


# --- signing up, in and out ----------------------------------------------------------------------


def local_path(target: str) -> str:
    """``target`` when it is a path on this site (``/tasks/5?view=week``), else ``/``: where a
    log-in goes next, and never another host (``//evil.example``, ``https://...``, ``/\\x``)."""
    parts = urlsplit(target)
    if (
        target.startswith("/")
        and not target.startswith("//")
        and not parts.scheme
        and not parts.netloc
        and not any(c in target for c in "\\\r\n")
    ):
        return target
    return "/"


def _signed_in(visit: Visit, started: tuple[str, User], to: str = "/") -> RedirectResponse:
    key, user = started
    response = visit.redirect(to)
    secure = visit.request.url.scheme == "https"
    response.set_cookie(
        SESSION_COOKIE,
        visit.state.signer.dumps(key, salt="session"),
        max_age=visit.state.settings.session_days * 86400,
        httponly=True,
        samesite="lax",
        secure=secure,
        path="/",
    )
    # Marks this browser as a known device of the account: see account/login.py.
    device = read_device(visit.state.signer, visit.request.cookies.get(DEVICE_COOKIE))
    response.set_cookie(
        DEVICE_COOKIE,
        device_cookie(visit.state.signer, user, device),
        max_age=DEVICE_DAYS * 86400,
        httponly=True,
        samesite="lax",
        secure=secure,
        path="/",
    )
    return response


def _start_session(visit: Visit, user: User) -> tuple[str, User]:
    settings = visit.state.settings
    key = account_service.start_session(
        session=visit.session, user=user, now=visit.now, days=settings.session_days
    )
    return key, user


def _login(visit: Visit, context: dict[str, Any], status: int = 200) -> Response:
    """The login page: the password form unless password sign-in is off, and the single sign-on
    button when it is set up (going back to ``next`` once signed in)."""
    settings = visit.state.settings
    to = context.get("next") or "/"
    sso_url = "/login/sso" + (f"?{urlencode({'next': to})}" if to != "/" else "")
    extra = {
        "email": "",
        "password_login": settings.password_login,
        "sso_label": settings.oidc_label if settings.sso_enabled else None,
        "sso_url": sso_url,
    }
    return visit.render(LOGIN, extra | context, status=status)


def _password_login_off(visit: Visit) -> Response | None:
    """The login page saying so, while password sign-in is off; None when it is on."""
    settings = visit.state.settings
    if settings.password_login:
        return None
    return _login(visit, {"error": sso.password_login_off(settings), "next": "/"}, status=403)


@router.get("/signup", response_class=HTMLResponse)
def signup_form(visit: VisitorPage) -> Response:
    if (off := _password_login_off(visit)) is not None:
        return off
    return visit.render(SIGNUP, {"values": {}, "errors": {}, "timezones": timezones()})


@router.post("/signup", response_class=HTMLResponse)
def signup(
    visit: VisitorPage, email: FormStr, name: FormStr, password: FormStr, timezone: FormStr = "UTC"
) -> Response:
    if (off := _password_login_off(visit)) is not None:
        return off
    values = {"email": email, "name": name, "timezone": timezone}

    def sign_up() -> tuple[str, User]:
        data = UserCreate(email=email, name=name, password=password, timezone=timezone)
        visit.state.rate_limits.hit(
            visit.state.settings.signup_limit_per_address,
            "signup",
            visit.address(),
            message="too many sign-ups from this address; try again later",
        )
        user = account_service.create_user(session=visit.session, data=data)
        return _start_session(visit, user)

    def refused(refusal: Refusal) -> Response:
        if refusal.expired:
            context = {"values": values, "errors": {}, "error": refusal.message}
            return visit.render(SIGNUP, context | {"timezones": timezones()}, status=403)
        errors = refusal.errors or {"form": refusal.message}
        context = {"values": values, "errors": errors, "timezones": timezones()}
        return visit.render(SIGNUP, context, status=422)

    return visit.submit(sign_up, then=lambda key: _signed_in(visit, key), refused=refused)


@router.get("/login", response_class=HTMLResponse)
def login_form(visit: VisitorPage) -> Response:
    # A page that needs a signed-in user sends the visitor here with ?next=<its path>.
    to = local_path(visit.query("next") or "/")
    if visit.user is not None:
        return visit.redirect(to)
    return _login(visit, {"error": None, "next": to})


@router.post("/login", response_class=HTMLResponse)
def login(
    visit: VisitorPage, email: FormStr, password: FormStr, next: AnyFormStr = "/"
) -> Response:
    to = local_path(next)

    def log_in() -> tuple[str, User]:
        user = log_in_with_password(
            session=visit.session,
            limits=visit.state.rate_limits,
            settings=visit.state.settings,
            email=email,
            password=password,
            address=visit.address(),
            device=read_device(visit.state.signer, visit.request.cookies.get(DEVICE_COOKIE)),
        )
        return _start_session(visit, user)

    def refused(refusal: Refusal) -> Response:
        context = {"email": email, "error": refusal.message, "next": to}
        return _login(visit, context, status=refusal.status)

    return visit.submit(log_in, then=lambda key: _signed_in(visit, key, to), refused=refused)


def _reset_request(visit: Visit, context: dict[str, Any], status: int = 200) -> Response:
    # Without an outgoing mail server no link can reach anyone: the page says so, and how else.
    emails = visit.state.settings.sends_email
    return visit.render(RESET_REQUEST, {**context, "email_configured": emails}, status=status)


@router.get("/reset-password", response_class=HTMLResponse)
def reset_request_form(visit: VisitorPage) -> Response:
    if (off := _password_login_off(visit)) is not None:
        return off
    return _reset_request(visit, {"email": "", "error": None, "notice": None})


@router.post("/reset-password", response_class=HTMLResponse)
def request_reset(visit: VisitorPage, email: FormStr) -> Response:
    def ask() -> None:
        reset.request_reset(
            session=visit.session,
            limits=visit.state.rate_limits,
            settings=visit.state.settings,
            signer=visit.state.signer,
            email=email,
            address=visit.address(),
            now=visit.now,
        )

    def sent(_: None) -> Response:
        notice = "If an account uses this address, a reset link is on its way to it."
        return _reset_request(visit, {"email": email, "error": None, "notice": notice})

    def refused(refusal: Refusal) -> Response:
        context = {"email": email, "error": refusal.message, "notice": None}
        return _reset_request(visit, context, status=refusal.status)

    return visit.submit(ask, then=sent, refused=refused)


@router.get("/reset-password/{token}", response_class=HTMLResponse)
def reset_form(visit: VisitorPage, token: str) -> Response:
    if (off := _password_login_off(visit)) is not None:
        return off
    try:
        reset.user_for_reset(
            session=visit.session, signer=visit.state.signer, token=token, now=visit.now
        )
    except DomainError as exc:
        return visit.render(RESET, {"valid": False, "error": exc.message}, status=404)
    return visit.render(RESET, {"valid": True, "token": token, "error": None, "errors": {}})


@router.post("/reset-password/{token}", response_class=HTMLResponse)
def reset_password(visit: VisitorPage, token: str, password: AnyFormStr = "") -> Response:
    def set_password() -> tuple[str, User]:
        data = PasswordReset(token=token, password=password)
        user = reset.reset_password(
            session=visit.session,
            limits=visit.state.rate_limits,
            settings=visit.state.settings,
            signer=visit.state.signer,
            token=data.token,
            password=data.password,
            now=visit.now,
        )
        return _start_session(visit, user)

    def refused(refusal: Refusal) -> Response:
        valid = refusal.field != "token"
        context = {"valid": valid, "token": token, "error": refusal.message, "errors": {}}
        if refusal.field == "password":
            context |= {"error": None, "errors": {"password": refusal.errors["password"]}}
        return visit.render(RESET, context, status=refusal.status)

    return visit.submit(
        set_password, then=lambda started: _signed_in(visit, started), refused=refused
    )


# --- single sign-on (account/oidc.py, account/sso.py) ---------------------------------------------

# Carries the sign-in's state, nonce, PKCE verifier and next page (sso.carry) from the redirect
# to the provider until its redirect back: only this browser can finish the sign-in it began.
SSO_COOKIE = "devday_sso"
SSO_PATH = "/login/sso"


def _sso_settings(visit: Visit) -> Settings:
    settings = visit.state.settings
    if not settings.sso_enabled:
        raise NotFound("single sign-on is not set up on this server")
    return settings


@router.get("/login/sso")
def sso_begin(visit: VisitorPage) -> Response:
    settings = _sso_settings(visit)
    to = local_path(visit.query("next") or "/")
    try:
        visit.state.rate_limits.hit(
            settings.login_limit_per_address,
            "sso-begin",
            visit.address(),
            message="too many sign-in attempts from this address; try again later",
        )
        begun = oidc.begin(settings)
    except DomainError as exc:
        return _login(visit, {"error": exc.message, "next": to}, status=exc.status_code)
    response = visit.redirect(begun.url)
    response.set_cookie(
        SSO_COOKIE,
        sso.carry(visit.state.signer, begun, to, visit.now),
        max_age=sso.CARRIED_MINUTES * 60,
        httponly=True,
        # Lax: the provider's redirect back is a top-level GET from another site.
        samesite="lax",
        secure=visit.request.url.scheme == "https",
        path=SSO_PATH,
    )
    return response


@router.get(oidc.CALLBACK_PATH, response_class=HTMLResponse)
def sso_callback(visit: VisitorPage) -> Response:
    """Where the provider sends the browser back. A GET that writes (the account, its link, the
    session) because that is how OpenID Connect answers; it writes only once this browser's
    state, the code and the ID token are proven."""
    settings = _sso_settings(visit)
    cookie = visit.request.cookies.get(SSO_COOKIE, "")
    carried = sso.carried(visit.state.signer, cookie, visit.now)
    to = local_path(carried.next) if carried else "/"

    def refused(message: str, status: int) -> Response:
        response = _login(visit, {"error": message, "next": to}, status=status)
        response.delete_cookie(SSO_COOKIE, path=SSO_PATH)
        return response

    try:
        if carried is None:
            raise oidc.SignOnRefused("this sign-in was not started here or has expired; try again")
        oidc.check_state(carried.state, visit.query("state", max_length=1000))
        # The provider's own words only for a sign-in this browser began: a link made
        # elsewhere cannot put its text on this page.
        if error := visit.query("error"):
            reason = visit.query("error_description") or error
            raise oidc.SignOnRefused(f"the sign-on provider did not sign you in: {reason}")
        visit.state.rate_limits.hit(
            settings.login_limit_per_address,
            "login-address",
            visit.address(),
            message="too many sign-in attempts from this address; try again later",
        )
        code = visit.query("code", max_length=4000)
        identity = oidc.finish(
            settings, code=code, nonce=carried.nonce, verifier=carried.verifier, now=visit.now
        )
        # A GET's session only reads: the account and the browser session are written in a
        # writer session of their own, after the provider has answered.
        with visit.state.writer_session_factory() as session:
            user = sso.account_for(session=session, settings=settings, identity=identity)
            key = account_service.start_session(
                session=session, user=user, now=visit.now, days=settings.session_days
            )
            session.commit()
    except DomainError as exc:
        return refused(exc.message, exc.status_code)
    response = _signed_in(visit, (key, user), to)
    response.delete_cookie(SSO_COOKIE, path=SSO_PATH)
    return response


@router.post("/logout")
def logout(visit: VisitorPage) -> Response:
    def end() -> None:
        key = session_key_from_cookie(visit.state, visit.request)
        if key:
            account_service.end_session(session=visit.session, key=key)

    def signed_out(_: None) -> Response:
        response = visit.redirect("/login")
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    return visit.submit(end, then=signed_out, refused=lambda _refusal: visit.redirect("/"))


@router.get("/", response_class=HTMLResponse)
def home(page: Page) -> Response:
    return page.redirect("/today")


# --- Settings: profile and API tokens ------------------------------------------------------------


@lru_cache(maxsize=1)
def timezones() -> list[str]:
    return sorted(available_timezones())


def _profile(page: PageContext, status: int = 200, **extra: Any) -> Response:
    context = {"section": "profile", "timezones": timezones(), **extra}
    return page.render(PROFILE, context, status=status)


def _tokens(page: PageContext, status: int = 200, **extra: Any) -> Response:
    tokens = account_service.list_tokens(session=page.session, user=page.user)
    context = {"section": "tokens", "tokens": tokens, **extra}
    response = page.render(TOKENS, context, status=status)
    if extra.get("new_token"):
        response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/settings", response_class=HTMLResponse)
@router.get("/settings/profile", response_class=HTMLResponse)
def profile_page(page: Page) -> Response:
    return _profile(page, notice=PROFILE_SAVED.get(page.query("saved")))


@router.post("/settings/profile")
def save_profile(page: Page, name: FormStr = "", timezone: FormStr = "") -> Response:
    values = {"name": name, "timezone": timezone}

    def save() -> None:
        data = UserUpdate(name=name, timezone=timezone)
        account_service.update_user(session=page.session, user=page.user, data=data)

    def refused(refusal: Refusal) -> Response:
        if refusal.expired:
            return _profile(page, 403, error=refusal.message)
        errors = refusal.prefixed("profile-") if refusal.errors else {}
        error = None if errors else refusal.message
        return _profile(page, refusal.status, errors=errors, error=error, values=values)

    return page.submit(save, then="/settings/profile?saved=profile", refused=refused)


@router.post("/settings/password")
def change_password(
    page: Page,
    current_password: AnyFormStr = "",
    new_password: AnyFormStr = "",
    new_password_again: AnyFormStr = "",
) -> Response:
    def change() -> None:
        if new_password != new_password_again:
            raise FormInvalid({"new_password_again": "the two new passwords differ"})
        data = PasswordChange(current_password=current_password, new_password=new_password)
        account_service.change_password(
            session=page.session,
            limits=page.state.rate_limits,
            settings=page.state.settings,
            user=page.user,
            current=data.current_password,
            new=data.new_password,
            keep_session=session_key_from_cookie(page.state, page.request),
        )

    def refused(refusal: Refusal) -> Response:
        if refusal.expired:
            return _profile(page, 403, error=refusal.message)
        return _profile(page, refusal.status, errors=refusal.prefixed("password-"))

    return page.submit(change, then="/settings/profile?saved=password", refused=refused)


@router.get("/settings/tokens", response_class=HTMLResponse)
def tokens_page(page: Page) -> Response:
    return _tokens(page, notice=TOKENS_SAVED.get(page.query("saved")))


@router.post("/settings/tokens", response_class=HTMLResponse)
def create_token(page: Page, name: FormStr = "") -> Response:
    def create() -> tuple[ApiToken, str]:
        data = TokenCreate(name=name.strip())
        return account_service.create_token(session=page.session, user=page.user, name=data.name)

    def created(made: tuple[ApiToken, str]) -> Response:
        token, secret = made
        return _tokens(page, 201, new_token={"name": token.name, "secret": secret})

    def refused(refusal: Refusal) -> Response:
        if refusal.expired:
            return _tokens(page, 403, error=refusal.message)
        errors = refusal.prefixed("token-") if refusal.errors else {}
        error = None if errors else refusal.message
        values = {"token-name": name}
        return _tokens(page, refusal.status, errors=errors, error=error, values=values)

    return page.submit(create, then=created, refused=refused)


@router.post("/settings/tokens/{token_id}/revoke")
def revoke_token(page: Page, token_id: IdPath) -> Response:
    def revoke() -> None:
        account_service.revoke_token(
            session=page.session, user=page.user, token_id=token_id, now=page.now
        )

    def refused(refusal: Refusal) -> Response:
        message = refusal.message if refusal.expired else f"Token {refusal.message}"
        return _tokens(page, refusal.status, error=message)

    return page.submit(revoke, then="/settings/tokens?saved=revoked", refused=refused)


@router.get("/settings/export")
def export_data(page: Page) -> Response:
    document = closing.export(session=page.session, user=page.user, now=page.now)
    day = page.today.isoformat()
    return Response(
        json.dumps(document, ensure_ascii=False, indent=2),
        media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="devday-export-{day}.json"',
            "Cache-Control": "no-store",
        },
    )


@router.post("/settings/delete")
def delete_account(page: Page, password: AnyFormStr = "") -> Response:
    def delete() -> None:
        data = AccountDelete(password=password)
        closing.delete_account(
            session=page.session,
            limits=page.state.rate_limits,
            settings=page.state.settings,
            user=page.user,
            password=data.password,
        )

    def deleted(_: None) -> Response:
        response = page.redirect("/login")
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    def refused(refusal: Refusal) -> Response:
        if refusal.expired:
            return _profile(page, 403, error=refusal.message)
        return _profile(page, refusal.status, errors=refusal.prefixed("delete-"))

    return page.submit(delete, then=deleted, refused=refused)
