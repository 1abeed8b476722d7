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
from tests.browser.helpers import check_page, fits_both_widths, log_in, screenshot, sign_up

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
        ("/settings/routine", "settings-routine", "Settings"),
        ("/settings/tokens", "settings-tokens", "Settings"),
        ("/settings/channels", "settings-channels", "Settings"),
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


# What a new account sees before it has any data: each page says so, and what to do.
EMPTY = [
    ("/today", "No plan yet"),
    ("/tasks", "No open tasks. Add one above."),
    ("/week", "Nothing planned in these days"),
    ("/wrapup", "Nothing finished on this day."),
    ("/reflect", "No task finished on this day."),
    ("/settings/tokens", "No tokens yet."),
    ("/settings/channels", "No channels yet."),
    ("/apps", "Apps belong to a team. Create a team first"),
    ("/incidents", "No open incidents"),
]


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_a_new_account_sees_clear_empty_states(browsing: Browsing, dark: bool) -> None:
    page = browsing.new_page(dark=dark)
    sign_up(page, "Noor", "noor@example.com")
    for path, empty in EMPTY:
        page.goto(path)
        expect(page.locator("main")).to_contain_text(empty)
        check_page(page)
        fits_both_widths(page)
    if dark:
        page.goto("/tasks")
        screenshot(page, "tasks-empty-dark")


def test_settings_sections_are_reachable_by_keyboard(page: Page, server: LiveServer) -> None:
    demo_day(page, server)
    page.goto("/settings")
    expect(page.locator('.section-nav a[aria-current="page"]')).to_have_text("Profile & timezone")
    for _ in range(30):
        page.keyboard.press("Tab")
        focused = page.evaluate("() => document.activeElement.textContent.trim()")
        if focused == "API tokens":
            break
    else:
        raise AssertionError("Tab never reached the API tokens section link")
    assert page.evaluate("() => document.activeElement.matches(':focus-visible')")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/settings/tokens$"))
    expect(page.get_by_role("heading", level=2)).to_have_text("API tokens")
    page.get_by_label("New token name").fill("laptop")
    page.get_by_label("New token name").press("Enter")
    expect(page.locator("#new-token")).to_be_visible()
    expect(page.locator('.section-nav a[aria-current="page"]')).to_have_text("API tokens")


@pytest.mark.parametrize(
    ("path", "name", "heading", "url"),
    [
        ("/team", "team", "Backend", r"/team(/\d+)?$"),
        ("/inbox", "inbox", "Inbox", r"/inbox$"),
        ("/meeting", "meeting", "meeting", r"/team/\d+/meeting(/[\d-]+)?$"),
    ],
)
def test_team_page(
    page: Page, server: LiveServer, path: str, name: str, heading: str, url: str
) -> None:
    """The team's pages (figures and standups, the inbox, the daily meeting) over the demo."""
    demo_day(page, server)
    page.goto(path)
    expect(page).to_have_url(re.compile(url))
    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    check_page(page)
    screenshot(page, name)
