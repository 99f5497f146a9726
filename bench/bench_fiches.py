"""Banc d'essai des fiches « Data ESS » : XLSX de toutes les communes, EPCI et PETR (cible
< 2 min sur 2 cœurs, par la commande de lot `python -m ess fiche --tous`), et une fiche PDF
(cible < 3 s). Journal des extractions dans un fichier temporaire.

Lancer depuis la racine : `.venv/bin/python bench/bench_fiches.py [--db data/ess.duckdb]`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
if str(RACINE) not in sys.path:  # bench/ n'est pas un paquet
    sys.path.insert(0, str(RACINE))

from ess import exports  # noqa: E402
from ess.db import chemin_base, connecter  # noqa: E402
from ess.fiche import fiche  # noqa: E402

CIBLE_LOT_S = 120.0
CIBLE_PDF_S = 3.0


def fr(x: float, decimales: int = 1) -> str:
    return f"{x:,.{decimales}f}".replace(",", "\u202f").replace(".", ",")


def lot(db: Path, dossier: Path, env: dict) -> float:
    total = 0.0
    for niveau in ("communes", "epci", "petr"):
        t = time.perf_counter()
        r = subprocess.run([sys.executable, "-m", "ess", "fiche", "--tous", niveau, "--format", "xlsx",
                            "--out", str(dossier / niveau), "--db", str(db), "--demandeur", "banc"],
                           cwd=RACINE, env=env, capture_output=True, text=True)
        duree = time.perf_counter() - t
        if r.returncode:
            raise SystemExit(f"échec du lot {niveau} : {r.stderr[-2000:]}")
        print(f"  {niveau} : {r.stdout.strip()} ({fr(duree)} s avec le démarrage)")
        total += duree
    return total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, default=chemin_base())
    args = parser.parse_args()
    print(f"Fiches Data ESS — {args.db}, {os.cpu_count()} cœurs")
    with tempfile.TemporaryDirectory(prefix="ess-bench-fiches-") as d:
        env = {**os.environ, "ESS_SUIVI_DB": str(Path(d) / "suivi.sqlite")}
        total = lot(args.db, Path(d), env)
        n = sum(1 for _ in Path(d).rglob("*.xlsx"))
        print(f"XLSX de {n} territoires : {fr(total)} s — cible < {fr(CIBLE_LOT_S, 0)} s "
              f"[{'OK' if total < CIBLE_LOT_S else 'HORS CIBLE'}]")
    con = connecter(args.db)
    exports.generer(fiche(con, "commune:31001"), "pdf", con)  # imports, fonts: not counted
    for code in ("epci:200073146", "commune:31555", "departement:31"):
        t = time.perf_counter()
        f = fiche(con, code)
        contenu = exports.generer(f, "pdf", con)
        duree = time.perf_counter() - t
        print(f"PDF {f.territoire.nom} ({fr(len(contenu) / 1024, 0)} Ko) : {fr(duree, 2)} s — cible < "
              f"{fr(CIBLE_PDF_S, 0)} s [{'OK' if duree < CIBLE_PDF_S else 'HORS CIBLE'}]")


if __name__ == "__main__":
    main()
