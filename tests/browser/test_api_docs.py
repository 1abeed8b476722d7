"""The API page at /docs, as a client developer opens it: Swagger UI renders every operation of
the served document (OpenAPI 3.1), with no console errors, CSP violations or requests outside
the server (the ``browsing`` fixture fails the test on any)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import SCREENSHOTS, LiveServer

pytestmark = pytest.mark.browser


def test_the_api_page_renders_every_operation(page: Page, server: LiveServer) -> None:
    document = page.request.get("/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    operations = sum(
        1
        for item in document["paths"].values()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    )
    assert operations > 100

    page.goto("/docs")
    # Swagger UI parses 1.7 MB of script and draws over a hundred operations: on a busy machine
    # that takes longer than the suite's usual 5 seconds.
    expect(page.locator(".opblock").first).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Unable to render this definition")).to_have_count(0)
    expect(page.locator(".info .title")).to_contain_text("devday")
    page.screenshot(path=SCREENSHOTS / "api-docs-desktop.png")  # the first screen of it
    # A document this large is drawn as the reader scrolls: read it to the end, as they would,
    # and every operation has been on the page.
    assert len(operations_seen_scrolling(page)) == operations
    page.evaluate("() => window.scrollTo(0, 0)")

    # One operation opened as a reader would: its parameters and every declared answer, the
    # error answers with the API's own problem body.
    tasks = page.locator(".opblock-get").filter(
        has=page.locator('.opblock-summary-path[data-path="/api/v1/tasks"]')
    )
    scroll_to(page, tasks)
    tasks.locator(".opblock-summary").click()
    expect(tasks.locator(".parameters")).to_contain_text("limit")
    answers = tasks.locator(".responses-table .response")
    for status in ("200", "401", "422"):
        expect(
            answers.filter(has=page.locator(f'td.response-col_status:text-is("{status}")'))
        ).to_have_count(1)
    expect(tasks.locator(".responses-table")).to_contain_text("detail")

    # The authorize dialog offers the bearer token that the API takes.
    page.get_by_role("button", name="Authorize").first.click()
    expect(page.locator(".modal-ux")).to_contain_text("bearer", ignore_case=True)


SCROLL_STEP = """() => {
  window.scrollBy(0, window.innerHeight * 0.8);
  return window.scrollY + window.innerHeight >= document.documentElement.scrollHeight - 2;
}"""
OPERATION_IDS = "() => [...document.querySelectorAll('.opblock')].map(e => e.id)"


def operations_seen_scrolling(page: Page) -> set[str]:
    """The ids of every operation drawn while the page is scrolled from top to bottom."""
    seen: set[str] = set()
    for _ in range(1000):
        seen |= set(page.evaluate(OPERATION_IDS))
        if page.evaluate(SCROLL_STEP):
            page.wait_for_timeout(200)
            return seen | set(page.evaluate(OPERATION_IDS))
        page.wait_for_timeout(50)
    raise AssertionError("the page did not reach its end")


def scroll_to(page: Page, operation: Locator) -> None:
    """Scrolls down until ``operation`` is drawn."""
    for _ in range(1000):
        if operation.count():
            operation.scroll_into_view_if_needed()
            return
        if page.evaluate(SCROLL_STEP):
            break
        page.wait_for_timeout(50)
    expect(operation).to_have_count(1)
