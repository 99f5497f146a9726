"""Entry point: page config, navigation over pages/, shared sidebar and demo banner."""

import streamlit as st

from ess import noms
from ess.db import COMMANDE_BUILD, BaseIndisponible
from web import ui

# The favicon stays an emoji: a Material icon favicon is fetched from fonts.gstatic.com.
st.set_page_config(page_title="Tableau de bord de l'ESS", page_icon="🤝", layout="wide")

# Each page's URL is its file name: on a cold start Streamlit resolves the first URL against
# the pages/ folder before st.navigation runs, and an explicit url_path that differs from
# the file name then shows a "Page not found" dialog on shared links.
navigation = st.navigation({
    "Vue d'ensemble": [
        st.Page("pages/accueil.py", title="Accueil", icon=":material/home:", default=True),
        st.Page("pages/carte.py", title="Carte", icon=":material/map:"),
        st.Page("pages/territoires.py", title="Territoires", icon=":material/location_city:"),
    ],
    "Plan ESS": [
        st.Page("pages/bilan.py", title="Bilan 2020-2025", icon=":material/insights:"),
        st.Page("pages/suivi.py", title="Suivi du plan 2025-2028", icon=":material/task_alt:"),
    ],
    "Extractions": [
        st.Page("pages/data_ess.py", title="Data ESS", icon=":material/download:"),
    ],
    "À propos": [
        st.Page("pages/sources.py", title="Sources et méthodes", icon=":material/menu_book:"),
    ],
    "Administration": [
        st.Page("pages/donnees.py", title="Données", icon=":material/database:"),
    ],
})

ui.habillage()

try:
    ui.connexion()
except BaseIndisponible as exc:
    st.set_page_config(page_title=f"{navigation.title} — Tableau de bord de l'ESS")
    st.title("Tableau de bord de l'ESS")
    st.error(str(exc))
    st.markdown(f"Pour construire la base de démonstration : `{COMMANDE_BUILD}`")
    st.stop()

# One document title per page (screen readers, tabs, history): "Carte — ESS en Haute-Garonne",
# the département (or région) read from the database.
st.set_page_config(page_title=f"{navigation.title} — ESS {noms.dans(ui.base().nom)}")

ui.bandeau_demo()
navigation.run()
