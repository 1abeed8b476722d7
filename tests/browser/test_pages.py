"""Every signed-in page over the demo workspace: no console errors or CSP violations (the
``browsing`` fixture fails the test on any), basic accessibility, visible keyboard focus, and
the screenshots in docs/screenshots/ at desktop (1280x800) and phone (390x844) widths."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from devday.demo import DEMO_PASSWORD, PEOPLE
from tests.browser.conftest import Browsing, LiveServer
from tests.browser.helpers import check_page, log_in, screenshot

pytestmark = pytest.mark.browser

DEMO_EMAIL = PEOPLE[0][0]


def demo_day(page: Page, server: LiveServer) -> None:
    """Alex of the demo team, logged in, with the day planned and a timer running for 35m."""
    server.seed_demo()
    log_in(page, DEMO_EMAIL, DEMO_PASSWORD)
    page.get_by_role("button", name="Plan my day").click()
    first = page.locator("ul#today-blocks li[data-block-id]").first
    first.get_by_role("button", name="Start").click()
    expect(page.locator("#timer")).to_have_class(re.compile(r"\brunning\b"))
    server.clock.advance(timedelta(minutes=35))


def test_today(page: Page, server: LiveServer, browsing: Browsing) -> None:
    demo_day(page, server)
    page.goto("/today")
    expect(page.locator("svg#timeline g.block[data-task-id]").first).to_be_visible()
    expect(page.locator("#now-line")).to_be_attached()
    expect(page.locator("#timer")).to_contain_text("35m")
    check_page(page)
    screenshot(page, "today")

    dark = browsing.new_page(dark=True)
    log_in(dark, DEMO_EMAIL, DEMO_PASSWORD)
    background = dark.evaluate("() => getComputedStyle(document.body).backgroundColor")
    assert background != "rgb(250, 250, 250)", "dark mode keeps the light background"
    check_page(dark)
    screenshot(dark, "today-dark", sizes=("desktop",))


@pytest.mark.parametrize(
    ("path", "name", "heading"),
    [
        ("/tasks", "tasks", "Tasks"),
        ("/settings", "settings", "Settings"),
        ("/week", "week", "Week"),
        ("/wrapup", "wrapup", "Wrap-up"),
        ("/reflect", "reflect", "Reflect"),
    ],
)
def test_page(page: Page, server: LiveServer, path: str, name: str, heading: str) -> None:
    demo_day(page, server)
    page.goto(path)
    expect(page).to_have_url(re.compile(re.escape(path) + r"(/[\d-]+)?$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    check_page(page)
    screenshot(page, name)


def test_task_detail(page: Page, server: LiveServer) -> None:
    demo_day(page, server)
    page.goto("/tasks")
    row = page.locator("table#task-list tr[data-task-id]").first
    title = row.get_by_role("link").first.inner_text()
    row.get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(r"/tasks/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    check_page(page)
    screenshot(page, "task")
