"""What is written on a map: where each name goes so that names neither meet nor leave the
frame, the short name of an EPCI, a point inside each territory."""

from __future__ import annotations

import json

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


Boite = tuple[float, float, float, float]  # left, top, right, bottom, in pixels (y downwards)


class Plan:
    """The tablet's map of `geojson` in pixels, framed as fond_de_carte frames it: where a
    point falls, how big a text is, how much of a box is off the frame or over the territory."""

    def __init__(self, geojson: dict):
        self.formes = {f["id"]: shapely.geometry.shape(f["geometry"]) for f in geojson["features"]}
        x0, y0, x1, y1 = shapely.total_bounds(list(self.formes.values()))
        marge = MARGE_FOND_DEG / 2  # the frame fond_de_carte sets
        (self.gx, dx), (by, self.hy) = wgs84_vers_web_mercator([x0 - marge, x1 + marge],
                                                               [y0 - marge, y1 + marge])
        self.echelle = LARGEUR_CARTE_PX / (dx - self.gx)
        self.cadre = (0.0, 0.0, float(LARGEUR_CARTE_PX), (self.hy - by) * self.echelle)
        self._territoire = None

    def pixels(self, lon, lat) -> tuple[np.ndarray, np.ndarray]:
        x, y = wgs84_vers_web_mercator(lon, lat)
        return (x - self.gx) * self.echelle, (self.hy - y) * self.echelle

    @property
    def territoire(self):
        """The whole territory drawn, in pixels (built on first use: only the background's
        names need it)."""
        if self._territoire is None:
            tout = shapely.union_all(list(self.formes.values()))

            def vers_pixels(xy: np.ndarray) -> np.ndarray:
                return np.column_stack(self.pixels(xy[:, 0], xy[:, 1]))
            self._territoire = shapely.transform(tout, vers_pixels).simplify(1.0)
        return self._territoire

    @staticmethod
    def boite(x: float, y: float, texte: str, taille: int, pos: str) -> Boite:
        """The box of `texte` (lines split by <br>) written at (x, y) in plotly's position `pos`."""
        lignes = str(texte).replace("<b>", "").replace("</b>", "").split("<br>")
        w, h = CHASSE * taille * max(len(li) for li in lignes), INTERLIGNE * taille * len(lignes)
        vertical, horizontal = pos.split()
        g = {"center": x - w / 2, "right": x + 2, "left": x - w - 2}[horizontal]
        hb = {"middle": y - h / 2, "top": y - h - 2, "bottom": y + 2}[vertical]
        m = MARGE_NOM_PX  # around the text: plotly's boxes reach a little past the estimate
        return (g - m, hb - m, g + w + m, hb + h + m)

    def dehors(self, b: Boite) -> float:
        return recouvrement(b, b) - recouvrement(b, self.cadre)


def positions_noms(etiquettes: pd.DataFrame, textes: pd.Series, geojson: dict, taille: int,
                   placees: list[Boite] | None = None) -> np.ndarray:
    """A plotly text position per name (`etiquettes`: territoire, nom, lon, lat) so that names
    neither meet nor leave the frame (fond_de_carte's): whole territories first, largest
    first, each name takes the first of POSITIONS around its point where its box meets no box
    already placed, else the one where it is least covered or cut. Boxes are estimated from
    the characters at the tablet's map width; `placees` receives them (for the background's
    names, placed after)."""
    plan = Plan(geojson)
    px, py = plan.pixels(etiquettes["lon"].to_numpy(), etiquettes["lat"].to_numpy())
    aire = etiquettes["territoire"].map(lambda t: plan.formes[t].area if t in plan.formes else 0.0).to_numpy()
    placees = [] if placees is None else placees
    positions = np.full(len(etiquettes), POSITIONS[0], dtype=object)
    partie = etiquettes["nom"].str.contains("(partie", regex=False).to_numpy()
    for i in np.lexsort((-aire, partie)):  # as _par_priorite: whole EPCIs first, largest first
        couts = []
        for pos in POSITIONS:
            boite = plan.boite(px[i], py[i], textes.iloc[i], taille, pos)
            cout = round(plan.dehors(boite) + sum(recouvrement(boite, b) for b in placees), 3)  # px²
            couts.append((cout, boite, pos))
            if cout == 0:
                break
        _, boite, positions[i] = min(couts, key=lambda c: c[0])  # the first free, else the least hidden
        placees.append(boite)
    return positions


# A background name may cover this much of its own box with the territory or the frame's edge
# (the corner of a letter); beyond, it is left out: the neighbours are context, the territory's
# own names and shapes come first.
TOLERANCE_FOND = 0.04


def places_voisins(fond: pd.DataFrame, geojson: dict, taille: int,
                   placees: list[Boite] | None = None) -> pd.DataFrame:
    """Where to write each neighbouring département's name (`fond`: nom, geojson, lon, lat):
    its point (the centre of the largest room of the part shown), else another point of that
    part, the nearest first, so that the name covers neither the territory drawn nor a name
    already placed (`placees`) nor the frame's edge (« Hautes-Pyrénées » ran over an EPCI).
    Columns lon, lat, position; a name that finds no room is left out."""
    plan = Plan(geojson)
    placees = list(placees or [])
    lignes = []
    for r in fond.itertuples():
        forme = shapely.geometry.shape(json.loads(r.geojson))
        x0, y0, x1, y1 = forme.bounds
        grille = [(x, y) for x in np.linspace(x0, x1, 9) for y in np.linspace(y0, y1, 9)
                  if forme.contains(shapely.Point(x, y))]
        grille.sort(key=lambda p: (p[0] - r.lon) ** 2 + (p[1] - r.lat) ** 2)
        meilleur = None
        for k, (lon, lat) in enumerate([(r.lon, r.lat), *grille]):
            x, y = (float(v[0]) for v in plan.pixels([lon], [lat]))
            for pos in POSITIONS if k == 0 else POSITIONS[:1]:
                b = plan.boite(x, y, r.nom, taille, pos)
                gene = (plan.dehors(b) + shapely.box(*b).intersection(plan.territoire).area
                        + sum(recouvrement(b, c) for c in placees)) / recouvrement(b, b)
                if meilleur is None or gene < meilleur[0]:
                    meilleur = (gene, b, lon, lat, pos)
                if gene == 0:
                    break
            if meilleur[0] == 0:
                break
        if meilleur[0] <= TOLERANCE_FOND:
            _, b, lon, lat, pos = meilleur
            placees.append(b)
            lignes.append((r.nom, lon, lat, pos))
    return pd.DataFrame(lignes, columns=["nom", "lon", "lat", "position"])


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
