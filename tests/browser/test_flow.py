"""The issue's flow in a real browser: sign up, log in, add a task by quick add, see it placed
in today's timeline, start and stop its timer, mark it done, re-plan, and see the wrap-up."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer
from tests.browser.helpers import check_page, log_in, log_out, sign_up

pytestmark = pytest.mark.browser

TITLE = "Write the release notes"


def test_a_day_from_sign_up_to_wrap_up(page: Page, server: LiveServer) -> None:
    # Sign up, then log in again as a returning user would.
    sign_up(page, "Robin", "robin@example.com", timezone="Europe/Berlin")
    log_out(page)
    log_in(page, "robin@example.com")

    # Add a task by quick add.
    page.goto("/tasks")
    quick = page.locator("form#quick-add")
    quick.locator("input[name=text]").fill(f"{TITLE} fri 17:00 1h P1")
    quick.get_by_role("button", name="Add").click()
    row = page.locator("table#task-list tr[data-task-id]", has_text=TITLE)
    expect(row).to_have_count(1)
    task_id = row.get_attribute("data-task-id")
    assert task_id and task_id.isdigit()

    # See it placed in today's timeline.
    page.get_by_role("link", name="Today").click()
    expect(page).to_have_url(re.compile(r"/today$"))
    page.get_by_role("button", name="Plan my day").click()
    expect(page.locator(f'svg#timeline g.block[data-task-id="{task_id}"]')).to_be_visible()
    expect(page.locator("#now-line")).to_be_attached()
    block = page.locator(f'ul#today-blocks li[data-block-id][data-task-id="{task_id}"]')
    expect(block).to_have_count(1)
    expect(block).to_contain_text(TITLE)
    check_page(page)

    # Start its timer, let 25 minutes pass, and stop it.
    block.get_by_role("button", name="Start").click()
    expect(page.locator("#timer")).to_contain_text(TITLE)
    server.clock.advance(timedelta(minutes=25))
    page.reload()
    expect(page.locator("#timer")).to_contain_text("25m")
    block.get_by_role("button", name="Stop").click()
    expect(page.locator("#timer")).to_have_text(re.compile(r"No timer running"))

    # Mark it done.
    block.get_by_role("button", name="Done").click()
    expect(block).to_have_class(re.compile(r"\bdone\b"))
    expect(block.get_by_role("button", name="Start")).to_have_count(0)

    # Re-plan later in the morning.
    server.clock.advance(timedelta(minutes=20))
    page.locator("form#replan").get_by_role("button", name="Re-plan").click()
    expect(page).to_have_url(re.compile(r"/today$"))
    expect(page.locator(".plan-meta")).to_contain_text("10:45")
    expect(page.get_by_role("alert")).to_have_count(0)

    # See the wrap-up: the task is among the day's done work, with its time.
    page.get_by_role("link", name="Wrap-up").click()
    done = page.locator("ul#wrapup-done li", has_text=TITLE)
    expect(done).to_have_count(1)
    expect(done).to_contain_text("25m")
    expect(page.locator(f'ul#wrapup-pending li[data-task-id="{task_id}"]')).to_have_count(0)
    check_page(page)
    page.get_by_role("button", name="Close the day").click()
    expect(page.get_by_role("heading", name="Day closed")).to_be_visible()
    expect(page.locator("#wrapup-report")).to_contain_text(TITLE)


def test_a_block_moves_and_pins_from_its_row(page: Page) -> None:
    sign_up(page, "Robin", "robin@example.com")
    page.goto("/tasks")
    page.locator("form#quick-add input[name=text]").fill(f"{TITLE} fri 17:00 1h P1")
    page.locator("form#quick-add").get_by_role("button", name="Add").click()
    page.goto("/today")
    page.get_by_role("button", name="Plan my day").click()
    block = page.locator("ul#today-blocks li[data-block-id]", has_text=TITLE)
    expect(block).to_have_count(1)

    block.locator("details summary").click()
    block.get_by_label("New start time").fill("15:00")
    block.get_by_role("button", name="Move").click()
    expect(block.locator(".row-time")).to_contain_text("15:00")
    expect(block).to_contain_text("pinned")

    block.get_by_role("button", name="Unpin").click()
    expect(block.get_by_role("button", name="Pin")).to_be_visible()


def test_a_block_drags_to_a_new_time_with_its_title(page: Page) -> None:
    sign_up(page, "Robin", "robin@example.com")
    page.goto("/tasks")
    page.locator("form#quick-add input[name=text]").fill(f"{TITLE} fri 17:00 1h P1")
    page.locator("form#quick-add").get_by_role("button", name="Add").click()
    page.goto("/today")
    page.get_by_role("button", name="Plan my day").click()
    row = page.locator("ul#today-blocks li[data-block-id]", has_text=TITLE)
    block_id = row.get_attribute("data-block-id")
    start = row.locator(".row-time").inner_text().split("\u2013")[0]
    hours, minutes = (int(part) for part in start.split(":"))
    shift = 16 * 60 - (hours * 60 + minutes)  # to 16:00, a free hour in the default routine

    svg = page.locator("svg#timeline")
    expect(svg).to_have_class(re.compile(r"\bdraggable\b"))
    box = svg.bounding_box()
    shape = page.locator(f'svg#timeline g.block[data-block-id="{block_id}"] rect')
    rect = shape.bounding_box()
    assert box and rect
    px_per_minute = float(svg.get_attribute("data-px-per-minute") or 0) * box["width"] / 320
    x, y = rect["x"] + rect["width"] / 2, rect["y"] + rect["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x, y + shift * px_per_minute / 2, steps=4)
    page.mouse.move(x, y + shift * px_per_minute, steps=4)
    # Mid-drag, the title moves with its block: both carry the same offset.
    moved = page.evaluate(
        """(id) => [
            document.querySelector('g.block[data-block-id="' + id + '"]'),
            document.querySelector('g.words[data-label-for="' + id + '"]'),
        ].map((el) => el.getAttribute("transform"))""",
        block_id,
    )
    assert moved[0] and moved[0] == moved[1], moved
    page.mouse.up()
    expect(row.locator(".row-time")).to_contain_text("16:00")
    expect(row).to_contain_text("pinned")
