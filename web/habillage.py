"""What Streamlit does not let a page set, injected once by app.py (web.ui.habillage): the page
language (Streamlit hard-codes `<html lang="en">`; st.set_page_config has no language in 1.67),
French for the framework's own English strings, contrast of captions (RGAA / WCAG 2.1 AA
1.4.3), valid lists in the navigation, a tablet layout and the print stylesheet."""

from __future__ import annotations

import functools
import json
from pathlib import Path

# Streamlit's and plotly's English strings an élu would see, in French. Only whole strings
# are replaced (text nodes, placeholder, aria-label, title), so page content is never touched.
TRADUCTIONS = {
    "Choose options": "Choisissez",
    "Choose an option": "Choisissez",
    "No results": "Aucun résultat",
    "Drag and drop file here": "Glissez-déposez le fichier ici",
    "Browse files": "Parcourir",
    "Upload": "Parcourir",
    "file upload": "Déposer un fichier",
    "Download as CSV": "Télécharger en CSV",
    "Search": "Rechercher",
    "Fullscreen": "Plein écran",
    "Close fullscreen": "Quitter le plein écran",
    "Show/hide columns": "Afficher ou masquer des colonnes",
    "Show data": "Voir les données",
    "Clear all": "Tout effacer",
    "Clear value": "Effacer",
    "Open": "Ouvrir",
    "Close": "Fermer",
    "Running...": "Calcul en cours…",
    "Stop": "Arrêter",
    "Press Enter to apply": "Entrée pour valider",
    "Press Enter to submit form": "Entrée pour envoyer",
    "Copy to clipboard": "Copier",
    "Collapse sidebar": "Replier le panneau",
    "Expand sidebar": "Déplier le panneau",
    "Main menu": "Menu principal",
    "Show password": "Afficher le mot de passe",
    "Hide password": "Masquer le mot de passe",
    "Link to heading": "Lien vers ce titre",
    "Skip to main content": "Aller au contenu principal",
    "Sidebar": "Panneau latéral",
    # plotly's toolbar, whatever its locale says (Streamlit builds some buttons itself)
    "Download plot as a PNG": "Télécharger le graphique (PNG)",
    "Download plot as a png": "Télécharger le graphique (PNG)",
}

# The stylesheet and the script, static files beside this module. The script runs in the page
# (st.html with JavaScript), once per browser tab; it observes the DOM because React re-renders
# reset what it owns, and collapses the sidebar once on a portrait tablet so the maps get the
# width. It holds no "<": DOMPurify (st.html) drops a script whose text looks like markup.
ICI = Path(__file__).resolve().parent


@functools.cache
def html() -> str:
    css = (ICI / "habillage.css").read_text(encoding="utf-8")
    js = (ICI / "habillage.js").read_text(encoding="utf-8")
    if "<" in js:
        raise ValueError("habillage.js : st.html drops a script containing '<'")
    js = js.replace("__TRADUCTIONS__", json.dumps(TRADUCTIONS, ensure_ascii=False))
    return f"<style>\n{css}</style><script>\n{js}</script>"
