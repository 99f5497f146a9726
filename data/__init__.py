"""The versioned inputs of data/ and the one module that reads them: etl/, geo/ and ess/ all
ask here. Code tables come as text (codes keep their leading zeros), read once per process;
the labels the pages and documents write for each geographic level and each ESS definition are
code tables too (niveaux.csv, definitions_ess.csv), as the ESS families (familles.csv); the
rules both sides count with are DuckDB macros (regles.sql)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd

DATA = Path(__file__).resolve().parent


@cache
def table(nom: str) -> pd.DataFrame:
    """data/<nom>.csv, every column as text."""
    return pd.read_csv(DATA / f"{nom}.csv", dtype=str, keep_default_na=False)


def libelles(nom: str, colonne: str = "libelle") -> dict[str, str]:
    """A code table as {code (its first column): `colonne`}, in the file's order."""
    t = table(nom)
    return dict(zip(t.iloc[:, 0], t[colonne], strict=True))


@cache
def familles_ess() -> dict[str, str]:
    """The ESS families (association, cooperative…) with their labels, in their order."""
    f = table("familles")
    f = f[f["ess"] == "oui"].sort_values("ordre", key=lambda s: s.astype(int))
    return dict(zip(f["famille"], f["libelle"], strict=True))


def installer_regles(con) -> None:
    """The DuckDB macros of data/regles.sql (`actif_au_31_12`…) on a connection: the build's
    staging connection (etl/build.py) and each connection of the read side (ess/db.py)."""
    con.execute((DATA / "regles.sql").read_text(encoding="utf-8"))
