"""Real-browser tests of the map and portrait pages: a permalink restores the view, the map
is drawn offline, a click on a territory selects it. No sleeps: Playwright's auto-waiting."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("playwright")
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

DELAI = 30_000
TOULOUSE_METROPOLE = "epci:243100518"


def _traces(page: Page):
    """The territories drawn, not the pale neighbouring départements (the first trace)."""
    return page.locator('[data-testid="stPlotlyChart"] .choroplethlayer '
                        '.trace:not(:first-child) path')


def test_permalien_carte_communes_restaure_la_vue(page: Page, serveur, externes):
    page.goto(f"{serveur}/carte?niveau=commune&metrique=effectifs_ess_1000_hab&annee=2019"
              f"&territoire=commune:31555&methode=jenks&classes=4")
    expect(page.get_by_role("heading", name=re.compile(r"pour 1\s000 habitants — Communes, 2019"))
           ).to_be_visible()
    traces = _traces(page)
    expect(traces.nth(585)).to_be_attached()  # 586 communes drawn, offline
    assert traces.count() == 586
    expect(page.locator('[data-testid="stAlert"]', has_text="Toulouse")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Voir le portrait de Toulouse"))).to_be_visible()
    # The legend (below the map) lists 4 classes and the secret class.
    legende = page.locator('[data-testid="stPlotlyChart"] .legend .legendtext')
    expect(legende.filter(has_text="secret statistique")).to_have_count(1)
    assert legende.count() >= 5
    assert not [u for u in externes if "topojson" in u or "world" in u], externes


def test_clic_sur_un_epci_le_selectionne(page: Page, serveur):
    page.goto(f"{serveur}/carte?niveau=epci&metrique=effectifs_ess&annee=2021")
    traces = _traces(page)
    expect(traces.nth(17)).to_be_attached()
    expect(page.get_by_text("Touchez ou cliquez sur un territoire")).to_be_visible()
    # Click the middle of the largest EPCI drawn.
    boites = [traces.nth(i).bounding_box() for i in range(traces.count())]
    i = max(range(len(boites)), key=lambda j: boites[j]["width"] * boites[j]["height"])
    traces.nth(i).click(position={"x": boites[i]["width"] / 2, "y": boites[i]["height"] / 2},
                        force=True)
    lien = page.get_by_role("link", name=re.compile("Voir le portrait (de la|du|de) "))
    expect(lien).to_be_visible()
    expect(page).to_have_url(re.compile(r"[?&]territoire=epci(:|%3A)\d{9}"))
    # the selected EPCI, named in bold in its box (« **nom** : valeur · rang »), ends the link
    nom = next(n for n in page.locator('[data-testid="stAlert"] strong').all_inner_texts()
               if n and lien.inner_text().endswith(n))
    lien.click()
    expect(page.get_by_role("heading", name=f"Portrait : {nom}", level=1)).to_be_visible()


def test_permalien_portrait(page: Page, serveur):
    page.goto(f"{serveur}/territoires?territoire={TOULOUSE_METROPOLE}"
              "&comparaison=metropole:hors-metropole&annee=2017")
    expect(page.get_by_role("heading", name="Portrait : Toulouse Métropole", level=1)).to_be_visible()
    expect(page.get_by_text(re.compile(r"Comparé aux\s+communes hors métropole"))).to_be_visible()
    expect(page.get_by_role("heading", name="Chiffres clés 2017")).to_be_visible()
    expect(page).to_have_url(re.compile(r"comparaison=metropole(:|%3A)hors-metropole"))
    page.emulate_media(media="print")
    expect(page.locator('[data-testid="stSidebar"]')).to_be_hidden()


def test_points_des_etablissements_sans_fond_de_carte(page: Page, serveur, externes):
    page.goto(f"{serveur}/carte?vue=etablissements&annee=2021")
    expect(page.get_by_role("heading", name=re.compile("Établissements employeurs de l'ESS"))
           ).to_be_visible()
    expect(page.locator('[data-testid="stDeckGlJsonChart"] canvas').first).to_be_visible()
    # deck.gl's canvas alone: no base map under it (MapLibre would draw a second WebGL canvas)
    expect(page.locator('[data-testid="stDeckGlJsonChart"] canvas')).to_have_count(1)
    # Nothing is requested outside the local server (no map style, no tiles).
    assert externes == [], externes


def test_accueil_et_portrait_situent_le_departement(page: Page, serveur, externes):
    """Accueil and the département's portrait show Occitanie and France beside it, the rank as
    a French sentence; the toggle draws the région's 13 départements and metropolitan France's
    96 (plus the outline), offline."""
    rang = re.compile(r"la Haute-Garonne est \d+ᵉ(ʳ)? département sur \d+ \(\d+ᵉ(ʳ)? sur 13 en Occitanie\)")
    page.goto(f"{serveur}/territoires?territoire=departement:31")
    expect(page.get_by_role("heading", name="La Haute-Garonne dans sa région et en France")).to_be_visible()
    expect(page.get_by_text(rang)).to_be_visible()
    page.goto(serveur)
    expect(page.get_by_text(rang)).to_be_visible()
    for territoire in ("Occitanie", "France"):
        cellule = page.locator(".ess-tableau-bloc td", has_text=re.compile(f"^{territoire}$"))
        expect(cellule.first).to_be_visible()
    page.get_by_text("Voir les cartes des départements").click()
    cartes = page.locator('[data-testid="stPlotlyChart"]').filter(
        has=page.locator(".choroplethlayer")).filter(has_not=page.locator(".xaxislayer-above .xtick"))
    expect(cartes.filter(has_text="Hérault")).to_have_count(1)
    region = cartes.filter(has_text="Hérault").locator(".choroplethlayer .trace").first.locator("path")
    expect(region).to_have_count(13)
    france = page.locator('[data-testid="stPlotlyChart"] .choroplethlayer .trace path')
    expect(france.nth(13 + 96 - 1)).to_be_attached()
    expect(page.get_by_text(re.compile(r"Outre-mer, hors de la carte : Guadeloupe : \d+,\d"))).to_be_visible()
    assert not externes, externes
