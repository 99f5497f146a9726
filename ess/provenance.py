"""What the database says about itself: how and when it was built (build_info), from which
sources, which lines of the files were set aside (build report), what the secret statistique
did, how legal categories map to ESS families. The Sources page, the provenance box of every
page and the fiches' methods read it here."""

from __future__ import annotations

import re
from datetime import datetime

import duckdb
import pandas as pd

from ess import format as fr

BUILD_INFO = "SELECT cle, valeur FROM build_info"
SOURCES = "SELECT source, description, millesime, demo FROM sources ORDER BY source"
# The sources as people name them (never the table's name) and their vintage in French.
LIBELLES_SOURCES = {"territoires": "Territoires et population", "etablissements": "Établissements (SIRENE)",
                    "emploi": "Emploi salarié (FLORES)", "projets": "Projets du plan ESS",
                    "densite": "Densité des communes", "population": "Population municipale",
                    "qpv": "Quartiers prioritaires (QPV)", "massifs": "Communes de massif",
                    "petr": "Pôles d'équilibre territorial et rural (PETR)"}


def millesime(texte: str) -> str:
    """`2017,2018,…,2023` or `2017-2023` → « 2017 à 2023 »; an ISO date → « 01/01/2024 »; an
    ISO timestamp → « 06/12/2026 à 03 h 17 » (Paris time)."""
    texte = str(texte or "")
    annees = re.findall(r"\b(?:19|20)\d\d\b", texte)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", texte):
        return datetime.fromisoformat(texte).strftime("%d/%m/%Y")
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}T.*", texte):
        return fr.date_heure(texte)
    if len(annees) >= 2 and re.fullmatch(r"[\d,\s-]+", texte):
        return f"{annees[0]} à {annees[-1]}"
    return texte
SOURCES_DEMO = "SELECT source FROM sources WHERE demo"

# Build report: source rows set aside or incomplete (never silently dropped).
REJETS = """
SELECT source AS "Source", motif AS "Motif", traitement AS "Traitement",
       nb_lignes AS "Lignes", exemples AS "Exemples"
FROM rejets ORDER BY source, motif
"""

# Lines set aside with --tolerer-rejets, one by one (identifiers are never stored).
REJETS_LIGNES = """
SELECT source AS "Source", fichier AS "Fichier", ligne AS "Ligne", colonne AS "Colonne",
       valeur AS "Valeur", motif AS "Motif"
FROM rejets_lignes ORDER BY source, fichier, ligne
"""

# Legal categories and the ESS family each belongs to (data/familles_ess.csv).
FAMILLES_CATEGORIES = """
SELECT f.categorie_juridique AS code, c.libelle, coalesce(fa.libelle, f.famille) AS famille,
       f.a_verifier, f.commentaire
FROM ref_familles_ess f
LEFT JOIN ref_categories_juridiques c ON c.code = f.categorie_juridique
LEFT JOIN ref_familles fa ON fa.famille = f.famille
ORDER BY fa.ordre, f.famille, code
"""

# What the secret statistique's protection and audit did, per year and measure (build report).
SECRET_RAPPORT = """
SELECT annee AS "Année", CASE mesure WHEN 'eqtp' THEN 'EQTP' ELSE 'Effectifs' END AS "Mesure",
       cellules AS "Cellules publiées ou masquées", primaires AS "Sensibles (règles primaires)",
       masquees AS "Masquées", determinees AS "Recalculables exactement",
       sous_protegees AS "Insuffisamment protégées",
       divulguees_initie AS "Trop près pour un établissement seul dans sa ligne",
       impossibles AS "Impossibles à protéger"
FROM secret_rapport ORDER BY annee, mesure
"""


