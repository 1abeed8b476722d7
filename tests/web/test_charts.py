from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest

from devday.web.charts.week import (
    DeadlineMark,
    Series,
    WeekBlock,
    css_class,
    stacked_bars,
    week_blocks,
    week_range,
)

SVG = "{http://www.w3.org/2000/svg}"
MONDAY = date(2026, 11, 30)
DAYS = [MONDAY + timedelta(days=i) for i in range(7)]
HOURS = {day: [(600, 1080)] if day.weekday() < 5 else [] for day in DAYS}


def parse(markup: str) -> ET.Element:
    # The chart is inline SVG in HTML; give it the namespace a standalone file would carry.
    return ET.fromstring(str(markup).replace("<svg ", f'<svg xmlns="{SVG[1:-1]}" ', 1))


def block(
    day: date, start: int, end: int, title: str = "Fix login", kind: str = "coding"
) -> WeekBlock:
    return WeekBlock(day=day, start_minute=start, end_minute=end, title=title, kind=kind, times="")


def test_it_draws_one_rect_per_block_in_its_day_column() -> None:
    blocks = [block(DAYS[0], 630, 750), block(DAYS[2], 810, 900, kind="docs")]
    root = parse(week_blocks(days=DAYS, hours=HOURS, blocks=blocks, deadlines=[], label="Week"))
    groups = [g for g in root.iter(f"{SVG}g") if "block" in g.get("class", "").split()]
    assert len(groups) == 2
    assert [g.get("class") for g in groups] == ["block k-coding", "block k-docs"]
    first, second = (g.find(f"{SVG}rect") for g in groups)
    assert first is not None and second is not None
    assert float(second.get("x", "0")) > float(first.get("x", "0"))
    # 120 minutes at 0.75 px a minute.
    assert float(first.get("height", "0")) == pytest.approx(90)


def test_it_marks_each_deadline_with_its_title() -> None:
    marks = [DeadlineMark(day=DAYS[3], minute=1080, title="Ship v2", when="Thu 03 Dec 18:00")]
    root = parse(week_blocks(days=DAYS, hours=HOURS, blocks=[], deadlines=marks, label="Week"))
    deadlines = [g for g in root.iter(f"{SVG}g") if g.get("class") == "deadline"]
    assert len(deadlines) == 1
    title = deadlines[0].find(f"{SVG}title")
    assert title is not None and title.text == "Deadline: Ship v2 · Thu 03 Dec 18:00"


def test_it_leaves_out_what_falls_outside_the_days() -> None:
    outside = DAYS[-1] + timedelta(days=1)
    root = parse(
        week_blocks(
            days=DAYS,
            hours=HOURS,
            blocks=[block(outside, 600, 660)],
            deadlines=[DeadlineMark(day=outside, minute=600, title="Later", when="")],
            label="Week",
        )
    )
    assert not [g for g in root.iter(f"{SVG}g") if g.get("class")]


def test_it_shades_days_without_working_hours() -> None:
    root = parse(week_blocks(days=DAYS, hours=HOURS, blocks=[], deadlines=[], label="Week"))
    classes = [r.get("class") for r in root.iter(f"{SVG}rect")]
    assert classes.count("work") == 5 and classes.count("off") == 2


def test_it_spans_the_working_hours_widened_to_the_blocks() -> None:
    assert week_range(HOURS, []) == (600, 1080)
    assert week_range(HOURS, [block(DAYS[0], 450, 520)]) == (420, 1080)
    assert week_range({}, []) == (540, 1080)


def test_it_escapes_titles_in_the_week_chart() -> None:
    evil = '<script>alert("x")</script> & co'
    markup = week_blocks(
        days=DAYS,
        hours=HOURS,
        blocks=[block(DAYS[0], 600, 720, title=evil)],
        deadlines=[DeadlineMark(day=DAYS[1], minute=700, title=evil, when="")],
        label=evil,
    )
    assert "<script>" not in markup
    root = parse(markup)
    titles = [t.text or "" for t in root.iter(f"{SVG}title")]
    assert titles[0] == evil
    assert any(evil in t for t in titles[1:])


def test_it_stacks_one_rect_per_value_above_zero() -> None:
    days = ["Mon", "Tue", "Wed"]
    series = [
        Series(key="coding", label="coding", values=(60, 0, 120)),
        Series(key="docs", label="docs", values=(30, 45, 0)),
    ]
    root = parse(stacked_bars(days=days, series=series, label="Time"))
    rects = list(root.iter(f"{SVG}rect"))
    assert len(rects) == 4
    assert [r.get("class") for r in rects] == ["k-coding", "k-docs", "k-docs", "k-coding"]
    coding, docs = rects[0], rects[1]
    # Docs sits on top of coding on Monday: its bottom is coding's top.
    assert float(docs.get("y", "0")) + float(docs.get("height", "0")) == pytest.approx(
        float(coding.get("y", "0")), abs=0.2
    )
    tips = [r.find(f"{SVG}title") for r in rects]
    assert tips[0] is not None and tips[0].text == "Mon: coding 1h"


def test_it_scales_the_bars_to_the_busiest_day() -> None:
    series = [Series(key="coding", label="coding", values=(120, 60))]
    rects = list(parse(stacked_bars(days=["a", "b"], series=series, label="t")).iter(f"{SVG}rect"))
    heights = [float(r.get("height", "0")) for r in rects]
    assert heights[0] == pytest.approx(2 * heights[1], abs=0.2)


def test_it_draws_an_empty_chart_without_values() -> None:
    root = parse(stacked_bars(days=["Mon", "Tue"], series=[], label="Nothing"))
    assert not list(root.iter(f"{SVG}rect"))
    desc = root.find(f"{SVG}desc")
    assert desc is not None and desc.text == "No time logged on these days."


def test_it_escapes_labels_in_the_bar_chart() -> None:
    evil = "<b>&amp;</b>"
    series = [Series(key="x<y", label=evil, values=(30,))]
    markup = stacked_bars(days=[evil], series=series, label=evil)
    assert "<b>" not in markup
    root = parse(markup)
    assert [t.text for t in root.iter(f"{SVG}text") if t.text and "&" in t.text] == [evil]
    rect = next(root.iter(f"{SVG}rect"))
    assert rect.get("class") == "k-xy"


def test_it_refuses_a_series_of_the_wrong_length() -> None:
    with pytest.raises(ValueError, match="2 values for 3"):
        stacked_bars(days=["a", "b", "c"], series=[Series("c", "c", (1, 2))], label="t")


def test_it_makes_safe_class_names() -> None:
    assert css_class("Coding") == "k-coding"
    assert css_class('" onload="x') == "k-onloadx"
    assert css_class("") == "k-other"
