"""Banc d'essai de la page « Données » (`make bench`, issue 14), sur une copie de la base :
1. l'aperçu d'un changement de registre (`python -m etl apercu --projets`, ce que lance la page,
   plus la comparaison affichée) : cible ≤ 10 s ;
2. la publication d'une reconstruction complète (aperçu + publier) face à `python -m etl build`
   sur les mêmes données, au même état du cache du secret : cible ≤ construction + 5 s ;
3. la réactivité : le temps à chaud d'une page (Accueil, dans chromium) au repos, puis pendant une
   construction lancée en arrière-plan ; le rapport des deux.
Aucun seuil n'est vérifié par les tests : ce banc imprime des mesures.

Lancer depuis la racine : `.venv/bin/python bench/bench_donnees.py [--db data/ess.duckdb]`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
if str(RACINE) not in sys.path:  # bench/ n'est pas un paquet
    sys.path.insert(0, str(RACINE))

from bench_pages import PAGES, mesurer  # noqa: E402 (bench/ is the script's folder)

from ess import apercu  # noqa: E402
from tests.registres import registre_plus_un  # noqa: E402
from tests.serveur import serveur_streamlit  # noqa: E402

CIBLE_APERCU_S = 10.0
MARGE_PUBLICATION_S = 5.0


def fr(x: float, d: int = 1) -> str:
    return f"{x:,.{d}f}".replace(",", "\u202f").replace(".", ",")


def etl(*args) -> float:
    t = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "etl", *map(str, args)], cwd=RACINE, capture_output=True,
                       text=True)
    if r.returncode:
        raise SystemExit(f"échec de python -m etl {args[0]} : {r.stderr[-1500:]}")
    return time.perf_counter() - t


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path, default=RACINE / "data" / "ess.duckdb")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ess-bench-donnees-") as d:
        d = Path(d)
        db = d / "ess.duckdb"
        shutil.copyfile(args.db, db)
        print(f"Page « Données » — copie de {args.db}, {os.cpu_count()} cœurs, "
              f"charge {fr(os.getloadavg()[0], 2)}")

        registre = registre_plus_un(db, d / "registre.csv")
        durees = []
        for _ in range(3):
            t = time.perf_counter()
            etl("apercu", "--db", db, "--projets", registre, "--par", "banc")
            candidat = sorted((d / "chantier").glob("candidat-*.duckdb"))[-1]
            apercu.comparer(db, candidat)
            durees.append(time.perf_counter() - t)
        m = statistics.median(durees)
        print(f"1. Aperçu d'un changement de registre (commande + comparaison) : {fr(m, 2)} s, médiane de 3 "
              f"— cible ≤ {fr(CIBLE_APERCU_S, 0)} s [{'OK' if m <= CIBLE_APERCU_S else 'HORS CIBLE'}]")

        # Alternated, twice each (medians): the machine's load drifts between runs.
        builds, apercus, publications = [], [], []
        for _ in range(2):
            builds.append(etl("build", "--db", d / "cli" / "ess.duckdb"))
            apercus.append(etl("apercu", "--db", db, "--par", "banc"))  # no file: the sources in service
            publications.append(etl("publier", "--db", db, "--par", "banc"))
        t_build, t_apercu, t_pub = map(statistics.median, (builds, apercus, publications))
        total = t_apercu + t_pub
        ok = total <= t_build + MARGE_PUBLICATION_S
        print(f"2. Publication d'une reconstruction : aperçu {fr(t_apercu)} s + publier {fr(t_pub)} s = "
              f"{fr(total)} s ; python -m etl build : {fr(t_build)} s (médianes de 2) — cible ≤ build + "
              f"{fr(MARGE_PUBLICATION_S, 0)} s [{'OK' if ok else 'HORS CIBLE'}]")

        from playwright.sync_api import sync_playwright

        with sync_playwright() as p, serveur_streamlit(db, d / "suivi.sqlite") as s:
            navigateur = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                           args=["--no-sandbox", "--disable-gpu"])
            page = navigateur.new_context(viewport={"width": 1180, "height": 820}).new_page()
            url = s.url + PAGES["Accueil"]
            mesurer(page, url)  # cold
            repos = statistics.median(mesurer(page, url) for _ in range(5))
            construction = subprocess.Popen(
                [sys.executable, "-m", "etl", "apercu", "--db", str(db), "--par", "banc"],
                cwd=RACINE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            pendant = []
            while construction.poll() is None and len(pendant) < 10:
                pendant.append(mesurer(page, url))
            construction.wait()
            navigateur.close()
        p_med = statistics.median(pendant)
        print(f"3. Accueil à chaud : {fr(repos, 2)} s au repos, {fr(p_med, 2)} s pendant une construction "
              f"(médiane de {len(pendant)}) = {fr(p_med / repos, 2)}× ; la page répond pendant la "
              "construction.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
