"""The New task page in a real browser: every field filled as a person would (the deadline in
the date-time picker, a dependency picked by its title), the task made once, and its timer
started and stopped on its own page, where the time entry shows. The form is double-clicked,
as people do, and makes one task."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer
from tests.browser.helpers import check_page, screenshot, sign_up

pytestmark = pytest.mark.browser


def test_a_task_from_the_new_task_page_to_its_timer(page: Page, server: LiveServer) -> None:
    sign_up(page, "Sam", "sam@example.com", timezone="Europe/Berlin")
    page.goto("/tasks")
    page.locator("form#quick-add input[name=text]").fill("Collect the screenshots")
    page.locator("form#quick-add").get_by_role("button", name="Add").click()
    expect(page.get_by_role("status")).to_contain_text("Added: Collect the screenshots")

    page.get_by_role("link", name="New task").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New task")
    page.wait_for_load_state("load")
    check_page(page)
    form = page.locator("form#new-task")
    form.get_by_label("Title").fill("Write the guide")
    form.get_by_label("Kind").select_option("docs")
    form.get_by_label("Priority").select_option(label="P2 high")
    form.get_by_label("Estimate").fill("1h30")
    form.get_by_label("Deadline").fill("2026-12-04T17:00")
    form.get_by_label("Depends on").select_option(label="Collect the screenshots")
    form.get_by_label("Tags (comma-separated)").fill("docs")
    screenshot(page, "task-new")
    form.get_by_role("button", name="Add task").dblclick()  # as people do: one task all the same

    expect(page.get_by_role("heading", level=1)).to_contain_text("Write the guide")
    expect(page.get_by_role("status")).to_have_text("Task added.")
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("Fri 04 Dec 17:00")
    expect(facts).to_contain_text("Collect the screenshots")
    expect(facts).to_contain_text("docs")

    page.get_by_role("button", name="Start timer").click()
    expect(page.get_by_role("status")).to_have_text("Timer started.")
    expect(page.locator("#time-entries tbody tr")).to_have_count(1)
    expect(page.locator("#time-entries tbody tr")).to_contain_text("running")
    server.clock.advance(timedelta(minutes=20))
    page.get_by_role("button", name="Stop timer").click()
    expect(page.locator("#time-entries tbody tr")).to_contain_text("20m")
    expect(page.locator("#time-entries tbody tr")).to_contain_text("Sam")
    check_page(page)

    page.goto("/tasks")
    row = page.locator("table#task-list tr[data-task-id]", has_text="Write the guide")
    expect(row).to_have_count(1)
