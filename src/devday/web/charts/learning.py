"""A week in learning: each course's or book's progress as a horizontal bar (parts done of
parts), server-side SVG as the other charts; the page lists the same figures beside it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 700
LABEL_WIDTH = 220
ROW_HEIGHT = 26
BAR_HEIGHT = 14
CHAR_WIDTH = 6.0


@dataclass(frozen=True)
class Progress:
    title: str
    done: int
    total: int


def progress_bars(*, rows: Sequence[Progress], label: str) -> Markup:
    """``<svg class="chart progress">``: a track per row (class ``track``) with the part done
    filled (class ``k-learning``), and "done/total" after it."""
    height = max(1, len(rows)) * ROW_HEIGHT + 8
    track = WIDTH - LABEL_WIDTH - 70
    out = [
        f'<svg class="chart progress" role="img" aria-label="{escape(label)}" '
        f'viewBox="0 0 {WIDTH} {height}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(label)}</title>"
    ]
    for i, row in enumerate(rows):
        top = 4 + i * ROW_HEIGHT
        share = row.done / row.total if row.total else 0.0
        title = row.title
        room = int((LABEL_WIDTH - 10) / CHAR_WIDTH)
        if len(title) > room:
            title = title[: room - 1] + "…"
        out.append(
            f'<g class="course"><title>{escape(f"{row.title}: {row.done} of {row.total}")}</title>'
            f'<text class="axis" x="0" y="{top + 12}">{escape(title)}</text>'
            f'<rect class="track" x="{LABEL_WIDTH}" y="{top}" width="{track}" '
            f'height="{BAR_HEIGHT}" rx="4"/>'
            f'<rect class="k-learning bar" x="{LABEL_WIDTH}" y="{top}" '
            f'width="{track * share:.1f}" height="{BAR_HEIGHT}" rx="4"/>'
            f'<text class="axis" x="{LABEL_WIDTH + track + 8}" y="{top + 12}">'
            f"{row.done}/{row.total}</text></g>"
        )
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 - every text in it went through escape()
