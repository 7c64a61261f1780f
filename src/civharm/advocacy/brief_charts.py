"""SVG charts of a brief, drawn on the server so that they print in a PDF (no JavaScript).

Take figures that have already been through disclosure control: a value of None is a
suppressed cell and is drawn as a dash, never as a bar. Never given a record.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from civharm.analysis.charts import nice_ticks

FONT = 'font-family="DejaVu Sans, sans-serif" font-size="11"'
AXIS_COLOUR = "#555555"
GRID_COLOUR = "#dddddd"
SUPPRESSED_COLOUR = "#999999"
# One colour per harm type, the same in every chart of a brief (and distinct enough to be
# counted in a page image by the tests).
SERIES_COLOURS = ("#b5522b", "#41607a", "#d9a400", "#6b8f3a")


@dataclass(frozen=True)
class Series:
    label: str
    values: tuple[int | None, ...]  # one per category; None = suppressed
    colour: str


def _number(value: int) -> str:
    return f"{value:,}".replace(",", "\u202f")


def _svg_open(width: float, height: float, title: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" role="img" aria-label="{escape(title)}" '
        f'class="brief-chart" {FONT}>',
        f"<title>{escape(title)}</title>",
    ]


def _legend(series: Sequence[Series], x: float, y: float) -> list[str]:
    parts = []
    for item in series:
        parts += [
            f'<rect x="{x:.1f}" y="{y - 9:.1f}" width="12" height="10" fill="{item.colour}"/>',
            f'<text x="{x + 16:.1f}" y="{y:.1f}">{escape(item.label)}</text>',
        ]
        x += 28 + 6.5 * len(item.label)
    return parts


def _top(series: Sequence[Series]) -> int:
    values = [v for s in series for v in s.values if v is not None]
    ticks = nice_ticks(max([1, *values]))
    return ticks[-1] if ticks[-1] > 0 else 1


def column_chart_svg(
    categories: Sequence[str], series: Sequence[Series], title: str, width: int = 680
) -> str:
    """Grouped vertical bars, one group per category (e.g. per month)."""
    height, left, top_margin, bottom = 250, 44, 30, 36
    plot_w, plot_h = width - left - 10, height - top_margin - bottom
    top = _top(series)
    group_w = plot_w / max(len(categories), 1)
    bar_w = min(18.0, (group_w - 4) / max(len(series), 1))
    parts = _svg_open(width, height, title) + _legend(series, left, 14)
    base = top_margin + plot_h
    for tick in nice_ticks(top):
        y = base - plot_h * tick / top
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" '
            f'stroke="{GRID_COLOUR}"/><text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" '
            f'fill="{AXIS_COLOUR}">{_number(tick)}</text>'
        )
    for index, category in enumerate(categories):
        x0 = left + index * group_w + (group_w - bar_w * len(series)) / 2
        for number, item in enumerate(series):
            x = x0 + number * bar_w
            parts.append(_column(item.values[index], x, bar_w, base, plot_h, top, item.colour))
        parts.append(
            f'<text x="{left + (index + 0.5) * group_w:.1f}" y="{base + 14}" '
            f'text-anchor="middle" fill="{AXIS_COLOUR}">{escape(category)}</text>'
        )
    parts.append(f'<line x1="{left}" y1="{base}" x2="{width - 10}" y2="{base}" stroke="#888"/>')
    return "".join([*parts, "</svg>"])


def _column(
    value: int | None, x: float, w: float, base: float, plot_h: float, top: int, colour: str
) -> str:
    if value is None:
        return (
            f'<text x="{x + w / 2:.1f}" y="{base - 3:.1f}" text-anchor="middle" '
            f'fill="{SUPPRESSED_COLOUR}" class="suppressed">—</text>'
        )
    h = plot_h * value / top
    return (
        f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{w - 1:.1f}" height="{h:.1f}" '
        f'fill="{colour}"><title>{value}</title></rect>'
    )


def bar_chart_svg(
    categories: Sequence[str], series: Sequence[Series], title: str, width: int = 680
) -> str:
    """Grouped horizontal bars, one group per category (e.g. per alleged actor), each value
    written at the end of its bar."""
    label_w, row_gap, bar_h = 210, 8, 11
    group_h = bar_h * len(series) + row_gap
    height = 30 + group_h * len(categories) + 10
    plot_w = width - label_w - 50
    top = _top(series)
    parts = _svg_open(width, height, title) + _legend(series, 10, 14)
    for index, category in enumerate(categories):
        y0 = 28 + index * group_h
        parts.append(
            f'<text x="{label_w - 6}" y="{y0 + bar_h * len(series) / 2 + 4:.1f}" '
            f'text-anchor="end">{escape(_shorten(category, 34))}</text>'
        )
        for number, item in enumerate(series):
            y = y0 + number * bar_h
            parts.append(_bar(item.values[index], label_w, y, bar_h, plot_w, top, item.colour))
    parts.append(f'<line x1="{label_w}" y1="24" x2="{label_w}" y2="{height - 8}" stroke="#888"/>')
    return "".join([*parts, "</svg>"])


def _bar(
    value: int | None, x: float, y: float, h: float, plot_w: float, top: int, colour: str
) -> str:
    if value is None:
        return (
            f'<text x="{x + 4:.1f}" y="{y + h - 2:.1f}" fill="{SUPPRESSED_COLOUR}" '
            'class="suppressed">—</text>'
        )
    w = plot_w * value / top
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h - 1:.1f}" fill="{colour}"/>'
        f'<text x="{x + w + 4:.1f}" y="{y + h - 2:.1f}" font-size="9" fill="{AXIS_COLOUR}">'
        f"{_number(value)}</text>"
    )


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
