"""The team page's weekly bar charts: pure SVG from plain values."""

from __future__ import annotations

import re

import pytest

from devday.web.charts.team import Layer, weekly_bars


def test_it_stacks_one_rect_per_value_above_zero_with_classes_and_titles() -> None:
    svg = weekly_bars(
        chart_id="chart-x",
        weeks=["23 Nov", "30 Nov"],
        layers=[
            Layer("on <time>", "s-ontime", (2.0, 0.0)),
            Layer("late", "s-late", (1.0, 3.0)),
        ],
        title="Tasks & more",
        fmt=lambda v: f"{v:g}",
        reference=1.0,
    )
    rects = re.findall(r'<rect class="([^"]+)"[^>]*><title>([^<]+)</title>', svg)
    assert rects == [
        ("s-ontime", "23 Nov: on &lt;time&gt; 2"),
        ("s-late", "23 Nov: late 1"),
        ("s-late", "30 Nov: late 3"),
    ]
    assert '<title id="chart-x-title">Tasks &amp; more</title>' in svg
    assert 'class="reference"' in svg and "style=" not in svg
    # The scale's top is the highest total rounded up to four ticks: 4 here.
    assert re.findall(r'text-anchor="end">([^<]+)</text>', svg) == ["0", "1", "2", "3", "4"]


def test_it_says_so_when_there_is_nothing_and_refuses_a_short_layer() -> None:
    empty = weekly_bars(
        chart_id="c", weeks=["23 Nov"], layers=[Layer("x", "s-x", (0.0,))], title="t", fmt=str
    )
    assert "Nothing in these weeks yet." in empty and "<rect" not in empty
    with pytest.raises(ValueError, match="has 1 values"):
        weekly_bars(
            chart_id="c", weeks=["a", "b"], layers=[Layer("x", "s-x", (1.0,))], title="t", fmt=str
        )
