"""What is written on a map: where each name goes so that names neither meet nor leave the
frame, the short name of an EPCI, a point inside each territory."""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely
import shapely.geometry

from geo.projection import wgs84_vers_web_mercator
from geo.territoires import MARGE_FOND_DEG

# Width of a tablet's map (820 px screen, 610 px of map): names placed so they do not meet there
# (wider screens only spread them more). Average glyph width and line height, in font sizes.
LARGEUR_CARTE_PX = 610
CHASSE, INTERLIGNE = 0.48, 1.3
MARGE_NOM_PX = 3
POSITIONS = ["middle center", "top center", "bottom center", "middle right", "middle left",
             "top right", "bottom right", "top left", "bottom left"]


def positions_noms(etiquettes: pd.DataFrame, textes: pd.Series, geojson: dict, taille: int) -> np.ndarray:
    """A plotly text position per name (`etiquettes`: territoire, nom, lon, lat) so that names
    neither meet nor leave the frame (fond_de_carte's): whole territories first, largest
    first, each name takes the first of POSITIONS around its point where its box meets no box
    already placed, else the one where it is least covered or cut. Boxes are estimated from
    the characters at the tablet's map width."""
    formes = {f["id"]: shapely.geometry.shape(f["geometry"]) for f in geojson["features"]}
    x0, y0, x1, y1 = shapely.total_bounds(list(formes.values()))
    marge = MARGE_FOND_DEG / 2  # the frame fond_de_carte sets
    (gx, dx), (by, hy) = wgs84_vers_web_mercator([x0 - marge, x1 + marge], [y0 - marge, y1 + marge])
    echelle = LARGEUR_CARTE_PX / (dx - gx)
    px, py = wgs84_vers_web_mercator(etiquettes["lon"].to_numpy(), etiquettes["lat"].to_numpy())
    px, py = (px - gx) * echelle, (hy - py) * echelle  # pixels, y downwards
    cadre = (LARGEUR_CARTE_PX, (hy - by) * echelle)  # width, height
    aire = etiquettes["territoire"].map(lambda t: formes[t].area if t in formes else 0.0).to_numpy()
    placees: list[tuple[float, float, float, float]] = []
    positions = np.full(len(etiquettes), POSITIONS[0], dtype=object)
    partie = etiquettes["nom"].str.contains("(partie", regex=False).to_numpy()
    for i in np.lexsort((-aire, partie)):  # as _par_priorite: whole EPCIs first, largest first
        lignes = str(textes.iloc[i]).split("<br>")
        w, h = CHASSE * taille * max(len(li) for li in lignes), INTERLIGNE * taille * len(lignes)
        couts = []
        for pos in POSITIONS:
            vertical, horizontal = pos.split()
            g = {"center": px[i] - w / 2, "right": px[i] + 2, "left": px[i] - w - 2}[horizontal]
            hb = {"middle": py[i] - h / 2, "top": py[i] - h - 2, "bottom": py[i] + 2}[vertical]
            m = MARGE_NOM_PX  # around the text: plotly's boxes reach a little past the estimate
            boite = (g - m, hb - m, g + w + m, hb + h + m)
            dehors = recouvrement(boite, boite) - recouvrement(boite, (0.0, 0.0, *cadre))
            cout = round(dehors + sum(recouvrement(boite, b) for b in placees), 3)  # px²
            couts.append((cout, boite, pos))
            if cout == 0:
                break
        _, boite, positions[i] = min(couts, key=lambda c: c[0])  # the first free, else the least hidden
        placees.append(boite)
    return positions


def recouvrement(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    """Area shared by two boxes (left, top, right, bottom)."""
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


def noms_courts(noms: pd.Series) -> pd.Series:
    """« Cagire Garonne Salat » for « Communauté de communes Cagire Garonne Salat »: the part
    of an EPCI's name that fits on a map."""
    motif = (r"^(Communauté (de communes|d'agglomération|urbaine)( du| de la| de l'| des| de| d')?"
             r"|Métropole( du| de)?|CC|CA)\s*")
    return noms.str.replace(motif, "", regex=True).str.strip().str.replace(r"^l'", "L'", regex=True)


def points_interieurs(geojson: dict) -> pd.DataFrame:
    """One point inside each feature (not the centroid, which can fall outside), for labels."""
    from shapely.geometry import shape

    lignes = []
    for f in geojson["features"]:
        p = shape(f["geometry"]).representative_point()
        lignes.append((f["id"], p.x, p.y))
    return pd.DataFrame(lignes, columns=["territoire", "lon", "lat"])
