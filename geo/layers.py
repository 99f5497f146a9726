"""Map layers built from the simplified geometries stored in the database."""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass

import mapclassify
import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import pydeck as pdk
import shapely
import shapely.geometry
from pydeck.bindings.json_tools import default_serialize

from geo.projection import wgs84_vers_web_mercator
from geo.territoires import MARGE_FOND_DEG

PALETTE = px.colors.sequential.Viridis_r  # colour-blind safe, sequential (light = low)

# plotly.js fetches a world topojson from its CDN for every geo map, even with the basemap
# hidden; without network the map is not drawn. Point it at an empty topology served by
# Streamlit's static serving (static/world_110m.json), so maps work offline.
# French tooltips of the toolbar and French number/date format, given with each chart (plotly's
# `config.locales`): Streamlit does not register plotly.js locales.
LOCALE_FR = {
    "dictionary": {
        "Download plot as a png": "Télécharger le graphique (PNG)",
        "Download plot": "Télécharger le graphique",
        "Zoom": "Zoomer", "Pan": "Déplacer", "Zoom in": "Zoomer", "Zoom out": "Dézoomer",
        "Reset axes": "Réinitialiser les axes", "Autoscale": "Échelle automatique",
        "Reset view": "Réinitialiser la vue", "Box Select": "Sélection rectangulaire",
        "Lasso Select": "Sélection au lasso", "Reset": "Réinitialiser",
        "Show closest data on hover": "Valeur la plus proche au survol",
        "Compare data on hover": "Comparer les valeurs au survol",
        "Toggle Spike Lines": "Lignes de repère", "Produced with Plotly.js": "Réalisé avec Plotly.js",
        "Double-click to zoom back out": "Double-cliquez pour revenir",
        "Click to enter Colorscale title": "", "Click to enter Colorbar title": "",
    },
    "format": {
        "days": ["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"],
        "shortDays": ["dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."],
        "months": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
                   "septembre", "octobre", "novembre", "décembre"],
        "shortMonths": ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.",
                        "oct.", "nov.", "déc."],
        "date": "%d/%m/%Y", "decimal": ",", "thousands": "\u202f",
    },
}
CONFIG_PLOTLY = {"topojsonURL": "app/static/", "displaylogo": False, "locale": "fr",
                 "locales": {"fr": LOCALE_FR}}


def feature_collection(df: pd.DataFrame, cle: str = "territoire") -> dict:
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "id": row[cle], "properties": {}, "geometry": json.loads(row["geojson"])}
            for _, row in df.iterrows()
        ],
    }


# The neighbouring départements, pale, with their names: where the territory sits, offline.
FOND_REMPLI = "#ebebe8"
FOND_CONTOUR = "#ffffff"
FOND_TEXTE = "#595959"  # 7:1 on white, 6:1 on the fill


def fond_de_carte(fig: go.Figure, fond: pd.DataFrame | None, geojson: dict) -> None:
    """Put the neighbouring départements (`fond`: territoire, nom, geojson, lon, lat; None for
    a database built before it existed) under the map's traces, and frame the view on the
    map's own territories (`fitbounds` would widen it to the background)."""
    if fond is None or fond.empty:
        fig.update_geos(fitbounds="locations", visible=False, projection_type="mercator")
        return
    formes = [shapely.geometry.shape(f["geometry"]) for f in geojson["features"]]
    x0, y0, x1, y1 = shapely.total_bounds(formes)
    # a name near the left or right edge is written inwards, never cut by the frame
    bord = 0.2 * (x1 - x0)
    position = np.select([fond["lon"] < x0 + bord, fond["lon"] > x1 - bord],
                         ["middle right", "middle left"], "middle center")
    fig.add_trace(go.Choropleth(
        geojson=feature_collection(fond), locations=fond["territoire"], z=np.zeros(len(fond)),
        featureidkey="id", colorscale=[[0, FOND_REMPLI], [1, FOND_REMPLI]], showscale=False,
        showlegend=False, marker_line_color=FOND_CONTOUR, marker_line_width=1.5, hoverinfo="skip",
        name="départements voisins"))
    fig.add_trace(go.Scattergeo(
        lon=fond["lon"], lat=fond["lat"], text=fond["nom"], mode="text", hoverinfo="skip",
        textposition=position, textfont=dict(size=12, color=FOND_TEXTE, style="italic"),
        showlegend=False, name="voisins"))
    fig.data = fig.data[-2:] + fig.data[:-2]  # drawn first, under the territories
    marge = MARGE_FOND_DEG / 2  # the part of the neighbours where their names were placed
    fig.update_geos(visible=False, projection_type="mercator", fitbounds=False,
                    lonaxis_range=[x0 - marge, x1 + marge], lataxis_range=[y0 - marge, y1 + marge])


