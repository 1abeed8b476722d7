"""The day as a vertical SVG timeline: a pure function of spans, the day and the clock.

Colours come from classes (``kind-coding``, ``slot``, ``personal``, ``busy``) styled in
today.css, so dark mode follows the page's CSS variables and the strict CSP (no ``style=""``)
holds. today.js reads ``data-first-minute`` and ``data-px-per-minute`` to turn a drag into a
start time, and moves a block's words (``data-label-for``) with its shape.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from markupsafe import Markup, escape

DAY_START_MINUTE = 8 * 60
DAY_END_MINUTE = 20 * 60
# About 1:1 on a phone; small enough that the working day fits a laptop screen.
PX_PER_MINUTE = 0.8
WIDTH = 320
LABEL_WIDTH = 44
PAD = 10
CHAR_WIDTH = 6.6  # a rough mean at 12 px: enough to cut titles before they overflow
TITLE_MIN_HEIGHT = 16
TIME_MIN_HEIGHT = 32
WORKED_WIDTH = 5


@dataclass(frozen=True)
class Span:
    """Something that takes time in the day. ``category`` is ``task``, ``slot`` (a routine
    block), ``personal`` (a personal routine block), ``busy`` (a calendar event) or ``worked``
    (time logged: a strip beside the blocks, drawn over them)."""

    start: datetime
    end: datetime
    title: str
    category: str
    kind: str = ""
    task_id: int | None = None
    block_id: int | None = None
    pinned: bool = False
    done: bool = False
    past: bool = False  # a task block that ended without being done


def hhmm(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%H:%M")


def timeline_svg(
    *,
    day: date,
    zone: ZoneInfo,
    spans: Sequence[Span],
    now: datetime | None,
    label: str,
) -> Markup:
    """The ``<svg id="timeline">`` of ``day``: 08:00 to 20:00 local, widened to whole hours to
    hold every span (and the current time, when ``now`` falls on ``day``)."""
    midnight = datetime.combine(day, time(0), tzinfo=zone)
    next_midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    day_minutes = int((next_midnight - midnight).total_seconds() // 60)

    def minute(moment: datetime) -> float:
        return (moment - midnight).total_seconds() / 60

    now_minute = minute(now) if now is not None and 0 <= minute(now) < day_minutes else None
    first, last = DAY_START_MINUTE, DAY_END_MINUTE
    for span in spans:
        first = min(first, int(minute(span.start)) // 60 * 60)
        last = max(last, -(-int(minute(span.end)) // 60) * 60)
    if now_minute is not None:
        first = min(first, int(now_minute) // 60 * 60)
        last = max(last, -(-int(now_minute + 1) // 60) * 60)
    first, last = max(first, 0), min(last, day_minutes)
    height = (last - first) * PX_PER_MINUTE + 2 * PAD

    def y(value: float) -> float:
        return round(PAD + (min(max(value, first), last) - first) * PX_PER_MINUTE, 1)

    out: list[str] = [
        f'<svg id="timeline" role="img" aria-labelledby="timeline-title timeline-desc" '
        f'viewBox="0 0 {WIDTH} {height:g}" data-first-minute="{first}" '
        f'data-px-per-minute="{PX_PER_MINUTE:g}" data-pad="{PAD}">',
        f'<title id="timeline-title">{escape(label)}</title>',
        f'<desc id="timeline-desc">{escape(_description(spans))}</desc>',
    ]
    for hour_minute in range(first, last + 1, 60):
        line_y = y(hour_minute)
        text = hhmm(midnight + timedelta(minutes=hour_minute), zone)
        out.append(
            f'<line class="hour" x1="{LABEL_WIDTH}" x2="{WIDTH}" y1="{line_y}" y2="{line_y}"/>'
            f'<text class="hour-label" x="{LABEL_WIDTH - 6}" y="{line_y + 4}" '
            f'text-anchor="end">{text}</text>'
        )
    lane_x, lane_width = LABEL_WIDTH + 4, WIDTH - LABEL_WIDTH - 8
    # Three layers, so that the current-time line never hides a title: every span's shape,
    # then the line, then every span's words (with a halo in the block's colour).
    labels: list[str] = []
    layer = {"task": 1, "worked": 2}
    for span in sorted(spans, key=lambda s: (layer.get(s.category, 0), s.start)):
        top, bottom = y(minute(span.start)), y(minute(span.end))
        if bottom <= top:
            continue
        shape, words = _span(span, zone, lane_x, lane_width, top, bottom - top)
        out.append(shape)
        if words:
            labels.append(words)
    if now_minute is not None:
        out.append(
            f'<line id="now-line" class="now" x1="{LABEL_WIDTH}" x2="{WIDTH}" '
            f'y1="{y(now_minute)}" y2="{y(now_minute)}"/>'
        )
    if labels:
        out.append(f'<g class="labels" aria-hidden="true">{"".join(labels)}</g>')
    if now is not None and now_minute is not None:  # now_minute is set only with now
        # The time itself, in the hour gutter: over the hour labels, clear of every block.
        now_y = y(now_minute)
        out.append(
            f'<g id="now-tag" class="now-tag"><rect x="1" y="{now_y - 8:g}" '
            f'width="{LABEL_WIDTH - 3}" height="16" rx="8"/>'
            f'<text x="{(LABEL_WIDTH - 2) / 2:g}" y="{now_y + 4:g}" text-anchor="middle">'
            f"{hhmm(now, zone)}</text></g>"
        )
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 - every text in it went through escape()


def _description(spans: Sequence[Span]) -> str:
    tasks = sum(1 for s in spans if s.category == "task")
    worked = sum(1 for s in spans if s.category == "worked")
    logged = f" {worked} stretch{'es' if worked != 1 else ''} of logged work." if worked else ""
    if not tasks:
        return "No task blocks planned; routine blocks and calendar events only." + logged
    return (
        f"{tasks} task block{'s' if tasks != 1 else ''}; the list below has every block." + logged
    )


def _span(
    span: Span, zone: ZoneInfo, x: float, width: float, top: float, height: float
) -> tuple[str, str]:
    """The span's shape (its ``<g>`` with the tooltip, which a drag moves) and its words (a
    ``<g class="words">`` tied to it by ``data-label-for``; empty when it is too short)."""
    times = f"{hhmm(span.start, zone)}\u2013{hhmm(span.end, zone)}"
    if span.category == "worked":
        tooltip = f"Worked on {span.title} · {times}"
        return (
            f'<g class="worked" data-task-id="{span.task_id}"><title>{escape(tooltip)}</title>'
            f'<rect x="{x - WORKED_WIDTH - 1}" y="{top}" width="{WORKED_WIDTH}" '
            f'height="{height:g}" rx="2"/></g>'
        ), ""
    marks = [
        m for m, on in (("pinned", span.pinned), ("done", span.done), ("past", span.past)) if on
    ]
    tooltip = f"{span.title} · {times}" + "".join(f" · {m}" for m in marks)
    if span.category == "task":
        kind = f"kind-{span.kind or 'other'}"
        classes = " ".join(["block", kind, *marks])
        word_classes = " ".join(["words", "task", kind, *marks])
        data = f' data-task-id="{span.task_id}" data-block-id="{span.block_id}"'
        tie = f' data-label-for="{span.block_id}"'
        text_x, room = x + 8, width - 30
    else:
        # Routine blocks and events sit behind the tasks.
        classes, word_classes, data, tie = span.category, f"words {span.category}", "", ""
        text_x, room = x + 8, width - 16
    shape = [
        f'<g class="{classes}"{data}>',
        f"<title>{escape(tooltip)}</title>",
        f'<rect x="{x}" y="{top}" width="{width}" height="{height:g}" rx="4"/>',
    ]
    if span.pinned:
        shape.append(
            f'<circle class="pin" cx="{x + width - 10}" cy="{top + min(10, height / 2):g}" r="4"/>'
        )
    shape.append("</g>")
    words: list[str] = []
    if height >= TITLE_MIN_HEIGHT:
        title = _fit(("✓ " if span.done else "") + span.title, room)
        words.append(f'<text class="label" x="{text_x}" y="{top + 13}">{escape(title)}</text>')
    if height >= TIME_MIN_HEIGHT:
        words.append(f'<text class="time" x="{text_x}" y="{top + 27}">{times}</text>')
    if not words:
        return "".join(shape), ""
    return "".join(shape), f'<g class="{word_classes}"{tie}>{"".join(words)}</g>'


def _fit(text: str, room: float) -> str:
    limit = max(int(room / CHAR_WIDTH), 4)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
