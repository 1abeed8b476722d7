"""What the browser tests do as a person would: sign up, log in and out, and the checks every
page must pass (basic accessibility, visible keyboard focus), plus the screenshots for docs/."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from tests.browser.conftest import DESKTOP, PASSWORD, PHONE, PICTURES, SCREENSHOTS

if TYPE_CHECKING:
    from playwright.sync_api import Page


def sign_up(
    page: Page, name: str, email: str, *, password: str = PASSWORD, timezone: str = "Europe/Berlin"
) -> None:
    page.goto("/signup")
    page.locator("#name").fill(name)
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("#timezone").fill(timezone)
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url(re.compile(r"/today$"))


def log_in(page: Page, email: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/today$"))


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r"/login$"))


# Basic accessibility, in the spirit of axe's most common rules: the page has a language and
# one h1; every form control has a label; every image, svg, button and link has a name; ids
# are unique (a duplicate breaks label-for and aria-labelledby).
AXE_LIKE = r"""
() => {
  const problems = [];
  const describe = (el) => {
    const id = el.id ? "#" + el.id : "";
    const classes = (el.getAttribute("class") || "").trim().split(/\s+/).filter(Boolean);
    const cls = classes.map((c) => "." + c).join("");
    const name = el.getAttribute("name") ? "[name=" + el.getAttribute("name") + "]" : "";
    return el.tagName.toLowerCase() + id + cls + name;
  };
  const byIds = (value) => (value || "").split(/\s+/).filter(Boolean)
    .map((id) => document.getElementById(id)).filter(Boolean)
    .map((el) => el.textContent.trim()).join(" ").trim();
  const hidden = (el) => el.closest("[aria-hidden=true]") !== null;
  const ariaName = (el) => (el.getAttribute("aria-label") || "").trim()
    || byIds(el.getAttribute("aria-labelledby"));

  if (!document.documentElement.getAttribute("lang")) problems.push("<html> has no lang");
  if (!document.title.trim()) problems.push("the page has no <title>");
  const h1s = document.querySelectorAll("h1");
  if (h1s.length !== 1) problems.push("expected one <h1>, found " + h1s.length);

  for (const el of document.querySelectorAll("input, select, textarea")) {
    const type = (el.getAttribute("type") || "").toLowerCase();
    if (["hidden", "submit", "button", "reset", "image"].includes(type)) continue;
    const labelled = (el.labels && [...el.labels].some((l) => l.textContent.trim()))
      || ariaName(el) || (el.getAttribute("title") || "").trim();
    if (!labelled) problems.push("form control without a label: " + describe(el));
  }
  for (const el of document.querySelectorAll("img")) {
    if (hidden(el) || el.getAttribute("role") === "presentation") continue;
    if (!(el.getAttribute("alt") || "").trim() && !ariaName(el))
      problems.push("image without a name: " + describe(el));
  }
  for (const el of document.querySelectorAll("svg")) {
    if (el.parentElement && el.parentElement.closest("svg")) continue;
    if (hidden(el) || el.getAttribute("role") === "presentation") continue;
    const title = el.querySelector(":scope > title");
    if (!ariaName(el) && !(title && title.textContent.trim()))
      problems.push("svg without a name: " + describe(el));
  }
  for (const el of document.querySelectorAll("button, a[href], summary")) {
    if (hidden(el)) continue;
    if (!el.textContent.trim() && !ariaName(el) && !(el.getAttribute("title") || "").trim())
      problems.push("control without a name: " + describe(el));
  }
  const seen = new Map();
  for (const el of document.querySelectorAll("[id]")) {
    seen.set(el.id, (seen.get(el.id) || 0) + 1);
  }
  for (const [id, count] of seen) {
    if (count > 1) problems.push("id used " + count + " times: #" + id);
  }
  return problems;
}
"""

# After a Tab from the top of the page: where the focus went, and whether it shows.
FOCUS = """
() => {
  const el = document.activeElement;
  const first = document.querySelector("a[href]");
  const style = el ? getComputedStyle(el) : null;
  return {
    focused: el ? el.outerHTML.slice(0, 120) : null,
    isFirstLink: el !== null && el === first,
    focusVisible: el !== null && el.matches(":focus-visible"),
    outline: style ? style.outlineStyle + " " + style.outlineWidth : "",
    shows: style !== null && style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0
      || (style !== null && style.boxShadow !== "none"),
  };
}
"""


def check_page(page: Page) -> None:
    """The page's basic accessibility and keyboard focus; console errors and CSP violations
    are caught for every page by the ``browsing`` fixture."""
    problems = page.evaluate(AXE_LIKE)
    assert not problems, f"{page.url}: " + "; ".join(problems)
    # A page reached by a form's redirect to a #fragment may still scroll to it until it has
    # loaded; the click below must land at the top of the page, not in the fragment's section.
    page.wait_for_load_state("load")
    page.evaluate("() => { if (document.activeElement) document.activeElement.blur(); }")
    page.evaluate("() => window.scrollTo(0, 0)")
    page.wait_for_function("() => window.scrollY === 0")
    page.mouse.click(1, 1)  # puts the focus back at the start of the document
    page.keyboard.press("Tab")
    focus = page.evaluate(FOCUS)
    assert focus["isFirstLink"], f"{page.url}: Tab went to {focus['focused']}, not the first link"
    assert focus["focusVisible"] and focus["shows"], f"{page.url}: focus is not visible {focus}"


def screenshot(page: Page, name: str, *, sizes: tuple[str, ...] = ("desktop", "phone")) -> None:
    """``docs/screenshots/<name>-desktop.png`` and ``-phone.png`` of the whole page as it is
    now, with no element focused, after checking that it fits each screen (the pictures are
    taken in the SQLite run only: ``PICTURES``)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("() => { if (document.activeElement) document.activeElement.blur(); }")
    for label in sizes:
        page.set_viewport_size(DESKTOP if label == "desktop" else PHONE)  # type: ignore[arg-type]
        page.evaluate("() => window.scrollTo(0, 0)")
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{page.url} is {overflow}px wider than a {label} screen"
        if PICTURES:
            page.screenshot(path=SCREENSHOTS / f"{name}-{label}.png", full_page=True)
    page.set_viewport_size(DESKTOP)  # type: ignore[arg-type]


def fits_both_widths(page: Page) -> None:
    """The page as it is now is no wider than a desktop or a phone screen (nothing scrolls
    sideways but the charts, inside their own box)."""
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)  # type: ignore[arg-type]
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{page.url} is {overflow}px wider than a {label} screen"
    page.set_viewport_size(DESKTOP)  # type: ignore[arg-type]
