"""Streamlit glue shared by app.py and the pages: cached connection and queries, sidebar
state kept in the URL, demo banner, provenance. No business logic here."""

from __future__ import annotations

import importlib
from html import escape

import streamlit as st

from ess import donnees_ouvertes, indicateurs, noms, reperes
from ess import format as fr
from ess.codes_territoire import territoire_base
from ess.db import chemin_base, connecter
from ess.exports.csv import FIN_DE_LIGNE_TABLEAUX, table_csv
from ess.provenance import infos_build, millesime, sources_demo, sources_lisibles
from ess.suivi.structure import plan_du_departement
from geo.perimetre import Perimetre
from web import dossier_pages
from web import habillage as _habillage


def cadre_application() -> None:
    """First statement of every page: a page Streamlit ran alone, without app.py (its pages/
    folder mode, web/dossier_pages.py), is run again, framed by app.py."""
    from streamlit import config  # AppTest patches this module's get_option, not st.get_option

    # AppTest sets the mode back before each of its runs: a rerun there would eat widget clicks.
    if not config.get_option("global.appTest") and dossier_pages.quitter():
        st.rerun()


def habillage() -> None:
    """Language, French framework strings, contrast, tablet and print styles (web/habillage.py),
    sent once per run from app.py; the sidebar holds it so it takes no room in the page."""
    st.sidebar.html(_habillage.html(), unsafe_allow_javascript=True)


def cle_base() -> tuple[str, float]:
    """Path and modification time: a rebuilt (swapped) file gets a new connection."""
    p = chemin_base()
    return str(p), p.stat().st_mtime if p.exists() else 0.0


@st.cache_resource(max_entries=2)
def _connexion(chemin: str, mtime: float):
    return connecter(chemin)


def connexion():
    """A cursor per call: one DuckDB connection must not serve concurrent script runs."""
    return _connexion(*cle_base()).cursor()


@st.cache_data(ttl=3600, max_entries=4, show_spinner=False)
def _base(cle: tuple) -> Perimetre:
    return territoire_base(connexion())


def base() -> Perimetre:
    """The database's département or région: titles and sentences name it from here."""
    return _base(cle_base())


def plan():
    """The département's ESS plan (data/plan_*.toml), None without one or for a région."""
    b = base()
    return None if b.region else plan_du_departement(b.code)


def sans_plan() -> str:
    """Why the plan pages have nothing to show."""
    b = base()
    if b.region:
        return (f"Cette base couvre {noms.le(b.nom)} : les plans ESS sont départementaux, leur suivi "
                "se fait dans la base d'un département (python -m etl build --departement CODE).")
    return (f"Aucun plan ESS départemental n'est enregistré pour {noms.le(b.nom)} : la structure d'un "
            "plan (leviers, enjeux, fiches actions) se décrit dans un fichier data/plan_*.toml "
            "portant le code du département.")


# `cle` (database path, mtime) is hashed on purpose: a rebuilt database is read anew.
@st.cache_data(ttl=3600, max_entries=64, show_spinner=False)
def chiffres(code: str, annee: int, perimetre: str, cle: tuple) -> dict:
    return indicateurs.chiffres_cles(connexion(), code, annee, perimetre)


@st.cache_data(ttl=3600, max_entries=16, show_spinner=False)
def chiffres_departement(annee: int, cle: tuple) -> dict:
    return indicateurs.chiffres_departement(connexion(), annee)


@st.cache_data(ttl=3600, max_entries=256, show_spinner=False)
def _calcul(module: str, nom: str, args: tuple, cle: tuple):
    return getattr(importlib.import_module(module), nom)(connexion(), *args)


def calcul(fonction, *args):
    """`fonction(con, *args)` cached per database build, for the read functions of ess/ (pure
    queries over the read-only database): pages then pay a query once, not at every rerun."""
    return _calcul(fonction.__module__, fonction.__name__, args, cle_base())


@st.cache_resource(ttl=3600, max_entries=128, show_spinner=False)
def _figure(module: str, nom: str, args: tuple, cle: tuple):
    return getattr(importlib.import_module(module), nom)(connexion(), *args)


def figure(fonction, *args):
    """The chart `fonction(con, *args)` (web.graphiques, ess.carte_vue), built once per database build and
    shared by every session, not copied: callers only pass it to st.plotly_chart, which reads it."""
    return _figure(fonction.__module__, fonction.__name__, args, cle_base())


