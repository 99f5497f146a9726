"""Readers of official (and user-supplied) source files, one module per source.

Every reader takes a path (or an open binary file), reads code columns as text, validates,
and raises `SourceInvalide` with a French message naming the file, the line/column and what
was expected. `python -m etl build` turns it into exit status 2, the database untouched.
"""

import pandas as pd


class SourceInvalide(ValueError):
    """A source file that does not match its expected format (message in French)."""


# Ends the message of a row-level error: how to load the file without its bad lines.
TOLERER = " Option --tolerer-rejets : écarter ces lignes et les compter dans le rapport."
# One row per line set aside with --tolerer-rejets (table rejets_lignes). `valeur` is the
# offending value, left empty for identifiers (SIRET, SIREN), which must not leak.
COLONNES_REJETS = ["source", "fichier", "ligne", "colonne", "valeur", "motif"]


def motif_colonne(colonne: str, attendu: str) -> str:
    return f"colonne {colonne} : attendu {attendu}"


def lignes_ecartees(*tables: pd.DataFrame) -> pd.DataFrame:
    """The lines set aside by one or several reads, as one table (empty when none)."""
    pleines = [t for t in tables if not t.empty]
    return pd.concat(pleines, ignore_index=True) if pleines else pd.DataFrame(columns=COLONNES_REJETS)
