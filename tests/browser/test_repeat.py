"""A repeating task in a real browser: made on the New task page, finished on its page, and
the next one in the task list once the worker has run on its day."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from devday.config import Settings
from devday.wiring import build_worker
from tests.browser.conftest import Browsing, LiveServer
from tests.browser.helpers import check_page, sign_up

pytestmark = pytest.mark.browser


def run_worker(server: LiveServer, tmp_path: Path, database_url: str) -> None:
    settings = Settings(
        data_dir=tmp_path, secret_key="w", database_url=database_url, allow_private_urls=True
    )
    worker = build_worker(
        settings=settings, engine=server.engine, clock=server.clock, worker_id="w"
    )
    try:
        worker.start_up()
        worker.run_once()
    finally:
        worker.close()


def test_a_repeating_task_from_the_new_task_page_to_its_next_instance(
    page: Page, browsing: Browsing, server: LiveServer, tmp_path: Path, database_url: str
) -> None:
    sign_up(page, "Sam", "sam@example.com", timezone="Europe/Berlin")
    page.goto("/tasks/new")
    form = page.locator("form#new-task")
    form.get_by_label("Title").fill("On-call handover")
    form.get_by_label("Estimate").fill("20m")
    form.get_by_label("Repeat").fill("every blue moon")
    browsing.problems.expect_status(422, "/tasks/new")
    form.get_by_role("button", name="Add task").click()
    expect(page.locator("#repeat-error")).to_contain_text("every weekday")
    form = page.locator("form#new-task")
    form.get_by_label("Repeat").fill("every weekday")
    form.get_by_role("button", name="Add task").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("On-call handover")
    expect(page.locator("#repeats")).to_have_text("every weekday; the next for Tue 01 Dec")
    page.get_by_role("button", name="Done").click()
    page.goto("/tasks")
    rows = page.locator("table#task-list tr[data-task-id]", has_text="On-call handover")
    expect(rows).to_have_count(0)  # Monday's is done; Tuesday's comes on Tuesday

    server.clock.set(datetime(2026, 12, 1, 5, 0, tzinfo=UTC))  # Tuesday, 06:00 in Berlin
    run_worker(server, tmp_path, database_url)
    page.goto("/tasks")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("20m")
    rows.get_by_role("link", name="On-call handover").click()
    expect(page.locator("dl.facts")).to_contain_text("Tue 01 Dec")
    check_page(page)


def test_the_whole_series_edited_from_a_repeating_task_s_page(
    page: Page, browsing: Browsing, server: LiveServer
) -> None:
    sign_up(page, "Sam", "sam@example.com", timezone="Europe/Berlin")
    page.goto("/tasks/new")
    form = page.locator("form#new-task")
    form.get_by_label("Title").fill("Weekly report")
    form.get_by_label("Repeat").fill("every fri")
    form.get_by_role("button", name="Add task").click()
    expect(page.locator("#repeats")).to_have_text("every Fri; the next for Fri 11 Dec")

    page.get_by_text("Edit the series").click()
    series = page.locator("form#edit-series")
    series.get_by_label("Rule").fill("every 2 weeks on mon")
    series.get_by_label("Title").fill("Fortnightly report")
    series.get_by_label("Estimate").fill("1h")
    series.get_by_role("button", name="Save the series").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Fortnightly report")
    expect(page.locator("#repeats")).to_contain_text("every 2 weeks on Mon")
    expect(page.locator("dl.facts")).to_contain_text("1h")

    # The Edit form's Repeat field, emptied, ends the series.
    edit = page.locator("form.edit-grid")
    expect(edit.get_by_label("Repeat")).to_have_value("every 2 weeks on mon")
    edit.get_by_label("Repeat").fill("")
    edit.get_by_role("button", name="Save").click()
    expect(page.locator("#repeats")).to_have_text("every 2 weeks on Mon (ended)")
    check_page(page)
