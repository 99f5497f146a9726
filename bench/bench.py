"""Banc d'essai du tableau de bord (`make bench`) : construction de la base de démonstration,
temps d'exécution serveur de la page d'accueil, poids des données cartographiques.

Lancer depuis la racine du dépôt : `.venv/bin/python bench/bench.py`.
"""

from __future__ import annotations

import json
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
if str(RACINE) not in sys.path:  # bench/ n'est pas un paquet
    sys.path.insert(0, str(RACINE))

from bench_region import secondes_solveur  # noqa: E402  (bench/ is the script's folder)

from ess import carte  # noqa: E402
from ess.db import connecter  # noqa: E402
from etl.build import construire  # noqa: E402

ESPACE = "\u202f"
NB_CONSTRUCTIONS = 2
NB_RELANCES = 10
CIBLE_CONSTRUCTION_S = 30.0
CIBLE_PAGE_S = 0.5
CIBLE_COMMUNES_OCTETS = 1_000_000



def fr(x: float, decimales: int = 1) -> str:
    """14.2 → « 14,2 » ; 55100 → « 55 100 » (espace fine insécable)."""
    return f"{x:,.{decimales}f}".replace(",", ESPACE).replace(".", ",")


def verdict(ok: bool) -> str:
    return "OK" if ok else "HORS CIBLE"


def centile(valeurs: list[float], p: float) -> float:
    """Centile par interpolation linéaire (p entre 0 et 100)."""
    v = sorted(valeurs)
    rang = (len(v) - 1) * p / 100
    bas = int(rang)
    haut = min(bas + 1, len(v) - 1)
    return v[bas] + (v[haut] - v[bas]) * (rang - bas)


CIBLE_FROID_S = 60.0


def bench_construction_a_froid(db: Path) -> None:
    """Un premier `python -m etl build` de la démo, processus à part (imports compris), sans
    territoires dérivés gardés : sur une machine neuve (`make run` : les protections du secret
    livrées avec le code, lues, auditées), puis sans aucune protection ni livrée ni gardée (ce
    que coûte une première construction de fichiers réels de cette taille)."""
    import subprocess

    with tempfile.TemporaryDirectory(prefix="bench-cache-") as vide:
        cas = {"machine neuve (protections de la démo livrées)": vide,
               "sans aucune protection livrée ni gardée": ""}
        for libelle, cache in cas.items():
            env = {**os.environ, "ESS_CACHE_SECRET": cache, "ESS_CACHE_GEO": ""}
            t = time.perf_counter()
            subprocess.run([sys.executable, "-m", "etl", "build", "--db", str(db)], cwd=RACINE, env=env,
                           check=True, capture_output=True)
            duree = time.perf_counter() - t
            solveur = secondes_solveur(db)  # the secret's years run on 2 processes
            print(f"Construction démo à froid, {libelle} : {fr(duree)} s — cible ≤ {fr(CIBLE_FROID_S, 0)} s "
                  f"[{verdict(duree <= CIBLE_FROID_S)}] ; solveur HiGHS du secret : {fr(solveur)} s sur 2 "
                  f"processus, soit au moins {fr(solveur / 2)} s")


def bench_construction(db: Path) -> list[float]:
    durees = []
    for i in range(NB_CONSTRUCTIONS):
        t = time.perf_counter()
        construire(db, "31", afficher=lambda _m: None)
        durees.append(time.perf_counter() - t)
        print(f"  construction n° {i + 1} : {fr(durees[-1])} s")
    mini = min(durees)
    print(f"Construction démo : {fr(mini)} s (min de {NB_CONSTRUCTIONS}) — cible < "
          f"{fr(CIBLE_CONSTRUCTION_S, 0)} s [{verdict(mini < CIBLE_CONSTRUCTION_S)}]")
    return durees


def bench_accueil(db: Path) -> None:
    from streamlit.testing.v1 import AppTest

    # AppTest runs the script in-process: Streamlit's "missing ScriptRunContext" warning is noise.
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(
        logging.ERROR
    )
    os.environ["ESS_DB"] = str(db)
    at = AppTest.from_file(str(RACINE / "app.py"), default_timeout=60)
    t = time.perf_counter()
    at.run()
    froid = time.perf_counter() - t
    if at.exception:
        raise SystemExit(f"La page d'accueil lève une exception : {at.exception[0].value}")
    chauds = []
    for _ in range(NB_RELANCES):
        t = time.perf_counter()
        at.run()
        chauds.append(time.perf_counter() - t)
    if at.exception:
        raise SystemExit(f"La page d'accueil lève une exception : {at.exception[0].value}")
    mediane = statistics.median(chauds)
    p90 = centile(chauds, 90)
    print(f"Accueil, premier passage (à froid) : {fr(froid, 2)} s")
    print(f"Accueil à chaud : médiane {fr(mediane, 3)} s, p90 {fr(p90, 3)} s "
          f"(sur {NB_RELANCES} relances) — cible < {fr(CIBLE_PAGE_S)} s "
          f"[{verdict(mediane < CIBLE_PAGE_S)}]")
    print(f"Accueil, rapport médiane à chaud / à froid : {fr(mediane / froid, 3)} "
          f"(soit {fr(100 * mediane / froid)} % du premier passage)")


def poids_geojson(db: Path, niveau: str) -> tuple[int, int]:
    con = connecter(db)
    try:
        fc = carte.contours(con, niveau)  # what the map page sends to the browser
    finally:
        con.close()
    return len(fc["features"]), len(json.dumps(fc, separators=(",", ":")).encode("utf-8"))


def bench_poids(db: Path) -> None:
    for niveau, libelle, cible in (("commune", "communes", CIBLE_COMMUNES_OCTETS),
                                   ("epci", "EPCI", None)):
        n, octets = poids_geojson(db, niveau)
        ligne = (f"GeoJSON des {n} {libelle} : {fr(octets, 0)} octets "
                 f"({fr(octets / 1024)} Ko)")
        if cible:
            ligne += (f" — cible nettement < {fr(cible / 1_000_000, 0)} Mo "
                      f"[{verdict(octets < cible)}]")
        print(ligne)


def main() -> None:
    os.chdir(RACINE)
    print(f"Banc d'essai ESS Haute-Garonne — Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} cœurs")
    with tempfile.TemporaryDirectory(prefix="ess-bench-") as dossier:
        db = Path(dossier) / "ess.duckdb"
        bench_construction_a_froid(Path(dossier) / "froid.duckdb")
        bench_construction(db)
        bench_accueil(db)
        bench_poids(db)


if __name__ == "__main__":
    main()
