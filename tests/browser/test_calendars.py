"""Calendars in a real browser: subscribe to a work calendar in Settings, see its events on
Today's Busy time card and timeline with the calendar's name, add and edit a busy time of one's
own, and turn the plan feed on and read it as a calendar app would."""

from __future__ import annotations

import urllib.request

import pytest
from icalendar import Calendar
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer
from tests.browser.helpers import check_page, screenshot, sign_up
from tests.calendars.conftest import IcsServer
from tests.calendars.conftest import ics_server as ics_server  # the fixture, for this module
from tests.calendars.test_subscriptions import WORK

pytestmark = pytest.mark.browser


def test_a_work_calendar_and_busy_time_from_settings_to_today(
    page: Page, server: LiveServer, ics_server: IcsServer
) -> None:
    ics_server.serve(WORK, '"v1"')
    sign_up(page, "Robin", "robin@example.com", timezone="Europe/Berlin")

    page.goto("/settings/calendar")
    expect(page.get_by_role("heading", name="Calendars you subscribe to")).to_be_visible()
    expect(page.get_by_role("heading", level=2)).to_have_text("Calendars")
    check_page(page)
    form = page.locator("form#add-calendar")
    form.get_by_label("Name", exact=True).fill("Work")
    form.get_by_label("Address (https:// or webcal://)").fill(ics_server.url)
    form.get_by_role("button", name="Add calendar").click()
    expect(page.get_by_role("status")).to_contain_text("Calendar added")
    row = page.locator("#calendars tr[data-calendar-id]", has_text="Work")
    expect(row).to_contain_text("not yet")
    row.get_by_role("button", name="Refresh Work now").click()
    expect(page.get_by_role("status")).to_have_text("Calendar read now.")
    expect(row).not_to_contain_text("not yet")
    expect(row).not_to_contain_text("private-abc")  # the secret part stays hidden

    page.goto("/today")
    busy = page.locator("#busy")
    expect(busy).to_contain_text("11:00\u201311:30")
    expect(busy.locator("li", has_text="Sprint sync")).to_contain_text("from Work")
    expect(busy.locator("li", has_text="Sprint sync").get_by_text("Edit or remove")).to_have_count(
        0
    )
    expect(page.locator(".timeline-wrap")).to_contain_text("Sprint sync · Work")

    add = page.locator("form#add-busy")
    add.get_by_label("What").fill("Dentist")
    add.get_by_label("From").fill("16:30")
    add.get_by_label("To").fill("17:15")
    add.get_by_role("button", name="Add busy time").click()
    mine = page.locator("#busy li", has_text="Dentist")
    expect(mine).to_contain_text("16:30\u201317:15")
    check_page(page)
    screenshot(page, "today-busy")

    mine.get_by_text("Edit or remove").click()
    mine.get_by_label("To").fill("17:45")
    mine.get_by_role("button", name="Save").click()
    expect(page.locator("#busy li", has_text="Dentist")).to_contain_text("16:30\u201317:45")

    # The plan feed: on, its address shown once, and readable as a calendar app reads it.
    page.goto("/settings/calendar")
    page.get_by_role("button", name="Turn the feed on").click()
    address = page.locator("#feed-url").inner_text()
    assert address.startswith(server.url + "/calendar/")
    with urllib.request.urlopen(address, timeout=10) as answer:
        assert answer.headers["Content-Type"].startswith("text/calendar")
        feed = Calendar.from_ical(answer.read())
    assert str(feed["X-WR-CALNAME"]) == "devday: Robin"
    check_page(page)
    screenshot(page, "settings-calendars")
