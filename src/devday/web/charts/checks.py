"""Server-side SVG charts of app checks: a latency sparkline and a latency-over-time chart.

Pure functions of plain values, like ``charts/week.py``: colours come from classes styled in
checks.css (``p50``, ``p95``, ``fail``, ``grid``), text uses ``currentColor``, so dark mode
follows the page and the strict CSP (no ``style=""``) holds. Every text goes through
``escape``. A missing value (no timed run in a bucket) breaks the line instead of dropping to 0.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from markupsafe import Markup, escape

SPARK_WIDTH = 120
SPARK_HEIGHT = 28
CHART_WIDTH = 640
CHART_HEIGHT = 230
LEFT = 52
RIGHT = 10
TOP = 12
BOTTOM = 30
FAIL_BAND = 6
NICE = (1, 2, 2.5, 5, 10)


@dataclass(frozen=True)
class LatencyPoint:
    """One bucket of a check's history: when it starts, its latencies, and its runs."""

    at: datetime
    p50_ms: float | None
    p95_ms: float | None
    runs: int
    failures: int


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 times a power of ten at or above ``value`` (at least 10)."""
    value = max(value, 10.0)
    power = 1.0
    while power * 10 < value:
        power *= 10
    return next(power * step for step in NICE if power * step >= value)


def milliseconds(value: float | None) -> str:
    if value is None:
        return "\u2013"
    if value >= 10_000:
        return f"{value / 1000:.0f} s"
    if value >= 1000:
        return f"{value / 1000:.1f} s"
    return f"{value:.0f} ms"


def _runs(
    values: Sequence[float | None], x: Callable[[int], float], y: Callable[[float], float]
) -> list[str]:
    """SVG path commands for ``values``: a new run after every gap."""
    commands: list[str] = []
    pen_down = False
    for index, value in enumerate(values):
        if value is None:
            pen_down = False
            continue
        commands.append(f"{'L' if pen_down else 'M'}{x(index):g} {y(value):g}")
        pen_down = True
    return commands


def sparkline(values: Sequence[float | None], *, label: str) -> Markup:
    """A small ``<svg class="spark">`` of ``values`` (oldest first), scaled to their maximum."""
    seen = [v for v in values if v is not None]
    out = [
        f'<svg class="spark" role="img" viewBox="0 0 {SPARK_WIDTH} {SPARK_HEIGHT}" '
        f'preserveAspectRatio="none"><title>{escape(label)}</title>',
        f'<line class="base" x1="0" x2="{SPARK_WIDTH}" y1="{SPARK_HEIGHT - 1}" '
        f'y2="{SPARK_HEIGHT - 1}"/>',
    ]
    if seen:
        top = max(seen) or 1.0
        step = SPARK_WIDTH / max(len(values) - 1, 1)

        def x(index: int) -> float:
            return round(index * step, 1)

        def y(value: float) -> float:
            return round(SPARK_HEIGHT - 2 - value / top * (SPARK_HEIGHT - 4), 1)

        commands = _runs(values, x, y)
        out.append(f'<path class="line" d="{" ".join(commands)}"/>')
        if len(seen) == 1:
            index = next(i for i, v in enumerate(values) if v is not None)
            out.append(f'<circle class="dot" cx="{x(index):g}" cy="{y(seen[0]):g}" r="1.5"/>')
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 - every text in it went through escape()


def latency_chart(
    *,
    points: Sequence[LatencyPoint],
    start: datetime,
    end: datetime,
    ticks: Sequence[tuple[datetime, str]],
    label: str,
    chart_id: str,
) -> Markup:
    """The ``<svg class="chart latency">``: p50 and p95 lines over ``start``..``end``, a
    gridline per ms step, the labelled ``ticks`` on the time axis, and a red mark under every
    bucket with a failed run (its tooltip says how many). ``chart_id`` makes ids unique."""
    span = (end - start).total_seconds() or 1.0
    plot_w = CHART_WIDTH - LEFT - RIGHT
    plot_h = CHART_HEIGHT - TOP - BOTTOM
    top = nice_ceiling(max((p.p95_ms or p.p50_ms or 0 for p in points), default=0))

    def x_at(moment: datetime) -> float:
        return round(LEFT + (moment - start).total_seconds() / span * plot_w, 1)

    def x(index: int) -> float:
        return x_at(points[index].at)

    def y(value: float) -> float:
        return round(TOP + plot_h - min(value, top) / top * plot_h, 1)

    slow = max((p.p95_ms for p in points if p.p95_ms is not None), default=None)
    failed = sum(p.failures for p in points)
    runs = sum(p.runs for p in points)
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    out = [
        f'<svg class="chart latency" role="img" aria-labelledby="{title_id} {desc_id}" '
        f'viewBox="0 0 {CHART_WIDTH} {CHART_HEIGHT}" preserveAspectRatio="xMinYMin meet">',
        f'<title id="{title_id}">{escape(label)}</title>',
        f'<desc id="{desc_id}">{escape(_describe(runs, failed, slow))}</desc>',
    ]
    for step in range(5):
        value = top * step / 4
        line_y = y(value)
        out.append(
            f'<line class="grid" x1="{LEFT}" x2="{CHART_WIDTH - RIGHT}" y1="{line_y:g}" '
            f'y2="{line_y:g}"/><text class="axis" x="{LEFT - 6}" y="{line_y + 4:g}" '
            f'text-anchor="end">{escape(milliseconds(value))}</text>'
        )
    for moment, text in ticks:
        tick_x = x_at(moment)
        if not LEFT <= tick_x <= CHART_WIDTH - RIGHT:
            continue
        # Labels near an edge hang inwards, so that none is cut off.
        anchor = "start" if tick_x < LEFT + 30 else "end" if tick_x > CHART_WIDTH - 40 else "middle"
        out.append(
            f'<line class="tick" x1="{tick_x:g}" x2="{tick_x:g}" y1="{TOP + plot_h}" '
            f'y2="{TOP + plot_h + 4}"/><text class="axis" x="{tick_x:g}" '
            f'y="{CHART_HEIGHT - 10}" text-anchor="{anchor}">{escape(text)}</text>'
        )
    width = max(plot_w / max(len(points), 1) - 1, 1.5)
    for point in points:
        if point.failures:
            tip = f"{point.failures} of {point.runs} runs failed"
            out.append(
                f'<rect class="fail" x="{x_at(point.at):g}" y="{TOP + plot_h - FAIL_BAND}" '
                f'width="{width:g}" height="{FAIL_BAND}"><title>{escape(tip)}</title></rect>'
            )
    for name in ("p95", "p50"):
        values = [getattr(p, f"{name}_ms") for p in points]
        commands = _runs(values, x, y)
        if commands:
            out.append(f'<path class="{name}" d="{" ".join(commands)}"/>')
    if not runs:
        out.append(
            f'<text class="empty-note" x="{LEFT + plot_w / 2:g}" y="{TOP + plot_h / 2:g}" '
            f'text-anchor="middle">No runs in this range</text>'
        )
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 - every text in it went through escape()


def _describe(runs: int, failed: int, slowest_p95: float | None) -> str:
    if not runs:
        return "No runs in this range."
    return (
        f"{runs} run{'s' if runs != 1 else ''}, {failed} failed; "
        f"the slowest bucket's p95 was {milliseconds(slowest_p95)}."
    )


def time_ticks(start: datetime, end: datetime, zone: ZoneInfo) -> list[tuple[datetime, str]]:
    """Round instants between ``start`` and ``end`` in ``zone``, about four to eight of them:
    every 10 minutes for an hour, every 3 hours for a day, every midnight for a week, every
    fifth midnight for a month; each with its label."""
    length = end - start
    if length <= timedelta(days=2):
        step = 10 if length <= timedelta(hours=2) else 180
        local = start.astimezone(zone)
        minute = local.hour * 60 + local.minute
        first = -(-minute // step) * step
        ticks = []
        for at_minute in range(first, 24 * 60 * 3, step):
            day = local.date() + timedelta(days=at_minute // 1440)
            clock = time(at_minute % 1440 // 60, at_minute % 60)
            moment = datetime.combine(day, clock, tzinfo=zone)
            if moment > end:
                break
            ticks.append((moment, f"{clock:%H:%M}"))
        return ticks
    every, pattern = (1, "%a %d") if length <= timedelta(days=8) else (5, "%d %b")
    midnight: date = start.astimezone(zone).date() + timedelta(days=1)
    out = []
    while (moment := datetime.combine(midnight, time(0), tzinfo=zone)) <= end:
        out.append((moment, moment.strftime(pattern)))
        midnight += timedelta(days=every)
    return out
