"""Banc d'essai des documents (`make bench`) : une fiche PDF (cible ≤ 2 s), puis toutes les
communes, EPCI et PETR en XLSX (cible ≤ 60 s) et en PDF (cible ≤ 3 min), par la commande de
lot `python -m ess fiche --tous` (un processus par cœur). Aucun seuil n'est vérifié par les
tests : ce banc imprime des mesures. Journal des extractions dans un fichier temporaire.

Lancer depuis la racine : `.venv/bin/python bench/bench_fiches.py [--db data/ess.duckdb]
[--sans-lot]`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
if str(RACINE) not in sys.path:  # bench/ n'est pas un paquet
    sys.path.insert(0, str(RACINE))

from ess.db import chemin_base, connecter  # noqa: E402
from ess.fiche import fiche, fichiers  # noqa: E402

CIBLE_PDF_S = 2.0
CIBLES_LOT_S = {"xlsx": 60.0, "pdf": 180.0}


def fr(x: float, decimales: int = 1) -> str:
    return f"{x:,.{decimales}f}".replace(",", "\u202f").replace(".", ",")


def verdict(ok: bool) -> str:
    return "OK" if ok else "HORS CIBLE"


def une_fiche(db: Path) -> None:
    con = connecter(db)
    fichiers.generer(fiche(con, "commune:31001"), "pdf", con)  # imports, fonts: not counted
    for code in ("commune:31483", "epci:200073146", "commune:31555", "departement:31"):
        durees = []
        for _ in range(3):
            t = time.perf_counter()
            f = fiche(con, code)
            contenu = fichiers.generer(f, "pdf", con)
            durees.append(time.perf_counter() - t)
        duree = statistics.median(durees)
        print(f"PDF {f.titre} ({fr(len(contenu) / 1024, 0)} Ko) : {fr(duree, 2)} s (médiane de 3) — "
              f"cible ≤ {fr(CIBLE_PDF_S, 0)} s [{verdict(duree <= CIBLE_PDF_S)}]")
    con.close()


def lot(db: Path, fmt: str, dossier: Path, env: dict) -> None:
    total, n = 0.0, 0
    for niveau in ("communes", "epci", "petr"):
        t = time.perf_counter()
        r = subprocess.run([sys.executable, "-m", "ess", "fiche", "--tous", niveau, "--format", fmt,
                            "--out", str(dossier / fmt / niveau), "--db", str(db), "--demandeur", "banc"],
                           cwd=RACINE, env=env, capture_output=True, text=True)
        duree = time.perf_counter() - t
        if r.returncode:
            raise SystemExit(f"échec du lot {niveau} ({fmt}) : {r.stderr[-2000:]}")
        print(f"  {niveau} : {r.stdout.strip()} ({fr(duree)} s avec le démarrage)")
        total += duree
        n += sum(1 for _ in (dossier / fmt / niveau).iterdir())
    print(f"{fmt.upper()} de {n} territoires : {fr(total)} s — cible ≤ {fr(CIBLES_LOT_S[fmt], 0)} s "
          f"[{verdict(total <= CIBLES_LOT_S[fmt])}]")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, default=chemin_base())
    parser.add_argument("--sans-lot", action="store_true", help="la fiche PDF seulement")
    args = parser.parse_args()
    print(f"Documents Data ESS — {args.db}, {os.cpu_count()} cœurs, charge "
          f"{fr(os.getloadavg()[0], 2)}")
    une_fiche(args.db)
    if args.sans_lot:
        return
    with tempfile.TemporaryDirectory(prefix="ess-bench-fiches-") as d:
        env = {**os.environ, "ESS_SUIVI_DB": str(Path(d) / "suivi.sqlite")}
        for fmt in ("xlsx", "pdf"):
            lot(args.db, fmt, Path(d), env)


if __name__ == "__main__":
    main()