def annee_selectionnee() -> int:
    """Year chosen in the sidebar (kept in the URL as ?annee=)."""
    annees = calcul(indicateurs.annees)
    defaut = calcul(indicateurs.annee_par_defaut)
    demande = st.query_params.get("annee")
    valeur = int(demande) if demande and demande.isdigit() and int(demande) in annees else defaut
    if demande and str(valeur) != demande:  # in the page: a folded sidebar (a tablet) hid it
        st.warning(f"Année « {demande} » indisponible : {valeur} affichée.")
    annee = st.sidebar.selectbox("Année", annees, index=annees.index(valeur), key="annee")
    if defaut != annees[-1] and annee == defaut:
        # the demo is calibrated on the plan's published figures, which are those of this year
        pourquoi = ("année des chiffres publiés par le plan, sur lesquels la démonstration est calée"
                    if calcul(infos_build).get("demo") == "oui" else "année de référence")
        st.sidebar.caption(f"{defaut} : {pourquoi}. Année la plus récente chargée : {annees[-1]}.")
    st.query_params["annee"] = str(annee)
    return annee


FICTIVES = {"etablissements": "les établissements", "emploi": "les emplois par commune",
            "projets": "les projets"}


def bandeau_demo() -> None:
    if calcul(infos_build).get("demo") != "oui":
        return
    # The SIES may have loaded its real register over the demo (page « Données »): name what
    # is still fictitious.
    demo = calcul(sources_demo)
    fictives = [texte for source, texte in FICTIVES.items() if source in demo]
    if not fictives:
        return
    liste = fictives[0] if len(fictives) == 1 else f"{', '.join(fictives[:-1])} et {fictives[-1]}"
    calage = (f"aucun chiffre publié pour {base().en_phrase('ce')} : la structure de la démonstration est "
              "rapportée à sa population" if calcul(infos_build).get("demo_sans_calage") == "oui"
              else "calés sur les chiffres publiés du plan")
    st.warning(
        f"**Données de démonstration** : {liste} sont "
        f"fictifs ({calage}). Chargez les fichiers officiels pour des "
        "données réelles.",
        icon=":material/warning:",
    )


def _source(texte: str) -> str:
    return f"Source : {texte}"


def source(texte: str) -> None:
    st.caption(_source(texte))


def provenance() -> None:
    info = calcul(infos_build)
    # Lazy: the table is built and drawn only once the expander is opened (every page has it).
    boite = st.expander("Provenance des données", key="provenance", on_change="rerun")
    if not boite.open:
        return
    with boite:
        tableau(calcul(sources_lisibles))
        st.caption(
            f"Base construite le {fr.date_heure(info.get('date_construction')) or '?'} · géographie "
            f"{info.get('annee_geographie', '?')} · années d'emploi "
            f"{millesime(info.get('annees_emploi', '')) or '?'}"
        )


def metrique(label: str, valeur, aide: str | None = None) -> None:
    st.metric(label, valeur if isinstance(valeur, str) else fr.nombre(valeur), help=aide)


# Up to this many rows a long table also prints whole (the 586 communes: ~20 A4 pages);
# beyond (a département's 4 557 establishments, 1,7 Mo of HTML, +3 s per page view), the
# printed page says where the whole list is.
LIGNES_IMPRIMEES = 1000


def html_tableau(df, decimales: dict | None = None, classe: str = "ess-tableau",
                 titre: str = "", champ: str = "") -> str:
    """`df` as a plain HTML table, numbers in French, text escaped; `titre` and `champ` (what is
    counted) in its caption, so a screen reader announces the table by its title (RGAA 5.4)."""
    texte = fr.tableau(df, decimales)
    # figures right-aligned (class "n"), so that units sit under units, as in INSEE's tables
    n = [' class="n"' if fr.colonne_chiffree(c, texte[c]) else "" for c in texte.columns]

    def cellule(v) -> str:
        return "" if fr.vide(v) else escape(str(v))

    tete = "".join(f"<th{a}>{escape(str(c))}</th>" for c, a in zip(texte.columns, n, strict=True))
    corps = "".join("<tr>" + "".join(f"<td{a}>{cellule(v)}</td>" for v, a in zip(ligne, n, strict=True))
                    + "</tr>" for ligne in texte.itertuples(index=False, name=None))
    legende = "" if not titre else "<caption>" + (
        f'<span class="ess-tableau-titre">{escape(titre)}</span>'
        + (f'<span class="ess-legende">Champ : {escape(champ)}</span>' if champ else "")) + "</caption>"
    return (f'<table class="{classe}">{legende}<thead><tr>{tete}</tr></thead>'
            f"<tbody>{corps}</tbody></table>")


