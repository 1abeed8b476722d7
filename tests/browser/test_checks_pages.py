"""The app-check pages in a real browser over a week of recorded runs: the apps list with
sparklines, one app's latency chart and incidents, the incidents page, and the add-app and
add-check forms (errors next to the field, then success). Screenshots for docs/."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from devday.account.models import User
from devday.db import make_session_factory
from devday.demo import DEMO_PASSWORD, PEOPLE
from devday.team.models import Team
from tests.browser.conftest import Browsing, LiveServer
from tests.browser.helpers import check_page, log_in, screenshot
from tests.web.checks_seed import seed_checks

pytestmark = pytest.mark.browser


def checked_apps(page: Page, server: LiveServer) -> dict[str, int]:
    """The demo workspace with a week of app checks; Alex logged in."""
    server.seed_demo()
    with make_session_factory(server.engine)() as session:
        alex = session.scalars(select(User).where(User.email == PEOPLE[0][0])).one()
        team = session.scalars(select(Team)).one()
        session.expunge_all()
    apps = seed_checks(
        server.engine, owner_id=alex.id, team_id=team.id, now=server.clock.now(), days=7
    )
    log_in(page, PEOPLE[0][0], DEMO_PASSWORD)
    return apps


def test_apps_list_app_and_incidents(page: Page, server: LiveServer, browsing: Browsing) -> None:
    apps = checked_apps(page, server)
    page.get_by_role("link", name="Apps", exact=True).first.click()
    expect(page).to_have_url(re.compile(r"/apps$"))
    billing = page.locator(f"#app-{apps['billing-web']}")
    expect(billing.locator(".app-head .state")).to_have_text("down")
    expect(page.locator("svg.spark")).to_have_count(4)
    expect(page.locator(".incident-notice")).to_contain_text("1 open incident")
    check_page(page)
    screenshot(page, "apps")

    page.goto(f"/apps/{apps['billing-web']}?range=7d")
    expect(page.get_by_role("heading", level=1)).to_contain_text("billing-web")
    expect(page.locator("svg.chart.latency path.p50")).to_have_count(1)
    expect(page.locator("svg.chart.latency rect.fail").first).to_be_attached()
    expect(page.locator(".grades li").first).to_contain_text("A")
    open_incident = page.locator("#open-incidents li.incident")
    expect(open_incident).to_have_count(1)
    expect(open_incident.locator("dl.facts")).to_contain_text("503")
    check_page(page)
    screenshot(page, "app")

    expect(open_incident.get_by_role("link", name=re.compile(r"^Task #\d+$"))).to_be_visible()
    page.goto("/incidents")
    expect(page.locator("#open-incidents li.incident")).to_have_count(1)
    expect(page.locator("#past-incidents li.incident")).to_have_count(1)
    check_page(page)
    screenshot(page, "incidents")
    page.locator("#open-incidents").get_by_role("link", name=re.compile(r"^Task #")).click()
    expect(page).to_have_url(re.compile(r"/tasks/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("billing-web")

    dark = browsing.new_page(dark=True)
    log_in(dark, PEOPLE[0][0], DEMO_PASSWORD)
    dark.goto(f"/apps/{apps['orders-api']}?range=24h")
    expect(dark.locator("svg.chart.latency")).to_have_count(2)
    check_page(dark)
    screenshot(dark, "app-dark", sizes=("desktop",))


def test_adding_an_app_and_a_check(page: Page, server: LiveServer, browsing: Browsing) -> None:
    browsing.problems.expect_status(422, "/apps")
    checked_apps(page, server)
    page.goto("/apps")
    form = page.locator("form[action='/apps']")
    form.get_by_label("Name").fill("docs-site")
    form.get_by_label("Base URL").fill("docs.example.com")
    form.get_by_role("button", name="Add app").click()
    error = page.locator("#app-base_url-error")
    expect(error).to_contain_text("http")
    expect(page.get_by_label("Base URL")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Name")).to_have_value("docs-site")
    page.get_by_label("Base URL").fill("https://docs.example.com")
    page.get_by_role("button", name="Add app").click()
    expect(page).to_have_url(re.compile(r"/apps/\d+\?added=app$"))
    expect(page.get_by_role("heading", name="No checks yet")).to_be_visible()
    app_id = re.search(r"/apps/(\d+)", page.url)
    assert app_id
    browsing.problems.expect_status(422, f"/apps/{app_id.group(1)}/checks")

    check = page.locator("section#add-check form")
    check.get_by_label("Name").fill("home")
    check.get_by_label("Accepted statuses").fill("2xx, 9xx")
    check.get_by_label("Latency budget (ms)").fill("400")
    check.get_by_role("button", name="Add check").click()
    expect(page.locator("#check-statuses-error")).to_contain_text("9xx")
    page.get_by_label("Accepted statuses").fill("200")
    page.get_by_role("button", name="Add check").click()
    expect(page).to_have_url(re.compile(r"/apps/\d+\?added=check#check-\d+$"))
    panel = page.locator("section.check-panel")
    expect(panel).to_have_count(1)
    expect(panel.locator(".state")).to_have_text("pending")
    expect(panel.locator("svg.chart.latency")).to_contain_text("No runs in this range")
    check_page(page)