def infos_build(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return dict(con.execute(BUILD_INFO).fetchall())


def sources(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(SOURCES).df()


def sources_lisibles(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The sources as the pages show them: named in French, vintages in French."""
    df = sources(con)
    return pd.DataFrame({
        "Donnée": [LIBELLES_SOURCES.get(s, s.capitalize()) for s in df["source"]],
        "Source": df["description"], "Millésime": df["millesime"].map(millesime),
        "Démonstration": df["demo"].map({True: "oui", False: "non"})})


def sources_demo(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The sources still taken from the demo (the SIES may have loaded its real register)."""
    return {s for (s,) in con.execute(SOURCES_DEMO).fetchall()}


def rejets(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(REJETS).df()


def rejets_lignes(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(REJETS_LIGNES).df()


def rapport_secret(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(SECRET_RAPPORT).df()


def familles_categories(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(FAMILLES_CATEGORIES).df()


TABLES_BUILD = {"etablissements": "établissements", "emploi": "cellules d'emploi",
                "rejets": "motifs de rejet", "rejets_lignes": "lignes écartées"}
# build_info keys in words, for the Sources page (others are shown as they are)
LIBELLES_BUILD = {
    "departement": "Département", "region": "Région", "perimetre": "Territoire de la base",
    "demo": "Données de démonstration",
    "date_construction": "Construite le (heure de Paris)", "duree_secondes": "Durée de construction (s)",
    "annee_geographie": "Millésime de la géographie", "annee_par_defaut": "Année affichée par défaut",
    "annees_emploi": "Années d'emploi", "emploi": "Emploi", "secret_cellules": "Secret : cellules d'emploi",
    "secret_primaires": "Secret : cellules sensibles", "secret_masquees": "Secret : cellules masquées",
    "secret_impossibles": "Secret : cellules impossibles à protéger", "secret_audit": "Secret : audit",
    "demo_sans_calage": "Démonstration sans chiffre publié (structure rapportée à la population)",
    "secret_seuil_etablissements": "Secret : établissements au moins par cellule publiée",
    "secret_seuil_dominance": "Secret : part maximale d'un établissement dans une cellule publiée",
}


REGLE_INCONNUE = "trop peu d'établissements y contribuent, ou l'un d'eux domine"


def seuils_secret(con: duckdb.DuckDBPyConnection) -> tuple[str, str] | None:
    """(« 3 », « 85 % »): the thresholds of primary sensitivity the database was protected
    with, as the build recorded them; None for a database built before they were."""
    info = infos_build(con)
    n, part = info.get("secret_seuil_etablissements"), info.get("secret_seuil_dominance")
    return (n, fr.pourcent(100 * float(part), 0)) if n and part else None


def regle_sensible(con: duckdb.DuckDBPyConnection) -> str:
    """« moins de 3 établissements y contribuent, ou l'un d'eux en emploie plus de 85 % »."""
    s = seuils_secret(con)
    if s is None:
        return REGLE_INCONNUE
    return f"moins de {s[0]} établissements y contribuent, ou l'un d'eux en emploie plus de {s[1]}"


def infos_build_lisibles(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """build_info as (label, value) in French: words, Paris time, French numbers."""
    lignes = []
    for cle, valeur in infos_build(con).items():
        libelle = LIBELLES_BUILD.get(cle)
        if cle.startswith("lignes_"):
            table = cle.removeprefix("lignes_")
            libelle = f"Lignes : {TABLES_BUILD.get(table, table)}"
        elif cle.startswith("fichier_"):
            libelle = f"Fichier : {cle.removeprefix('fichier_').replace('_', ' ')}"
        if cle == "date_construction":
            valeur = fr.date_heure(valeur)
        elif cle == "annees_emploi" and valeur:
            valeur = millesime(valeur)
        elif valeur.replace(".", "", 1).isdigit() and cle not in ("departement", "region", "annee_geographie",
                                                                   "annee_par_defaut"):
            valeur = fr.nombre(float(valeur), 1 if "." in valeur else 0)
        lignes.append((libelle or cle, valeur))
    return lignes
