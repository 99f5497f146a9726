"""Journal of generated "Data ESS" extracts (territory, date, format, requested by), kept
in the writable SQLite store (`ess.db.chemin_suivi()`), not in the rebuilt DuckDB file.

Standard-library sqlite3: one small table, one writer at a time (SQLite's own locking).
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

import pandas as pd

from ess.db import chemin_suivi

SCHEMA = """
CREATE TABLE IF NOT EXISTS journal_extractions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    date TEXT NOT NULL,
    territoire TEXT NOT NULL,
    nom TEXT NOT NULL,
    annee INTEGER,
    format TEXT NOT NULL,
    demandeur TEXT NOT NULL,
    origine TEXT NOT NULL
)
"""
COLONNES = {"date": "Date", "territoire": "Code", "nom": "Territoire", "annee": "Année",
            "format": "Format", "demandeur": "Demandé par", "origine": "Origine"}


def _connexion(chemin: Path | None) -> sqlite3.Connection:
    chemin = Path(chemin or chemin_suivi())
    chemin.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(chemin, timeout=10)
    con.execute(SCHEMA)
    return con


LONGUEUR_DEMANDEUR = 200  # characters kept of « Demandé par »
DOUBLON_S = 30  # seconds: the same extract asked again within them is one line (pages/data_ess.py)


def resume(compte: dict) -> str:
    """`compter()` in one sentence: « 12 extractions enregistrées : 5 en PDF, 4 en XLSX… »."""
    n = compte["total"]
    if not n:
        return "Aucune extraction enregistrée."
    detail = ", ".join(f"{k} en {f.upper()}" for f, k in compte["par_format"].items())
    return f"{n} extraction{'s' if n > 1 else ''} enregistrée{'s' if n > 1 else ''} : {detail}."


def consigner(territoire: str, nom: str, annee: int, format: str, demandeur: str,
              origine: str = "application", chemin: Path | None = None,
              date: datetime | None = None) -> None:
    date = date or datetime.now().astimezone()
    demandeur = (demandeur or "").strip()[:LONGUEUR_DEMANDEUR] or "non renseigné"
    with _connexion(chemin) as con:
        con.execute(
            "INSERT INTO journal_extractions (date, territoire, nom, annee, format, demandeur, origine) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (date.isoformat(timespec="seconds"), territoire, nom, annee, format, demandeur, origine),
        )
    con.close()


def lire(limite: int = 500, chemin: Path | None = None) -> pd.DataFrame:
    """The latest extracts first, with French column names."""
    con = _connexion(chemin)
    try:
        df = pd.read_sql_query(
            "SELECT date, territoire, nom, annee, format, demandeur, origine FROM journal_extractions "
            "ORDER BY id DESC LIMIT ?", con, params=(limite,))
    finally:
        con.close()
    from ess.format import date_heure  # Paris time, « 29/11/2026 à 02 h 21 »

    df["date"] = df["date"].map(date_heure)
    return df.rename(columns=COLONNES)


def compter(chemin: Path | None = None) -> dict:
    """What anyone may know of the journal (the requesters' names are for the SIES only): how
    many extracts, in all and by format."""
    con = _connexion(chemin)
    try:
        par_format = dict(con.execute(
            "SELECT format, count(*) FROM journal_extractions GROUP BY format ORDER BY count(*) DESC, format"
        ).fetchall())
    finally:
        con.close()
    return {"total": sum(par_format.values()), "par_format": par_format}

