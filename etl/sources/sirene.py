"""SIRENE stock files (StockEtablissement, StockUniteLegale) into the raw_sirene_* tables.

CSV, zipped CSV or Parquet, national or already cut; formats 3.9 and 3.11, with or without
the NAF 2025 columns (matched by header, absent optional columns are NULL). Establishments
are cut to the département while they are read (commune code prefix, `2A`/`2B` included);
legal units are kept only when an establishment of the département refers to them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from etl.codes import COLONNES_ETABLISSEMENT, COLONNES_UNITE_LEGALE, table
from etl.sources import SourceInvalide
from etl.sources.duckdb_csv import Source, erreur_lecture, exiger, ligne_de, ouvrir

REQUISES_ETABLISSEMENT = {
    "siren", "nic", "siret", "statutDiffusionEtablissement", "dateCreationEtablissement",
    "trancheEffectifsEtablissement", "etablissementSiege", "codeCommuneEtablissement",
    "etatAdministratifEtablissement", "activitePrincipaleEtablissement",
    "nomenclatureActivitePrincipaleEtablissement",
}
REQUISES_UNITE_LEGALE = {
    "siren", "statutDiffusionUniteLegale", "categorieJuridiqueUniteLegale",
    "etatAdministratifUniteLegale", "economieSocialeSolidaireUniteLegale",
}
NOM_ETAB = "StockEtablissement"
NOM_UL = "StockUniteLegale"


@dataclass(frozen=True)
class Lecture:
    fichier: str
    format: str
    lignes: int  # rows kept (the département's, or the legal units it refers to)
    colonnes_absentes: tuple[str, ...]  # optional official columns missing (older formats)

    def texte(self) -> str:
        absentes = f", colonnes absentes : {', '.join(self.colonnes_absentes)}" \
            if self.colonnes_absentes else ""
        return f"{self.fichier} ({self.format}) : {self.lignes} lignes retenues{absentes}"


def _tranches() -> str:
    return ", ".join(f"'{t}'" for t in table("tranches_effectifs")["tranche"])


# (column, condition on a bad value, expectation): checked on the kept rows only.
CONTROLES_ETABLISSEMENT = [
    ("siret", "NOT regexp_full_match(coalesce(siret, ''), '[0-9]{14}')", "un SIRET de 14 chiffres"),
    ("siren", "NOT regexp_full_match(coalesce(siren, ''), '[0-9]{9}')", "un SIREN de 9 chiffres"),
    ("siret", "NOT starts_with(siret, siren)", "un SIRET commençant par le SIREN"),
    ("etatAdministratifEtablissement", "coalesce(etatAdministratifEtablissement, '') NOT IN ('A', 'F')",
     "A (actif) ou F (fermé)"),
    ("statutDiffusionEtablissement", "coalesce(statutDiffusionEtablissement, '') NOT IN ('O', 'P', 'N')",
     "O ou P"),
    ("etablissementSiege", "coalesce(etablissementSiege, '') NOT IN ('true', 'false')", "true ou false"),
    ("trancheEffectifsEtablissement",
     "nullif(trim(trancheEffectifsEtablissement), '') NOT IN ({tranches})",
     "un code de tranche d'effectifs SIRENE (NN, 00, 01… 53)"),
    ("caractereEmployeurEtablissement",
     "nullif(trim(caractereEmployeurEtablissement), '') NOT IN ('O', 'N')", "O, N ou vide"),
    ("dateCreationEtablissement",
     "nullif(dateCreationEtablissement, '') IS NOT NULL "
     "AND try_cast(dateCreationEtablissement AS DATE) IS NULL", "une date AAAA-MM-JJ"),
    ("coordonneeLambertAbscisseEtablissement",
     "nullif(nullif(trim(coordonneeLambertAbscisseEtablissement), ''), '[ND]') IS NOT NULL "
     "AND try_cast(coordonneeLambertAbscisseEtablissement AS DOUBLE) IS NULL",
     "une coordonnée Lambert-93 numérique, vide ou [ND]"),
    ("coordonneeLambertOrdonneeEtablissement",
     "nullif(nullif(trim(coordonneeLambertOrdonneeEtablissement), ''), '[ND]') IS NOT NULL "
     "AND try_cast(coordonneeLambertOrdonneeEtablissement AS DOUBLE) IS NULL",
     "une coordonnée Lambert-93 numérique, vide ou [ND]"),
]
CONTROLES_UNITE_LEGALE = [
    ("siren", "NOT regexp_full_match(coalesce(siren, ''), '[0-9]{9}')", "un SIREN de 9 chiffres"),
    ("etatAdministratifUniteLegale", "coalesce(etatAdministratifUniteLegale, '') NOT IN ('A', 'C')",
     "A (active) ou C (cessée)"),
    ("statutDiffusionUniteLegale", "coalesce(statutDiffusionUniteLegale, '') NOT IN ('O', 'P', 'N')",
     "O ou P"),
    ("economieSocialeSolidaireUniteLegale",
     "nullif(trim(economieSocialeSolidaireUniteLegale), '') NOT IN ('O', 'N')", "O, N ou vide"),
    ("categorieJuridiqueUniteLegale",
     "NOT regexp_full_match(coalesce(categorieJuridiqueUniteLegale, ''), '[0-9]{4}')",
     "une catégorie juridique de 4 chiffres"),
]


def charger_etablissements(
    con: duckdb.DuckDBPyConnection, path: Path, departement: str, dossier: Path
) -> Lecture:
    """Create raw_sirene_etablissements: the département's rows, official column names."""
    src = ouvrir(con, path, dossier)
    exiger(src, REQUISES_ETABLISSEMENT, "--sirene-etablissements", NOM_ETAB,
           (REQUISES_UNITE_LEGALE, NOM_UL))
    rel, params = src.relation()
    commune = src.colonnes["codeCommuneEtablissement"]
    _executer(con, src, f"""
        CREATE OR REPLACE TABLE raw_sirene_etablissements AS
        SELECT {src.selection(COLONNES_ETABLISSEMENT)} FROM {rel}
        WHERE starts_with(CAST("{commune.replace('"', '""')}" AS VARCHAR), ?)""",  # noqa: S608
        [*params, departement])
    _controler(con, src, "raw_sirene_etablissements", CONTROLES_ETABLISSEMENT)
    _unicite(con, src, "raw_sirene_etablissements", "siret")
    return _lecture(con, src, "raw_sirene_etablissements", COLONNES_ETABLISSEMENT)


