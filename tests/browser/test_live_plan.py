"""The live plan in a real browser: a task added after the plan was built is in the timeline and,
when it cannot be kept, in the risk panel; time worked is drawn beside the plan's blocks."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer
from tests.browser.helpers import check_page, screenshot, sign_up

pytestmark = pytest.mark.browser


def quick_add(page: Page, text: str) -> str:
    page.goto("/tasks")
    quick = page.locator("form#quick-add")
    quick.locator("input[name=text]").fill(text)
    quick.get_by_role("button", name="Add").click()
    title = text.split("  ")[0]
    row = page.locator("table#task-list tr[data-task-id]", has_text=title)
    expect(row).to_have_count(1)
    task_id = row.get_attribute("data-task-id")
    assert task_id and task_id.isdigit()
    return task_id


def test_a_task_added_after_planning_is_in_the_plan_and_its_risk_is_shown(
    page: Page, server: LiveServer
) -> None:
    sign_up(page, "Kim", "kim@example.com")
    quick_add(page, "Refactor the importer  3h P3")
    page.goto("/today")
    page.get_by_role("button", name="Plan my day").click()
    expect(page.locator("#plan-changed")).to_have_text(re.compile(r"built at 10:00"))
    expect(page.locator("#at-risk")).to_have_count(0)

    # An outage arrives after the plan was built: it is placed at once, and the page says why.
    server.clock.advance(timedelta(minutes=5))
    outage = quick_add(page, "Site is down  today 13:00 1h P1")
    page.goto("/today")
    expect(page.locator(f'svg#timeline g.block[data-task-id="{outage}"]')).to_be_visible()
    expect(page.locator("#plan-changed")).to_have_text("re-planned at 10:05: 'Site is down' added")
    expect(page.locator("#at-risk")).to_have_count(0)

    # Work that cannot fit before its deadline is at risk, with the planner's reason.
    too_big = quick_add(page, "Migrate the billing database  today 17:00 6h P2")
    page.goto("/today")
    risks = page.locator("ul#at-risk")
    expect(risks).to_contain_text("Migrate the billing database")
    expect(risks).to_contain_text(re.compile(r"only [\d.]+ h are free"))
    expect(page.get_by_text("Nothing at risk")).to_have_count(0)
    expect(page.locator(f'svg#timeline g.block[data-task-id="{too_big}"]').first).to_be_visible()
    check_page(page)


def test_worked_time_is_drawn_beside_the_blocks(page: Page, server: LiveServer) -> None:
    sign_up(page, "Ola", "ola@example.com")
    task_id = quick_add(page, "Write the release notes  2h P2")
    page.goto("/today")
    page.get_by_role("button", name="Plan my day").click()
    row = page.locator(f'ul#today-blocks li[data-block-id][data-task-id="{task_id}"]').first
    server.clock.advance(timedelta(minutes=31))  # 10:31
    row.get_by_role("button", name="Start").click()
    expect(page.locator("#timer")).to_contain_text("Write the release notes")
    server.clock.advance(timedelta(minutes=31))  # 11:02
    page.reload()
    page.locator("ul#today-blocks").get_by_role("button", name="Stop").first.click()
    expect(page.locator("#timer")).to_have_text(re.compile(r"No timer running"))

    worked = page.locator(f'svg#timeline g.worked[data-task-id="{task_id}"]')
    expect(worked).to_have_count(1)
    expect(worked.locator("title")).to_have_text(
        "Worked on Write the release notes · 10:31\u201311:02"
    )
    expect(page.locator(".legend")).to_contain_text("worked")
    # The 31 minutes worked are off the work left: 1 h 29 min (on the grid, 1 h 30) is ahead.
    blocks = page.locator(f'svg#timeline g.block[data-task-id="{task_id}"]')
    expect(blocks.first).to_be_visible()
    expect(page.locator("#plan-changed")).to_have_text(
        re.compile(r"re-planned at 11:02: timer stopped on 'Write the release notes'")
    )
    check_page(page)
    screenshot(page, "today-worked")
