"""FastAPI dependency aliases: the request's database session, the caller, the clock, the
outbound guard."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Annotated, TypeVar

from fastapi import Depends, Path, Query, Request
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from devday import netguard
from devday.account import service as account_service
from devday.account.localuser import LOCAL_USER_HEADER
from devday.account.models import User
from devday.account.ratelimit import RateLimits
from devday.clock import Clock
from devday.config import Settings
from devday.db import releases_without_io
from devday.errors import Unauthorized
from devday.ids import MAX_ID

T = TypeVar("T")

SESSION_COOKIE = "devday_session"


@dataclass
class AppState:
    """Everything a request needs that outlives it; one per app, no module-level state."""

    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    writer_session_factory: sessionmaker[Session]
    # For GET, HEAD and OPTIONS requests only, which never write (see make_session_factory).
    reader_session_factory: sessionmaker[Session]
    clock: Clock
    rate_limits: RateLimits
    signer: URLSafeSerializer
    # Only the CLI's in-process client sets this: it runs on the user's own machine over
    # their own database file, so it may name the user it acts for. `serve` never sets it.
    trust_local_user: bool = False


# Dependencies that do no I/O are ``async def``: FastAPI runs them on the event loop, where a
# plain ``def`` would cost a trip to the thread pool (and a wait for the GIL under load) each.


async def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.devday
    return state


StateDep = Annotated[AppState, Depends(get_state)]


async def get_session(request: Request, state: StateDep) -> AsyncIterator[Session]:
    """A session for the request; routes that write call ``commit()`` before answering.

    Requests that may write get a writer session, so SQLite serialises them instead of
    failing one of two overlapping writers. Making a session does no I/O (a connection is
    taken at its first query, in the thread pool with the route), so it is made here on the
    event loop; closing it goes to the thread pool only when that may talk to the database.
    """
    reads_only = request.method in ("GET", "HEAD", "OPTIONS")
    factory = state.reader_session_factory if reads_only else state.writer_session_factory
    session = factory()
    try:
        yield session
    except BaseException:
        await run_in_threadpool(_roll_back_and_close, session)
        raise
    if releases_without_io(session):
        session.close()
    else:
        await run_in_threadpool(session.close)


def _roll_back_and_close(session: Session) -> None:
    try:
        session.rollback()
    finally:
        session.close()


SessionDep = Annotated[Session, Depends(get_session)]


async def get_clock(state: StateDep) -> Clock:
    return state.clock


ClockDep = Annotated[Clock, Depends(get_clock)]


@dataclass(frozen=True)
class Outbound:
    """The request's session and the server's outbound policy, for saving a target devday will
    connect to (an app, a check, a channel, a calendar)."""

    session: Session
    policy: netguard.OutboundPolicy

    @classmethod
    def of(cls, state: AppState, session: Session) -> Outbound:
        return cls(session, state.settings.outbound_policy())

    def run(self, work: Callable[[netguard.Vetted], T]) -> T:
        """``work`` (one unit of work on the session, which the caller commits) run through
        ``netguard.with_lookups``: what the request did so far is committed first, and every
        name ``work`` asks about is looked up while no transaction is open."""
        return netguard.with_lookups(self.session, self.policy, work)


async def get_outbound(state: StateDep, session: SessionDep) -> Outbound:
    return Outbound.of(state, session)


OutboundDep = Annotated[Outbound, Depends(get_outbound)]


def session_key_from_cookie(state: AppState, request: Request) -> str | None:
    raw = request.cookies.get(SESSION_COOKIE)
    if not raw:
        return None
    try:
        value = state.signer.loads(raw, salt="session")
    except BadSignature:
        return None
    return value if isinstance(value, str) else None


def optional_user(request: Request, state: StateDep, session: SessionDep) -> User | None:
    """The caller from a bearer token, the session cookie, or (in-process CLI only) a header."""
    now = state.clock.now()
    auth = request.headers.get("authorization", "")
    if auth:
        scheme, _, secret = auth.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise Unauthorized("use 'Authorization: Bearer <token>'")
        found = account_service.live_token(session=session, secret=secret.strip())
        if found is None:
            raise Unauthorized("unknown or revoked API token")
        token, user = found
        if account_service.token_use_due(token, now):
            # The use is noted outside the request's transaction (a GET stays read-only), so
            # this one ends first: on SQLite a writer's lock would otherwise make the note wait.
            # At most every few minutes: the other requests keep their one transaction.
            session.commit()
            account_service.note_token_use(engine=state.engine, token=token, now=now)
        return user
    if state.trust_local_user and (email := request.headers.get(LOCAL_USER_HEADER)):
        return account_service.local_user(session=session, email=email)
    key = session_key_from_cookie(state, request)
    if key:
        return account_service.user_for_session(session=session, key=key, now=now)
    return None


async def current_user(user: Annotated[User | None, Depends(optional_user)]) -> User:
    if user is None:
        raise Unauthorized("sign in, or send 'Authorization: Bearer <token>'")
    return user


CurrentUser = Annotated[User, Depends(current_user)]
OptionalUser = Annotated[User | None, Depends(optional_user)]


# Ids in paths and queries, bounded as ``devday.ids.IdField`` is in bodies.
IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
IdQuery = Annotated[int | None, Query(ge=1, le=MAX_ID)]
