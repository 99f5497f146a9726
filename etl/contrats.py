"""Contracts of the marts (as in dbt: unique, not null, accepted values, relationships).

Each check is a query counting offending rows; the build stops when any count is not zero.
"""

from __future__ import annotations

import duckdb

from data import familles_ess, table
from etl.secret import MOTIFS

UNIQUE = {
    "communes": ["commune"],
    "territoires": ["territoire"],
    "appartenance": ["commune", "territoire"],
    "geometries": ["territoire"],
    "emploi": ["territoire", "annee", "groupe", "nomenclature", "secteur"],
    "etablissements": ["siret"],
    "projets": ["id_projet"],
    "rejets_lignes": ["source", "fichier", "ligne"],
}
NON_NULL = {
    "communes": ["commune", "nom", "population", "epci", "departement", "densite"],
    "territoires": ["territoire", "niveau", "nom"],
    "emploi": ["territoire", "annee", "groupe", "nb_etablissements", "secret"],
    "etablissements": ["siret", "siren", "commune", "diffusible", "employeur", "etat"],
    "projets": ["id_projet", "nom_projet", "commune", "finance"],
    "rejets_lignes": ["source", "fichier", "ligne", "motif"],
}
GROUPES = [*table("familles")["famille"], *table("groupes_familles")["groupe"]]  # families, ess, prive…
VALEURS = {
    ("emploi", "groupe"): list(dict.fromkeys(GROUPES)),
    ("emploi", "nomenclature"): ["a38", "a21", "ensemble"],
    ("emploi", "motif_secret"): list(MOTIFS),
    ("etablissements", "etat"): ["A", "F"],
    ("etablissements", "famille_ess"): list(familles_ess()),
    ("projets", "finance"): ["oui", "non"],
}
RELATIONS = [
    ("emploi", "territoire", "territoires", "territoire"),
    ("appartenance", "territoire", "territoires", "territoire"),
    ("geometries", "territoire", "territoires", "territoire"),
    ("etablissements", "commune", "communes", "commune"),
    ("projets", "commune", "communes", "commune"),
]


def _requetes(tables: set[str]) -> list[tuple[str, str]]:
    q = []
    for t, cols in UNIQUE.items():
        c = ", ".join(cols)
        q.append((f"{t} : clé ({c}) en double",
                  f'SELECT count(*) FROM (SELECT {c} FROM "{t}" GROUP BY ALL HAVING count(*) > 1)'))
    for t, cols in NON_NULL.items():
        q += [(f"{t}.{c} vide", f'SELECT count(*) FROM "{t}" WHERE {c} IS NULL') for c in cols]
    for (t, c), valeurs in VALEURS.items():
        liste = ", ".join(f"'{v}'" for v in valeurs)
        q.append((f"{t}.{c} hors des valeurs admises",
                  f'SELECT count(*) FROM "{t}" WHERE {c} IS NOT NULL AND {c} NOT IN ({liste})'))
    for t, c, cible, cc in RELATIONS:
        q.append((f"{t}.{c} sans correspondance dans {cible}",
                  f'SELECT count(*) FROM "{t}" x WHERE NOT EXISTS '
                  f'(SELECT 1 FROM "{cible}" y WHERE y.{cc} = x.{c})'))
    q.append(("emploi : motif du secret absent d'une cellule masquée, ou donné à une cellule publiée",
              "SELECT count(*) FROM emploi WHERE secret <> (motif_secret IS NOT NULL)"))
    q.append(("emploi : valeur confidentielle publiée",
              "SELECT count(*) FROM emploi WHERE secret AND (effectifs IS NOT NULL OR eqtp IS NOT NULL)"))
    if "emploi_fourchettes" in tables:  # absent from a database built before the intervals
        q.append(("emploi_fourchettes : intervalle publié pour une cellule qui n'est pas au secret",
                  "SELECT count(*) FROM emploi_fourchettes f LEFT JOIN emploi e "
                  "USING (territoire, annee, groupe, nomenclature, secteur) WHERE e.secret IS NOT TRUE"))
    q.append(("etablissements : établissement non diffusible localisé ou nommé",
              "SELECT count(*) FROM etablissements WHERE NOT diffusible "
              "AND (nom IS NOT NULL OR adresse IS NOT NULL OR lon IS NOT NULL)"))
    q.append(("rejets_lignes : identifiant d'établissement recopié",
              "SELECT count(*) FROM rejets_lignes WHERE colonne IN ('siret', 'siren') "
              "AND valeur IS NOT NULL"))
    return q


def verifier(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Messages of the failed checks (empty when all pass)."""
    erreurs = []
    tables = {t for (t,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    for libelle, sql in _requetes(tables):
        n = con.execute(sql).fetchone()[0]
        if n:
            erreurs.append(f"{libelle} ({n} ligne(s))")
    return erreurs