def charger_unites_legales(con: duckdb.DuckDBPyConnection, path: Path, dossier: Path) -> Lecture:
    """Create raw_sirene_unites_legales: the legal units of the loaded establishments."""
    src = ouvrir(con, path, dossier)
    exiger(src, REQUISES_UNITE_LEGALE, "--sirene-unites-legales", NOM_UL,
           (REQUISES_ETABLISSEMENT, NOM_ETAB))
    rel, params = src.relation()
    siren = src.colonnes["siren"].replace('"', '""')
    _executer(con, src, f"""
        CREATE OR REPLACE TABLE raw_sirene_unites_legales AS
        SELECT {src.selection(COLONNES_UNITE_LEGALE)} FROM {rel}
        WHERE CAST("{siren}" AS VARCHAR) IN (SELECT siren FROM raw_sirene_etablissements)""", params)  # noqa: S608
    _controler(con, src, "raw_sirene_unites_legales", CONTROLES_UNITE_LEGALE)
    _unicite(con, src, "raw_sirene_unites_legales", "siren")
    return _lecture(con, src, "raw_sirene_unites_legales", COLONNES_UNITE_LEGALE)


def _executer(con, src: Source, sql: str, params: list) -> None:
    try:
        con.execute(sql, params)
    except duckdb.Error as exc:
        raise erreur_lecture(src, exc) from exc


def _controler(con, src: Source, table_raw: str, controles) -> None:
    for colonne, condition, attendu in controles:
        if colonne not in src.colonnes:
            continue
        condition = condition.replace("{tranches}", _tranches())
        sql = f"SELECT {colonne} FROM {table_raw} WHERE {condition} LIMIT 1"  # noqa: S608
        row = next(iter(con.execute(sql).fetchall()), None)
        if row:
            valeur = row[0]
            raise SourceInvalide(
                f"{src.nom}, {ligne_de(con, src, colonne, valeur)}, colonne {colonne} : "
                f"valeur {_montrer(valeur)} ; attendu : {attendu}."
            )


def _unicite(con, src: Source, table_raw: str, cle: str) -> None:
    sql = f"SELECT {cle} FROM {table_raw} GROUP BY 1 HAVING count(*) > 1 LIMIT 1"  # noqa: S608
    row = next(iter(con.execute(sql).fetchall()), None)
    if row:
        raise SourceInvalide(f"{src.nom}, colonne {cle} : {cle} {row[0]} en double ; "
                             "une ligne par identifiant attendue.")


def _lecture(con, src: Source, table_raw: str, officielles: list[str]) -> Lecture:
    n = con.execute(f"SELECT count(*) FROM {table_raw}").fetchall()[0][0]  # noqa: S608
    absentes = tuple(c for c in officielles if c not in src.colonnes)
    return Lecture(src.nom, src.format, n, absentes)


def _montrer(valeur) -> str:
    return "vide" if valeur is None else f"« {str(valeur)[:40]} »"
