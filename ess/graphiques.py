"""Charts of the pages that depend only on the database and their arguments, so `ui.figure` builds each
once per database build and shares it: building a plotly map costs ~0.1 s of CPU per rerun."""

from __future__ import annotations

import duckdb
import plotly.express as px

from ess import comparaison, portrait, requetes, typologies
from ess import format as fr
from ess.bilan import calculs
from geo.layers import PALETTE, choroplethe


def carte_part_ess_epci(con: duckdb.DuckDBPyConnection, annee: int):
    """Accueil: the ESS share of private employment by EPCI."""
    epci = con.execute(requetes.EPCI_CARTE, [annee]).df()
    epci["part"] = (100 * epci["effectifs_ess"] / epci["effectifs_prive"]).round(1)
    epci["Part ESS"] = epci["part"].map(fr.pourcent)
    epci["Effectifs ESS"] = epci["effectifs_ess"].map(fr.nombre)
    return choroplethe(epci, "part", "Part de l'ESS<br>dans l'emploi privé (%)",
                       {"Part ESS": True, "Effectifs ESS": True, "part": False, "territoire": False})


def carte_projets_epci(con: duckdb.DuckDBPyConnection, annee: int):
    """Bilan: projects financed by EPCI, with projects hosted and amounts in the tooltip."""
    df = calculs.par_epci(con, annee)
    df["Montant"] = df["montant_eur"].map(lambda x: f"{fr.nombre(x)}{fr.ESPACE}€")
    df["Projets accueillis"] = df["projets_accueillis"].map(fr.nombre)
    return choroplethe(df, "projets_finances", "Projets<br>financés",
                       {"Projets accueillis": True, "Montant": True, "territoire": False})


# --- Territoires: a portrait against its reference territory -------------------------------

COULEURS = [PALETTE[2], PALETTE[-3]]  # territory, reference (viridis: colour-blind safe)
MARGES = dict(l=0, r=0, t=10, b=0)
LEGENDE_DESSOUS = dict(orientation="h", y=-0.2)
TITRES_TYPOLOGIES = {"part_ess_prive": "Part de l'ESS dans l'emploi privé (%)",
                     "part_emplois_ess_departement": "Part des emplois ESS du département (%)"}


def barres_familles(con: duckdb.DuckDBPyConnection, code: str, ref: str, annee: int):
    fam = comparaison.familles(con, code, ref, annee)
    fig = px.bar(fam, x="libelle", y="part", color="territoire", barmode="group",
                 color_discrete_sequence=COULEURS,
                 labels={"libelle": "", "part": "Part des effectifs ESS (%)", "territoire": ""})
    return fig.update_layout(height=360, margin=MARGES, legend=LEGENDE_DESSOUS)


def courbes_evolution(con: duckdb.DuckDBPyConnection, code: str, ref: str):
    evo = comparaison.evolution(con, code, ref)
    fig = px.line(evo, x="annee", y="part_ess_prive", color="territoire", markers=True,
                  color_discrete_sequence=COULEURS,
                  labels={"annee": "", "part_ess_prive": "Part de l'ESS dans l'emploi privé (%)",
                          "territoire": ""})
    return fig.update_layout(height=360, margin=MARGES, legend=LEGENDE_DESSOUS)


def barres_secteurs(con: duckdb.DuckDBPyConnection, code: str, annee: int):
    """ESS jobs by A21 section; sections under the secret have no bar."""
    sec = portrait.secteurs(con, code, annee, "ess")
    a21 = sec[sec["niveau"] == "a21"]
    fig = px.bar(a21.sort_values("effectifs"), x="effectifs", y="libelle", orientation="h",
                 color_discrete_sequence=[PALETTE[3]],
                 labels={"effectifs": "Effectifs salariés de l'ESS", "libelle": ""})
    return fig.update_layout(height=max(240, 28 * len(a21)), margin=MARGES)


def barres_typologies(con: duckdb.DuckDBPyConnection, annee: int, mesure: str):
    """Rural et métropole: one bar per territory type, for `mesure` (a column of
    typologies.comparaison)."""
    df = typologies.comparaison(con, annee)
    fig = px.bar(df, x=mesure, y="nom", color="type", orientation="h",
                 color_discrete_sequence=px.colors.qualitative.Safe,
                 labels={mesure: TITRES_TYPOLOGIES[mesure], "nom": "", "type": "Type de territoire"})
    return fig.update_layout(height=420, margin=MARGES, yaxis=dict(autorange="reversed"))


# --- Bilan: the register's breakdowns ------------------------------------------------------

LIBELLES_BILAN = {"projets_accueillis": "Projets accueillis", "projets_finances": "Projets financés",
                  "montant_eur": "Montant (€)"}


def _barres(df, categorie: str, mesures: list[str], horizontal: bool):
    """Grouped bars, one per measure, labelled in French; colour-blind safe palette."""
    df = df.rename(columns=LIBELLES_BILAN)
    mesures = [LIBELLES_BILAN[m] for m in mesures]
    axes = dict(y=categorie, x=mesures, orientation="h") if horizontal else dict(x=categorie, y=mesures)
    fig = px.bar(df, **axes, barmode="group", color_discrete_sequence=COULEURS,
                 labels={"value": "", "variable": "", categorie: ""})
    fig.update_layout(margin=MARGES, legend=LEGENDE_DESSOUS,
                      height=max(300, 32 * len(df)) if horizontal else 360)
    if horizontal:
        fig.update_yaxes(autorange="reversed")  # the order of the table, top down
    return fig


def projets_par_annee(con: duckdb.DuckDBPyConnection, annee: int):
    df = calculs.par_annee(con, annee)
    return _barres(df.assign(annee=df["annee"].astype(str)), "annee",
                   ["projets_accueillis", "projets_finances"], horizontal=False)


def projets_par_theme(con: duckdb.DuckDBPyConnection, annee: int):
    return _barres(calculs.par_theme(con, annee), "theme", ["projets_accueillis", "projets_finances"],
                   horizontal=True)


def montants_par_dispositif(con: duckdb.DuckDBPyConnection, annee: int):
    return _barres(calculs.par_dispositif(con, annee), "dispositif", ["montant_eur"], horizontal=True)
