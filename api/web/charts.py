"""Line charts as inline SVG, drawn on the server: points in, an ``<svg>`` string out (no JavaScript)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 12, 28
COLOURS = ("#2563eb", "#dc2626", "#059669", "#d97706")


@dataclass(frozen=True)
class Series:
    """One line of a chart: a label and its (time, value) points, oldest first."""

    label: str
    points: Sequence[tuple[datetime, float]]


def _bounds(series: Sequence[Series], marks: Sequence[float]) -> tuple[float, float, float, float]:
    xs = [p[0].timestamp() for s in series for p in s.points]
    ys = [p[1] for s in series for p in s.points] + list(marks)
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    if x1 == x0:
        x0, x1 = x0 - 1, x1 + 1
    if y1 == y0:
        y0, y1 = y0 - 1, y1 + 1
    return x0, x1, y0, y1


def _scale(value: float, lo: float, hi: float, out_lo: float, out_hi: float) -> float:
    return out_lo + (value - lo) / (hi - lo) * (out_hi - out_lo)


def _number(value: float) -> str:
    """A tick label: one decimal, or k / M / G for big numbers."""
    for limit, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= limit:
            return f"{value / limit:.1f}{suffix}"
    return f"{value:.1f}"


def _axes(x0: float, x1: float, y0: float, y1: float, unit: str) -> list[str]:
    """The frame, three y ticks and the first and last time."""
    right, bottom = WIDTH - RIGHT, HEIGHT - BOTTOM
    parts = [f'<rect x="{LEFT}" y="{TOP}" width="{right - LEFT}" height="{bottom - TOP}" class="frame"/>']
    for value in (y0, (y0 + y1) / 2, y1):
        y = _scale(value, y0, y1, bottom, TOP)
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" class="grid"/>')
        parts.append(f'<text x="{LEFT - 4}" y="{y + 4:.1f}" text-anchor="end">{_number(value)}</text>')
    for value, anchor in ((x0, "start"), (x1, "end")):
        x = _scale(value, x0, x1, LEFT, right)
        label = datetime.fromtimestamp(value, UTC).strftime("%m-%d %H:%M")
        parts.append(f'<text x="{x:.1f}" y="{HEIGHT - 8}" text-anchor="{anchor}">{label}</text>')
    parts.append(f'<text x="{right - 4}" y="{TOP + 14}" text-anchor="end">{escape(unit)}</text>')
    return parts


def _mark(label: str, value: float, bounds: tuple[float, float, float, float]) -> str:
    """A dashed reference line across the plot (a threshold), labelled at its left end."""
    y = _scale(value, bounds[2], bounds[3], HEIGHT - BOTTOM, TOP)
    return (f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" class="mark" '
            f'stroke="#b91c1c" stroke-dasharray="5 4"/><text x="{LEFT + 4}" y="{y - 4:.1f}" '
            f'style="fill:#b91c1c">{escape(label)}</text>')


def _line(series: Series, colour: str, bounds: tuple[float, float, float, float]) -> str:
    x0, x1, y0, y1 = bounds
    coords = " ".join(
        f"{_scale(t.timestamp(), x0, x1, LEFT, WIDTH - RIGHT):.1f},"
        f"{_scale(v, y0, y1, HEIGHT - BOTTOM, TOP):.1f}"
        for t, v in series.points
    )
    return (f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2">'
            f"<title>{escape(series.label)}</title></polyline>")


def _legend(series: Sequence[Series]) -> list[str]:
    return [f'<text x="{LEFT + 8 + 120 * i}" y="{TOP + 14}" style="fill:{COLOURS[i % len(COLOURS)]}">'
            f"{escape(s.label)}</text>" for i, s in enumerate(series)]


def line_chart(series: Sequence[Series], *, title: str, unit: str = "",
               marks: Sequence[tuple[str, float]] = ()) -> str:
    """An SVG line chart of ``series`` with axes, a legend and dashed ``marks`` (label, value); a short
    note when there is no data."""
    drawn = [s for s in series if s.points]
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" class="chart" '
            f'role="img" aria-label="{escape(title)}">')
    if not drawn:
        return f'{head}<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle">no data</text></svg>'
    bounds = _bounds(drawn, [value for _, value in marks])
    lines = [_line(s, COLOURS[i % len(COLOURS)], bounds) for i, s in enumerate(drawn)]
    refs = [_mark(label, value, bounds) for label, value in marks]
    return "".join([head, *_axes(*bounds, unit), *refs, *lines, *_legend(drawn), "</svg>"])
