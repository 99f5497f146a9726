"""SIRENE stock files (StockEtablissement, StockUniteLegale) into the raw_sirene_* tables.

CSV, zipped CSV or Parquet, national or already cut; formats 3.9 and 3.11, with or without
the NAF 2025 columns (matched by header, absent optional columns are NULL). Establishments
are cut to the département while they are read (commune code prefix, `2A`/`2B` included);
legal units are kept only when an establishment of the département refers to them. Only the
columns the build uses are decoded (`_lues`).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd

from ess.format import nombre
from etl.codes import COLONNES_ETABLISSEMENT, COLONNES_UNITE_LEGALE, table
from etl.sources import TOLERER, SourceInvalide, lignes_ecartees, motif_colonne
from etl.sources.duckdb_csv import Source, erreur_lecture, exiger, ligne_de, ouvrir
from etl.sources.fichiers import ident
from geo.perimetre import Perimetre

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
IDENTIFIANTS = {"siret", "siren"}  # never copied into the rejects report
# Of the official columns, only those the build reads are decoded: the ones the staging SQL
# names, the required and checked ones, the stock's date (its millésime). A national stock's
# other columns (second addresses, foreign places…) are most of its text: a département of
# 42 M establishments is read in 3,8 s instead of 5,3 s (measured in a build).
STAGING = Path(__file__).resolve().parents[1] / "sql" / "01_staging.sql"
LUES_AUSSI = REQUISES_ETABLISSEMENT | REQUISES_UNITE_LEGALE | {"dateDernierTraitementEtablissement"}
NOM_ETAB = "StockEtablissement"
NOM_UL = "StockUniteLegale"


@dataclass(frozen=True)
class Lecture:
    fichier: str
    format: str
    lignes: int  # rows kept (the département's, or the legal units it refers to)
    colonnes_absentes: tuple[str, ...]  # optional official columns missing (older formats)
    rejets: pd.DataFrame = dataclasses.field(default_factory=lignes_ecartees)  # --tolerer-rejets

    def texte(self) -> str:
        absentes = f", colonnes absentes : {', '.join(self.colonnes_absentes)}" \
            if self.colonnes_absentes else ""
        return f"{self.fichier} ({self.format}) : {nombre(self.lignes)} lignes retenues{absentes}"


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
    con: duckdb.DuckDBPyConnection, path: Path, perimetre: Perimetre, dossier: Path,
    tolerer_rejets: bool = False,
) -> Lecture:
    """Create raw_sirene_etablissements: the perimeter's rows, official column names."""
    src = ouvrir(con, path, dossier)
    exiger(src, REQUISES_ETABLISSEMENT, "--sirene-etablissements", NOM_ETAB,
           (REQUISES_UNITE_LEGALE, NOM_UL))
    condition, params = _dans(f"CAST({ident(src.colonnes['codeCommuneEtablissement'])} AS VARCHAR)",
                              perimetre.departements)
    return _charger(con, src, "raw_sirene_etablissements", COLONNES_ETABLISSEMENT,
                    (condition, params,
                     f"aucun établissement {perimetre.designation()} (codeCommuneEtablissement)"),
                    CONTROLES_ETABLISSEMENT, "siret", tolerer_rejets)


def _dans(commune: str, departements: tuple[str, ...]) -> tuple[str, list]:
    """SQL condition (and its parameters): the commune code lies in one of the départements
    (2 characters, 3 overseas). Measured on 42 M establishments: one prefix test is the fastest
    for one département, IN lists for a région's 13 (1,5× faster than 13 prefix tests)."""
    if len(departements) == 1:
        return f"starts_with({commune}, ?)", list(departements)
    longueurs = sorted({len(d) for d in departements})
    return " OR ".join(f"left({commune}, {n}) IN ({', '.join('?' for d in departements if len(d) == n)})"
                       for n in longueurs), [d for n in longueurs for d in departements if len(d) == n]


def charger_unites_legales(
    con: duckdb.DuckDBPyConnection, path: Path, dossier: Path, tolerer_rejets: bool = False,
) -> Lecture:
    """Create raw_sirene_unites_legales: the legal units of the loaded establishments."""
    src = ouvrir(con, path, dossier)
    exiger(src, REQUISES_UNITE_LEGALE, "--sirene-unites-legales", NOM_UL,
           (REQUISES_ETABLISSEMENT, NOM_ETAB))
    siren = ident(src.colonnes["siren"])
    return _charger(con, src, "raw_sirene_unites_legales", COLONNES_UNITE_LEGALE,
                    (f"CAST({siren} AS VARCHAR) IN (SELECT siren FROM raw_sirene_etablissements)",  # noqa: S608
                     [], "aucune des unités légales des établissements retenus"),
                    CONTROLES_UNITE_LEGALE, "siren", tolerer_rejets)


