"""devday calendar feed, in-process: on, off, and a new address that a calendar app can read."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlalchemy import Engine

from devday.app import create_app
from devday.config import Settings
from tests.calendars.conftest import IcsServer
from tests.calendars.conftest import ics_server as ics_server  # the fixture, for these tests
from tests.calendars.test_subscriptions import WORK
from tests.cli.conftest import Run, create_user, ok, rows


def test_it_turns_the_feed_on_prints_a_working_address_and_turns_it_off(
    run: Run, engine: Engine
) -> None:
    create_user(run, "alex@example.com")
    ok(run("task", "add", "Write the release notes", "--deadline", "2026-12-01"))
    off = "plan feed: off (devday calendar feed --new turns it on)\n"
    assert ok(run("calendar", "feed")) == off

    made = run("calendar", "feed", "--new")
    url = ok(made).strip()
    assert url.startswith("http://127.0.0.1:8000/calendar/") and url.endswith(".ics")
    assert "shown only now" in made.stderr
    assert ok(run("calendar", "feed")).startswith("plan feed: on since ")

    # The address is served by `devday serve` over the same database.
    with TestClient(create_app(Settings(), engine=engine)) as server:
        answer = server.get(urlsplit(url).path)
        assert answer.status_code == 200, answer.text
        summaries = {str(e["SUMMARY"]) for e in Calendar.from_ical(answer.content).walk("VEVENT")}
        assert "Due: Write the release notes" in summaries

        assert ok(run("calendar", "feed", "--off")).startswith("plan feed: off;")
        assert server.get(urlsplit(url).path).status_code == 404


def test_it_refuses_new_and_off_together(run: Run) -> None:
    create_user(run, "alex@example.com")
    both = run("calendar", "feed", "--new", "--off")
    assert both.exit_code == 2 and "choose --new or --off" in both.stderr


def test_it_subscribes_lists_refreshes_and_removes_a_calendar(
    run: Run, ics_server: IcsServer
) -> None:
    create_user(run, "alex@example.com")
    ics_server.serve(WORK, '"v1"')
    added = ok(run("calendar", "add", ics_server.url, "--name", "Work")).splitlines()
    assert (
        added[0]
        == f"added calendar #1 'Work' (http://127.0.0.1:{ics_server.port}/…); reading it now"
    )
    assert added[1].startswith("calendar #1: ") and added[1].endswith(" busy times")
    assert rows(ok(run("calendar", "list")))[0].startswith("1 Work ics ")

    ics_server.status = 500
    failed = run("calendar", "refresh", "1")
    assert failed.exit_code == 0
    assert "calendar #1 could not be read: HTTP 500 from 127.0.0.1" in failed.stderr
    assert "HTTP 500 from 127.0.0.1" in ok(run("calendar", "list"))

    assert ok(run("calendar", "remove", "1")) == "removed calendar #1\n"
    assert "no calendars" in ok(run("calendar", "list"))
