"""plotly in French and offline, for every chart of the pages (st.plotly_chart's `config`)."""

from __future__ import annotations

# plotly.js fetches a world topojson from its CDN for every geo map, even with the basemap
# hidden; without network the map is not drawn. Point it at an empty topology served by
# Streamlit's static serving (static/world_110m.json), so maps work offline.
# French tooltips of the toolbar and French number/date format, given with each chart (plotly's
# `config.locales`): Streamlit does not register plotly.js locales.
LOCALE_FR = {
    "dictionary": {
        "Download plot as a png": "Télécharger le graphique (PNG)",
        "Download plot as a PNG": "Télécharger le graphique (PNG)",  # plotly.js 3
        "Download plot as JSON": "Télécharger le graphique (JSON)",
        "Toggle show closest data on hover": "Valeur la plus proche au survol",
        "Zoom in": "Zoomer", "Zoom out": "Dézoomer",
        "Download plot": "Télécharger le graphique",
        "Zoom": "Zoomer", "Pan": "Déplacer",
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
