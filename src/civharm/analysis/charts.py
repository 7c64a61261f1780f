"""Charts drawn as SVG on the server: they work offline, in a page and in a PDF alike.

Take figures that are already rounded and aggregate; never a record.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

ROW_HEIGHT = 34
LABEL_WIDTH = 190
PLOT_WIDTH = 460
MARGIN = 12
DOCUMENTED_COLOUR = "#41607a"
ESTIMATE_COLOUR = "#b5522b"


def nice_ticks(top: float) -> list[int]:
    """About five round ticks from 0 to `top`."""
    if top <= 0:
        return [0]
    raw = top / 5
    magnitude = 10 ** (len(str(int(raw))) - 1) if raw >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return list(range(0, int(top) + step, step))


def documented_vs_estimated_svg(
    figures: Sequence[dict[str, Any]], title: str, labels: dict[str, str]
) -> str:
    """One row per stratum: a bar of the documented, a dot at the estimate, a line for its
    interval. `labels` names the legend entries ("documented", "estimated", "interval")."""
    rows = list(figures)
    top = max([1.0, *(f["high"] or 0 for f in rows), *(f["documented"] for f in rows)])
    ticks = nice_ticks(top)
    top = max(top, ticks[-1])
    height = MARGIN * 2 + 48 + ROW_HEIGHT * len(rows) + 24
    width = LABEL_WIDTH + PLOT_WIDTH + MARGIN * 2

    def x(value: float) -> float:
        return LABEL_WIDTH + MARGIN + PLOT_WIDTH * value / top

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}" '
        'class="chart" font-family="sans-serif" font-size="12">',
        f"<title>{escape(title)}</title>",
        *_legend(labels),
    ]
    axis_y = MARGIN + 40 + ROW_HEIGHT * len(rows)
    for tick in ticks:
        parts.append(
            f'<line x1="{x(tick):.1f}" y1="{MARGIN + 36}" x2="{x(tick):.1f}" y2="{axis_y}" '
            'stroke="#ddd"/>'
            f'<text x="{x(tick):.1f}" y="{axis_y + 14}" text-anchor="middle" fill="#555">'
            f"{tick:,}</text>".replace(",", "\u202f")
        )
    for index, figure in enumerate(rows):
        parts += _row(figure, MARGIN + 40 + ROW_HEIGHT * index, x)
    parts.append("</svg>")
    return "".join(parts)


def _legend(labels: dict[str, str]) -> list[str]:
    y = MARGIN + 10
    return [
        f'<rect x="{MARGIN}" y="{y - 9}" width="14" height="10" fill="{DOCUMENTED_COLOUR}"/>',
        f'<text x="{MARGIN + 20}" y="{y}">{escape(labels["documented"])}</text>',
        f'<circle cx="{MARGIN + 187}" cy="{y - 4}" r="5" fill="{ESTIMATE_COLOUR}"/>',
        f'<text x="{MARGIN + 197}" y="{y}">{escape(labels["estimated"])}</text>',
        f'<line x1="{MARGIN + 340}" y1="{y - 4}" x2="{MARGIN + 370}" y2="{y - 4}" '
        f'stroke="{ESTIMATE_COLOUR}" stroke-width="2"/>',
        f'<text x="{MARGIN + 376}" y="{y}">{escape(labels["interval"])}</text>',
    ]


def _row(figure: dict[str, Any], top: float, x: Any) -> list[str]:
    middle = top + ROW_HEIGHT / 2
    label = escape(str(figure["stratum"]))
    weight = ' font-weight="bold"' if figure.get("is_total") else ""
    parts = [
        f'<text x="{LABEL_WIDTH}" y="{middle + 4:.1f}" text-anchor="end"{weight}>{label}</text>',
        f'<rect x="{x(0):.1f}" y="{middle - 8:.1f}" width="{x(figure["documented"]) - x(0):.1f}" '
        f'height="16" fill="{DOCUMENTED_COLOUR}"><title>{figure["documented"]}</title></rect>',
    ]
    if figure["total"] is None:
        return [*parts, f'<text x="{x(figure["documented"]) + 6:.1f}" y="{middle + 4:.1f}" '
                'fill="#555">?</text>']  # fmt: skip
    parts += [
        f'<line x1="{x(figure["low"]):.1f}" y1="{middle:.1f}" x2="{x(figure["high"]):.1f}" '
        f'y2="{middle:.1f}" stroke="{ESTIMATE_COLOUR}" stroke-width="2"/>',
        f'<circle cx="{x(figure["total"]):.1f}" cy="{middle:.1f}" r="5" fill="{ESTIMATE_COLOUR}">'
        f"<title>{escape(str(figure['total_text']))}</title></circle>",
    ]
    return parts
