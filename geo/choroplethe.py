"""Choropleth maps of the territories (plotly, no tile server: they work offline): on a
continuous scale, or in classes with secret and non-computable territories marked apart, the
neighbouring départements drawn pale around them."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import shapely
import shapely.geometry

from geo.classes import Classes, couleurs
from geo.etiquettes import places_voisins, positions_noms
from geo.territoires import MARGE_FOND_DEG


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


def ajouter_voisins(fig: go.Figure, fond: pd.DataFrame | None, geojson: dict,
                    placees: list | None = None) -> None:
    """Put the neighbouring départements (`fond`: territoire, nom, geojson, lon, lat; None for
    a database built before it existed) under the map's traces, and frame the view on the
    map's own territories (`fitbounds` would widen it to the background). Their names go
    where they cover neither the territory nor a name already written (`placees`, the boxes
    of geo.etiquettes), else are left out."""
    if fond is None or fond.empty:
        fig.update_geos(fitbounds="locations", visible=False, projection_type="mercator")
        return
    formes = [shapely.geometry.shape(f["geometry"]) for f in geojson["features"]]
    x0, y0, x1, y1 = shapely.total_bounds(formes)
    noms = places_voisins(fond, geojson, TAILLE_VOISINS, placees)
    fig.add_trace(go.Choropleth(
        geojson=feature_collection(fond), locations=fond["territoire"], z=np.zeros(len(fond)),
        featureidkey="id", colorscale=[[0, FOND_REMPLI], [1, FOND_REMPLI]], showscale=False,
        showlegend=False, marker_line_color=FOND_CONTOUR, marker_line_width=1.5, hoverinfo="skip",
        name="départements voisins"))
    fig.add_trace(go.Scattergeo(
        lon=noms["lon"], lat=noms["lat"], text=noms["nom"], mode="text", hoverinfo="skip",
        textposition=noms["position"],
        textfont=dict(size=TAILLE_VOISINS, color=FOND_TEXTE, style="italic"),
        showlegend=False, name="voisins"))
    fig.data = fig.data[-2:] + fig.data[:-2]  # drawn first, under the territories
    marge = MARGE_FOND_DEG / 2  # the part of the neighbours where their names were placed
    fig.update_geos(visible=False, projection_type="mercator", fitbounds=False,
                    lonaxis_range=[x0 - marge, x1 + marge], lataxis_range=[y0 - marge, y1 + marge])


TAILLE_NOMS, TAILLE_VOISINS = 11, 12


def noms_territoires(fig: go.Figure, etiquettes: pd.DataFrame, geojson: dict,
                     marques: dict[str, str] | None = None) -> list:
    """The territories' names (`etiquettes`: territoire, nom, lon, lat), each with its mark
    (`marques`, by territory: « s », « n. c. ») on a line under it; returns the boxes they take,
    for the background's names."""
    # « (partie haut-garonnaise) » on a line of its own (one line ran past the map's edge)
    texte = etiquettes["nom"].str.replace(" (partie ", "<br>(partie ", regex=False)
    if marques:
        marque = [marques.get(t, "") for t in etiquettes["territoire"]]
        texte = pd.Series([f"{t}<br><b>{m}</b>" if m else t for t, m in zip(texte, marque, strict=True)],
                          index=etiquettes.index)
    placees: list = []
    position = positions_noms(etiquettes, texte, geojson, TAILLE_NOMS, placees)
    fig.add_trace(go.Scattergeo(
        lon=etiquettes["lon"], lat=etiquettes["lat"], text=texte, mode="text", hoverinfo="skip",
        textposition=position,
        textfont=dict(size=TAILLE_NOMS, color="#111111", shadow="0 0 3px #ffffff, 0 0 2px #ffffff"),
        showlegend=False, name="étiquettes"))
    return placees


