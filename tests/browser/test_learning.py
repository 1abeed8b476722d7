"""Personal development in a real browser: subscribe to a feed, read an item later, find it in
the evening's personal-development block on Today, mark it done, and see the time on the
reflection page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer
from tests.browser.helpers import check_page, sign_up
from tests.learning.feedserver import feed_server, rss

pytestmark = pytest.mark.browser


def test_a_feed_item_read_later_fills_the_evening_and_its_time_shows_on_the_reflection(
    page: Page, server: LiveServer
) -> None:
    sign_up(page, "Ada", "ada@example.com")
    page.goto("/learning")
    with feed_server() as feeds:
        url = feeds.serve(
            "/feed.xml", rss([("urn:1", "https://news.example.com/wasm", "WebAssembly at work")])
        )
        page.locator("#feed_url").fill(url)
        page.get_by_role("button", name="Subscribe").click()
        expect(page.locator(".notice, [role=status]").first).to_contain_text("Subscribed")
    item = page.locator("#feed-items li", has_text="WebAssembly at work")
    expect(item).to_contain_text("Dev news")
    check_page(page)
    item.get_by_role("button", name="Read later: WebAssembly at work").click()
    expect(page.locator("#learning-items")).to_contain_text("WebAssembly at work")

    server.clock.advance(timedelta(hours=8))  # Monday 18:00 in Berlin
    page.goto("/today")
    slot = page.locator("#evening #learning-slots li", has_text="WebAssembly at work")
    expect(slot).to_contain_text("18:00\u201318:05")
    expect(page.locator("#evening-heading")).to_contain_text("Personal development")
    slot.get_by_role("button", name="Done: WebAssembly at work").click()
    page.wait_for_url("**/today#evening")
    expect(page.locator("#evening")).not_to_contain_text("WebAssembly at work")

    page.goto("/reflect")
    week = page.locator("#learning-week")
    expect(week.locator("#learning-total")).to_contain_text("5m learning")
    expect(week.locator("#learning-total")).to_contain_text("article 5m")
    expect(week.locator("svg.chart.bars")).to_have_count(1)
    page.locator("#learned").fill("How WebAssembly runs beside JavaScript")
    check_page(page)
