"""Geometry for the overview's inline SVG charts: bars and quartile boxes, labelled in text.

The numbers are always written next to the shapes and repeated in a table, so nothing is told
by length or colour alone.
"""

from __future__ import annotations

from dataclasses import dataclass

WIDTH = 640
LABEL_WIDTH = 230
VALUE_ROOM = 150
ROW = 30
BAR = 20


@dataclass(frozen=True)
class Bar:
    label: str
    value_text: str
    y: float
    width: float
    level: str = "plain"


@dataclass(frozen=True)
class Box:
    label: str
    value_text: str
    y: float
    x_min: float
    x_q1: float
    x_median: float
    x_q3: float
    x_max: float


@dataclass(frozen=True)
class Chart:
    height: int
    bar_x: int
    items: list
    #: (x, text) of the scale's ticks, for box charts
    ticks: list[tuple[float, str]]


def _room() -> int:
    return WIDTH - LABEL_WIDTH - VALUE_ROOM


def bar_chart(items: list[tuple[str, float, str, str]]) -> Chart:
    """Horizontal bars from (label, value, value text, level) rows."""
    top = max((value for _, value, _, _ in items), default=0) or 1
    bars = [
        Bar(label, text, i * ROW + 5, round(value / top * _room(), 1), level)
        for i, (label, value, text, level) in enumerate(items)
    ]
    return Chart(height=len(items) * ROW + 10, bar_x=LABEL_WIDTH, items=bars, ticks=[])


def _nice_top(value: float) -> float:
    for step in (1, 2, 5, 10, 20, 30, 60, 90, 120, 180, 365, 730):
        if value <= step:
            return float(step)
    return float(int(value) + 1)


def box_chart(rows: list[tuple[str, tuple[float, float, float, float, float], str]]) -> Chart:
    """Quartile boxes from (label, (min, q1, median, q3, max), value text) rows."""
    top = _nice_top(max((five[4] for _, five, _ in rows), default=1) or 1)

    def x(value: float) -> float:
        return round(LABEL_WIDTH + value / top * _room(), 1)

    boxes = [
        Box(label, text, i * ROW + 5, *(x(v) for v in five))
        for i, (label, five, text) in enumerate(rows)
    ]
    ticks = [(x(top * f), f"{top * f:g}") for f in (0, 0.25, 0.5, 0.75, 1)]
    return Chart(height=len(rows) * ROW + 30, bar_x=LABEL_WIDTH, items=boxes, ticks=ticks)
