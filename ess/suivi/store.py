"""The writable SQLite store of the plan tracking, and its audit trail.

SQLite (standard library) rather than the DuckDB file: that one is rebuilt and swapped
atomically, and opened read-only by the app; staff edits must survive rebuilds. WAL mode lets
readers go on while someone saves; each write runs in `BEGIN IMMEDIATE` so two saves are
serialised and version checks (ess/suivi/saisies.py) see the committed state.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS statuts_activites (
    fiche TEXT NOT NULL, activite INTEGER NOT NULL, statut TEXT NOT NULL,
    version INTEGER NOT NULL, modifie_par TEXT NOT NULL, modifie_le TEXT NOT NULL,
    PRIMARY KEY (fiche, activite)
);
CREATE TABLE IF NOT EXISTS indicateurs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, fiche TEXT NOT NULL, nom TEXT NOT NULL,
    unite TEXT NOT NULL DEFAULT '', cree_par TEXT NOT NULL, cree_le TEXT NOT NULL,
    UNIQUE (fiche, nom)
);
CREATE TABLE IF NOT EXISTS valeurs (
    indicateur INTEGER NOT NULL REFERENCES indicateurs(id), annee INTEGER NOT NULL,
    cible REAL, valeur REAL, commentaire TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '', version INTEGER NOT NULL,
    modifie_par TEXT NOT NULL, modifie_le TEXT NOT NULL,
    PRIMARY KEY (indicateur, annee)
);
CREATE TABLE IF NOT EXISTS journal (
    id INTEGER PRIMARY KEY AUTOINCREMENT, horodatage TEXT NOT NULL, utilisateur TEXT NOT NULL,
    action TEXT NOT NULL, objet TEXT NOT NULL, fiche TEXT NOT NULL DEFAULT '',
    ancienne_valeur TEXT NOT NULL DEFAULT '', nouvelle_valeur TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS echecs_connexion (
    utilisateur TEXT PRIMARY KEY, echecs INTEGER NOT NULL, bloque_jusqua TEXT NOT NULL
);
-- staff sessions kept across reloads (ess/suivi/sessions.py): SHA-256 of a one-time code
-- (code = 1) or of the cookie's token (code = 0), never the value itself
CREATE TABLE IF NOT EXISTS sessions (
    empreinte TEXT PRIMARY KEY, identifiant TEXT NOT NULL, nom TEXT NOT NULL,
    ouverte_le TEXT NOT NULL, expire_le TEXT NOT NULL, code INTEGER NOT NULL
);
"""


def maintenant() -> datetime:
    return datetime.now(UTC)


def horodatage(t: datetime | None = None) -> str:
    return (t or maintenant()).isoformat(timespec="seconds")


@contextmanager
def ouvrir(path: Path | str) -> Iterator[sqlite3.Connection]:
    """A connection to the store (created with its schema on first use), closed on exit."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path, isolation_level=None, timeout=10)
    con.row_factory = sqlite3.Row
    try:
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA foreign_keys=ON")
        con.executescript(SCHEMA)
        yield con
    finally:
        con.close()


@contextmanager
def transaction(con: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """All or nothing; IMMEDIATE takes the write lock first, so checks and writes are atomic.
    Inside an enclosing transaction (an XLSX import), a savepoint: one bad row is undone
    alone and the import decides whether to keep the rest."""
    if con.in_transaction:
        con.execute("SAVEPOINT partielle")
        try:
            yield con
        except BaseException:
            con.execute("ROLLBACK TO partielle")
            con.execute("RELEASE partielle")
            raise
        con.execute("RELEASE partielle")
        return
    con.execute("BEGIN IMMEDIATE")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def _texte(v) -> str:
    if v is None:
        return ""
    return v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, default=str)


def journaliser(con: sqlite3.Connection, utilisateur: str, action: str, objet: str,
                ancienne=None, nouvelle=None, fiche: str = "", quand: datetime | None = None) -> None:
    con.execute(
        "INSERT INTO journal (horodatage, utilisateur, action, objet, fiche, ancienne_valeur, "
        "nouvelle_valeur) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (horodatage(quand), utilisateur, action, objet, fiche, _texte(ancienne), _texte(nouvelle)),
    )


def lire_journal(con: sqlite3.Connection, fiche: str | None = None, limite: int = 500) -> list[dict]:
    sql = "SELECT * FROM journal"
    params: list = []
    if fiche:
        sql += " WHERE fiche = ?"
        params.append(fiche)
    sql += " ORDER BY id DESC LIMIT ?"
    params.append(limite)
    return [dict(r) for r in con.execute(sql, params)]
