"""Accounts and API tokens: /api/v1/users, /api/v1/me, /api/v1/tokens."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response, status

from devday.account import closing, reset, service, sso
from devday.account.login import DEVICE_COOKIE, DEVICE_DAYS, device_cookie, log_in, read_device
from devday.account.schemas import (
    AccountDelete,
    PasswordChange,
    PasswordReset,
    PasswordResetRequest,
    ResetRequested,
    TokenCreate,
    TokenCreated,
    TokenLogin,
    TokenRead,
    UserCreate,
    UserRead,
    UserUpdate,
)
from devday.deps import (
    ClockDep,
    CurrentUser,
    IdPath,
    SessionDep,
    StateDep,
    session_key_from_cookie,
)

RESET_SENT = "if an account uses this address, a reset link is on its way to it"

router = APIRouter(prefix="/api/v1", tags=["accounts"])


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.post("/users", status_code=status.HTTP_201_CREATED, response_model=UserRead)
def sign_up(data: UserCreate, request: Request, state: StateDep, session: SessionDep) -> UserRead:
    """Create an account. Open to anyone, rate-limited per address; the email must be new.
    While password sign-in is off (single sign-on only) this answers 403, but to the CLI on the
    server itself (``devday user create`` without ``--server``)."""
    if not state.trust_local_user:
        sso.require_password_login(state.settings)
    state.rate_limits.hit(
        state.settings.signup_limit_per_address,
        "signup",
        client_address(request),
        message="too many sign-ups from this address; try again later",
    )
    user = service.create_user(session=session, data=data)
    session.commit()
    return UserRead.model_validate(user)


@router.get("/me", response_model=UserRead)
def read_me(user: CurrentUser) -> UserRead:
    """The signed-in user's profile."""
    return UserRead.model_validate(user)


@router.patch("/me", response_model=UserRead)
def update_me(data: UserUpdate, user: CurrentUser, session: SessionDep) -> UserRead:
    """Change the signed-in user's name or IANA timezone."""
    service.update_user(session=session, user=user, data=data)
    session.commit()
    return UserRead.model_validate(user)


@router.post("/me/password", status_code=status.HTTP_204_NO_CONTENT)
def change_password(
    data: PasswordChange, request: Request, user: CurrentUser, state: StateDep, session: SessionDep
) -> Response:
    """Change the signed-in user's password, given the current one (a wrong one answers 422
    naming ``current_password``). Every browser of the user is signed out but the one asking;
    API tokens stay valid."""
    service.change_password(
        session=session,
        limits=state.rate_limits,
        settings=state.settings,
        user=user,
        current=data.current_password,
        new=data.new_password,
        keep_session=session_key_from_cookie(state, request),
    )
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


EXPORT_EXAMPLE = {
    "format": "devday-export/1",
    "exported_at": "2026-11-30T09:00:00Z",
    "profile": {"id": 1, "email": "alex@example.com", "name": "Alex Doe"},
    "tasks": [{"id": 17, "title": "Fix login rate limit", "tags": ["auth"], "depends_on": [12]}],
    "time_entries": [{"id": 4, "task_id": 17, "start_at": "2026-11-30T08:00:00Z"}],
    "habits": [{"habit": "Exercise", "check_date": "2026-11-30"}],
    "reflections": [],
    "plans": [],
    "routine": None,
    "busy_events": [],
    "teams": [{"id": 2, "name": "Backend", "role": "owner"}],
}


@router.get(
    "/me/export",
    responses={200: {"content": {"application/json": {"example": EXPORT_EXAMPLE}}}},
)
def export_me(user: CurrentUser, session: SessionDep, clock: ClockDep) -> dict[str, Any]:
    """Everything the signed-in user owns, as one JSON document: the profile, tasks (with tags
    and dependencies), time entries, habits, reflections, plans, routine, busy events, teams."""
    return closing.export(session=session, user=user, now=clock.now())