def choroplethe(df: pd.DataFrame, valeur: str, titre_legende: str, survol: dict[str, str],
                hauteur: int = 560, voisins: pd.DataFrame | None = None):
    """Choropleth on a continuous scale with no basemap tiles (works offline). `survol`: tooltip
    lines {label: column of already formatted text}, written « label : value »."""
    colonnes = list(survol)
    geojson = feature_collection(df)
    fig = go.Figure(go.Choropleth(
        geojson=geojson, locations=df["territoire"], z=df[valeur], featureidkey="id",
        colorscale=[[i / 4, c] for i, c in enumerate(couleurs(5))],
        customdata=df[["nom", *survol.values()]].to_numpy(),
        hovertemplate="<b>%{customdata[0]}</b>" + "".join(
            f"<br>{c} : %{{customdata[{i + 1}]}}" for i, c in enumerate(colonnes)) + "<extra></extra>",
        marker_line_color="white", marker_line_width=0.8,
        colorbar=dict(title=dict(text=titre_legende, side="top"), orientation="h", x=0, xanchor="left",
                      y=0, yanchor="top", len=0.6, thickness=14, tickfont=dict(color="#1a1a1a"))))
    fond_de_carte(fig, voisins, geojson)
    fig.update_layout(height=hauteur, margin=dict(l=0, r=0, t=0, b=0), separators=",\u202f",
                      font=dict(color="#1a1a1a"))
    return fig


# --- Choropleth in classes (page "Carte") -------------------------------------------------

METHODES_CLASSES = {
    "quantiles": "Quantiles (autant de territoires par classe)",
    "jenks": "Seuils naturels (Jenks)",
    "egales": "Intervalles égaux",
}
# Secret and not computable: white with an outline (≥ 3:1 against white: WCAG 1.4.11) and a
# mark at the centre, so they read apart from every class in greyscale too.
CONTOUR_SECRET = "#1a1a1a"
CONTOUR_ND = "#767676"
BLANC = "#ffffff"
LIBELLE_SECRET = "s : secret statistique"
LIBELLE_ND = "non calculable"


@dataclass(frozen=True)
class Classes:
    bornes: list[float]  # upper bound of each class, increasing
    indices: pd.Series  # class of each value (0 = lowest), <NA> for a missing value


def classer(valeurs: pd.Series, methode: str = "quantiles", k: int = 5) -> Classes:
    """Class breaks with mapclassify (Fisher-Jenks is the optimal form of Jenks' breaks)."""
    if methode not in METHODES_CLASSES:
        raise ValueError(f"Méthode de classes inconnue : « {methode} ».")
    presentes = valeurs.dropna().astype(float)
    indices = pd.Series(pd.NA, index=valeurs.index, dtype="Int64")
    if presentes.empty:
        return Classes([], indices)
    k = max(1, min(int(k), presentes.nunique()))
    if k == 1:
        indices[presentes.index] = 0
        return Classes([float(presentes.max())], indices)
    classe = {"quantiles": mapclassify.Quantiles, "jenks": mapclassify.FisherJenks,
              "egales": mapclassify.EqualInterval}[methode]
    with warnings.catch_warnings():  # "Numba not installed", "not enough unique values"
        warnings.simplefilter("ignore")
        resultat = classe(presentes.to_numpy(), k=k)
    indices[presentes.index] = resultat.yb
    return Classes([float(b) for b in resultat.bins], indices)


def placer_fourchettes(classes: Classes, bas: pd.Series, haut: pd.Series) -> Classes:
    """The classes with each territory known only within [bas, haut] (a hidden value published
    as an interval) placed in the class holding the whole interval, the lowest class open
    below and the highest above; left out when the interval straddles a break or is not
    bounded."""
    if not classes.bornes:
        return classes
    indices = classes.indices.copy()
    coupures = np.asarray(classes.bornes[:-1])  # a value ≤ its class's upper bound
    for i in bas.index[bas.notna() & np.isfinite(haut.astype(float))]:
        k_bas, k_haut = np.searchsorted(coupures, [float(bas[i]), float(haut[i])], side="left")
        if k_bas == k_haut:
            indices[i] = int(k_bas)
    return Classes(classes.bornes, indices)


# Viridis from its darkest end to 0.58: every class is ≥ 3:1 against white (WCAG 1.4.11);
# the paler yellows and greens are left out. Light = low.
VIRIDIS_CONTRASTE = 0.58


def couleurs(n: int) -> list[str]:
    """`n` colours of a colour-blind-safe sequential palette (viridis, light = low), each with
    at least 3:1 contrast against the white page."""
    if n <= 1:
        return [px.colors.sequential.Viridis[2]]
    return px.colors.sample_colorscale(px.colors.sequential.Viridis,
                                       [VIRIDIS_CONTRASTE * (1 - i / (n - 1)) for i in range(n)])


