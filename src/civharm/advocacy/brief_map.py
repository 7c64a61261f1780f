"""The map of a brief: a choropleth of one region's cercles as SVG, drawn from the country
pack's boundaries with shapely, so that it prints (Leaflet needs a browser and tiles).

Shows cercle-level figures that have been through disclosure control; never a village or
a point.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from html import escape
from importlib import resources

from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.geometry.base import BaseGeometry

WIDTH, HEIGHT, MARGIN, LEGEND_HEIGHT = 640, 400, 14, 46
SIMPLIFY_DEGREES = 0.01  # about 1 km: invisible at a brief's scale, a tenth of the points
CLASS_COLOURS = ("#fbe3d4", "#f2b48f", "#e07f52", "#b5522b", "#7a2f14")
ZERO_COLOUR = "#f4f4f4"
SUPPRESSED_COLOUR = "#c8c8c8"


@dataclass(frozen=True)
class Cercle:
    pcode: str
    name: str
    geometry: BaseGeometry


@cache
def region_cercles(region_pcode: str, pack: str = "mali") -> tuple[Cercle, ...]:
    """The cercles of a region (current layout), simplified for drawing."""
    path = resources.files("civharm.country_packs").joinpath(pack, "admin2.geojson")
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    return tuple(
        Cercle(
            feature["properties"]["adm2_pcode"],
            feature["properties"]["adm2_name"],
            shape(feature["geometry"]).simplify(SIMPLIFY_DEGREES, preserve_topology=True),
        )
        for feature in features
        if feature["properties"]["adm1_pcode"] == region_pcode
    )


def class_bounds(values: Sequence[int]) -> list[int]:
    """Upper bounds of up to five classes of equal, round width from zero (equal intervals
    read honestly: cercles of similar counts share a colour)."""
    top = max([0, *values])
    if top <= 0:
        return []
    magnitude = 10 ** max(len(str(math.ceil(top / len(CLASS_COLOURS)))) - 1, 0)
    step = next(
        m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude * len(CLASS_COLOURS) >= top
    )
    step = max(int(step), 1)
    return [step * i for i in range(1, math.ceil(top / step) + 1)]


def _colour(value: int | None, bounds: Sequence[int]) -> str:
    if value is None:
        return SUPPRESSED_COLOUR
    if value == 0 or not bounds:
        return ZERO_COLOUR
    index = next((i for i, bound in enumerate(bounds) if value <= bound), len(bounds) - 1)
    # Spread the classes over the whole palette so one class is not always the palest.
    return CLASS_COLOURS[round(index * (len(CLASS_COLOURS) - 1) / max(len(bounds) - 1, 1))]


class _Projection:
    """Equirectangular, scaled by the cosine of the middle latitude, fitted to the frame."""

    def __init__(self, cercles: Sequence[Cercle]) -> None:
        west, south, east, north = MultiPolygon(
            [p for c in cercles for p in _polygons(c.geometry)]
        ).bounds
        self.west, self.north = west, north
        self.xscale = math.cos(math.radians((south + north) / 2))
        span_x, span_y = (east - west) * self.xscale, north - south
        self.scale = min((WIDTH - 2 * MARGIN) / span_x, (HEIGHT - 2 * MARGIN) / span_y)
        self.offset_x = MARGIN + ((WIDTH - 2 * MARGIN) - span_x * self.scale) / 2
        self.offset_y = MARGIN + ((HEIGHT - 2 * MARGIN) - span_y * self.scale) / 2

    def point(self, lon: float, lat: float) -> tuple[float, float]:
        x = self.offset_x + (lon - self.west) * self.xscale * self.scale
        return x, self.offset_y + (self.north - lat) * self.scale


def _polygons(geometry: BaseGeometry) -> list[Polygon]:
    return list(geometry.geoms) if isinstance(geometry, MultiPolygon) else [geometry]


def _path(geometry: BaseGeometry, projection: _Projection) -> str:
    rings = []
    for polygon in _polygons(geometry):
        for ring in (polygon.exterior, *polygon.interiors):
            points = [projection.point(x, y) for x, y in ring.coords]
            rings.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in points) + "Z")
    return "".join(rings)


def choropleth_svg(
    region_pcode: str,
    values: Mapping[str, int | None],
    *,
    title: str,
    legend_labels: Mapping[str, str],
) -> str:
    """The region's cercles coloured by `values` (cercle P-code -> count, None = suppressed).
    `legend_labels` names "zero" and "suppressed". Empty string if the pack has no polygons."""
    cercles = region_cercles(region_pcode)
    if not cercles:
        return ""
    projection = _Projection(cercles)
    bounds = class_bounds([v for v in values.values() if v is not None])
    height = HEIGHT + LEGEND_HEIGHT
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" '
        f'height="{height}" role="img" aria-label="{escape(title)}" class="brief-map" '
        'font-family="DejaVu Sans, sans-serif" font-size="11">',
        f"<title>{escape(title)}</title>",
    ]
    fills = {c.pcode: _colour(values.get(c.pcode, 0), bounds) for c in cercles}
    for cercle in cercles:
        parts.append(
            f'<path d="{_path(cercle.geometry, projection)}" fill="{fills[cercle.pcode]}" '
            f'stroke="#ffffff" stroke-width="1.2"><title>{escape(cercle.name)}</title></path>'
        )
    parts += [_label(c, values.get(c.pcode, 0), fills[c.pcode], projection) for c in cercles]
    parts += _legend(bounds, legend_labels)
    return "".join([*parts, "</svg>"])


DARK_FILLS = frozenset(CLASS_COLOURS[3:])


def _label(cercle: Cercle, value: int | None, fill: str, projection: _Projection) -> str:
    anchor = cercle.geometry.representative_point()
    x, y = projection.point(anchor.x, anchor.y)
    shown = "—" if value is None else f"{value:,}".replace(",", "\u202f")
    lines = [(escape(cercle.name), y, ""), (shown, y + 13, ' font-weight="bold"')]
    if fill in DARK_FILLS:  # white on the dark classes, no halo
        return "".join(
            f'<text x="{x:.1f}" y="{ty:.1f}" text-anchor="middle"{weight} fill="#ffffff">'
            f"{text}</text>"
            for text, ty, weight in lines
        )
    # A white halo drawn first (WeasyPrint ignores paint-order), then the text over it.
    return "".join(
        f'<text x="{x:.1f}" y="{ty:.1f}" text-anchor="middle"{weight} fill="#ffffff" '
        f'stroke="#ffffff" stroke-width="3">{text}</text>'
        f'<text x="{x:.1f}" y="{ty:.1f}" text-anchor="middle"{weight} fill="#1f2328">{text}</text>'
        for text, ty, weight in lines
    )


def _legend(bounds: Sequence[int], labels: Mapping[str, str]) -> list[str]:
    y, x = HEIGHT + 14, MARGIN
    entries = [(ZERO_COLOUR, labels["zero"])]
    lower = 1
    for bound in bounds:
        text = f"{lower}–{bound}" if bound > lower else f"{bound}"
        entries.append((_colour(bound, bounds), text))
        lower = bound + 1
    entries.append((SUPPRESSED_COLOUR, labels["suppressed"]))
    parts = []
    for colour, text in entries:
        parts += [
            f'<rect x="{x}" y="{y}" width="16" height="12" fill="{colour}" stroke="#999"/>',
            f'<text x="{x + 20}" y="{y + 10}">{escape(text)}</text>',
        ]
        x += 32 + int(6.5 * len(text))
    return parts
