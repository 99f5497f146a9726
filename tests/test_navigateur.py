"""Real-browser tests: `streamlit run app.py` on loopback, driven by Playwright on Debian's
chromium. No sleeps: every wait is Playwright's auto-waiting (`expect`, locators)."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("playwright")
from playwright.sync_api import Page, expect

from tests.serveur import serveur_streamlit

pytestmark = pytest.mark.browser

DELAI = 30_000  # ms: first render includes the cold DuckDB queries and the plotly figure
CHIFFRES = {
    # The app writes numbers with U+202F (espace fine insécable): any whitespace is accepted.
    "Établissements employeurs de l'ESS": re.compile(r"^\s*4\s*674\s*$"),
    "Effectifs salariés de l'ESS": re.compile(r"^\s*55\s*100\s*$"),
    "Part de l'ESS dans l'emploi privé": re.compile(r"^\s*11,3\s*%\s*$"),
}


def _metrique(page: Page, libelle: str):
    return page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=libelle)
    )


def test_accueil_chiffres_cles_et_bandeau(page: Page, serveur, tmp_path):
    page.goto(serveur)
    for libelle, valeur in CHIFFRES.items():
        metrique = _metrique(page, libelle)
        expect(metrique).to_have_count(1, timeout=DELAI)
        expect(metrique.locator('[data-testid="stMetricValue"]')).to_have_text(
            valeur, timeout=DELAI
        )
    expect(page.get_by_text("Données de démonstration")).to_be_visible(timeout=DELAI)
    # For a human to look at; no assertion on pixels.
    expect(page.locator(".js-plotly-plot").first).to_be_visible(timeout=DELAI)
    page.screenshot(path=str(tmp_path / "accueil.png"), full_page=True)


def test_barre_laterale_seulement_la_navigation(page: Page, serveur):
    page.goto(serveur)
    nav = page.locator('[data-testid="stSidebarNav"]')
    expect(nav).to_be_visible(timeout=DELAI)
    # Exactly the pages of app.py's st.navigation, in order; nothing auto-generated from
    # pages/ file names (such as "accueil" or "suivi").
    expect(nav.locator("a")).to_have_text([re.compile(t) for t in PAGES], timeout=DELAI)
    for section in ("Vue d'ensemble", "Plan ESS", "Extractions", "À propos", "Administration"):
        expect(nav.get_by_text(section, exact=True)).to_be_visible()


PAGES = ["Accueil", "Carte", "Territoires", "Bilan 2020-2025", "Suivi du plan 2025-2028",
         "Data ESS", "Sources et méthodes", "Données"]


def test_carte_epci(page: Page, serveur, externes):
    page.goto(serveur)
    graphique = page.locator('[data-testid="stPlotlyChart"]').first
    expect(graphique).to_be_visible(timeout=DELAI)
    carte = graphique.locator(".js-plotly-plot")
    expect(carte).to_have_count(1, timeout=DELAI)
    # the 18 EPCI, not the pale neighbouring départements (the first trace)
    territoires = carte.locator(".choroplethlayer .trace:not(:first-child) path")
    try:
        expect(territoires.nth(17)).to_be_attached(timeout=DELAI)  # 18 EPCI at least
    except AssertionError as exc:
        raise AssertionError(
            f"carte des EPCI non dessinée ({territoires.count()} tracés) ; requêtes hors du "
            f"serveur local bloquées : {externes or 'aucune'}"
        ) from exc
    assert territoires.count() == 18


def test_navigation_vers_sources_et_parametre_annee(page: Page, serveur):
    page.goto(serveur)
    # The home page writes the selected year into the URL (?annee=2021 by default).
    expect(page).to_have_url(re.compile(r"[?&]annee=2021\b"), timeout=DELAI)
    assert "annee=" in page.url

    nav = page.locator('[data-testid="stSidebarNav"]')
    nav.get_by_role("link", name=re.compile(r"Sources et méthodes")).click()
    expect(page).to_have_url(re.compile(r"/sources(\?[^#]*)?$"), timeout=DELAI)
    expect(page.get_by_role("heading", name="Sources et méthodes", level=1)).to_be_visible(
        timeout=DELAI
    )

    # Back on the home page the year is set in the URL again.
    nav.get_by_role("link", name=re.compile(r"Accueil")).click()
    expect(page).not_to_have_url(re.compile(r"/sources"), timeout=DELAI)
    expect(page).to_have_url(re.compile(r"[?&]annee=2021\b"), timeout=DELAI)
    assert "annee=" in page.url


def test_annee_explicite_conservee(page: Page, serveur):
    page.goto(f"{serveur}/?annee=2021")
    expect(_metrique(page, "Effectifs salariés de l'ESS")).to_have_count(1, timeout=DELAI)
    expect(page).to_have_url(re.compile(r"[?&]annee=2021\b"), timeout=DELAI)
    assert "annee=" in page.url


@pytest.mark.parametrize(("chemin", "titre"), [("suivi", "Suivi du plan ESS 2025-2028"),
                                               ("data_ess", "Data ESS")])
def test_lien_direct_sur_serveur_froid(navigateur, db_demo, tmp_path, chemin, titre):
    """A forwarded link opened first on a freshly started server lands on its page, without
    Streamlit's "Page not found" dialog (URLs must equal the page file names), inside the app's
    frame: its navigation and the demo banner (Streamlit's old pages/ mode would run the page
    alone until app.py has run once)."""
    with serveur_streamlit(db_demo, tmp_path / "suivi.sqlite") as s:
        url = s.url
        contexte = navigateur.new_context()
        contexte.route(lambda u: not u.startswith(url), lambda route: route.abort())
        page = contexte.new_page()
        try:
            page.goto(f"{url}/{chemin}")
            expect(page.locator('[data-testid="stMainBlockContainer"] h1').first).to_have_text(
                titre, timeout=DELAI)
            expect(page.locator('[data-testid="stApp"]')).to_have_attribute(
                "data-test-script-state", "notRunning", timeout=DELAI)  # the run over
            expect(page.get_by_text("Page not found")).to_have_count(0)
            expect(page.get_by_test_id("stAlertContentWarning").get_by_text(
                "Données de démonstration", exact=True).first).to_be_visible(timeout=DELAI)
            expect(page.locator('[data-testid="stSidebarNav"]').get_by_role(
                "link", name=re.compile("Sources et méthodes"))).to_have_count(1, timeout=DELAI)
        finally:
            contexte.close()


@pytest.mark.parametrize("prefixe", ["", "/ess"])
def test_page_se_connecte_sans_detour(navigateur, db_demo, tmp_path, prefixe):
    """A page's URL (here /carte, also behind a path prefix, as a reverse proxy serves it)
    connects straight to the server: Streamlit would first probe /carte/_stcore/health (a 404)
    and wait 100 ms before the right address (web/asgi.py). The server says it is ready only
    once it has run the home page itself (its first visitor finds the caches filled)."""
    options = ("--server.baseUrlPath", prefixe.strip("/")) if prefixe else ()
    journal = tmp_path / "serveur.log"
    with serveur_streamlit(db_demo, tmp_path / "suivi.sqlite", options, journal=journal) as s:
        assert "Page d'accueil préchauffée" in journal.read_text(encoding="utf-8")
        contexte = navigateur.new_context()
        contexte.route(lambda u: not u.startswith(s.url), lambda route: route.abort())
        page = contexte.new_page()
        demandes: list[str] = []
        page.on("request", lambda r: demandes.append(r.url))
        try:
            page.goto(f"{s.url}{prefixe}/carte")
            expect(page.locator('[data-testid="stMainBlockContainer"] h1').first).to_have_text(
                "Carte de l'ESS", timeout=DELAI)
            sondes = [u for u in demandes if "/_stcore/health" in u]
            assert sondes and all(u == f"{s.url}{prefixe}/_stcore/health" for u in sondes), sondes
        finally:
            contexte.close()
