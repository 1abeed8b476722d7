"""The check runner: claims due checks, probes them concurrently, writes results in batches.

A claim is one transaction: ``SELECT ... FOR UPDATE SKIP LOCKED`` (PostgreSQL; SQLite's writers
are serialised by BEGIN IMMEDIATE) of checks whose ``next_run_at`` has come, then a conditional
``UPDATE`` that moves each one's ``next_run_at`` to its first slot after now, repeating the
condition. So any number of runners, in any number of processes, never run one slot twice; and
a check that missed many slots while nothing ran is run once, for the latest, not once per
missed slot. The slot a run stands for is kept as the result's ``due_at``.

A run is at most once: a runner that dies between its claim and its write loses that run, and
the next slot runs as usual.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import threading
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

import httpx
from sqlalchemy import case, insert, literal, select, update
from sqlalchemy.orm import Session, sessionmaker

from devday import __version__
from devday.checks import incidents, maintenance
from devday.checks.judge import judge
from devday.checks.models import App, Check, CheckResult, MaintenanceWindow
from devday.checks.probe import ProbeResult, ProbeSpec, http_form, probe
from devday.checks.slots import next_slot_after
from devday.clock import Clock
from devday.db import IMMEDIATE, UTCDateTime, transaction
from devday.netguard import STRICT, GuardedAsyncTransport, OutboundPolicy

log = logging.getLogger("devday.checks")
NO_SYNC = {"synchronize_session": False}


class Clients:
    """Several small httpx clients rather than one big one: httpx's connection pool scans
    every connection for every queued request, so one pool of hundreds of connections spends
    more time scanning than probing. A check always uses the same client, so connections to
    its host are reused. Every connection goes through the outbound guard, with ``outbound``
    and the check's team.

    A team that ``outbound`` allows more than the others (a ``team-id=`` entry) gets clients of
    its own: a connection kept alive for it must not be reused by another team's check of the
    same host, which the guard would have refused."""

    PER_CLIENT = 4

    def __init__(
        self, concurrency: int, verify: ssl.SSLContext | bool, outbound: OutboundPolicy
    ) -> None:
        count = max(1, -(-concurrency // self.PER_CLIENT))
        per_client = -(-concurrency // count)
        self._limits = httpx.Limits(
            max_connections=per_client, max_keepalive_connections=per_client
        )
        if verify is True:  # one context for all: loading the trusted roots takes a while
            verify = httpx.create_ssl_context()
        self._verify = verify
        self._outbound = outbound
        self._clients = [self._client(None) for _ in range(count)]
        self._teams: dict[int, httpx.AsyncClient] = {}

    def _client(self, team_id: int | None) -> httpx.AsyncClient:
        transport = GuardedAsyncTransport(
            self._outbound, verify=self._verify, limits=self._limits, team_id=team_id
        )
        return httpx.AsyncClient(
            transport=transport,
            follow_redirects=False,
            trust_env=False,
            headers={"User-Agent": f"devday-checks/{__version__}"},
        )

    def for_check(self, check_id: int, team_id: int | None = None) -> httpx.AsyncClient:
        """The client for a check of ``team_id`` (None: a team with no entries of its own)."""
        if team_id is not None and team_id in self._outbound.teams:
            if team_id not in self._teams:
                self._teams[team_id] = self._client(team_id)
            return self._teams[team_id]
        return self._clients[check_id % len(self._clients)]

    async def __aenter__(self) -> Clients:
        return self

    async def __aexit__(self, *exc: object) -> None:
        for client in [*self._clients, *self._teams.values()]:
            await client.aclose()


class CheckRunner:
    """Runs due checks. ``session_factory`` should be a writer one on SQLite.

    ``concurrency`` caps the probes in flight; ``batch`` caps the checks one claim takes.
    ``verify`` is what httpx verifies certificates with (True: the system's trusted roots).
    ``outbound`` is what the administrator allows beyond public addresses, for every team or
    for a check's own team. Claims and records are short transactions; the probes run between
    them with none open.
    """

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        clock: Clock,
        worker_id: str,
        *,
        outbound: OutboundPolicy = STRICT,
        concurrency: int = 200,
        batch: int = 200,
        poll_seconds: float = 0.1,
        verify: ssl.SSLContext | bool = True,
    ) -> None:
        self.session_factory = session_factory
        self.clock = clock
        self.worker_id = worker_id
        self.outbound = outbound
        self.concurrency = concurrency
        self.batch = batch
        self.poll_seconds = poll_seconds
        self.verify = verify

    # -- the steps ----------------------------------------------------------------------------

    def claim_due(self, now: datetime, limit: int | None = None) -> list[ProbeSpec]:
        """Claims up to ``limit`` due checks, moving each to its next slot; their probes."""
        with transaction(self.session_factory) as session:
            rows = session.execute(
                select(Check.id, Check.next_run_at, Check.interval_seconds)
                .where(Check.enabled.is_(True), Check.next_run_at <= now)
                .order_by(Check.next_run_at, Check.id)
                .limit(limit or self.batch)
                .with_for_update(skip_locked=True)
            ).all()
            if not rows:
                return []
            due = {row.id: row.next_run_at for row in rows}
            following = {
                row.id: literal(next_slot_after(row.id, row.interval_seconds, now), UTCDateTime())
                for row in rows
            }
            # The condition again: a check another runner moved meanwhile is left alone.
            claimed = session.scalars(
                update(Check)
                .where(Check.id.in_(due), Check.enabled.is_(True), Check.next_run_at <= now)
                .values(next_run_at=case(following, value=Check.id))
                .returning(Check.id)
                .execution_options(**NO_SYNC)
            ).all()
            found = session.execute(
                select(Check, App.base_url)
                .join(App, App.id == Check.app_id)
                .where(Check.id.in_(claimed))
            ).all()
            return [
                ProbeSpec(
                    check_id=check.id,
                    due_at=due[check.id],
                    url=base_url + check.path,
                    team_id=check.team_id,
                    method=check.method,
                    headers=dict(check.headers or {}),
                    body=check.body,
                    timeout=check.timeout_seconds,
                    tls=check.tls,
                    security=check.security,
                    http_url=http_form(base_url + check.path) if check.security else None,
                )
                for check, base_url in sorted(found, key=lambda pair: due[pair[0].id])
            ]

    def any_due(self, now: datetime) -> bool:
        """Whether a check is due, read without taking SQLite's write lock: an idle runner
        polls often and must not hold up the web server's writes."""
        bind = self.session_factory.kw["bind"]
        with bind.execution_options(**{IMMEDIATE: False}).connect() as connection:
            found = connection.execute(
                select(Check.id).where(Check.enabled.is_(True), Check.next_run_at <= now).limit(1)
            ).first()
        return found is not None

    async def probe_all(self, clients: Clients, specs: Sequence[ProbeSpec]) -> list[ProbeResult]:
        """Probes ``specs`` at once, at most ``concurrency`` in flight."""
        limit = asyncio.Semaphore(self.concurrency)

        async def one(spec: ProbeSpec) -> ProbeResult:
            async with limit:
                return await self._probe(clients, spec)

        return list(await asyncio.gather(*(one(spec) for spec in specs)))

    def record(self, results: Sequence[ProbeResult]) -> int:
        """Writes results, updates their checks and incidents, in one transaction; returns how
        many were written (a check deleted meanwhile drops its result)."""
        if not results:
            return 0
        now = self.clock.now()
        with transaction(self.session_factory) as session:
            ids = sorted({r.check_id for r in results})
            # Locked in id order: two runners recording the same checks wait, never deadlock,
            # and the second sees the incidents the first opened.
            checks = {
                c.id: c
                for c in session.scalars(
                    select(Check).where(Check.id.in_(ids)).order_by(Check.id).with_for_update()
                )
            }
            app_ids = {c.app_id for c in checks.values()}
            apps = {a.id: a for a in session.scalars(select(App).where(App.id.in_(app_ids)))}
            windows: dict[int, list[MaintenanceWindow]] = defaultdict(list)
            for window in session.scalars(
                select(MaintenanceWindow).where(MaintenanceWindow.app_id.in_(app_ids))
            ):
                windows[window.app_id].append(window)
            open_ = incidents.open_incidents(session, list(checks))
            rows = []
            for result in sorted(results, key=lambda r: r.started_at):
                check = checks.get(result.check_id)
                if check is None:
                    continue
                verdict = judge(check, result)
                incidents.apply(
                    session,
                    check=check,
                    app=apps[check.app_id],
                    result=result,
                    verdict=verdict,
                    now=now,
                    muted=maintenance.active_for(windows[check.app_id], check.id, now),
                    incidents=open_,
                )
                check.last_run_at = result.started_at
                check.last_latency_ms = result.latency_ms
                check.last_status_code = result.status_code
                check.last_error = verdict.error
                if result.grade is not None:
                    check.last_grade = result.grade
                if result.cert_not_after is not None:
                    check.cert_expires_at = result.cert_not_after
                rows.append(
                    {
                        "check_id": check.id,
                        "due_at": result.due_at,
                        "started_at": result.started_at,
                        "ok": verdict.ok,
                        "latency_ms": result.latency_ms,
                        "status_code": result.status_code,
                        "error": verdict.error,
                        "problems": sorted(p.value for p in verdict.findings),
                        "cert_expires_at": result.cert_not_after,
                        "grade": result.grade,
                        "score": result.score,
                    }
                )
            if rows:
                session.execute(insert(CheckResult), rows)
            return len(rows)

    # -- loops --------------------------------------------------------------------------------

    def client(self) -> Clients:
        return Clients(self.concurrency, self.verify, self.outbound)

    def run_once(self, now: datetime | None = None) -> bool:
        """Claims one batch of due checks, probes them and records the results; True if any."""
        specs = self.claim_due(now or self.clock.now())
        if not specs:
            return False

        async def go() -> list[ProbeResult]:
            async with self.client() as clients:
                return await self.probe_all(clients, specs)

        self.record(asyncio.run(go()))
        return True

    def run_forever(self, stop: threading.Event) -> None:
        """Claims and probes continuously until ``stop`` is set; probes in flight finish and
        are recorded before it returns."""
        log.info("check runner %s started", self.worker_id)
        asyncio.run(self._forever(stop))
        log.info("check runner %s stopped", self.worker_id)

    def close(self) -> None:
        """Nothing to release: every loop opens and closes its own HTTP client."""

    async def _forever(self, stop: threading.Event) -> None:
        in_flight: set[asyncio.Task[ProbeResult]] = set()
        finished: list[ProbeResult] = []
        writing: asyncio.Task[None] | None = None
        async with self.client() as clients:
            while not stop.is_set():
                claimed: list[ProbeSpec] = []
                free = self.concurrency - len(in_flight)
                if free > 0:
                    try:
                        now = self.clock.now()
                        if await asyncio.to_thread(self.any_due, now):
                            claimed = await asyncio.to_thread(
                                self.claim_due, now, min(free, self.batch)
                            )
                    except Exception:
                        log.exception("check runner %s: claiming failed", self.worker_id)
                for spec in claimed:
                    in_flight.add(asyncio.create_task(self._probe(clients, spec)))
                if in_flight:
                    done, _ = await asyncio.wait(
                        in_flight,
                        timeout=0 if claimed else self.poll_seconds,
                        return_when=asyncio.FIRST_COMPLETED,
                    )
                    in_flight -= done
                    finished.extend(task.result() for task in done)
                elif not claimed:
                    await asyncio.sleep(self.poll_seconds)
                if finished and (writing is None or writing.done()):
                    batch, finished = finished, []
                    writing = asyncio.create_task(self._write(batch))
            if in_flight:
                finished.extend(await asyncio.gather(*in_flight))
            if writing is not None:
                await writing
            await self._write(finished)

    async def _write(self, results: list[ProbeResult]) -> None:
        if not results:
            return
        try:
            await asyncio.to_thread(self.record, results)
        except Exception:
            log.exception(
                "check runner %s: writing %d results failed", self.worker_id, len(results)
            )

    async def _probe(self, clients: Clients, spec: ProbeSpec) -> ProbeResult:
        try:
            return await probe(clients.for_check(spec.check_id, spec.team_id), spec, self.clock)
        except Exception as exc:  # a bug in grading must not stop the loop
            log.exception("probe of check %d failed", spec.check_id)
            return ProbeResult(
                check_id=spec.check_id,
                due_at=spec.due_at,
                started_at=self.clock.now(),
                error=f"internal error: {type(exc).__name__}: {exc}"[:500],
            )
