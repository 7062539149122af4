"""The inline SVG line chart: points scaled into the plot, axes, legend, marks, and no data."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

from api.web.charts import BOTTOM, HEIGHT, LEFT, RIGHT, TOP, WIDTH, Series, line_chart

T0 = datetime(2026, 5, 15, tzinfo=UTC)
SVG = "{http://www.w3.org/2000/svg}"


def points(svg: str) -> list[list[tuple[float, float]]]:
    root = ET.fromstring(svg)
    return [[(float(x), float(y)) for x, y in (p.split(",") for p in line.attrib["points"].split())]
            for line in root.iter(f"{SVG}polyline")]


def test_points_span_the_plot_with_the_highest_value_on_top() -> None:
    series = Series("rx", [(T0, -20.0), (T0 + timedelta(hours=1), -25.0), (T0 + timedelta(hours=2), -30.0)])
    (line,) = points(line_chart([series], title="optics", unit="dBm"))
    assert line[0] == (LEFT, TOP) and line[-1] == (WIDTH - RIGHT, HEIGHT - BOTTOM)
    assert line[1] == ((LEFT + WIDTH - RIGHT) / 2, (TOP + HEIGHT - BOTTOM) / 2)


def test_axes_legend_and_a_threshold_mark_widen_the_range() -> None:
    series = Series("rx <dBm>", [(T0, -20.0), (T0 + timedelta(hours=1), -22.0)])
    svg = line_chart([series], title="optics", unit="dBm", marks=[("low", -27.0)])
    ET.fromstring(svg)  # well-formed, the label escaped
    assert "rx &lt;dBm&gt;" in svg and "stroke-dasharray" in svg
    assert re.search(r">-27\.0<", svg) and re.search(r">-20\.0<", svg)
    assert "05-15 00:00" in svg and "05-15 01:00" in svg


def test_big_numbers_are_short_and_one_point_or_none_still_draw() -> None:
    one = line_chart([Series("bps", [(T0, 3_000_000.0)])], title="traffic")
    assert "3.0M" in one and len(points(one)) == 1
    empty = line_chart([Series("bps", [])], title="traffic")
    assert "no data" in empty and points(empty) == []
