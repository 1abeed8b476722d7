"""Calendars: how fast subscribed calendars are read, and what their busy time costs the planner.

    python -m bench.calendars.run [--calendars 50] [--events 500] [--tasks 200] [--busy 300]
                                  [--rounds 5] [--database-url URL]

1. **Refresh.** ``--calendars`` ICS calendars of ``--events`` events each (one in ten a weekly
   series with a moved and a cancelled occurrence, the rest single events over six weeks, in
   two time zones) are served on 127.0.0.1; one account subscribes to all of them and the
   worker's refresh job reads them all (fetch, expand, store the busy times), then reads them
   all again, when every answer is 304. Printed: seconds, calendars and busy times per second.
2. **Planning.** ``--tasks`` open tasks are planned over the horizon with ``--busy`` busy events
   in it and without any (the same tasks, the same clock), ``--rounds`` times each, in turn;
   printed: median build times and their ratio.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import delete

from bench.cli import seed

NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
ZONES = ("Europe/Berlin", "America/New_York")


def calendar_text(number: int, events: int, rng: random.Random) -> bytes:
    """One calendar of ``events`` events; every tenth a weekly series with exceptions."""
    zone_name = ZONES[number % len(ZONES)]
    zone = ZoneInfo(zone_name)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//bench//EN"]
    stamp = "20261101T000000Z"
    for index in range(events):
        day = (NOW + timedelta(days=rng.randint(-1, 41))).astimezone(zone).date()
        start = datetime(day.year, day.month, day.day, rng.randint(8, 18), 0, tzinfo=zone)
        local = start.strftime("%Y%m%dT%H%M%S")
        end = (start + timedelta(minutes=rng.choice((30, 45, 60)))).strftime("%Y%m%dT%H%M%S")
        uid = f"c{number}-e{index}@bench"
        lines += [
            "BEGIN:VEVENT",
            f"UID:{uid}",
            f"DTSTAMP:{stamp}",
            f"SUMMARY:Meeting {number}-{index}",
            f"DTSTART;TZID={zone_name}:{local}",
            f"DTEND;TZID={zone_name}:{end}",
        ]
        if index % 10 == 0:
            lines.append("RRULE:FREQ=WEEKLY;COUNT=10")
            moved = (start + timedelta(weeks=1)).strftime("%Y%m%dT%H%M%S")
            cancelled = (start + timedelta(weeks=2)).strftime("%Y%m%dT%H%M%S")
            lines.append(f"EXDATE;TZID={zone_name}:{cancelled}")
            lines.append("END:VEVENT")
            later = (start + timedelta(weeks=1, hours=1)).strftime("%Y%m%dT%H%M%S")
            later_end = (start + timedelta(weeks=1, hours=2)).strftime("%Y%m%dT%H%M%S")
            lines += [
                "BEGIN:VEVENT",
                f"UID:{uid}",
                f"DTSTAMP:{stamp}",
                f"RECURRENCE-ID;TZID={zone_name}:{moved}",
                f"SUMMARY:Meeting {number}-{index} (moved)",
                f"DTSTART;TZID={zone_name}:{later}",
                f"DTEND;TZID={zone_name}:{later_end}",
            ]
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


def serve(bodies: list[bytes]) -> tuple[ThreadingHTTPServer, int]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            number = int(self.path.strip("/").split(".")[0])
            tag = f'"{number}"'
            if self.headers.get("If-None-Match") == tag:
                self.send_response(304)
                self.send_header("ETag", tag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = bodies[number]
            self.send_response(200)
            self.send_header("Content-Type", "text/calendar")
            self.send_header("ETag", tag)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1]


def refresh_bench(database_url: str, calendars: int, events: int) -> None:
    from devday.account.models import User
    from devday.calendars import jobs
    from devday.calendars.models import CalendarSource, SourceKind
    from devday.db import make_engine, make_session_factory, transaction
    from devday.migrate import upgrade
    from devday.netguard import ALLOW_ALL

    rng = random.Random(7)
    bodies = [calendar_text(n, events, rng) for n in range(calendars)]
    server, port = serve(bodies)
    engine = make_engine(database_url)
    upgrade(engine)
    sessions = make_session_factory(engine, writer=True)
    with transaction(sessions) as session:
        user = User(email="cal@example.com", name="Cal", password_hash="x", timezone=ZONES[0])
        session.add(user)
        session.flush()
        for number in range(calendars):
            session.add(
                CalendarSource(
                    user_id=user.id,
                    name=f"Calendar {number}",
                    kind=SourceKind.ics,
                    url=f"http://127.0.0.1:{port}/{number}.ics",
                    next_at=NOW,
                    created_at=NOW,
                )
            )
    job = jobs.Refresh(ALLOW_ALL)

    def run(now: datetime) -> tuple[float, int]:
        begun = time.perf_counter()
        with sessions() as session:
            work = job.prepare(session, None, now)  # type: ignore[arg-type]
            session.commit()
        outcome = job.exchange(work, sessions)
        with sessions() as session:
            job.record(session, None, work, outcome, now)  # type: ignore[arg-type]
            session.commit()
        errors = [f.error for f in outcome.read if f.error]
        assert not errors, errors[:3]
        return time.perf_counter() - begun, len(work.reads)

    jobs.BATCH = calendars
    first, read = run(NOW)
    with sessions() as session:
        stored = sum(s.event_count for s in session.query(CalendarSource))
    second, again = run(NOW + timedelta(minutes=15))
    server.shutdown()
    engine.dispose()
    print(f"refresh: {read} calendars of {events} events ({stored} busy times in the window)")
    print(
        f"  first read:  {first:6.2f} s  {read / first:7.1f} calendars/s"
        f"  {stored / first:8.0f} busy times/s"
    )
    print(f"  unchanged:   {second:6.2f} s  {again / second:7.1f} calendars/s  (every answer 304)")


def planning_bench(database_url: str, tasks: int, busy: int, rounds: int) -> None:
    from devday.account.models import User
    from devday.db import make_engine, make_session_factory
    from devday.planning import service as planning_service
    from devday.planning.models import BusyEvent

    seed.seed_devday(database_url, seed.draw(tasks, now=NOW, seed=3), now=NOW)
    engine = make_engine(database_url)
    sessions = make_session_factory(engine, writer=True)
    rng = random.Random(11)
    zone = ZoneInfo(seed.TIMEZONE)
    today = NOW.astimezone(zone).date()
    with sessions() as session:
        user = session.query(User).filter_by(email=seed.EMAIL).one()
        user_id = user.id
    busy_rows = []
    for index in range(busy):
        day = today + timedelta(days=rng.randint(0, 13))
        start = datetime(day.year, day.month, day.day, rng.randint(9, 17), 0, tzinfo=zone)
        busy_rows.append((f"Busy {index}", start, start + timedelta(minutes=rng.choice((30, 60)))))

    def build(with_busy: bool) -> float:
        with sessions() as session:
            session.execute(delete(BusyEvent).where(BusyEvent.user_id == user_id))
            if with_busy:
                session.add_all(
                    BusyEvent(user_id=user_id, title=t, start_at=s, end_at=e)
                    for t, s, e in busy_rows
                )
            session.commit()
            user = session.get(User, user_id)
            assert user is not None
            begun = time.perf_counter()
            planning_service.build_plan(session=session, user=user, plan_date=today, now=NOW)
            spent = time.perf_counter() - begun
            session.rollback()
        return spent

    without, with_ = [], []
    for _ in range(rounds):
        without.append(build(False))
        with_.append(build(True))
    engine.dispose()
    a, b = statistics.median(without), statistics.median(with_)
    print(f"planning: {tasks} tasks, medians of {rounds} builds")
    print(f"  without busy time:      {a * 1000:7.0f} ms")
    print(f"  with {busy} busy events:  {b * 1000:7.0f} ms   ratio {b / a:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--calendars", type=int, default=50)
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--tasks", type=int, default=200)
    parser.add_argument("--busy", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--database-url", default="", help="default: SQLite files in a temp dir")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        base = args.database_url
        refresh_bench(
            base or f"sqlite:///{Path(folder) / 'refresh.db'}", args.calendars, args.events
        )
        planning_bench(
            base or f"sqlite:///{Path(folder) / 'plan.db'}", args.tasks, args.busy, args.rounds
        )


if __name__ == "__main__":
    main()
