"""Geometry prepared once, at build time, for display.

`shapely.coverage_simplify` simplifies the communes as a coverage (shared borders stay
shared, no gaps or slivers); coordinates are then rounded to 4 decimals (~10 m), plenty
for a map of a département. Higher levels are dissolved from the simplified communes.
"""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import shapely

TOLERANCE_DEG = 0.001
PRECISION_DEG = 1e-4


def simplifier(geoms: gpd.GeoSeries) -> gpd.GeoSeries:
    simplified = shapely.coverage_simplify(geoms.values, TOLERANCE_DEG)
    return gpd.GeoSeries(shapely.set_precision(simplified, PRECISION_DEG), crs=geoms.crs,
                         index=geoms.index)


def geojson_par_territoire(communes: gpd.GeoDataFrame, appartenance: pd.DataFrame) -> pd.DataFrame:
    """One row per territory: simplified geometry as GeoJSON text and a label point."""
    simple = communes[["commune"]].copy()
    simple = gpd.GeoDataFrame(simple, geometry=simplifier(communes.geometry), crs=communes.crs)
    joined = simple.merge(appartenance, on="commune")
    dissolved = joined.dissolve(by="territoire").reset_index()
    dissolved["geometry"] = shapely.set_precision(dissolved.geometry.values, PRECISION_DEG)
    point = dissolved.geometry.representative_point()
    return pd.DataFrame(
        {
            "territoire": dissolved["territoire"],
            "geojson": [json.dumps(shapely.geometry.mapping(g)) for g in dissolved.geometry],
            "lon": point.x.round(5),
            "lat": point.y.round(5),
        }
    )
