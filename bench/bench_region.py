"""Banc d'essai de la construction d'une région (`make bench`, issue 26) : `python -m etl build
--region 76` (Occitanie, 13 départements) depuis la démonstration, dans un processus à part, le
temps du secret statistique (protection et audit) imprimé à part, et, dans la même passe, la
construction d'un département (Haute-Garonne) pour le rapport des deux durées.

Lancer depuis la racine du dépôt : `.venv/bin/python bench/bench_region.py [--region 94]`.
Sans cache des protections du secret (`ESS_CACHE_SECRET` vide) : le coût d'une première
construction ; la géographie dérivée reste en cache (quelques secondes au premier passage).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

RACINE = Path(__file__).resolve().parent.parent
CIBLE_S = 300.0
SECRET = re.compile(r"secret statistique \(protection et audit\) : ([0-9\u202f,]+) s")


def duree_secret(sortie: str) -> float | None:
    """The secret's duration a build printed (« 1 234,5 s »), in seconds; None when it took
    less than a second (not printed)."""
    trouve = SECRET.search(sortie)
    return float(trouve.group(1).replace("\u202f", "").replace(",", ".")) if trouve else None


def fr(x: float, decimales: int = 1) -> str:
    return f"{x:,.{decimales}f}".replace(",", "\u202f").replace(".", ",")


def secondes_solveur(db: Path) -> float:
    """Seconds the build's protection and audit spent in HiGHS, all years (its report gives
    them per year, on each measure's row)."""
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT sum(s) FROM (SELECT annee, any_value(duree_solveur_s) AS s "
                           "FROM secret_rapport GROUP BY annee)").fetchone()[0]


def construire(option: str, code: str, db: Path) -> tuple[float, float, float]:
    """(durée totale, durée du secret, secondes du solveur) d'une construction."""
    env = {**os.environ, "ESS_CACHE_SECRET": "", "ESS_HISTORIQUE": "0"}
    t = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "etl", "build", option, code, "--db", str(db)], cwd=RACINE,
                       env=env, capture_output=True, text=True)
    duree = time.perf_counter() - t
    if r.returncode:
        sys.exit(f"Construction {option} {code} en échec :\n{r.stderr[-2000:]}")
    secret = duree_secret(r.stdout)
    return duree, float("nan") if secret is None else secret, secondes_solveur(db)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--region", default="76")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-region-") as d:
        dep, dep_secret, dep_solveur = construire("--departement", "31", Path(d) / "31.duckdb")
        reg, reg_secret, reg_solveur = construire("--region", args.region, Path(d) / "region.duckdb")
    # the years run on 2 processes: the solver's seconds over 2 are a floor of the secret's time
    print(f"Construction d'un département (31) : {fr(dep)} s, dont secret {fr(dep_secret)} s "
          f"(solveur HiGHS : {fr(dep_solveur)} s sur 2 processus, soit au moins {fr(dep_solveur / 2)} s)")
    verdict = "OK" if reg <= CIBLE_S else "HORS CIBLE"
    print(f"Construction de la région {args.region} : {fr(reg)} s, dont secret {fr(reg_secret)} s "
          f"({fr(reg / dep)} × le département ; solveur HiGHS : {fr(reg_solveur)} s sur 2 processus, "
          f"soit au moins {fr(reg_solveur / 2)} s) — cible ≤ {fr(CIBLE_S, 0)} s [{verdict}]")


if __name__ == "__main__":
    main()
