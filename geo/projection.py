"""Coordinate conversion (pyproj): SIRENE gives Lambert-93 (EPSG:2154) in metropolitan France;
the web maps draw in Web Mercator (EPSG:3857)."""

from __future__ import annotations

from functools import cache

import numpy as np
from pyproj import Transformer


@cache
def _vers_wgs84() -> Transformer:
    return Transformer.from_crs(2154, 4326, always_xy=True)


def lambert93_vers_wgs84(x, y) -> tuple[np.ndarray, np.ndarray]:
    lon, lat = _vers_wgs84().transform(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    return np.round(lon, 6), np.round(lat, 6)


@cache
def _vers_web_mercator() -> Transformer:
    return Transformer.from_crs(4326, 3857, always_xy=True)


def wgs84_vers_web_mercator(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Metres in Web Mercator, the projection of deck.gl (and of the pictures drawn under it)."""
    return _vers_web_mercator().transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
