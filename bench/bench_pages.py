"""Banc d'essai des pages dans un vrai navigateur (Chromium de Debian, Playwright) : temps
jusqu'à la page prête (exécution du script terminée, titre affiché, rien de périmé, graphiques
dessinés), à froid puis à chaud, en rapport d'une page témoin Streamlit nue avec un graphique
plotly (bench/temoin.py) servie à côté et mesurée en alternance avec chaque page. Cible :
chaque page ≤ 1,5× à chaud.

Deux navigateurs : sans cache HTTP (les requêtes interceptées par Playwright, comme dans les
tests : chaque vue recharge et recompile tout le JavaScript, plotly 4,7 Mo, deck.gl 3 Mo) et
avec cache (le navigateur d'un élu : fichiers immuables gardés, code compilé réutilisé ; les
adresses extérieures y sont rendues introuvables). Une carte d'établissements est prête quand
deck.gl a dimensionné sa toile (son code est chargé à la demande, après le reste de la page, et
son contexte WebGL créé ensuite) ; son fond de carte (deux images) s'affiche ~0,7 s plus tard.

Lancer depuis la racine : `.venv/bin/python bench/bench_pages.py [--db data/ess.duckdb]`.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
if str(RACINE) not in sys.path:  # bench/ n'est pas un paquet
    sys.path.insert(0, str(RACINE))

from tests.serveur import serveur_streamlit  # noqa: E402

ESPACE = "\u202f"
NB_CHAUDS = 5
CIBLE_CHAUD = 1.5
CIBLE_FROID = 2.0
PAGES = {
    "Accueil": "/",
    "Carte (EPCI)": "/carte",
    "Carte (établissements)": "/carte?vue=etablissements",
    "Territoires": "/territoires",
    "Rural et métropole": "/territoires?vue=typologies",
    "Bilan": "/bilan",
    "Suivi": "/suivi",
    "Data ESS": "/data_ess",
    "Sources": "/sources",
}
PRETE = """() => {
    // the run over: else a page whose chart comes after its title (a first run importing
    // plotly) was "ready" with its title alone
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app || app.dataset.testScriptState !== 'notRunning') return false;
    const h1 = document.querySelector('[data-testid="stMainBlockContainer"] h1');
    if (!h1 || document.querySelector('[data-testid="stStatusWidget"]')) return false;
    if (document.querySelector('[data-stale="true"], [data-testid="stSkeleton"]')) return false;
    const graphiques = document.querySelectorAll('[data-testid="stPlotlyChart"]');
    const cartes = document.querySelectorAll('[data-testid="stDeckGlJsonChart"]');
    return [...graphiques].every(g => g.querySelector('.main-svg'))
        // deck.gl's canvas sized to its box: its WebGL device is made (until then the canvas
        // is an empty 300×150), the points are drawn in the next frame
        && [...cartes].every(c => { const k = c.querySelector('canvas');
            return k && Math.abs(k.width - k.clientWidth * devicePixelRatio) < 2; });
}"""
# Outside addresses unreachable in the cached browser (no Playwright routing: it turns the
# HTTP cache off).
HORS_BOUCLE = "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"


def fr(x: float, decimales: int = 2) -> str:
    return f"{x:,.{decimales}f}".replace(",", ESPACE).replace(".", ",")


def mesurer(page, url: str) -> float:
    t = time.perf_counter()
    page.goto(url)
    page.wait_for_function(PRETE, timeout=120_000, polling=50)
    return time.perf_counter() - t


def mesurer_tout(p, s_temoin, s_app, pages: dict, chauds: int, cache: bool):
    """(témoin cold, témoin warm times, {page: (cold, warm times, warm ratios)}) in one browser."""
    navigateur = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                   args=["--no-sandbox", "--disable-gpu", *([HORS_BOUCLE] if cache else [])])
    onglets = []
    for s in (s_temoin, s_app):
        contexte = navigateur.new_context(viewport={"width": 1180, "height": 820})
        if not cache:
            contexte.route(lambda u, base=s.url: not u.startswith(base), lambda r: r.abort())
        onglets.append(contexte.new_page())
    temoin, app = onglets
    # The reference page and the app are served side by side and measured in turns (reference,
    # page, reference, page…): each warm ratio pairs two loads a few seconds apart, so a drift of
    # the machine's speed during the run (2 noisy cores) moves both sides alike.
    t_froid = mesurer(temoin, s_temoin.url + "/")
    mesures: dict[str, tuple[float, list[float], list[float]]] = {}
    for libelle, chemin in pages.items():
        froid = mesurer(app, s_app.url + chemin)
        paires = [(mesurer(temoin, s_temoin.url + "/"), mesurer(app, s_app.url + chemin))
                  for _ in range(chauds)]
        mesures[libelle] = (froid, [b for _, b in paires], [b / a for a, b in paires])
    t_chauds = [mesurer(temoin, s_temoin.url + "/") for _ in range(chauds)]
    navigateur.close()
    return t_froid, t_chauds, mesures


def afficher(titre: str, t_froid: float, t_chauds: list[float], mesures: dict, chauds: int) -> None:
    print(f"{titre} (1180×820), {chauds} passages à chaud en alternance avec la page témoin "
          f"(Streamlit + 1 graphique plotly : {fr(statistics.median(t_chauds))} s à chaud, "
          f"{fr(t_froid)} s à froid) ; médiane des rapports par paire")
    hors = 0
    for libelle, (froid, chauds_s, rapports) in mesures.items():
        r_chaud, r_froid = statistics.median(rapports), froid / t_froid
        ok = r_chaud <= CIBLE_CHAUD and r_froid <= CIBLE_FROID
        hors += not ok
        print(f"  {libelle:<24} à chaud {fr(statistics.median(chauds_s))} s = {fr(r_chaud)}× · à froid "
              f"{fr(froid)} s = {fr(r_froid)}× — {'OK' if ok else 'HORS CIBLE'} (cibles "
              f"{fr(CIBLE_CHAUD, 1)}× et {fr(CIBLE_FROID, 1)}×)")
    print(f"{len(mesures) - hors} page(s) sur {len(mesures)} dans les cibles.")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default=str(RACINE / "data" / "ess.duckdb"))
    parser.add_argument("--chauds", type=int, default=NB_CHAUDS)
    parser.add_argument("--pages", nargs="*", help="libellés des pages à mesurer (défaut : toutes)")
    parser.add_argument("--navigateur", choices=["sans-cache", "cache", "les-deux"], default="les-deux")
    args = parser.parse_args()
    pages = {k: v for k, v in PAGES.items() if not args.pages or k in args.pages}
    from playwright.sync_api import sync_playwright

    modes = {"sans-cache": [False], "cache": [True], "les-deux": [False, True]}[args.navigateur]
    for cache in modes:
        # fresh servers for each browser: its cold first visit is a server's first visit too
        with (tempfile.TemporaryDirectory(prefix="ess-bench-pages-") as dossier, sync_playwright() as p,
              serveur_streamlit(args.db, script="bench/temoin.py") as s_temoin,
              serveur_streamlit(args.db, Path(dossier) / "suivi.sqlite") as s_app):
            resultats = mesurer_tout(p, s_temoin, s_app, pages, args.chauds, cache)
        afficher("Pages dans un navigateur " + ("avec cache HTTP (celui d'un élu)" if cache else
                                                "sans cache HTTP (comme les tests)"),
                 *resultats, args.chauds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
