"""Static charts of the bilan, rendered server-side as PNG with matplotlib (no browser).

Uses the object API (`Figure`, not pyplot): no global state, safe in Streamlit's threads.
"""

from __future__ import annotations

import io
import json

import geopandas as gpd
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter
from shapely.geometry import shape

from ess import format as fr

BLEU, VERT = "#00609c", "#5aa469"  # primary colour of the app's theme; a colour-blind-safe pair
_fmt = FuncFormatter(lambda x, _pos: fr.nombre(x))


def _png(fig: Figure) -> bytes:
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=150, bbox_inches="tight")
    return out.getvalue()


def projets_par_annee(df: pd.DataFrame) -> bytes:
    fig = Figure(figsize=(7, 3.2))
    ax = fig.subplots()
    x = range(len(df))
    ax.bar([i - 0.2 for i in x], df["projets_accueillis"], width=0.4, color=BLEU, label="Accueillis")
    ax.bar([i + 0.2 for i in x], df["projets_finances"], width=0.4, color=VERT, label="Financés")
    ax.set_xticks(list(x), [str(a) for a in df["annee"]])
    ax.set_ylabel("Projets")
    ax.yaxis.set_major_formatter(_fmt)
    ax.legend(frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def barres(df: pd.DataFrame, libelle: str, valeur: str, titre_axe: str) -> bytes:
    """Horizontal bars, largest on top (themes, funding schemes, zones)."""
    d = df.sort_values(valeur)
    fig = Figure(figsize=(7, 0.45 * len(d) + 1))
    ax = fig.subplots()
    ax.barh([str(v) for v in d[libelle]], d[valeur], color=BLEU)
    ax.xaxis.set_major_formatter(_fmt)
    ax.set_xlabel(titre_axe)
    for y, v in enumerate(d[valeur]):
        ax.annotate(fr.nombre(v), (v, y), xytext=(3, 0), textcoords="offset points",
                    va="center", fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def carte_epci(df: pd.DataFrame, valeur: str, titre_legende: str) -> bytes:
    """Choropleth of the EPCI from the stored (simplified) outlines."""
    gdf = gpd.GeoDataFrame(df.drop(columns="geojson"),
                           geometry=[shape(json.loads(g)) for g in df["geojson"]], crs="EPSG:4326")
    fig = Figure(figsize=(6, 6))
    ax = fig.subplots()
    gdf.plot(column=valeur, ax=ax, cmap="viridis_r", edgecolor="white", linewidth=0.6,
             legend=True, legend_kwds={"label": titre_legende, "shrink": 0.6, "format": _fmt})
    ax.set_axis_off()
    ax.set_aspect(1.4)  # roughly 1/cos(43.5°): degrees of longitude are shorter here
    return _png(fig)
