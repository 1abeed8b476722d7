"""The team lead's setup in a real browser: create a team and its project, add a task, make an
invitation link; a second browser opens the link, signs up, joins and sees the team's task."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PASSWORD, Browsing
from tests.browser.helpers import check_page, screenshot, sign_up

pytestmark = pytest.mark.browser

TASK = "Rotate the staging keys"


def test_a_lead_sets_up_a_team_and_an_invitee_joins_by_link(page: Page, browsing: Browsing) -> None:
    sign_up(page, "Lena", "lena@example.com", timezone="Europe/Berlin")

    page.goto("/teams")
    expect(page.locator("#no-teams")).to_be_visible()
    expect(page.get_by_label("Timezone")).to_have_value("Europe/Berlin")
    check_page(page)
    page.get_by_label("Name").fill("Platform")
    page.get_by_role("button", name="Create team").click()
    expect(page).to_have_url(re.compile(r"/teams/\d+\?saved=created$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Platform")
    team_url = page.url.split("?")[0]

    page.goto("/projects")
    page.get_by_label("Name").fill("infra")
    page.get_by_label("For").select_option(label="Platform")
    page.get_by_role("button", name="Create project").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("infra")
    check_page(page)

    page.goto("/tasks")
    page.locator("form#quick-add input[name=text]").fill(f"{TASK} +infra")
    page.locator("form#quick-add").get_by_role("button", name="Add").click()
    expect(page.locator("table#task-list tr[data-task-id]", has_text=TASK)).to_have_count(1)

    page.goto(team_url)
    page.get_by_label("Role", exact=True).last.select_option("member")
    page.get_by_role("button", name="Create invitation link").click()
    link = page.locator("#invite-link").input_value()
    assert re.search(r"/join/[\w-]+$", link), link
    check_page(page)
    screenshot(page, "team-settings", sizes=("desktop",))

    invitee = browsing.new_page()
    invitee.goto(link)
    expect(invitee.get_by_role("heading", level=1)).to_have_text("Join Platform")
    check_page(invitee)
    signup = invitee.locator("form#join-signup")
    signup.get_by_label("Name").fill("Omar")
    signup.get_by_label("Email").fill("omar@example.com")
    signup.get_by_label("Password").fill(PASSWORD)
    signup.get_by_label("Timezone").select_option("Europe/Lisbon")
    signup.get_by_role("button", name="Sign up").click()
    invitee.get_by_role("button", name="Join Platform as Omar").click()
    expect(invitee).to_have_url(re.compile(r"/team/\d+$"))

    invitee.goto("/tasks")
    expect(invitee.locator("table#task-list tr[data-task-id]", has_text=TASK)).to_have_count(1)

    # The link worked once: opening it again says so (with 410 Gone).
    browsing.problems.expect_status(410, "/join/" + link.rsplit("/", 1)[1])
    invitee.goto(link)
    expect(invitee.locator("#join-gone")).to_contain_text("already been used")

    page.goto(team_url)
    expect(page.locator("table#members")).to_contain_text("omar@example.com")
