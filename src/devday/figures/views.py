"""The team page's figures: the charts and the tables beside them, from ``figures.service``."""

from __future__ import annotations

from typing import Any

from devday.figures.service import KINDS, Figures, TeamFigures
from devday.web.charts.team import Layer, weekly_bars
from devday.web.charts.week import hours_label

NONE = "\u2013"  # an en dash: no value
SERIES_LEGEND = (
    ("s-ontime", "Finished by the deadline"),
    ("s-late", "Finished late"),
    ("s-nodeadline", "No deadline"),
)


def _count(value: float) -> str:
    return f"{value:g}"


def _ratio(value: float) -> str:
    return f"{value:.2f}"


def figure_row(label: str, figures: Figures) -> dict[str, Any]:
    """One table row, each value as shown."""
    share = figures.on_time_share
    ratio = figures.estimate_ratio_median
    answer = figures.answer_minutes_median
    return {
        "label": label,
        "finished": figures.tasks_finished,
        "on_time": NONE if share is None else f"{share:.0%}",
        "kinds": [
            hours_label(figures.minutes_by_kind[k]) if figures.minutes_by_kind[k] else NONE
            for k in KINDS
        ],
        "ratio": NONE if ratio is None else f"{ratio:.2f}",
        "requests": figures.requests_answered,
        "answer": NONE if answer is None else hours_label(round(answer)),
    }


def figure_context(result: TeamFigures) -> dict[str, Any]:
    labels = [monday.strftime("%d %b") for monday in result.weeks]
    totals = result.totals
    time_chart = weekly_bars(
        chart_id="chart-time",
        weeks=labels,
        layers=[
            Layer(kind, f"k-{kind}", tuple(float(w.minutes_by_kind[kind]) for w in totals))
            for kind in KINDS
        ],
        title="Time logged on the team's tasks per week, by kind",
        fmt=lambda v: hours_label(round(v)),
        unit=60,
    )
    tasks_chart = weekly_bars(
        chart_id="chart-tasks",
        weeks=labels,
        layers=[
            Layer("by the deadline", "s-ontime", tuple(float(w.finished_on_time) for w in totals)),
            Layer(
                "late",
                "s-late",
                tuple(float(w.finished_with_deadline - w.finished_on_time) for w in totals),
            ),
            Layer(
                "no deadline",
                "s-nodeadline",
                tuple(float(w.tasks_finished - w.finished_with_deadline) for w in totals),
            ),
        ],
        title="Tasks finished per week",
        fmt=_count,
    )
    ratio_chart = weekly_bars(
        chart_id="chart-ratio",
        weeks=labels,
        layers=[
            Layer(
                "median actual/estimate",
                "s-ratio",
                tuple(w.estimate_ratio_median or 0.0 for w in totals),
            )
        ],
        title="Estimate accuracy per week: median of actual time over the estimate",
        fmt=_ratio,
        unit=0.25,
        reference=1.0,
    )
    requests_chart = weekly_bars(
        chart_id="chart-requests",
        weeks=labels,
        layers=[Layer("answered", "s-requests", tuple(float(w.requests_answered) for w in totals))],
        title="Requests answered per week",
        fmt=_count,
    )
    return {
        "figures": result,
        "kinds": KINDS,
        "series_legend": SERIES_LEGEND,
        "charts": {
            "time": time_chart,
            "tasks": tasks_chart,
            "ratio": ratio_chart,
            "requests": requests_chart,
        },
        "week_rows": [figure_row(label, w) for label, w in zip(labels, totals, strict=True)],
        "total_row": figure_row("All weeks", result.overall),
        "member_rows": [figure_row(m.user.name, m.overall) for m in result.members],
    }
