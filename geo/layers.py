"""Map layers built from the simplified geometries stored in the database."""

from __future__ import annotations

import json

import pandas as pd
import plotly.express as px

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
