"""Read-only access to the built database."""

from __future__ import annotations

import os
from collections import OrderedDict
from pathlib import Path

import duckdb

from data import DATA, installer_regles

DB_DEFAUT = DATA / "ess.duckdb"
COMMANDE_BUILD = "make run  (ou : python -m etl build)"
# The marts the read side queries (etl.build.MARTS writes them; a test keeps the two in step).
TABLES = ("build_info", "communes", "territoires", "appartenance", "geometries", "emploi",
          "etablissements", "projets", "accompagnements", "sources", "rejets", "rejets_lignes")


class BaseIndisponible(RuntimeError):
    """The database is missing, empty or unreadable; the message says how to build it."""


def chemin_base() -> Path:
    """The database path: $ESS_DB when set (tests, other deployments), else data/ess.duckdb."""
    return Path(os.environ.get("ESS_DB", DB_DEFAUT))


def connecter(path: Path | str | None = None) -> duckdb.DuckDBPyConnection:
    path = Path(path) if path else chemin_base()
    if not path.is_file() or path.stat().st_size == 0:
        raise BaseIndisponible(
            f"La base de données {path} est absente ou vide. Construisez-la avec : {COMMANDE_BUILD}"
        )
    try:
        con = _ouvrir(path)
        con.execute("SELECT count(*) FROM build_info").fetchone()
        presentes = {t for (t,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    except duckdb.Error as exc:
        raise BaseIndisponible(
            f"La base de données {path} est illisible ou incomplète ({type(exc).__name__}). "
            f"Reconstruisez-la avec : {COMMANDE_BUILD}"
        ) from exc
    if manquantes := [t for t in TABLES if t not in presentes]:
        con.close()
        raise BaseIndisponible(
            f"La base de données {path} vient d'une version antérieure de l'application (tables "
            f"absentes : {', '.join(manquantes)}). Reconstruisez-la avec : {COMMANDE_BUILD}"
        )
    return con


def _ouvrir(path: Path) -> duckdb.DuckDBPyConnection:
    """The file attached read-only to a fresh in-memory instance, its tables seen as views (so
    that every cursor of the connection finds them). `duckdb.connect(path)` would reuse the
    process's open instance of that path: after an atomic swap (a rebuild, a publication, a
    return to a kept version) a new connection then still read the old file."""
    con = duckdb.connect()
    try:
        con.execute("ATTACH ? AS base (READ_ONLY)", [str(path)])
        tables = con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = 'base'").fetchall()
        for (t,) in tables:  # the file's own table names
            con.execute(f'CREATE VIEW "{t}" AS SELECT * FROM base."{t}"')  # noqa: S608
        installer_regles(con)  # actif_au_31_12…, as the build counts
    except BaseException:
        con.close()
        raise
    return con


def chemin_suivi() -> Path:
    """The writable store (SQLite) for what users edit or log: plan indicators, audit
    trail, extract journal. Separate from the rebuilt analytics database; $ESS_SUIVI_DB
    overrides data/suivi.sqlite."""
    return Path(os.environ.get("ESS_SUIVI_DB", DB_DEFAUT.with_name("suivi.sqlite")))


class ConnexionMemoire:
    """A read-only connection that answers a query it has already run from memory (the last
    `taille` ones): a batch of fiches reads the same reference tables, EPCI outlines and
    parent territories hundreds of times. For batch workers only: the database must not
    change while it lives. Offers what the fiche code uses: `execute(...).fetchall()`,
    `.fetchone()`, `.df()` (a copy each time: callers may modify it)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, taille: int = 512):
        self.con, self.taille = con, taille
        self._memoire: OrderedDict = OrderedDict()

    def execute(self, sql: str, parametres=None) -> _Reponse:
        return _Reponse(self, sql, parametres)

    def close(self) -> None:
        self.con.close()

    def _lire(self, sql: str, parametres, methode: str):
        cle = (sql, _figer(parametres), methode)
        if cle in self._memoire:
            self._memoire.move_to_end(cle)
            valeur = self._memoire[cle]
        else:
            valeur = getattr(self.con.execute(sql, parametres), methode)()
            self._memoire[cle] = valeur
            if len(self._memoire) > self.taille:
                self._memoire.popitem(last=False)
        if methode == "df":
            return valeur.copy()
        return list(valeur) if methode == "fetchall" else valeur


class _Reponse:
    def __init__(self, memoire: ConnexionMemoire, sql: str, parametres):
        self._args = memoire, sql, parametres

    def _lire(self, methode: str):
        memoire, sql, parametres = self._args
        return memoire._lire(sql, parametres, methode)

    def fetchall(self):
        return self._lire("fetchall")

    def fetchone(self):
        return self._lire("fetchone")

    def df(self):
        return self._lire("df")


def _figer(v):
    """Query parameters as a dict key: lists become tuples."""
    return tuple(_figer(x) for x in v) if isinstance(v, list | tuple) else v