def choroplethe(df: pd.DataFrame, valeur: str, titre_legende: str, survol: dict[str, str],
                hauteur: int = 560, voisins: pd.DataFrame | None = None,
                etiquettes: pd.DataFrame | None = None):
    """Choropleth on a continuous scale with no basemap tiles (works offline). `survol`: tooltip
    lines {label: column of already formatted text}, written « label : value »; `etiquettes`
    (territoire, nom, lon, lat): the territories' names."""
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
    placees = (noms_territoires(fig, etiquettes, geojson) if etiquettes is not None and not etiquettes.empty
               else [])
    ajouter_voisins(fig, voisins, geojson, placees)
    fig.update_layout(height=hauteur, margin=dict(l=0, r=0, t=0, b=0), separators=",\u202f",
                      font=dict(color="#1a1a1a"))
    return fig


def entourer(fig: go.Figure, df: pd.DataFrame, nom: str = "territoire étudié") -> None:
    """Outline territories (`df`: territoire, geojson) in dark over a map: the one the page is
    about, found at a glance among its neighbours."""
    transparent = "rgba(0,0,0,0)"
    fig.add_trace(go.Choropleth(
        geojson=feature_collection(df), locations=df["territoire"], z=np.zeros(len(df)),
        featureidkey="id", colorscale=[[0, transparent], [1, transparent]], showscale=False,
        marker_line_color="#1a1a1a", marker_line_width=3, hoverinfo="skip", name=nom))


# Secret and not computable: white with an outline (≥ 3:1 against white: WCAG 1.4.11) and a
# mark at the centre, so they read apart from every class in greyscale too.
CONTOUR_SECRET = "#1a1a1a"
CONTOUR_ND = "#767676"
BLANC = "#ffffff"
MARQUE_SECRET, MARQUE_ND = "s", "n. c."  # written on the territory
LIBELLE_SECRET = f"{MARQUE_SECRET} : secret statistique"
LIBELLE_ND = f"{MARQUE_ND} : non calculable"


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
            colorscale=[[0, fond], [1, fond]], showscale=False, showlegend=False, legendgroup=nom,
            customdata=survol.to_numpy()[masque], hovertemplate=modele,
            marker_line_color=np.where(choisis == selection, "#d62728", contour),
            marker_line_width=np.where(choisis == selection, 3.5, epaisseur)))
        # Its legend entry: plotly draws a choropleth's swatch without an outline (the secret's
        # white swatch was white on white); a marker's square has one.
        fig.add_trace(go.Scattergeo(
            lon=[None], lat=[None], mode="markers", name=nom, legendgroup=nom, showlegend=True,
            hoverinfo="skip", marker=dict(symbol="square", size=13, color=fond,
                                          line=dict(color=contour, width=max(epaisseur, 1)))))
    marques = {t: m for t, m in zip(ids, np.select([secret, np.isnan(z)], [MARQUE_SECRET, MARQUE_ND], ""),
                                    strict=True) if m}
    placees: list = []
    if etiquettes is not None and not etiquettes.empty:
        if "nom" in etiquettes:  # names of the territories (EPCI: 18 fit on a tablet), each
            # with its mark under it: a white shape is never left unexplained
            placees = noms_territoires(fig, etiquettes, geojson, marques)
        else:  # too many to name (communes): the secret and non-computable ones get their mark
            pos = etiquettes.assign(marque=[marques.get(t, "") for t in etiquettes["territoire"]])
            pos = pos[pos["marque"] != ""]
            fig.add_trace(go.Scattergeo(
                lon=pos["lon"], lat=pos["lat"], text=pos["marque"], mode="text", hoverinfo="skip",
                textposition="middle center",
                textfont=dict(size=9, color="#111111", shadow="0 0 3px #ffffff, 0 0 2px #ffffff"),
                showlegend=False, name="étiquettes"))
    ajouter_voisins(fig, voisins, geojson, placees)
    fig.update_layout(
        height=hauteur, margin=dict(l=0, r=0, t=0, b=0), clickmode="event+select", dragmode=False,
        separators=",\u202f",
        legend=dict(title=dict(text=titre_legende, side="top"), orientation="h", x=0, xanchor="left",
                    y=0, yanchor="top", font=dict(size=13, color="#1a1a1a"), itemclick=False,
                    itemdoubleclick=False, entrywidthmode="fraction", entrywidth=0.33),
        font=dict(color="#1a1a1a"))
    return fig