def libelles_classes(bornes: list[float], minimum: float, formater) -> list[str]:
    """« 2,1 à 5,3 » for each class, from the lowest value to each upper bound."""
    bas = [minimum, *bornes[:-1]]
    return [f"{formater(b)} à {formater(h)}" for b, h in zip(bas, bornes, strict=True)]


def carte_classes(df: pd.DataFrame, geojson: dict, classes: Classes, libelles: list[str],
                  titre_legende: str, survol: pd.DataFrame, selection: str | None = None,
                  hauteur: int = 720, etiquettes: pd.DataFrame | None = None,
                  voisins: pd.DataFrame | None = None) -> go.Figure:
    """A choropleth in classes, one trace per class so the legend lists them below the map
    (never over it). Secret and non-computable territories are white with a dark outline and
    a mark (« s », « n. c. »); `survol` holds the tooltip lines (first in bold); `etiquettes`
    (territoire, lon, lat, and nom to write names) places names, or without `nom` the marks of
    secret and non-computable territories; the selection gets a thick outline."""
    palette = couleurs(len(classes.bornes))
    z = classes.indices.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    # a hidden value placed in its class by its published interval is drawn in the class
    secret = df["secret"].to_numpy(dtype=bool) & np.isnan(z)
    groupes = [(libelles[i], z == i, palette[i], BLANC, 0.6) for i in range(len(libelles))]
    groupes += [(LIBELLE_SECRET, secret, BLANC, CONTOUR_SECRET, 1.6),
                (LIBELLE_ND, np.isnan(z) & ~secret, BLANC, CONTOUR_ND, 1.2)]
    modele = ("<b>%{customdata[0]}</b>" + "".join(f"<br>%{{customdata[{i}]}}"
                                                  for i in range(1, survol.shape[1])) + "<extra></extra>")
    ids = df["territoire"].to_numpy()
    par_id = {f["id"]: f for f in geojson["features"]}
    fig = go.Figure()
    for nom, masque, fond, contour, epaisseur in groupes:
        if not masque.any():
            continue
        choisis = ids[masque]
        fig.add_trace(go.Choropleth(
            geojson={"type": "FeatureCollection", "features": [par_id[t] for t in choisis if t in par_id]},
            locations=choisis, z=np.zeros(len(choisis)), featureidkey="id", name=nom,
            colorscale=[[0, fond], [1, fond]], showscale=False, showlegend=True,
            customdata=survol.to_numpy()[masque], hovertemplate=modele,
            marker_line_color=np.where(choisis == selection, "#d62728", contour),
            marker_line_width=np.where(choisis == selection, 3.5, epaisseur)))
    if etiquettes is not None and not etiquettes.empty:
        position = "middle center"
        if "nom" in etiquettes:  # names of the territories (EPCI: 18 fit on a tablet)
            # « (partie haut-garonnaise) » on a line of its own (one line ran past the map's edge)
            texte = etiquettes["nom"].str.replace(" (partie ", "<br>(partie ", regex=False)
            taille = 11
            position = positions_noms(etiquettes, texte, geojson, taille)
        else:  # too many to name (communes): the secret and non-computable ones get their mark
            pos = df[["territoire", "secret"]].assign(vide=np.isnan(z)).merge(etiquettes, on="territoire")
            etiquettes = pos[pos["vide"] | pos["secret"]]
            texte, taille = np.where(etiquettes["secret"], "s", "n. c."), 9
        fig.add_trace(go.Scattergeo(
            lon=etiquettes["lon"], lat=etiquettes["lat"], text=texte, mode="text", hoverinfo="skip",
            textposition=position,
            textfont=dict(size=taille, color="#111111", shadow="0 0 3px #ffffff, 0 0 2px #ffffff"),
            showlegend=False, name="étiquettes"))
    fond_de_carte(fig, voisins, geojson)
    fig.update_layout(
        height=hauteur, margin=dict(l=0, r=0, t=0, b=0), clickmode="event+select", dragmode=False,
        separators=",\u202f",
        legend=dict(title=dict(text=titre_legende, side="top"), orientation="h", x=0, xanchor="left",
                    y=0, yanchor="top", font=dict(size=13, color="#1a1a1a"), itemclick=False,
                    itemdoubleclick=False, entrywidthmode="fraction", entrywidth=0.33),
        font=dict(color="#1a1a1a"))
    return fig


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
            dehors = _recouvrement(boite, boite) - _recouvrement(boite, (0.0, 0.0, *cadre))
            cout = round(dehors + sum(_recouvrement(boite, b) for b in placees), 3)  # px²
            couts.append((cout, boite, pos))
            if cout == 0:
                break
        _, boite, positions[i] = min(couts, key=lambda c: c[0])  # the first free, else the least hidden
        placees.append(boite)
    return positions


def _recouvrement(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
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


# --- Establishments as points (pydeck) ----------------------------------------------------

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
            if not any(_recouvrement(boite, e) for e in ecrites):
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
