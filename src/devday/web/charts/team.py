"""The team page's SVG charts: stacked bars per week. Pure functions of plain values.

Each chart takes its own id prefix, so several sit on one page with distinct ``<title>`` ids.
Colours come from classes (``k-<kind>`` from day.css, ``s-<series>`` from team.css), never
``style=""``, so the strict CSP holds and dark mode follows the page. Every text goes through
``escape``; the page puts the same numbers in a table beside each chart.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 480
AXIS = 44
TOP = 14
HEIGHT = 200
BOTTOM = 28
TICKS = 4
_SAFE = re.compile(r"[^a-z0-9-]")


@dataclass(frozen=True)
class Layer:
    """One stacked layer: a value per week, drawn with the CSS class ``css``."""

    label: str
    css: str
    values: tuple[float, ...]


def safe_class(text: str) -> str:
    return _SAFE.sub("", text.lower()) or "other"


def _top(highest: float, unit: float) -> float:
    """The scale's top: the highest total rounded up to a multiple of ``unit`` * TICKS."""
    step = unit * TICKS
    return max(step, math.ceil(highest / step) * step) if highest > 0 else step


def weekly_bars(
    *,
    chart_id: str,
    weeks: Sequence[str],
    layers: Sequence[Layer],
    title: str,
    fmt: Callable[[float], str],
    unit: float = 1,
    reference: float | None = None,
) -> Markup:
    """``<svg class="chart bars team-chart">``: one bar per week, stacked from ``layers``, one
    rect per value above zero with a ``<title>``; an optional dashed line at ``reference``."""
    for layer in layers:
        if len(layer.values) != len(weeks):
            raise ValueError(f"layer {layer.label!r} has {len(layer.values)} values")
    totals = [sum(layer.values[i] for layer in layers) for i in range(len(weeks))]
    top = _top(max([*totals, reference or 0]), unit)
    scale = HEIGHT / top
    column = (WIDTH - AXIS) / max(len(weeks), 1)
    bar = min(column * 0.6, 56)

    def y(value: float) -> float:
        return round(TOP + HEIGHT - value * scale, 1)

    out = [
        f'<svg class="chart bars team-chart" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'viewBox="0 0 {WIDTH} {TOP + HEIGHT + BOTTOM}" preserveAspectRatio="xMinYMin meet">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(_describe(weeks, totals, fmt))}</desc>',
    ]
    for tick in range(TICKS + 1):
        value = top * tick / TICKS
        tick_y = y(value)
        out.append(
            f'<line class="grid" x1="{AXIS}" x2="{WIDTH}" y1="{tick_y}" y2="{tick_y}"/>'
            f'<text class="axis" x="{AXIS - 6}" y="{tick_y + 4:g}" text-anchor="end">'
            f"{escape(fmt(value))}</text>"
        )
    for i, week in enumerate(weeks):
        left = AXIS + i * column + (column - bar) / 2
        base = 0.0
        for layer in layers:
            value = layer.values[i]
            if value <= 0:
                continue
            upper, lower = y(base + value), y(base)
            out.append(
                f'<rect class="{safe_class(layer.css)}" x="{left:g}" y="{upper}" '
                f'width="{bar:g}" height="{max(lower - upper, 0.5):g}">'
                f"<title>{escape(f'{week}: {layer.label} {fmt(value)}')}</title></rect>"
            )
            base += value
        out.append(
            f'<text class="axis" x="{AXIS + i * column + column / 2:g}" '
            f'y="{TOP + HEIGHT + 18}" text-anchor="middle">{escape(week)}</text>'
        )
    if reference is not None:
        ref_y = y(reference)
        out.append(
            f'<line class="reference" x1="{AXIS}" x2="{WIDTH}" y1="{ref_y}" y2="{ref_y}">'
            f"<title>{escape(f'reference: {fmt(reference)}')}</title></line>"
        )
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 - every text in it went through escape()


def _describe(weeks: Sequence[str], totals: Sequence[float], fmt: Callable[[float], str]) -> str:
    if not any(totals):
        return "Nothing in these weeks yet."
    best = max(range(len(weeks)), key=lambda i: totals[i])
    return (
        f"The most in the week of {weeks[best]} ({fmt(totals[best])}); "
        "the table below has every value."
    )
