"""The ESS establishments as points (pydeck) over a basemap drawn from the project's own
outlines: communes, EPCI and their names as pictures, no tile server (offline, no outside
request)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pydeck as pdk
import shapely
import shapely.geometry
from pydeck.bindings.json_tools import default_serialize

from geo.etiquettes import recouvrement
from geo.projection import wgs84_vers_web_mercator


def carte_points(points: pd.DataFrame, contours: dict, communes: dict | None = None,
                 noms: pd.DataFrame | None = None) -> pdk.Deck:
    """ESS establishments over a light basemap drawn from the project's own outlines (communes
    in pale grey, EPCI in grey, EPCI names): no tile server, so it works offline and makes no
    outside request (`map_provider=None`)."""
    ouest, sud, est, nord = fond_bornes(contours)
    fond, etiquettes = fond_images(contours, communes, noms)
    # (a String: pydeck would read a bare string as a JavaScript expression)
    couches = [pdk.Layer("BitmapLayer", image=pdk.types.String(fond), bounds=[ouest, sud, est, nord])]
    # Only what the layer and its tooltip read (the whole frame was sent at every rerun), and
    # coordinates to 1 m; plain records: the deck is built once and shared (ui.figure), and
    # Streamlit converts a data frame in place at each call.
    points = points[["lon", "lat", "nom", "famille", "libelle_naf", "commune"]].round(
        {"lon": 5, "lat": 5}).to_dict("records")
    couches.append(pdk.Layer("ScatterplotLayer", points, get_position=["lon", "lat"], get_radius=120,
                             radius_min_pixels=2.5, radius_max_pixels=9, get_fill_color=[68, 1, 84, 190],
                             get_line_color=[255, 255, 255], stroked=True, line_width_min_pixels=0.5,
                             pickable=True))
    couches.append(pdk.Layer("BitmapLayer", image=pdk.types.String(etiquettes),  # names over the points
                             bounds=[ouest, sud, est, nord]))
    vue = pdk.ViewState(longitude=1.2, latitude=43.3, zoom=7.9)
    # No map provider: Streamlit then draws no base map under the deck (with an empty style it
    # ran a MapLibre map, a second WebGL canvas: 0,4 s of the browser's CPU at each view).
    return DeckCompact(layers=couches, initial_view_state=vue, map_provider=None,
                       tooltip={"html": "<b>{nom}</b><br>{famille} · {libelle_naf}<br>{commune}"})


# The basemap of the establishments is one picture (PNG), not deck.gl outline and text layers:
# where WebGL is emulated (the benches' and tests' browser), each of those layers cost seconds
# of shader compilation at every page view, slowing the next pages too; a picture is one
# texture. Drawn in Web Mercator (deck.gl's projection), ~3 pixels per screen pixel at the
# opening zoom, so it stays sharp when zooming in twice.
FOND_LARGEUR_PX = 1600
FOND_MARGE_DEG = 0.3  # room for the names near the edges


def fond_bornes(contours: dict) -> tuple[float, float, float, float]:
    formes = [shapely.geometry.shape(f["geometry"]) for f in contours["features"]]
    x0, y0, x1, y1 = shapely.total_bounds(formes)
    return (float(x0 - FOND_MARGE_DEG), float(y0 - FOND_MARGE_DEG), float(x1 + FOND_MARGE_DEG),
            float(y1 + FOND_MARGE_DEG))


def fond_images(contours: dict, communes: dict | None, noms: pd.DataFrame | None) -> tuple[str, str]:
    """Two PNG data URLs covering `fond_bornes(contours)`: the communes (pale fill, light grey
    outline) with the EPCI outlines, to draw under the points, and the EPCI names, over them."""
    from PIL import Image, ImageDraw

    ouest, sud, est, nord = fond_bornes(contours)
    (x0, x1), (y0, y1) = wgs84_vers_web_mercator([ouest, est], [sud, nord])
    echelle = FOND_LARGEUR_PX / (x1 - x0)  # pixels per metre, the same both ways
    hauteur = round(float((y1 - y0) * echelle))

    def pixels(lon, lat):
        x, y = wgs84_vers_web_mercator(lon, lat)
        return (x - x0) * echelle, (y1 - y) * echelle

    def anneaux(fc):
        for f in fc["features"]:
            forme = shapely.geometry.shape(f["geometry"])
            for poly in getattr(forme, "geoms", [forme]):
                xy = np.asarray(poly.exterior.coords)
                yield list(zip(*pixels(xy[:, 0], xy[:, 1]), strict=True))

    fond = Image.new("RGBA", (FOND_LARGEUR_PX, hauteur), (0, 0, 0, 0))
    dessin = ImageDraw.Draw(fond)
    for anneau in anneaux(communes) if communes else ():
        dessin.polygon(anneau, fill=(246, 246, 244, 255), outline=(200, 200, 200, 255))
    for anneau in anneaux(contours):
        dessin.line(anneau, fill=(110, 110, 110, 255), width=4, joint="curve")
    etiquettes = Image.new("RGBA", fond.size, (0, 0, 0, 0))
    dessin = ImageDraw.Draw(etiquettes)
    ecrites: list[tuple[float, float, float, float]] = []
    for nom, lon, lat in _par_priorite(noms, contours):
        for taille in (30, 24, 20):  # a smaller size where the name meets another
            police = _police(taille)
            x, y = pixels(lon, lat)
            g, h, d, b = dessin.textbbox((x, y), nom, font=police, anchor="mm")
            x += max(0.0, 6 - g) - max(0.0, d + 6 - FOND_LARGEUR_PX)  # inside the picture
            g, h, d, b = dessin.textbbox((x, y), nom, font=police, anchor="mm")
            boite = (g - 6, h - 4, d + 6, b + 4)
            if not any(recouvrement(boite, e) for e in ecrites):
                ecrites.append(boite)
                dessin.rectangle(boite, fill=(255, 255, 255, 200))
                dessin.text((x, y), nom, font=police, fill=(20, 20, 20, 255), anchor="mm")
                break  # else left out at every size, as on any printed map
    return _png(fond), _png(etiquettes)


def _police(taille: int):
    """A font with French accents (Pillow's own has none)."""
    from PIL import ImageFont

    try:
        return ImageFont.truetype("DejaVuSans.ttf", taille)
    except OSError:
        return ImageFont.load_default(size=taille)


def _par_priorite(noms: pd.DataFrame | None, contours: dict) -> list[tuple[str, float, float]]:
    """(name, lon, lat) in the order they get room: whole EPCIs before the parts of EPCIs of a
    neighbouring département, then the largest first."""
    if noms is None or noms.empty:
        return []
    aires = {f.get("id"): shapely.geometry.shape(f["geometry"]).area
             for f in contours["features"]}
    n = noms.assign(partie=noms["nom"].str.contains("(partie", regex=False),
                    aire=noms["territoire"].map(aires).fillna(0.0))
    n = n.sort_values(["partie", "aire", "nom"], ascending=[True, False, True])
    return list(n[["nom", "lon", "lat"]].itertuples(index=False, name=None))


def _png(image) -> str:
    import base64
    import io

    tampon = io.BytesIO()
    image.save(tampon, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(tampon.getvalue()).decode("ascii")


class DeckCompact(pdk.Deck):
    """A deck whose JSON has no indentation: pydeck indents it (3,3 Mo instead of 1,4 Mo for
    the establishments) and the browser reads it with JSON5, a parser slow on big texts."""

    def to_json(self) -> str:
        return json.dumps(self, sort_keys=True, default=default_serialize, separators=(",", ":"))
