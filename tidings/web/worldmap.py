"""A small world outline as SVG, drawn from the country shapes the `countryinfo` package ships.

Equirectangular: x is longitude (-180..180), y is minus latitude (-90..90), so a place is
drawn at `(lon, -lat)` in the same viewBox. Built once per process (about 0.2 s, ~100 kB) and
served by tidings itself: no page fetches map tiles or shapes from the internet.
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Iterable, Sequence
from typing import Any

log = logging.getLogger(__name__)

VIEWBOX = "-180 -90 360 180"
"""The SVG viewBox of every map: the whole world in degrees."""

COORD_DECIMALS = 1
"""Decimals kept per coordinate. Gates the outline's size: 0.1 degree (~11 km) is finer than
a pixel on a 1000-pixel-wide world map, and halves the file against 2 decimals."""


@functools.lru_cache(maxsize=1)
def world_svg() -> str:
    """The world's country outlines as a standalone SVG document (empty map if unavailable)."""
    paths = "".join(f'<path d="{d}"/>' for d in _country_paths())
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{VIEWBOX}" '
            f'preserveAspectRatio="xMidYMid meet">'
            f'<rect x="-180" y="-90" width="360" height="180" fill="#eef3f7"/>'
            f'<g fill="#d9d4c7" stroke="#fff" stroke-width="0.15">{paths}</g></svg>')


def _country_paths() -> Iterable[str]:
    try:
        import countryinfo
    except ImportError:  # pragma: no cover - a declared dependency
        log.warning("countryinfo is not installed; maps are drawn without country outlines")
        return []
    out = []
    for country in countryinfo.all_countries():
        try:
            shape = country.geo_json()
        except Exception:  # noqa: BLE001 - a country without a shape is simply not drawn
            continue
        for feature in (shape or {}).get("features", []):
            d = _path(feature.get("geometry") or {})
            if d:
                out.append(d)
    return out


def _path(geometry: dict[str, Any]) -> str:
    kind, coords = geometry.get("type"), geometry.get("coordinates") or []
    polygons: Sequence[Any] = [coords] if kind == "Polygon" else coords if kind == "MultiPolygon" else []
    parts = []
    for polygon in polygons:
        for ring in polygon:
            points = [_xy(lon, lat) for lon, lat, *_ in ring]
            # Drop repeats that rounding creates: they add bytes and no shape.
            kept = [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]
            if len(kept) >= 3:
                parts.append("M" + "L".join(kept) + "Z")
    return "".join(parts)


def _xy(lon: float, lat: float) -> str:
    return f"{round(lon, COORD_DECIMALS):g},{round(-lat, COORD_DECIMALS):g}"


def point_radius(mentions: int, most: int) -> float:
    """Radius in degrees of a place's dot: grows with the log of its mentions, 0.8 to 3."""
    if most <= 1:
        return 1.2
    return round(0.8 + 2.2 * math.log1p(max(mentions, 0)) / math.log1p(most), 2)
