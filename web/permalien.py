"""The view lives in the URL query string (territory, comparison territory, metric, year,
level, view...), so a link restores it. Every value read from the URL is validated against
the values the page offers; an unknown one gives a French message and the default.

`lire*` and `lien` are plain functions (tested without Streamlit); `choix` and
`bouton_lien` are the Streamlit glue the pages call.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from html import escape
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import duckdb
import streamlit as st

from ess.codes_territoire import TerritoireInvalide, resoudre
from ess.noms import dans as dans_la_phrase

# Query-string names shared by the pages.
TERRITOIRE, COMPARAISON, METRIQUE, ANNEE, NIVEAU, VUE = (
    "territoire", "comparaison", "metrique", "annee", "niveau", "vue")


def lire(params: Mapping[str, str], nom: str, admis: Mapping[str, str] | list[str], defaut: str,
         libelle: str) -> tuple[str, str | None]:
    """The value of `nom` if it is one of `admis`, else `defaut` and a message."""
    demande = params.get(nom)
    if demande in (None, ""):
        return defaut, None
    if demande in admis:
        return demande, None
    nom_defaut = admis.get(defaut, defaut) if isinstance(admis, Mapping) else defaut
    return defaut, f"{libelle} « {demande} » inconnu(e) dans le lien : « {nom_defaut} » affiché(e)."


def lire_territoire(con: duckdb.DuckDBPyConnection, params: Mapping[str, str], nom: str,
                    defaut: str | None, libelle: str = "Territoire") -> tuple[str | None, str | None]:
    """A territory code checked against the database (never pasted into SQL)."""
    demande = params.get(nom)
    if demande in (None, ""):
        return defaut, None
    try:
        return resoudre(con, demande).code, None
    except TerritoireInvalide as exc:
        return defaut, f"{libelle} du lien ignoré : {exc}"


def lien(base: str | None, params: Mapping[str, object]) -> str:
    """The shareable URL of a view (codes such as `epci:243100518` stay readable)."""
    requete = urlencode({k: str(v) for k, v in params.items() if v not in (None, "")}, safe=":,")
    return f"{base or ''}?{requete}"


# --- Streamlit glue -----------------------------------------------------------------------

def choix(nom: str, libelle: str, options: Mapping[str, str], defaut: str,
          widget: str = "selectbox", conteneur=st.sidebar, cle: str | None = None, **kwargs) -> str:
    """A widget (`selectbox` or `radio` of `conteneur`) whose value starts from the URL and
    is written back into it. A value the link gets wrong is said in the page itself (a warning
    in the sidebar, folded on a tablet, was never seen). `cle`: the widget's key when its
    options change wholesale (another level): a new widget, whose box shows its own value."""
    cles, cle = list(options), cle or f"url_{nom}"
    ecrit = f"ecrit_{nom}"  # what this session last wrote into the URL for `nom`
    if cle in st.session_state and st.session_state[cle] not in options:
        del st.session_state[cle]  # options changed under the widget's value: back to the URL
    demande = st.query_params.get(nom)
    if demande not in (None, "", *options) and demande == st.session_state.get(ecrit):
        # the page made its own value stale (another level, another year): it goes, silently;
        # the link was not wrong, the page moved on
        st.query_params.pop(nom)
    valeur, message = lire(st.query_params, nom, options, defaut, libelle)
    if message:
        st.warning(message)
    if cle not in st.session_state:  # first run of the widget: its value comes from the URL
        kwargs["index"] = cles.index(valeur)
    resultat = getattr(conteneur, widget)(libelle, cles, format_func=options.get, key=cle, **kwargs)
    if resultat in (None, ""):
        st.query_params.pop(nom, None)
    else:
        st.query_params[nom] = resultat
    st.session_state[ecrit] = resultat
    return resultat


def bouton_lien(noms: list[str], source: str | None = None) -> None:
    """"Copier le lien": a visible button (a tap copies, no hover needed) and the link in a
    read-only field that can be selected by hand when the browser refuses the clipboard; on
    paper, the link, the source and the date (web/habillage.js holds the click handler and the
    print stylesheet)."""
    params = {n: st.query_params.get(n) for n in noms}
    url = lien(st.context.url, params)
    from web.ui import base  # web.ui imports this module

    st.html(html_lien(url, source, datetime.now(ZoneInfo("Europe/Paris")), dans_la_phrase(base().nom)))


def html_lien(url: str, source: str | None, quand: datetime, ou: str = "") -> str:
    """`ou`: where the dashboard is about (« en Haute-Garonne »), printed under the view."""
    u = escape(url, quote=True)
    tableau = f"Tableau de bord de l'ESS {ou}" if ou else "Tableau de bord de l'ESS"
    imprime = (f"Lien de cette vue : {escape(url)}" + (f" · Source : {escape(source)}" if source else "")
               + f" · {escape(tableau)}, consulté le {quand:%d/%m/%Y à %H h %M}.")
    return (
        '<div class="ess-lien">'
        f'<button type="button" class="ess-copier" data-lien="{u}">Copier le lien</button>'
        f'<input class="ess-lien-texte" type="text" readonly value="{u}" aria-label="Lien de cette vue" '
        'title="Lien qui rouvre cette vue (territoire, indicateur, année…)">'
        '<span class="ess-lien-etat" role="status" aria-live="polite"></span></div>'
        f'<p class="ess-imprime">{imprime}</p>'
    )
