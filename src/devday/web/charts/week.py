"""Server-side SVG charts: pure functions of plain values, no database, no clock.

Colours come from classes styled in day.css (``k-<kind>`` for a task kind, ``work``, ``off``,
``deadline``), and text uses ``currentColor`` through CSS, so dark mode follows the page and the
strict CSP (no ``style=""``) holds. Every text that reaches the SVG goes through ``escape``.
Charts scale with their ``viewBox``; the pages put the same data in a list or table beside them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup, escape

WEEK_WIDTH = 700
AXIS_WIDTH = 44
HEADER_HEIGHT = 30
PX_PER_MINUTE = 0.75
BAR_HEIGHT = 220
BAR_BOTTOM = 28
BAR_TOP = 14
MIN_LABEL_HEIGHT = 14
CHAR_WIDTH = 6.0  # a rough mean at 11 px: enough to cut titles before they overflow
_SAFE_CLASS = re.compile(r"[^a-z0-9-]")


@dataclass(frozen=True)
class WeekBlock:
    """A planned block on ``day``, in local minutes after midnight."""

    day: date
    start_minute: int
    end_minute: int
    title: str
    kind: str
    times: str
    done: bool = False


@dataclass(frozen=True)
class DeadlineMark:
    """An open task's deadline on ``day`` at ``minute`` (local); ``when`` is its label."""

    day: date
    minute: int
    title: str
    when: str


@dataclass(frozen=True)
class Series:
    """One layer of a stacked bar chart: a value (minutes) per day, in the days' order."""

    key: str
    label: str
    values: tuple[int, ...]


def css_class(key: str) -> str:
    """A class name for a kind: ``k-`` and the key, cut to safe characters."""
    return "k-" + (_SAFE_CLASS.sub("", key.lower()) or "other")


