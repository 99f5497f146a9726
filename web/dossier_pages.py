"""Streamlit's pages/ folder mode, turned off. The project has a pages/ folder, so Streamlit
runs a page alone (its old multipage mode, without app.py) until app.py has called
st.navigation once: a link opened first after a server start showed no navigation, no demo
banner and no clear page for a missing database. The served app (web/asgi.py) turns the mode
off before the first visit; a page run otherwise (`streamlit run app.py`) turns it off and
reruns, so that app.py frames it (web.ui.cadre_application)."""

from __future__ import annotations

from streamlit.runtime.pages_manager import PagesManager  # no public switch for this mode


def quitter() -> bool:
    """Turn the mode off (Streamlit only sets it while it is None); True when it was on."""
    etait = bool(PagesManager.uses_pages_directory)
    PagesManager.uses_pages_directory = False
    return etait
