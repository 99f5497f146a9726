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

PALETTE = px.colors.sequential.Viridis_r  # colour-blind safe, sequential

# plotly.js fetches a world topojson from its CDN for every geo map, even with the basemap
# hidden; without network the map is not drawn. Point it at an empty topology served by
# Streamlit's static serving (static/world_110m.json), so maps work offline.
CONFIG_PLOTLY = {"topojsonURL": "app/static/", "displaylogo": False}


def feature_collection(df: pd.DataFrame, cle: str = "territoire") -> dict:
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "id": row[cle], "properties": {}, "geometry": json.loads(row["geojson"])}
            for _, row in df.iterrows()
        ],
    }


def choroplethe(df: pd.DataFrame, valeur: str, titre_legende: str, survol: dict[str, str],
                hauteur: int = 420):
    """Choropleth with no basemap tiles (works offline): outlines on a white background."""
    fig = px.choropleth(
        df, geojson=feature_collection(df), locations="territoire", color=valeur,
        color_continuous_scale=PALETTE, hover_name="nom", hover_data=survol,
        labels={valeur: titre_legende},
    )
    fig.update_geos(fitbounds="locations", visible=False)
    fig.update_traces(marker_line_color="white", marker_line_width=0.8)
    fig.update_layout(height=hauteur, margin=dict(l=0, r=0, t=0, b=0),
                      coloraxis_colorbar=dict(title=titre_legende))
    return fig


# --- Choropleth in classes (page "Carte") -------------------------------------------------

METHODES_CLASSES = {
    "quantiles": "Quantiles (autant de territoires par classe)",
    "jenks": "Seuils naturels (Jenks)",
    "egales": "Intervalles égaux",
}
GRIS_SECRET = "#9e9e9e"  # hidden by the secret statistique
GRIS_ND = "#e6e6e6"  # not computable (no private job, base year at zero)
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


def couleurs(n: int) -> list[str]:
    """`n` colours of a colour-blind-safe sequential palette (viridis, light = low)."""
    if n <= 1:
        return [px.colors.sequential.Viridis[4]]
    return px.colors.sample_colorscale(px.colors.sequential.Viridis_r, [i / (n - 1) for i in range(n)])


def libelles_classes(bornes: list[float], minimum: float, formater) -> list[str]:
    """« 2,1 à 5,3 » for each class, from the lowest value to each upper bound."""
    bas = [minimum, *bornes[:-1]]
    return [f"{formater(b)} à {formater(h)}" for b, h in zip(bas, bornes, strict=True)]


def carte_classes(df: pd.DataFrame, geojson: dict, classes: Classes, libelles: list[str],
                  titre_legende: str, survol: pd.DataFrame, selection: str | None = None,
                  hauteur: int = 560) -> go.Figure:
    """One choropleth trace (the GeoJSON is sent once) coloured by class; secret and
    non-computable territories in two greys listed in the legend; `survol` holds the
    tooltip lines (first column in bold). The selected territory gets a thick outline."""
    n = len(classes.bornes)
    palette = couleurs(n)
    categories = [*libelles]
    teintes = [*palette]
    z = classes.indices.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    for masque, libelle, teinte in ((df["secret"].to_numpy(), LIBELLE_SECRET, GRIS_SECRET),
                                    (np.isnan(z) & ~df["secret"].to_numpy(), LIBELLE_ND, GRIS_ND)):
        if masque.any():
            z = np.where(masque, len(categories), z)
            categories.append(libelle)
            teintes.append(teinte)
    m = max(len(categories), 1)
    echelle = []
    for i, teinte in enumerate(teintes):
        echelle += [[i / m, teinte], [(i + 1) / m, teinte]]
    choisi = (df["territoire"] == selection).to_numpy()
    fig = go.Figure(go.Choropleth(
        geojson=geojson, locations=df["territoire"], z=z, featureidkey="id",
        colorscale=echelle or [[0, GRIS_ND], [1, GRIS_ND]], zmin=-0.5, zmax=m - 0.5,
        customdata=survol.to_numpy(),
        hovertemplate="<b>%{customdata[0]}</b>"
                      + "".join(f"<br>%{{customdata[{i}]}}" for i in range(1, survol.shape[1]))
                      + "<extra></extra>",
        marker_line_color=np.where(choisi, "#d62728", "white"),
        marker_line_width=np.where(choisi, 3.0, 0.6),
        colorbar=dict(title=dict(text=titre_legende, side="top"), tickvals=list(range(m)),
                      ticktext=categories, len=0.9, thickness=18, outlinewidth=0),
    ))
    fig.update_geos(fitbounds="locations", visible=False)
    fig.update_layout(height=hauteur, margin=dict(l=0, r=0, t=0, b=0), clickmode="event+select",
                      dragmode=False)
    return fig


# --- Establishments as points (pydeck) ----------------------------------------------------

def carte_points(points: pd.DataFrame, contours: dict) -> pdk.Deck:
    """ESS establishments over territory outlines. `map_style=None`: Streamlit shows its
    themed Carto basemap when the tiles are reachable; offline the basemap request fails
    and the outlines and points are drawn on a plain background."""
    couches = [
        pdk.Layer("GeoJsonLayer", contours, stroked=True, filled=True, get_fill_color=[245, 245, 245, 80],
                  get_line_color=[90, 90, 90], line_width_min_pixels=1, pickable=False),
        pdk.Layer("ScatterplotLayer", points, get_position=["lon", "lat"], get_radius=120,
                  radius_min_pixels=2, radius_max_pixels=8, get_fill_color=[68, 1, 84, 170],
                  pickable=True),
    ]
    vue = pdk.ViewState(longitude=1.23, latitude=43.33, zoom=7.6)
    return pdk.Deck(layers=couches, initial_view_state=vue, map_style=None,
                    tooltip={"html": "<b>{nom}</b><br>{famille} · {libelle_naf}<br>{commune}"})