@router.delete("/me", status_code=status.HTTP_204_NO_CONTENT)
def delete_me(
    data: AccountDelete, user: CurrentUser, state: StateDep, session: SessionDep
) -> Response:
    """Delete the signed-in account and everything only it owns, given its password (a wrong
    one answers 422 naming ``password``). Its tokens and browser sessions stop working at once.
    Team tasks and apps it owned pass to another owner of the team; a team only it owns answers
    409 naming the team: hand it over or delete it first."""
    closing.delete_account(
        session=session,
        limits=state.rate_limits,
        settings=state.settings,
        user=user,
        password=data.password,
    )
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/auth/token", status_code=status.HTTP_201_CREATED, response_model=TokenCreated)
def log_in_for_token(
    data: TokenLogin, request: Request, response: Response, state: StateDep, session: SessionDep
) -> TokenCreated:
    """Exchange email and password for a new API token (what `devday login` does). While
    password sign-in is off this answers 403: make a token in Settings, API tokens instead.

    Rate-limited like the web login: per address, per account and address, and an account
    locked by many failures lets in only a known device (the ``devday_device`` cookie that
    this answer sets).
    """
    device = read_device(state.signer, request.cookies.get(DEVICE_COOKIE))
    user = log_in(
        session=session,
        limits=state.rate_limits,
        settings=state.settings,
        email=data.email,
        password=data.password,
        address=client_address(request),
        device=device,
    )
    token, secret = service.create_token(session=session, user=user, name=data.name)
    session.commit()
    response.set_cookie(
        DEVICE_COOKIE,
        device_cookie(state.signer, user, device),
        max_age=DEVICE_DAYS * 86400,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )
    return TokenCreated.model_validate(
        {**TokenRead.model_validate(token).model_dump(), "token": secret}
    )


@router.get("/tokens", response_model=list[TokenRead])
def list_tokens(user: CurrentUser, session: SessionDep) -> list[TokenRead]:
    """The caller's API tokens (never their secrets), with when each was last used."""
    return [TokenRead.model_validate(t) for t in service.list_tokens(session=session, user=user)]


@router.post("/tokens", status_code=status.HTTP_201_CREATED, response_model=TokenCreated)
def create_token(data: TokenCreate, user: CurrentUser, session: SessionDep) -> TokenCreated:
    """Create a named API token. The secret is in this answer only; store it now."""
    token, secret = service.create_token(session=session, user=user, name=data.name)
    session.commit()
    return TokenCreated.model_validate(
        {**TokenRead.model_validate(token).model_dump(), "token": secret}
    )


@router.delete("/tokens/{token_id}", response_model=TokenRead)
def revoke_token(
    token_id: IdPath, user: CurrentUser, session: SessionDep, clock: ClockDep
) -> TokenRead:
    """Revoke a token: it stops working at once. Revoking twice is harmless."""
    token = service.revoke_token(session=session, user=user, token_id=token_id, now=clock.now())
    session.commit()
    return TokenRead.model_validate(token)


@router.post(
    "/auth/password-reset", status_code=status.HTTP_202_ACCEPTED, response_model=ResetRequested
)
def request_password_reset(
    data: PasswordResetRequest, request: Request, state: StateDep, session: SessionDep
) -> ResetRequested:
    """Email a password reset link (valid one hour) to the account that uses this address.

    The answer is the same whether or not an account uses it. The link also lifts a sign-in
    lockout. Rate-limited per address and per account.
    """
    reset.request_reset(
        session=session,
        limits=state.rate_limits,
        settings=state.settings,
        signer=state.signer,
        email=data.email,
        address=client_address(request),
        now=state.clock.now(),
    )
    session.commit()
    return ResetRequested(detail=RESET_SENT)


@router.post("/auth/password-reset/confirm", status_code=status.HTTP_204_NO_CONTENT)
def reset_password(data: PasswordReset, state: StateDep, session: SessionDep) -> Response:
    """Set a new password with the token of a reset link: every browser is signed out and a
    sign-in lockout is lifted. A used, expired or forged token answers 422."""
    reset.reset_password(
        session=session,
        limits=state.rate_limits,
        settings=state.settings,
        signer=state.signer,
        token=data.token,
        password=data.password,
        now=state.clock.now(),
    )
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
