"""The end-of-day report, rendered as Markdown (chat, email text) and safe HTML (email)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from devday import markdown


@dataclass(frozen=True)
class ReportLine:
    task_id: int
    title: str
    minutes: int = 0
    note: str = ""


@dataclass(frozen=True)
class Report:
    who: str
    day: date
    done: tuple[ReportLine, ...]
    in_progress: tuple[ReportLine, ...]
    pending: tuple[ReportLine, ...]
    time_by_kind: tuple[tuple[str, int], ...]
    blockers: str
    tomorrow: tuple[ReportLine, ...]


def duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest:02d} min" if rest else f"{hours} h"


def _escape(text: str) -> str:
    # Titles are user text: keep them from turning into Markdown links or emphasis.
    for char in "\\`*_[]<>#|":
        text = text.replace(char, "\\" + char)
    return text


def _items(lines: tuple[ReportLine, ...], *, with_time: bool = False) -> list[str]:
    if not lines:
        return ["- nothing"]
    out = []
    for line in lines:
        text = f"- #{line.task_id} {_escape(line.title)}"
        if with_time and line.minutes:
            text += f" ({duration(line.minutes)})"
        if line.note:
            text += f": {_escape(line.note)}"
        out.append(text)
    return out


def render_markdown(report: Report) -> str:
    total = sum(minutes for _, minutes in report.time_by_kind)
    parts = [
        f"**End of day: {_escape(report.who)}, {report.day.strftime('%a %d %b %Y')}**",
        "",
        f"Done ({len(report.done)}):",
        *_items(report.done, with_time=True),
        "",
        "In progress:",
        *_items(report.in_progress, with_time=True),
        "",
        "Pending:",
        *_items(report.pending),
        "",
        f"Time: {duration(total)}"
        + (
            " (" + ", ".join(f"{kind} {duration(m)}" for kind, m in report.time_by_kind) + ")"
            if report.time_by_kind
            else ""
        ),
        "",
        "Blockers: " + (_escape(report.blockers) if report.blockers.strip() else "none"),
        "",
        "Tomorrow first:",
        *_items(report.tomorrow),
    ]
    return "\n".join(parts) + "\n"


def render_html(report: Report) -> str:
    return markdown.render(render_markdown(report))
