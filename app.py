"""Entry point: page config, navigation over pages/, shared sidebar and demo banner."""

import streamlit as st

from ess import ui
from ess.db import COMMANDE_BUILD, BaseIndisponible

st.set_page_config(page_title="ESS en Haute-Garonne", page_icon="🤝", layout="wide")

navigation = st.navigation({
    "Vue d'ensemble": [
        st.Page("pages/accueil.py", title="Accueil", icon="🏠", default=True),
    ],
    "À propos": [
        st.Page("pages/sources.py", title="Sources et méthodes", icon="📚", url_path="sources"),
    ],
})

try:
    ui.connexion()
except BaseIndisponible as exc:
    st.title("Tableau de bord de l'ESS")
    st.error(str(exc))
    st.markdown(f"Pour construire la base de démonstration : `{COMMANDE_BUILD}`")
    st.stop()

ui.bandeau_demo()
navigation.run()