def tableau_statique(html: str, source: str = "") -> None:
    """An HTML table (html_tableau) in a box of its own: a table wider than the screen
    scrolls (habillage: keyboard too). Its source under it in the same element: a fiche has
    ~15 tables, and each element costs the browser a few milliseconds to draw."""
    pied = f'<p class="ess-legende">{escape(_source(source))}</p>' if source else ""
    st.html(f'<div class="ess-tableau-bloc"><div class="ess-tableau-boite">{html}</div>{pied}</div>')


def tableau(df, decimales: dict | None = None, grand: int = 40, source: str = "", **kwargs) -> None:
    """A table that shows its numbers on a tablet and prints whole: up to `grand` rows, a
    static HTML table (every column and row, text wraps, numbers in French; st.table would
    draw each cell as Markdown, the slowest part of a page in the browser); longer ones stay an
    interactive grid (scroll, sort), whose column widths come in `column_config`, doubled by
    a plain HTML copy that only the printer sees (a grid is a canvas: it would print the
    rows in view only). `source`: the « Source : » line under it."""
    if len(df) <= grand:
        tableau_statique(html_tableau(df, decimales), source)
        return
    st.dataframe(df, hide_index=True, width="stretch", **kwargs)
    if len(df) <= LIGNES_IMPRIMEES:
        st.html(html_tableau(df, decimales, "ess-imprime-tableau"))
    else:
        st.html(f'<p class="ess-imprime">Tableau de {fr.nombre(len(df))} lignes, trop long pour '
                "cette page imprimée : il est complet dans les téléchargements (CSV, XLSX, PDF).</p>")
    if source:
        st.caption(_source(source))


def bouton_csv(libelle: str, df, nom_fichier: str, key: str | None = None) -> None:
    """A table of the page offered as CSV (the one writer, ess.exports.csv), made on click
    only (a callable): no CSV built at every rerun."""
    st.download_button(libelle, lambda: table_csv(df, FIN_DE_LIGNE_TABLEAUX), file_name=nom_fichier,
                       mime="text/csv", key=key, on_click="ignore")


def bouton_donnees_ouvertes() -> None:
    """The open dataset of the database in service (ess.donnees_ouvertes), made on click and
    kept per build; in its place, why not when the database did not prove its secret."""
    if refus := calcul(donnees_ouvertes.refus):
        st.warning(refus)
        return
    nom = calcul(donnees_ouvertes.nom_du_lot)
    st.download_button("Télécharger les données ouvertes (zip : CSV, schémas, métadonnées)",
                       lambda: _donnees_ouvertes(cle_base()), file_name=f"{nom}.zip", mime="application/zip",
                       key="donnees_ouvertes", on_click="ignore")


@st.cache_data(ttl=3600, max_entries=2, show_spinner=False)
def _donnees_ouvertes(cle: tuple) -> bytes:
    return donnees_ouvertes.produire(connexion()).zip()


def situation_nationale(annee: int) -> None:
    """The database's département beside its région and France, or its région beside France
    (SIRENE establishments, its rank): Accueil and Territoires show the same block; nothing
    when no national comparison."""
    s = calcul(reperes.situer, annee)
    if not s:
        return
    nom = base().nom
    st.header(reperes.titre(base()))
    st.markdown(s["phrase"])
    tableau(s["tableau"], {"Part de l'ESS (%)": 1}, source=s["source"])
    evo = s["evolution"]
    st.markdown(f"**Part de l'ESS dans les établissements employeurs privés (%), {evo['Année'].min()} "
                f"à {evo['Année'].max()}**")
    tableau(evo, {c: 1 for c in evo.columns if c != "Année"} | {"Année": 0},
            source=s["source_evolution"])
    if calcul(reperes.departements, annee) is None:  # a database built before the contours
        return
    # on demand: two maps of départements made the page a quarter slower to draw
    if not st.toggle("Voir les cartes des départements (région et France)", key="cartes_departements"):
        return
    from geo.plotly_francais import CONFIG_PLOTLY
    from web import graphiques

    st.markdown(f"**Part de l'ESS dans les établissements employeurs privés par département, {annee}**")
    gauche, droite = st.columns(2)
    for colonne, etendue, titre in ((gauche, "region", s["region"]),
                                    (droite, "france", "France métropolitaine")):
        with colonne:
            st.markdown(f"*{titre}* — trait épais : {nom}")
            st.plotly_chart(figure(graphiques.carte_departements, annee, etendue), config=CONFIG_PLOTLY,
                            width="stretch", key=f"carte_departements_{etendue}")
    dom = calcul(reperes.outre_mer, annee)
    parts = [f"{n} : {fr.ou_non_disponible(fr.pourcent, p)}"
             for n, p in zip(dom["nom"], dom["part"], strict=True)]
    st.caption(f"Outre-mer, hors de la carte : {', '.join(parts)}. Source : {s['source']}.")
