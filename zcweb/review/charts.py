"""Server-drawn SVG charts: plain geometry that a template turns into
<svg> markup (no script; colours come from CSS classes)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Segment:
    key: str  # e.g. a status, used as the CSS class
    count: int
    x: float
    width: float


@dataclass(frozen=True)
class Bar:
    label: str
    y: float
    total: int
    segments: list[Segment] = field(default_factory=list)


@dataclass(frozen=True)
class StackedBars:
    width: int
    height: int
    label_width: int
    bar_height: int
    bars: list[Bar]
    ticks: list[tuple[float, int]]  # (x, value) of the scale's lines


def stacked_bars(rows: list[tuple[str, dict[str, int]]], keys: list[str], *, width: int = 640,
                 label_width: int | None = None, bar_height: int = 18, gap: int = 8, top: int = 22) -> StackedBars:
    """Horizontal bars, one per (label, counts by key), stacked in the order
    of `keys`, on one scale whose largest bar spans the plot. The labels get
    room for the longest one (at 12 px a Chinese character)."""
    if label_width is None:
        label_width = 12 * max((len(label) for label, _ in rows), default=0) + 16
    plot = width - label_width - 40  # room for the total at the end of a bar
    largest = max((sum(counts.get(k, 0) for k in keys) for _, counts in rows), default=0)
    step = _nice_step(largest)
    top_value = max(step * -(-largest // step), 1)
    scale = plot / top_value
    bars = []
    for index, (label, counts) in enumerate(rows):
        x, segments = float(label_width), []
        for key in keys:
            count = counts.get(key, 0)
            if count:
                segments.append(Segment(key, count, round(x, 1), round(count * scale, 1)))
                x += count * scale
        bars.append(Bar(label, top + index * (bar_height + gap), sum(s.count for s in segments), segments))
    ticks = [(round(label_width + v * scale, 1), v) for v in range(0, top_value + 1, step)]
    return StackedBars(width, top + len(rows) * (bar_height + gap) + 4, label_width, bar_height, bars, ticks)


def _nice_step(largest: int) -> int:
    """A round step (1, 2, 5, 10, 20, 50…) giving about five scale lines."""
    step = 1
    while largest / step > 5:
        for factor in (2, 2.5, 2):
            step = int(step * factor)
            if largest / step <= 5:
                break
    return step
