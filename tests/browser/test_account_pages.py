"""Signing up, logging in and out in a real browser, and the signed-out pages' checks."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from devday.account.models import User
from tests.browser.conftest import Browsing
from tests.browser.helpers import check_page, log_in, log_out, screenshot, sign_up
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def test_sign_up_log_out_and_log_in_again(page: Page) -> None:
    sign_up(page, "Dana", "dana@example.com")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    expect(page.locator(".who")).to_have_text("Dana")

    log_out(page)
    page.goto("/today")
    expect(page).to_have_url(re.compile(r"/login\?next=/today$"))

    log_in(page, "dana@example.com")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Today")


def test_sign_up_in_the_browsers_timezone_then_change_the_password(browsing: Browsing) -> None:
    page = browsing.new_page(timezone="America/Sao_Paulo")
    page.goto("/signup")
    # signup.js fills the zone from Intl under the strict CSP; the field searches the IANA list.
    expect(page.locator("#timezone")).to_have_value("America/Sao_Paulo")
    expect(page.locator("#timezone")).to_have_attribute("list", "timezone-list")
    page.locator("#name").fill("Rui")
    page.locator("#email").fill("rui@example.com")
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url(re.compile(r"/today$"))
    with browsing.server.engine.connect() as connection:
        zone = connection.scalar(select(User.timezone).where(User.email == "rui@example.com"))
    assert zone == "America/Sao_Paulo"

    page.goto("/settings/profile")
    page.locator("#password-current_password").fill(PASSWORD)
    page.locator("#password-new_password").fill("a brand new passphrase")
    page.locator("#password-new_password_again").fill("a brand new passphrase")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("status")).to_contain_text("Password changed")
    check_page(page)
    log_out(page)
    log_in(page, "rui@example.com", "a brand new passphrase")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Today")


def test_a_wrong_password_is_refused_on_the_page(page: Page, browsing: Browsing) -> None:
    sign_up(page, "Dana", "dana@example.com")
    log_out(page)
    browsing.problems.expect_status(401, "/login")
    page.locator("#email").fill("dana@example.com")
    page.locator("#password").fill("not the password at all")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/login$"))


def test_sign_up_shows_field_errors_next_to_the_field(page: Page, browsing: Browsing) -> None:
    browsing.problems.expect_status(422, "/signup")
    page.goto("/signup")
    page.locator("#name").fill("Dana")
    page.locator("#email").fill("dana@example.com")
    page.locator("#password").fill("short")
    page.locator("#timezone").fill("Nowhere/Land")
    page.get_by_role("button", name="Sign up").click()
    expect(page.locator("#password")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#password-error")).to_be_visible()
    expect(page.locator("#timezone-error")).to_be_visible()
    check_page(page)


@pytest.mark.parametrize("path", ["/login", "/signup", "/reset-password"])
def test_signed_out_pages_pass_the_checks(page: Page, path: str) -> None:
    page.goto(path)
    check_page(page)
    screenshot(page, path.strip("/"))


def test_the_harness_catches_csp_violations_and_script_errors(
    page: Page, browsing: Browsing
) -> None:
    """The checks every page passes are not vacuous: an inline script is refused by the CSP,
    and the ``browsing`` fixture hears of it."""
    page.goto("/login")
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.ran = true";
          document.body.append(script);
        }"""
    )
    expect(page.locator("body")).to_be_visible()
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.ran === undefined")
    problems = browsing.problems.take()
    assert any("CSP violation: script-src" in problem for problem in problems), problems
