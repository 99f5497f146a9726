"""Banc d'essai de la page « Carte » : temps jusqu'à la carte dessinée dans un vrai navigateur
(Chromium de Debian piloté par Playwright), à froid puis à chaud, pour les communes et les
EPCI ; poids du GeoJSON envoyé au navigateur.

Lancer depuis la racine : `.venv/bin/python bench/bench_carte.py [--db data/ess.duckdb]`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
if str(RACINE) not in sys.path:  # bench/ n'est pas un paquet
    sys.path.insert(0, str(RACINE))

from ess import carte  # noqa: E402
from ess.db import connecter  # noqa: E402
from tests.serveur import serveur_streamlit  # noqa: E402

ESPACE = "\u202f"
NB_CHAUDS = 5
CIBLE_S = 1.5
CIBLE_OCTETS = 1_000_000
VUES = {
    "communes": ("/carte?niveau=commune&metrique=part_ess_prive&annee=2021", 586),
    "EPCI": ("/carte?niveau=epci&metrique=part_ess_prive&annee=2021", 18),
}


def fr(x: float, decimales: int = 2) -> str:
    return f"{x:,.{decimales}f}".replace(",", ESPACE).replace(".", ",")


def poids(db: Path, niveau: str) -> int:
    con = connecter(db)
    try:
        fc = carte.contours(con, niveau)  # what the map page sends to the browser
    finally:
        con.close()
    return len(json.dumps(fc, separators=(",", ":")).encode())


def mesurer(page, url: str, chemin: str, n: int) -> float:
    """Seconds from navigation to the n-th territory path drawn and the script run over."""
    t = time.perf_counter()
    page.goto(url + chemin)
    page.locator(".choroplethlayer path").nth(n - 1).wait_for(state="attached", timeout=120_000)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="detached", timeout=120_000)
    return time.perf_counter() - t


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__)
    arguments.add_argument("--db", type=Path, default=RACINE / "data" / "ess.duckdb")
    db = arguments.parse_args().db.resolve()
    if not db.exists():
        raise SystemExit(f"Base absente : {db} (make build)")
    from playwright.sync_api import sync_playwright

    print(f"Banc d'essai de la carte — {os.cpu_count()} cœurs, base {db}")
    for niveau, libelle in (("commune", "communes"), ("epci", "EPCI")):
        octets = poids(db, niveau)
        print(f"GeoJSON des {libelle} envoyé au navigateur : {fr(octets / 1024, 1)} Ko"
              + (f" — cible < 1 Mo [{'OK' if octets < CIBLE_OCTETS else 'HORS CIBLE'}]"
                 if niveau == "commune" else ""))
    with serveur_streamlit(db) as serveur, sync_playwright() as p:
        url = serveur.url
        navigateur = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                       args=["--no-sandbox", "--disable-gpu",
                                             "--disable-background-networking",
                                             "--disable-component-update", "--disable-sync",
                                             # offline without per-request interception
                                             # (page.route adds a Python round trip to
                                             # every request and inflates the timings)
                                             "--host-resolver-rules=MAP * ~NOTFOUND, "
                                             "EXCLUDE 127.0.0.1"])
        # Warm = same browser context (scripts and styles cached) and server caches filled.
        contexte = navigateur.new_context(viewport={"width": 1400, "height": 1000})
        page = contexte.new_page()
        for libelle, (chemin, n) in VUES.items():
            froid = mesurer(page, url, chemin, n)
            chauds = [mesurer(page, url, chemin, n) for _ in range(NB_CHAUDS)]
            med = statistics.median(chauds)
            print(f"Carte des {libelle} prête : à froid {fr(froid)} s ; à chaud médiane {fr(med)} s,"
                  f" max {fr(max(chauds))} s (sur {NB_CHAUDS})"
                  + (f" — cible < {fr(CIBLE_S, 1)} s [{'OK' if med < CIBLE_S else 'HORS CIBLE'}]"
                     if libelle == "communes" else ""))
        contexte.close()
        navigateur.close()


if __name__ == "__main__":
    main()