def _charger(con, src: Source, table_raw: str, officielles: list[str],
             filtre: tuple[str, list, str], controles, cle: str, tolerer: bool) -> Lecture:
    """Load the kept rows, then check them: the first problem stops the read, or with
    `tolerer` every bad line is set aside with its line number. No row kept is an error."""
    rel, params = src.relation()
    condition, params_filtre, sinon = filtre
    lues = _lues(officielles, controles)
    _executer(con, src, f"CREATE OR REPLACE TABLE {table_raw} AS "  # noqa: S608
              f"SELECT {src.selection(lues)} FROM {rel} WHERE {condition}", [*params, *params_filtre])
    if not _existe(con, table_raw, "true"):
        entete_seul = not con.execute(f"SELECT 1 FROM {rel} LIMIT 1", params).fetchall()  # noqa: S608
        raise SourceInvalide(f"{src.nom} : " + ("en-tête seul, aucune ligne de données."
                                                if entete_seul else f"{sinon}."))
    controles = [(c, cond.replace("{tranches}", _tranches()), attendu)
                 for c, cond, attendu in controles if c in src.colonnes]
    if not tolerer:
        _controler(con, src, table_raw, controles)
        _unicite(con, src, table_raw, cle)
        return _lecture(con, src, table_raw, officielles)
    doublons = f"{cle} IN (SELECT {cle} FROM {table_raw} GROUP BY 1 HAVING count(*) > 1)"  # noqa: S608
    if not _existe(con, table_raw, " OR ".join([cond for _c, cond, _a in controles] + [doublons])):
        return _lecture(con, src, table_raw, officielles)
    rejets = _ecarter(con, src, table_raw, lues, (condition, params_filtre), controles, cle)
    if not _existe(con, table_raw, "true"):
        raise SourceInvalide(f"{src.nom} : toutes les lignes retenues sont en erreur.")
    return dataclasses.replace(_lecture(con, src, table_raw, officielles), rejets=rejets)


@cache
def _mots_du_staging() -> frozenset[str]:
    return frozenset(re.findall(r"\w+", STAGING.read_text(encoding="utf-8")))


def _lues(officielles: list[str], controles) -> list[str]:
    mots = _mots_du_staging() | LUES_AUSSI | {c for c, _cond, _a in controles}
    return [c for c in officielles if c in mots]


def _ecarter(con, src: Source, table_raw: str, lues: list[str], filtre: tuple[str, list],
             controles, cle: str) -> pd.DataFrame:
    """Error path only: a second read numbers the lines, then each bad line moves out of the
    table into the returned rejects, with its first problem (SQL pastes only our own names)."""
    condition, params_filtre = filtre
    rel_n, params_n = src.relation(numeroter=True)
    _executer(con, src, f"CREATE OR REPLACE TABLE {table_raw} AS "  # noqa: S608
              f"SELECT _ligne, {src.selection(lues)} FROM {rel_n} WHERE {condition}",
              [*params_n, *params_filtre])
    apres_premiere = (f"_ligne IN (SELECT _ligne FROM (SELECT _ligne, row_number() OVER "  # noqa: S608
                      f"(PARTITION BY {cle} ORDER BY _ligne) AS rang FROM {table_raw}) WHERE rang > 1)")
    rejets = []
    for colonne, cond, attendu in [*controles, (cle, apres_premiere, "une ligne par identifiant")]:
        valeur = "NULL" if colonne in IDENTIFIANTS else f"left({colonne}, 40)"
        rejets.append(con.execute(
            f"SELECT 'SIRENE' AS source, ? AS fichier, _ligne AS ligne, ? AS colonne, "  # noqa: S608
            f"{valeur} AS valeur, ? AS motif FROM {table_raw} WHERE {cond}",
            [src.nom, colonne, motif_colonne(colonne, attendu)]).df())
        con.execute(f"DELETE FROM {table_raw} WHERE {cond}")  # noqa: S608 (one reason per line)
    con.execute(f"ALTER TABLE {table_raw} DROP COLUMN _ligne")
    return lignes_ecartees(*rejets).sort_values("ligne", ignore_index=True)


def _existe(con, table_raw: str, condition: str) -> bool:
    sql = f"SELECT 1 FROM {table_raw} WHERE {condition} LIMIT 1"  # noqa: S608
    return bool(con.execute(sql).fetchall())


def _executer(con, src: Source, sql: str, params: list) -> None:
    try:
        con.execute(sql, params)
    except duckdb.Error as exc:
        raise erreur_lecture(src, exc) from exc


def _controler(con, src: Source, table_raw: str, controles) -> None:
    for colonne, condition, attendu in controles:
        sql = f"SELECT {colonne} FROM {table_raw} WHERE {condition} LIMIT 1"  # noqa: S608
        row = next(iter(con.execute(sql).fetchall()), None)
        if row:
            valeur = row[0]
            raise SourceInvalide(
                f"{src.nom}, {ligne_de(con, src, colonne, valeur)}, colonne {colonne} : "
                f"valeur {_montrer(valeur)} ; attendu : {attendu}.{TOLERER}"
            )


def _unicite(con, src: Source, table_raw: str, cle: str) -> None:
    sql = f"SELECT {cle} FROM {table_raw} GROUP BY 1 HAVING count(*) > 1 LIMIT 1"  # noqa: S608
    row = next(iter(con.execute(sql).fetchall()), None)
    if row:
        raise SourceInvalide(f"{src.nom}, colonne {cle} : {cle} {row[0]} en double ; "
                             f"une ligne par identifiant attendue.{TOLERER}")


def _lecture(con, src: Source, table_raw: str, officielles: list[str]) -> Lecture:
    n = con.execute(f"SELECT count(*) FROM {table_raw}").fetchall()[0][0]  # noqa: S608
    absentes = tuple(c for c in officielles if c not in src.colonnes)
    return Lecture(src.nom, src.format, n, absentes)


def _montrer(valeur) -> str:
    return "vide" if valeur is None else f"« {str(valeur)[:40]} »"
