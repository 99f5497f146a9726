"""A project register made from the one in service, for the tests and benches of the page
« Données » (an edited copy, as the SIES would upload it)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd


def registre_plus_un(db: Path, chemin: Path, commune: str | None = None) -> Path:
    """The register in service plus one financed project (in `commune` when given: an
    unknown code makes a broken register)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        df = con.execute("SELECT * FROM projets ORDER BY id_projet").df()
    finally:
        con.close()
    ligne = df.iloc[[0]].assign(id_projet="P-TEST-1", nom_projet="Recyclerie du Volvestre", finance="oui")
    if commune:
        ligne["commune"] = commune
    pd.concat([df, ligne]).to_csv(chemin, index=False)
    return chemin
