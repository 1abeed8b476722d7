"""Message text for chat services, each in its own formatting.

A message has a subject and a text in Markdown (reports and summaries open with a bold line that
restates the subject). Chat shows the title once: the text's own first line when it says the
subject, else the subject in bold. Slack gets mrkdwn (``*bold*``, ``_italic_``, ``<url|text>``,
``&``, ``<`` and ``>`` escaped); Mattermost and Apprise's Markdown services get Markdown.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token


@cache
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False, "linkify": False})


def _plain(inline: Token) -> str:
    return "".join(child.content for child in inline.children or () if child.type == "text")


def restates(subject: str, text: str) -> bool:
    """Whether ``text`` opens with a heading, or a paragraph all in bold, that says ``subject``."""
    tokens = _parser().parse(text)
    if len(tokens) < 3 or tokens[0].type not in ("heading_open", "paragraph_open"):
        return False
    inline = tokens[1]
    children = [c for c in inline.children or () if not (c.type == "text" and not c.content)]
    if tokens[0].type == "paragraph_open" and not (
        children
        and children[0].type == "strong_open"
        and children[-1].type == "strong_close"
        and not any(c.type == "softbreak" for c in children)
    ):
        return False
    said, wanted = " ".join(_plain(inline).split()).casefold(), " ".join(subject.split()).casefold()
    return bool(wanted) and said.startswith(wanted)


def without_title(subject: str, text: str) -> str:
    """``text`` without its opening line when that line says ``subject`` (for services that show
    the subject as a title of their own)."""
    body = text.strip()
    if not restates(subject, body):
        return body
    opening = _parser().parse(body)[0].map
    end = opening[1] if opening else 1
    return "\n".join(body.split("\n")[end:]).strip()


def markdown_text(subject: str, text: str) -> str:
    """Markdown with the title once (Mattermost, Apprise)."""
    body = text.strip()
    if restates(subject, body):
        return body
    return f"**{_md_escape(subject)}**\n{body}" if body else f"**{_md_escape(subject)}**"


def slack_text(subject: str, text: str) -> str:
    """Slack mrkdwn with the title once."""
    body = mrkdwn(text.strip())
    if restates(subject, text.strip()):
        return body
    title = f"*{_slack_escape(subject)}*"
    return f"{title}\n{body}" if body else title


def _md_escape(text: str) -> str:
    # The subject is plain text: what would turn into emphasis, code or a link is escaped.
    for char in "\\`*_[]<>":
        text = text.replace(char, "\\" + char)
    return text


def _slack_escape(text: str) -> str:
    # The three characters Slack asks to be escaped; the rest is shown as written.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _inline(inline: Token) -> str:
    out: list[str] = []
    links: list[str] = []
    for child in inline.children or ():
        kind = child.type
        if kind == "text":
            out.append(_slack_escape(child.content))
        elif kind in ("strong_open", "strong_close"):
            out.append("*")
        elif kind in ("em_open", "em_close"):
            out.append("_")
        elif kind == "code_inline":
            out.append(f"`{_slack_escape(child.content)}`")
        elif kind in ("softbreak", "hardbreak"):
            out.append("\n")
        elif kind == "link_open":
            links.append(str(child.attrs.get("href", "")))
            out.append(f"<{_slack_escape(links[-1]).replace('|', '%7C')}|")
        elif kind == "link_close":
            links.pop()
            out.append(">")
        elif kind == "image":
            src = _slack_escape(str(child.attrs.get("src", ""))).replace("|", "%7C")
            out.append(f"<{src}|{_slack_escape(child.content) or src}>")
    return "".join(out)


def mrkdwn(text: str) -> str:
    """CommonMark ``text`` as Slack mrkdwn: headings and bold as ``*bold*``, links as
    ``<url|text>``, lists with bullets, code kept in backticks."""
    blocks: list[str] = []
    prefixes: list[str] = []  # "> " for quotes, list markers' indentation
    counters: list[int | None] = []  # per open list: the next number, or None for bullets
    pending_marker: str | None = None
    for token in _parser().parse(text):
        kind = token.type
        if kind == "blockquote_open":
            prefixes.append("> ")
        elif kind == "blockquote_close":
            prefixes.pop()
        elif kind in ("bullet_list_open", "ordered_list_open"):
            counters.append(int(token.attrs.get("start", 1)) if kind[0] == "o" else None)
        elif kind in ("bullet_list_close", "ordered_list_close"):
            counters.pop()
        elif kind == "list_item_open":
            number = counters[-1]
            pending_marker = "• " if number is None else f"{number}. "
            if number is not None:
                counters[-1] = number + 1
            prefixes.append("    ")
        elif kind == "list_item_close":
            prefixes.pop()
        elif kind == "inline":
            line = _inline(token)
            heading = blocks and blocks[-1] == "\0heading"
            if heading:
                blocks.pop()
                line = f"*{line}*"
            blocks.append(_indent(line, prefixes, pending_marker))
            pending_marker = None
        elif kind == "heading_open":
            blocks.append("\0heading")
        elif kind in ("fence", "code_block"):
            code = f"```\n{_slack_escape(token.content.rstrip())}\n```"
            blocks.append(_indent(code, prefixes, pending_marker))
            pending_marker = None
        elif kind == "hr":
            blocks.append(_indent("———", prefixes, None))
    return _join(blocks)


def _indent(text: str, prefixes: list[str], marker: str | None) -> str:
    # A list item's first line carries its marker in place of the item's own indentation.
    outer = "".join(prefixes[:-1]) if marker else "".join(prefixes)
    first = outer + marker if marker else outer
    lines = text.split("\n")
    rest = "".join(prefixes)
    return "\n".join([first + lines[0], *(rest + line for line in lines[1:])])


def _join(blocks: list[str]) -> str:
    # Lists are written tight, right under the line that introduces them; other blocks are kept
    # apart by a blank line.
    out: list[str] = []
    for block in blocks:
        if out and not (_is_item(block) and (_is_item(out[-1]) or out[-1].endswith(":"))):
            out.append("")
        out.append(block)
    return "\n".join(out).strip("\n")


def _is_item(block: str) -> bool:
    stripped = block.lstrip(" >")
    head = stripped.split(" ", 1)[0]
    return stripped.startswith("• ") or (head.endswith(".") and head[:-1].isdigit())