def hours_label(minutes: int) -> str:
    hours, rest = divmod(int(minutes), 60)
    if not hours:
        return f"{rest}m"
    return f"{hours}h{rest:02d}" if rest else f"{hours}h"


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _fit(text: str, room: float) -> str:
    limit = max(int(room / CHAR_WIDTH), 3)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def week_range(
    hours: Mapping[date, Sequence[tuple[int, int]]], blocks: Sequence[WeekBlock]
) -> tuple[int, int]:
    """The minutes the week chart spans: every working window and block, in whole hours
    (09:00 to 18:00 when there is nothing to show)."""
    starts = [a for windows in hours.values() for a, _ in windows] + [
        b.start_minute for b in blocks
    ]
    ends = [b for windows in hours.values() for _, b in windows] + [b.end_minute for b in blocks]
    first = min(starts, default=9 * 60) // 60 * 60
    last = -(-max(ends, default=18 * 60) // 60) * 60
    return max(first, 0), min(max(last, first + 60), 24 * 60)


def week_blocks(
    *,
    days: Sequence[date],
    hours: Mapping[date, Sequence[tuple[int, int]]],
    blocks: Sequence[WeekBlock],
    deadlines: Sequence[DeadlineMark],
    label: str,
    today: date | None = None,
) -> Markup:
    """The ``<svg class="chart week">``: one column per day of ``days``, its working ``hours``
    shaded, a rect per block (class ``block k-<kind>``) and a marker per deadline (class
    ``deadline``), each with a ``<title>``. Deadlines outside the hours sit on the edge."""
    first, last = week_range(hours, blocks)
    height = HEADER_HEIGHT + (last - first) * PX_PER_MINUTE + 8
    column = (WEEK_WIDTH - AXIS_WIDTH) / max(len(days), 1)
    index = {day: i for i, day in enumerate(days)}

    def y(minute: float) -> float:
        return round(HEADER_HEIGHT + (min(max(minute, first), last) - first) * PX_PER_MINUTE, 1)

    def x(day: date) -> float:
        return round(AXIS_WIDTH + index[day] * column, 1)

    blocks_shown = [b for b in blocks if b.day in index]
    marks_shown = [d for d in deadlines if d.day in index]
    out = [
        f'<svg class="chart week" role="img" aria-labelledby="week-chart-title week-chart-desc" '
        f'viewBox="0 0 {WEEK_WIDTH} {height:g}" preserveAspectRatio="xMinYMin meet">',
        f'<title id="week-chart-title">{escape(label)}</title>',
        f'<desc id="week-chart-desc">{escape(_week_description(blocks_shown, marks_shown))}</desc>',
    ]
    for day in days:
        left = x(day)
        classes = "day-head today" if day == today else "day-head"
        out.append(
            f'<text class="{classes}" x="{left + column / 2:g}" y="18" text-anchor="middle">'
            f"{escape(day.strftime('%a %d'))}</text>"
        )
        windows = hours.get(day, ())
        if not windows:
            out.append(
                f'<rect class="off" x="{left + 2:g}" y="{y(first)}" width="{column - 4:g}" '
                f'height="{y(last) - y(first):g}" rx="4"/>'
            )
        for start, end in windows:
            top, bottom = y(start), y(end)
            if bottom > top:
                out.append(
                    f'<rect class="work" x="{left + 2:g}" y="{top}" width="{column - 4:g}" '
                    f'height="{bottom - top:g}" rx="4"/>'
                )
    for hour in range(first, last + 1, 60):
        line_y = y(hour)
        out.append(
            f'<line class="grid" x1="{AXIS_WIDTH}" x2="{WEEK_WIDTH}" y1="{line_y}" '
            f'y2="{line_y}"/><text class="axis" x="{AXIS_WIDTH - 6}" y="{line_y + 4:g}" '
            f'text-anchor="end">{_clock(hour)}</text>'
        )
    for block in blocks_shown:
        top, bottom = y(block.start_minute), y(block.end_minute)
        if bottom <= top:
            continue
        classes = f"block {css_class(block.kind)}" + (" done" if block.done else "")
        tip = f"{block.title} · {block.kind} · {block.times}" + (" · done" if block.done else "")
        left = x(block.day) + 5
        width = column - 10
        parts = [
            f'<g class="{classes}"><title>{escape(tip)}</title>',
            f'<rect x="{left:g}" y="{top}" width="{width:g}" height="{bottom - top:g}" rx="3"/>',
        ]
        if bottom - top >= MIN_LABEL_HEIGHT:
            text = _fit(("✓ " if block.done else "") + block.title, width - 8)
            parts.append(
                f'<text class="block-label" x="{left + 4:g}" y="{top + 11:g}">{escape(text)}</text>'
            )
        parts.append("</g>")
        out.append("".join(parts))
    for mark in marks_shown:
        mark_y = y(mark.minute)
        left = x(mark.day)
        out.append(
            f'<g class="deadline"><title>{escape(f"Deadline: {mark.title} · {mark.when}")}'
            f'</title><line x1="{left + 2:g}" x2="{left + column - 2:g}" y1="{mark_y}" '
            f'y2="{mark_y}"/><path d="M{left + column - 12:g} {mark_y - 6:g} '
            f'l10 6 l-10 6 z"/></g>'
        )
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 - every text in it went through escape()


def _week_description(blocks: Sequence[WeekBlock], marks: Sequence[DeadlineMark]) -> str:
    if not blocks and not marks:
        return "Nothing planned and no deadlines this week."
    return (
        f"{len(blocks)} planned block{'s' if len(blocks) != 1 else ''} and "
        f"{len(marks)} deadline{'s' if len(marks) != 1 else ''}; the list below has them all."
    )


def stacked_bars(*, days: Sequence[str], series: Sequence[Series], label: str) -> Markup:
    """The ``<svg class="chart bars">``: one bar per day (``days`` are the labels), stacked from
    ``series`` in their order, one rect (class ``k-<key>``, with a ``<title>``) per value above
    zero. The scale runs to the busiest day, in whole hours."""
    for layer in series:
        if len(layer.values) != len(days):
            raise ValueError(f"series {layer.key!r} has {len(layer.values)} values for {len(days)}")
    totals = [sum(layer.values[i] for layer in series) for i in range(len(days))]
    top_minutes = max(60, -(-max(totals, default=0) // 60) * 60)
    step = 60 if top_minutes <= 8 * 60 else 120
    width = WEEK_WIDTH
    column = (width - AXIS_WIDTH) / max(len(days), 1)
    bar_width = min(column * 0.6, 60)
    height = BAR_TOP + BAR_HEIGHT + BAR_BOTTOM
    scale = BAR_HEIGHT / top_minutes

    def y(minutes: float) -> float:
        return round(BAR_TOP + BAR_HEIGHT - minutes * scale, 1)

    out = [
        f'<svg class="chart bars" role="img" aria-labelledby="bars-title bars-desc" '
        f'viewBox="0 0 {width} {height}" preserveAspectRatio="xMinYMin meet">',
        f'<title id="bars-title">{escape(label)}</title>',
        f'<desc id="bars-desc">{escape(_bars_description(days, totals))}</desc>',
    ]
    for tick in range(0, top_minutes + 1, step):
        tick_y = y(tick)
        out.append(
            f'<line class="grid" x1="{AXIS_WIDTH}" x2="{width}" y1="{tick_y}" y2="{tick_y}"/>'
            f'<text class="axis" x="{AXIS_WIDTH - 6}" y="{tick_y + 4:g}" text-anchor="end">'
            f"{hours_label(tick)}</text>"
        )
    for i, day in enumerate(days):
        left = AXIS_WIDTH + i * column + (column - bar_width) / 2
        base = 0
        for layer in series:
            value = layer.values[i]
            if value <= 0:
                continue
            top, bottom = y(base + value), y(base)
            tip = f"{day}: {layer.label} {hours_label(value)}"
            out.append(
                f'<rect class="{css_class(layer.key)}" x="{left:g}" y="{top}" '
                f'width="{bar_width:g}" height="{max(bottom - top, 0.5):g}">'
                f"<title>{escape(tip)}</title></rect>"
            )
            base += value
        center = AXIS_WIDTH + i * column + column / 2
        out.append(
            f'<text class="axis" x="{center:g}" y="{BAR_TOP + BAR_HEIGHT + 18}" '
            f'text-anchor="middle">{escape(day)}</text>'
        )
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 - every text in it went through escape()


def _bars_description(days: Sequence[str], totals: Sequence[int]) -> str:
    if not any(totals):
        return "No time logged on these days."
    busiest = max(range(len(days)), key=lambda i: totals[i])
    return (
        f"{hours_label(sum(totals))} logged in all; the most on {days[busiest]} "
        f"({hours_label(totals[busiest])}). The table below has every value."
    )
