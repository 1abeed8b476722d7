"""Markdown notes to safe HTML: markdown-it renders, nh3 (ammonia) removes anything unsafe.

Both are imported on the first note that has text, so that listing tasks without notes (and
importing this module) costs nothing.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def render(text: str) -> str:
    """Sanitised HTML for ``text``; raw HTML in the source is escaped, never passed through."""
    if not text:
        return ""
    if len(text) <= CACHED_LENGTH:
        return _rendered(text)
    return _render(text)


#: Notes up to this length are rendered once and kept (a list shows the same notes again and
#: again; rendering is most of what a page of tasks costs in Python).
CACHED_LENGTH = 4096


@lru_cache(maxsize=2048)
def _rendered(text: str) -> str:
    return _render(text)


def _render(text: str) -> str:
    import nh3

    return nh3.clean(_parser().render(text), link_rel="noopener noreferrer nofollow")
