"""The dashboard's charts as SVG drawn on the server: they work offline and need no script.

Take aggregate figures that have already been through disclosure control where needed (a
withheld figure arrives as None and is drawn as a mark, never as a bar); never a record.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from civharm.analysis.charts import nice_ticks

BAR_COLOUR = "#41607a"
WITHHELD_COLOUR = "#8a8f99"
GRID_COLOUR = "#dddddd"
TEXT_COLOUR = "#555555"
WITHHELD_MARK = "—"


@dataclass(frozen=True)
class Bar:
    """One bar: its label and its value (None when disclosure control withheld it)."""

    label: str
    value: int | None


def _number(value: int) -> str:
    return f"{value:,}".replace(",", "\u202f")  # narrow no-break space: French and English read it


def _open_svg(width: int, height: int, title: str, css_class: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}" '
        f'class="chart {css_class}" font-family="sans-serif" font-size="12">',
        f"<title>{escape(title)}</title>",
    ]


def _scale_top(bars: Sequence[Bar]) -> tuple[float, list[int]]:
    top = max([1.0, *(bar.value or 0 for bar in bars)])
    ticks = nice_ticks(top)
    return max(top, ticks[-1]), ticks


def horizontal_bars_svg(bars: Sequence[Bar], title: str, *, label_width: int = 170) -> str:
    """One row per category, longest first as given; a withheld value is drawn as "—"."""
    row_height, plot_width, margin = 24, 300, 10
    rows = list(bars)
    top, ticks = _scale_top(rows)
    axis_y = margin + row_height * max(len(rows), 1)
    width, height = label_width + plot_width + margin * 3 + 40, axis_y + 24

    def x(value: float) -> float:
        return label_width + margin + plot_width * value / top

    parts = _open_svg(width, height, title, "bars")
    for tick in ticks:
        parts.append(
            f'<line x1="{x(tick):.1f}" y1="{margin}" x2="{x(tick):.1f}" y2="{axis_y}" '
            f'stroke="{GRID_COLOUR}"/><text x="{x(tick):.1f}" y="{axis_y + 14}" '
            f'text-anchor="middle" fill="{TEXT_COLOUR}">{_number(tick)}</text>'
        )
    for index, bar in enumerate(rows):
        middle = margin + row_height * index + row_height / 2
        parts.append(
            f'<text x="{label_width}" y="{middle + 4:.1f}" text-anchor="end">'
            f"{escape(_shortened(bar.label, label_width))}</text>"
        )
        parts.append(_horizontal_bar(bar, middle, x))
    parts.append("</svg>")
    return "".join(parts)


def _horizontal_bar(bar: Bar, middle: float, x: Callable[[float], float]) -> str:
    start = x(0)
    if bar.value is None:
        return (
            f'<text x="{start + 4:.1f}" y="{middle + 4:.1f}" fill="{WITHHELD_COLOUR}" '
            f'class="withheld">{WITHHELD_MARK}</text>'
        )
    end = x(bar.value)
    return (
        f'<rect x="{start:.1f}" y="{middle - 8:.1f}" width="{end - start:.1f}" height="16" '
        f'fill="{BAR_COLOUR}"><title>{escape(bar.label)}: {_number(bar.value)}</title></rect>'
        f'<text x="{end + 4:.1f}" y="{middle + 4:.1f}" fill="{TEXT_COLOUR}">'
        f"{_number(bar.value)}</text>"
    )


def _shortened(label: str, width: int) -> str:
    """Labels longer than the label column (about 6.5 px a character) end with an ellipsis."""
    room = max(width // 7, 8)
    return label if len(label) <= room else label[: room - 1] + "…"


def monthly_columns_svg(columns: Sequence[Bar], title: str) -> str:
    """One column per month, left to right; labels name January of each year (and the first
    month), so a long period stays readable. A withheld month is drawn as a grey "—"."""
    months = list(columns)
    margin, left, plot_height = 10, 48, 180
    step = max(6.0, min(60.0, 560 / max(len(months), 1)))
    width = int(left + step * max(len(months), 1) + margin * 2)
    height = margin + plot_height + 40
    top, ticks = _scale_top(months)
    base = margin + plot_height

    def y(value: float) -> float:
        return base - plot_height * value / top

    parts = _open_svg(width, height, title, "columns")
    for tick in ticks:
        parts.append(
            f'<line x1="{left}" y1="{y(tick):.1f}" x2="{width - margin}" y2="{y(tick):.1f}" '
            f'stroke="{GRID_COLOUR}"/><text x="{left - 4}" y="{y(tick) + 4:.1f}" '
            f'text-anchor="end" fill="{TEXT_COLOUR}">{_number(tick)}</text>'
        )
    for index, month in enumerate(months):
        x = left + step * index
        parts.append(_column(month, x, step, y, base))
        label = _month_tick(month.label, index, every_month=step >= 50)
        if label:
            parts.append(
                f'<text x="{x + 1:.1f}" y="{base + 16}" fill="{TEXT_COLOUR}">{escape(label)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def _month_tick(key: str, index: int, *, every_month: bool) -> str:
    """ "2022-03" under the first column (and every column when there is room); the year
    under each January."""
    if index == 0 or every_month:
        return key[:7]
    return key[:4] if key.endswith("-01") else ""


def _column(month: Bar, x: float, step: float, y: Callable[[float], float], base: float) -> str:
    if month.value is None:
        return (
            f'<text x="{x + step / 2:.1f}" y="{base - 4:.1f}" text-anchor="middle" '
            f'fill="{WITHHELD_COLOUR}" class="withheld">{WITHHELD_MARK}'
            f"<title>{escape(month.label)}</title></text>"
        )
    top = y(month.value)
    return (
        f'<rect x="{x + 1:.1f}" y="{top:.1f}" width="{max(step - 2, 1):.1f}" '
        f'height="{base - top:.1f}" fill="{BAR_COLOUR}">'
        f"<title>{escape(month.label)}: {_number(month.value)}</title></rect>"
    )
