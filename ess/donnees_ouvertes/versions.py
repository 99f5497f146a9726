"""The open dataset of each kept version of the database (etl/historique.py keeps the last
databases built or published, `historique/<version>.duckdb` beside the database in service).

The bundle of a version is made from its kept database the first time it is asked for (the
page « Données » asks right after a publication) and stored beside it,
`historique/<version>.donnees-ouvertes.zip`; later requests hand out that file. Same
database, same bytes (ess.donnees_ouvertes): the stored file is what the code of that day
made, and stays so after the code changes. It goes when its version is pruned."""

from __future__ import annotations

import os
from pathlib import Path

from ess.db import connecter
from ess.donnees_ouvertes import Lot, produire

SUFFIXE = ".donnees-ouvertes.zip"  # etl/historique.py prunes it with its version


class VersionInconnue(ValueError):
    pass


def chemin(db: Path, version: str) -> Path:
    return Path(db).parent / "historique" / f"{version}{SUFFIXE}"


def base(db: Path, version: str) -> Path:
    """The kept database of a version."""
    garde = chemin(db, version).with_name(f"{version}.duckdb")
    if not version or "/" in version or not garde.is_file():
        raise VersionInconnue(f"Version inconnue : « {version} » (voir python -m etl historique).")
    return garde


def lot(db: Path, version: str) -> Lot:
    """The bundle of a kept version: the stored one, else made from its kept database and stored."""
    garde = chemin(db, version)
    if garde.exists():
        return Lot.depuis_zip(garde.read_bytes())
    con = connecter(base(db, version))
    try:
        fait = produire(con)
    finally:
        con.close()
    partiel = garde.with_name(f".{garde.name}.{os.getpid()}")
    partiel.write_bytes(fait.zip())
    os.replace(partiel, garde)
    return fait
