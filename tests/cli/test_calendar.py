"""devday calendar feed, in-process: on, off, and a new address that a calendar app can read."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi.testclient import TestClient
from icalendar import Calendar

from devday.app import create_app
from devday.config import Settings
from tests.cli.conftest import Run, create_user, ok


def test_it_turns_the_feed_on_prints_a_working_address_and_turns_it_off(run: Run) -> None:
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
    with TestClient(create_app(Settings())) as server:
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
