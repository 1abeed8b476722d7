"""A page's request to anywhere but the test server is reported, and reaches nothing."""

from __future__ import annotations

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.browser.conftest import Browsing


def test_a_request_outside_the_test_server_is_a_problem_and_goes_nowhere(
    browsing: Browsing,
) -> None:
    page = browsing.new_page()
    page.goto("/login")
    with pytest.raises(PlaywrightError, match="ERR_NAME_NOT_RESOLVED"):
        page.goto("http://outside.example/tracker.js")
    problems = browsing.problems.take()
    assert "request outside the test server: http://outside.example/tracker.js" in problems
    assert any("ERR_NAME_NOT_RESOLVED" in problem for problem in problems), problems
