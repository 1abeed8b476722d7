"""Markdown notes to safe HTML: markdown-it renders, nh3 (ammonia) removes anything unsafe."""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def render(text: str) -> str:
    """Sanitised HTML for ``text``; raw HTML in the source is escaped, never passed through."""
    if not text:
        return ""
    return nh3.clean(_parser().render(text), link_rel="noopener noreferrer nofollow")
