"""Official files read by DuckDB (CSV, zipped CSV, Parquet), columns matched by header.

DuckDB streams national files (42 M rows) with filters pushed down, where pandas would hold
them in memory. No type sniffing: every column is read as text with an explicit dialect, so
`00019` stays `00019` and a malformed line is an error naming the line, not a silent guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from etl.sources import SourceInvalide
from etl.sources.fichiers import (
    MAGIE_PARQUET,
    MAGIE_ZIP,
    debut,
    decoder,
    entete_csv,
    existant,
    extraire_zip,
    ident,
)


@dataclass
class Source:
    """A table function over the file, and how its columns map to the official names."""

    chemin: Path  # the file DuckDB reads (the extracted CSV for a zip)
    nom: str  # the file name the user gave, for messages
    format: str  # "csv", "csv (zip)" or "parquet"
    colonnes: dict[str, str] = field(default_factory=dict)  # official name → name in the file

    def relation(self, numeroter: bool = False) -> tuple[str, list]:
        """The table function; `numeroter` adds `_ligne`, the line (or row) in the file."""
        if self.format == "parquet":
            if numeroter:
                return ("(SELECT file_row_number + 1 AS _ligne, * "
                        "FROM read_parquet(?, file_row_number = true))", [str(self.chemin)])
            return "read_parquet(?)", [str(self.chemin)]
        cols = {n: "VARCHAR" for n in self._noms_csv}
        lecture = ("read_csv(?, header = true, auto_detect = false, delim = ',', quote = '\"', "
                   "escape = '\"', strict_mode = true, compression = 'auto', columns = ?)")
        if numeroter:  # the header is line 1; insertion order is kept by DuckDB
            lecture = f"(SELECT row_number() OVER () + 1 AS _ligne, * FROM {lecture})"  # noqa: S608
        return lecture, [str(self.chemin), cols]

    _noms_csv: list[str] = field(default_factory=list)

    def selection(self, officielles: list[str]) -> str:
        """SELECT list in the official names; absent optional columns are NULL."""
        return ", ".join(
            f"CAST({ident(self.colonnes[c])} AS VARCHAR) AS {c}" if c in self.colonnes
            else f"NULL::VARCHAR AS {c}"
            for c in officielles
        )


def ouvrir(con: duckdb.DuckDBPyConnection, path: Path, dossier: Path) -> Source:
    path = existant(Path(path))
    tete = debut(path, 8)
    if tete.startswith(MAGIE_PARQUET) or path.suffix.lower() == ".parquet":
        if not tete.startswith(MAGIE_PARQUET):
            raise SourceInvalide(f"{path.name} : ce n'est pas un fichier Parquet (signature PAR1 absente).")
        src = Source(path, path.name, "parquet")
        try:
            noms = [r[0] for r in con.execute("DESCRIBE SELECT * FROM read_parquet(?)",
                                               [str(path)]).fetchall()]
        except duckdb.Error as exc:
            raise SourceInvalide(f"{path.name} : fichier Parquet illisible ou tronqué "
                                 f"({_premiere_ligne(exc)}).") from exc
        src.colonnes = {n.strip(): n for n in noms}
        return src
    fmt = "csv"
    if tete.startswith(MAGIE_ZIP):
        path, fmt = extraire_zip(path, dossier), "csv (zip)"
        existant(path)
    texte, _enc = decoder(debut(path), path.name)
    noms = entete_csv(texte, ",")
    if len(noms) == 1 and any(d in texte.splitlines()[0] for d in ";\t|"):
        raise SourceInvalide(f"{path.name}, ligne 1 : séparateur virgule attendu (format SIRENE), "
                             "l'en-tête n'en contient pas.")
    src = Source(path, path.name, fmt)
    uniques = []
    for i, n in enumerate(noms):  # DuckDB needs distinct names; duplicates keep the first
        uniques.append(n if n and n not in uniques else f"_colonne_{i + 1}")
    src._noms_csv = uniques
    src.colonnes = {n: n for n in uniques}
    return src


def exiger(src: Source, requises: set[str], option: str, attendu: str, autre: tuple[set[str], str]) -> None:
    manquantes = sorted(requises - src.colonnes.keys())
    if not manquantes:
        return
    colonnes_autre, nom_autre = autre
    if colonnes_autre <= src.colonnes.keys():
        raise SourceInvalide(f"{src.nom} : ce fichier ressemble à {nom_autre} ; l'option {option} "
                             f"attend {attendu}.")
    raise SourceInvalide(f"{src.nom}, ligne 1 (en-tête) : colonne(s) manquante(s) "
                         f"{', '.join(manquantes)} ; en-tête {attendu} attendu (formats 3.9 ou 3.11).")


LIGNE = re.compile(r"Line: (\d+)")
COLONNES = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")


def erreur_lecture(src: Source, exc: duckdb.Error) -> SourceInvalide:
    """DuckDB's reading error, said in French with the line when DuckDB gives it."""
    msg = str(exc)
    ligne = LIGNE.search(msg)
    ou = f"{src.nom}, ligne {ligne.group(1)}" if ligne else src.nom
    cols = COLONNES.search(msg)
    if cols:
        return SourceInvalide(f"{ou} : {cols.group(2)} colonne(s) trouvée(s), {cols.group(1)} "
                              "attendues (séparateur virgule, guillemets doubles). Fichier tronqué ?")
    if "unicode" in msg.lower():
        return SourceInvalide(f"{ou} : caractères invalides, fichier UTF-8 attendu.")
    if "quote" in msg.lower():
        return SourceInvalide(f"{ou} : guillemet non refermé ; fichier tronqué ou mal formé.")
    return SourceInvalide(f"{ou} : lecture impossible ({_premiere_ligne(exc)}).")


def _premiere_ligne(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__


def ligne_de(con: duckdb.DuckDBPyConnection, src: Source, colonne: str, valeur: str | None) -> str:
    """'ligne N' of the first row whose `colonne` holds `valeur` (error path only: rescans)."""
    rel, params = src.relation(numeroter=True)
    col = ident(src.colonnes[colonne])
    cond = f"{col} IS NULL" if valeur is None else f"CAST({col} AS VARCHAR) = ?"
    sql = f"SELECT _ligne FROM {rel} WHERE {cond} ORDER BY 1 LIMIT 1"  # noqa: S608
    try:
        row = next(iter(con.execute(sql, params + ([] if valeur is None else [valeur])).fetchall()), None)
    except duckdb.Error:
        row = None
    return f"ligne {row[0]}" if row else "ligne ?"
