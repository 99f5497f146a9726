"""An élu on an iPad (820×1180 and 1180×820, touch) and a screen-reader user: axe-core over
every page state, the page language and titles, heading levels, maps that fill the tablet
with names and a legend below, links that reopen their view, print. Real browser, no sleeps,
no timing assertions: every wait is Playwright's auto-waiting on the page's own state."""

from __future__ import annotations

import itertools
import os
import re
import unicodedata
from pathlib import Path

import pytest

pytest.importorskip("playwright")
from playwright.sync_api import Page, expect

from tests.conftest import DELAI_NAVIGATEUR, RACINE
from tests.navigateur import attendre

pytestmark = pytest.mark.browser

AXE = RACINE / "node_modules" / "axe-core" / "axe.min.js"
PORTRAIT = {"width": 820, "height": 1180}
PAYSAGE = {"width": 1180, "height": 820}
ETATS = [  # (URL, h1) of the page states an élu and the SIES staff open
    ("", "L'économie sociale et solidaire en Haute-Garonne"),
    ("carte", "Carte de l'ESS"),
    ("carte?vue=etablissements", "Carte de l'ESS"),
    ("carte?niveau=commune&famille=association", "Carte de l'ESS"),
    ("territoires?territoire=commune:31483", "Portrait : Saint-Gaudens"),
    ("territoires?vue=typologies", "L'ESS hors métropole et en rural"),
    ("bilan?annee=2023", "Bilan du 1er plan ESS (2020-2025)"),
    ("suivi?fiche=3", "Suivi du plan ESS 2025-2028"),
    ("data_ess?territoire=epci:200068815", "Data ESS"),
    ("sources", "Sources et méthodes"),
    ("donnees", "Données"),
]


@pytest.fixture
def tablette(navigateur, serveur, externes, request):
    """A touch tablet in portrait (or the orientation given by indirect parametrisation), with
    every request outside the loopback server blocked and recorded."""
    taille = getattr(request, "param", PORTRAIT)
    contexte = navigateur.new_context(viewport=taille, has_touch=True, locale="fr-FR",
                                      device_scale_factor=1)
    contexte.set_default_timeout(DELAI_NAVIGATEUR)
    expect.set_options(timeout=DELAI_NAVIGATEUR)

    def bloquer(route):
        externes.append(route.request.url)
        route.abort()

    contexte.route(lambda url: not url.startswith(serveur), bloquer)
    page = contexte.new_page()
    try:
        yield page
    finally:
        expect.set_options(timeout=5_000)
        contexte.close()


def ouvrir(page: Page, url: str, titre: str) -> None:
    """Open a page state and wait until the app is idle (no script run, nothing stale)."""
    page.goto(url)
    expect(page.locator('[data-testid="stMainBlockContainer"] h1').first).to_have_text(titre)
    attendre(page)


def axe(page: Page) -> list[dict]:
    """Serious and critical WCAG 2.1 A/AA violations found by axe-core in the page."""
    if not AXE.exists():
        if os.environ.get("CI"):
            pytest.fail("axe-core absent : .ci/run doit lancer `npm ci`")
        pytest.skip("axe-core absent : lancer `npm ci` (installé par .ci/run)")
    page.add_script_tag(path=str(AXE))
    resultat = page.evaluate("""async () => await axe.run(document, {
        runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})""")
    return [{"regle": v["id"], "impact": v["impact"], "noeuds": [n["target"] for n in v["nodes"][:3]]}
            for v in resultat["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize(("chemin", "titre"), ETATS, ids=[e[0] or "accueil" for e in ETATS])
def test_accessibilite_axe_langue_titre_titres(tablette: Page, serveur, chemin, titre):
    ouvrir(tablette, f"{serveur}/{chemin}", titre)
    assert axe(tablette) == []
    niveaux = tablette.evaluate("""() => [...document.querySelectorAll(
        '[data-testid="stMain"] h1, [data-testid="stMain"] h2, [data-testid="stMain"] h3,'
        + '[data-testid="stMain"] h4')].filter(h => h.offsetParent !== null)
        .map(h => Number(h.tagName[1]))""")
    assert niveaux[0] == 1
    sauts = [(a, b) for a, b in itertools.pairwise(niveaux) if b > a + 1]
    assert not sauts, f"niveaux de titre sautés : {niveaux}"


def test_cartes_des_departements_accessibles(tablette: Page, serveur):
    """The maps of départements, opened by touch on Accueil: axe-clean, each under its own
    caption, the overseas list readable as text."""
    ouvrir(tablette, f"{serveur}/", "L'économie sociale et solidaire en Haute-Garonne")
    tablette.get_by_text("Voir les cartes des départements").tap()
    attendre(tablette)
    expect(tablette.get_by_text(re.compile(r"^Outre-mer, hors de la carte"))).to_be_visible()
    # Accueil's map of EPCI, then the région's and France's
    expect(tablette.locator('[data-testid="stPlotlyChart"] .choroplethlayer')).to_have_count(3)
    assert axe(tablette) == []


def test_un_titre_de_document_par_page(tablette: Page, serveur):
    titres = set()
    for chemin, titre in ETATS:
        if chemin.startswith("carte?"):
            continue
        ouvrir(tablette, f"{serveur}/{chemin}", titre)
        expect(tablette).to_have_title(re.compile(r".+ — ESS en Haute-Garonne$"))
        titres.add(tablette.title())
    assert len(titres) == 8


def _emprise(page: Page) -> dict:
    """Box of the drawn territories (union of the map's shapes), in CSS pixels."""
    return page.evaluate("""() => {
        // the territories, not the pale neighbouring départements drawn around them
        const ps = [...document.querySelectorAll('[data-testid="stPlotlyChart"] .choroplethlayer path')]
            .filter(p => getComputedStyle(p).fill !== 'rgb(235, 235, 232)');
        const b = ps.map(p => p.getBoundingClientRect()).filter(r => r.width > 0);
        const x0 = Math.min(...b.map(r => r.left)), x1 = Math.max(...b.map(r => r.right));
        const y0 = Math.min(...b.map(r => r.top)), y1 = Math.max(...b.map(r => r.bottom));
        const l = document.querySelector('[data-testid="stPlotlyChart"] .legend');
        const lb = l ? l.getBoundingClientRect() : null;
        return {largeur: x1 - x0, hauteur: y1 - y0, bas: y1, legende_haut: lb ? lb.top : null,
                vue: window.innerWidth, n: b.length};
    }""")


@pytest.mark.parametrize("tablette", [PORTRAIT, PAYSAGE], indirect=True, ids=["portrait", "paysage"])
@pytest.mark.parametrize("chemin", ["", "carte"], ids=["accueil", "carte"])
def test_carte_large_nommee_legende_dessous(tablette: Page, serveur, externes, chemin):
    ouvrir(tablette, f"{serveur}/{chemin}", re.compile(".+"))
    chemins = tablette.locator('[data-testid="stPlotlyChart"] .choroplethlayer path')
    expect(chemins.nth(17)).to_be_attached()  # the 18 EPCI
    tablette.locator('[data-testid="stPlotlyChart"]').first.scroll_into_view_if_needed()
    e = _emprise(tablette)
    # ≥ 60 % of the tablet's 820 px side: its width in portrait, its height in landscape (the
    # département is about as tall as wide)
    cote = e["largeur"] if e["vue"] == PORTRAIT["width"] else e["hauteur"]
    assert cote >= 0.6 * PORTRAIT["width"], e
    assert e["legende_haut"] is not None and e["legende_haut"] >= e["bas"] - 1, e  # never over it
    noms = tablette.locator('[data-testid="stPlotlyChart"] .scatterlayer text')
    expect(noms.filter(has_text="Toulouse Métropole")).to_have_count(1)
    expect(noms.filter(has_text="Cœur de Garonne")).to_have_count(1)
    # the basemap: the neighbouring départements, named, drawn from the project's own data
    for voisin in ("Gers", "Ariège", "Tarn", "Aude"):
        expect(noms.filter(has_text=re.compile(f"^{voisin}$"))).to_have_count(1)
    assert not externes, externes  # offline: no tile, font or topojson from outside
    # the 18 EPCI names, as drawn: none written over another, none cut by the map's frame
    boites = tablette.evaluate("""() => {
        const g = document.querySelector('[data-testid="stPlotlyChart"]');
        const traces = g.querySelectorAll('.scatterlayer .trace');
        const cadre = g.querySelector('.geo .bg, .geo rect, .geolayer').getBoundingClientRect();
        const r = [...traces[traces.length - 1].querySelectorAll('text')].map(t => {
            const b = t.getBoundingClientRect();
            return [t.textContent, b.left, b.top, b.right, b.bottom]; });
        return {noms: r, cadre: [cadre.left, cadre.top, cadre.right, cadre.bottom]};
    }""")
    noms_epci = boites["noms"]
    assert len(noms_epci) == 18, noms_epci
    g, h, d, b = boites["cadre"]
    for nom, *a in noms_epci:
        assert a[0] >= g - 1 and a[1] >= h - 1 and a[2] <= d + 1 and a[3] <= b + 1, (nom, a, boites["cadre"])
    for i, (n1, *a) in enumerate(noms_epci):
        for n2, *c in noms_epci[i + 1:]:
            large = min(a[2], c[2]) - max(a[0], c[0])
            haut = min(a[3], c[3]) - max(a[1], c[1])
            # a text's box includes its line spacing: boxes may touch (≤ 2 px), text never over text
            assert min(large, haut) <= 2, (n1, n2, large, haut)


def test_fond_de_carte_hors_ligne_des_etablissements(tablette: Page, serveur, externes):
    ouvrir(tablette, f"{serveur}/carte?vue=etablissements", "Carte de l'ESS")
    expect(tablette.locator('[data-testid="stDeckGlJsonChart"] canvas').first).to_be_visible()
    expect(tablette.get_by_text("sans service extérieur")).to_be_visible()
    assert not externes, externes  # the basemap is drawn from the project's outlines


def test_commune_et_famille_non_diffuse(tablette: Page, serveur):
    ouvrir(tablette, f"{serveur}/carte?niveau=commune&famille=association", "Carte de l'ESS")
    expect(tablette.get_by_text(re.compile("Non diffusé à cet échelon"))).to_be_visible()
    expect(tablette.locator('[data-testid="stPlotlyChart"]')).to_have_count(0)  # no map of zeros


def test_rural_metropole_legende_sous_les_barres(tablette: Page, serveur):
    ouvrir(tablette, f"{serveur}/territoires?vue=typologies", "L'ESS hors métropole et en rural")
    graphique = tablette.locator('[data-testid="stPlotlyChart"]').first
    graphique.scroll_into_view_if_needed()
    boites = graphique.evaluate("""g => {
        const barres = [...g.querySelectorAll('.barlayer path')].map(p => p.getBoundingClientRect());
        const l = g.querySelector('.legend').getBoundingClientRect();
        const noms = [...g.querySelectorAll('.yaxislayer-above text, .ytick text')]
            .map(t => [t.textContent, t.getBoundingClientRect().left]);
        return {bas_barres: Math.max(...barres.map(r => r.bottom)), haut_legende: l.top,
                gauche: g.getBoundingClientRect().left, noms};
    }""")
    assert boites["haut_legende"] >= boites["bas_barres"], boites
    assert ["Toulouse Métropole", True] in [[n, x >= boites["gauche"] - 1] for n, x in boites["noms"]]


def test_tableaux_et_chiffres_visibles(tablette: Page, serveur):
    ouvrir(tablette, serveur, "L'économie sociale et solidaire en Haute-Garonne")
    valeur = tablette.get_by_role("columnheader", name="Valeur", exact=True)
    expect(valeur).to_be_visible()  # "Pour situer" shows its figures, not two text columns
    pour_situer = tablette.locator("table.ess-tableau", has=valeur)
    expect(pour_situer).to_contain_text(re.compile(r"\d+,\d\s%"))
    ouvrir(tablette, f"{serveur}/bilan", "Bilan du 1er plan ESS (2020-2025)")
    valeurs = tablette.locator('[data-testid="stMetricValue"]')
    expect(valeurs.first).to_be_visible()
    coupees = valeurs.evaluate_all("els => els.filter(e => e.scrollWidth > e.clientWidth + 1)"
                                   ".map(e => e.textContent)")
    assert coupees == []  # "1 92…" no more
    expect(tablette.locator('[data-testid="stMetric"]', has_text="Montant accordé")).to_contain_text(
        re.compile(r"\d\s\d{3}\s\d{3}\s€"))
    tableau = tablette.locator("table.ess-tableau").first
    expect(tableau).to_contain_text(re.compile(r"\d{1,3}\s\d{3}"))  # 426 500, not 426500
    # figures right-aligned (units under units, as in INSEE's tables), labels left
    cellules = tableau.evaluate("""t => [...t.querySelectorAll('tbody td')]
        .map(td => [td.textContent, getComputedStyle(td).textAlign])""")
    assert any(re.fullmatch(r"\d{1,3}(\s\d{3})+", x) and a == "right" for x, a in cellules), cellules
    assert all(a == "left" for x, a in cellules if x and not re.search(r"\d", x)), cellules


def test_tableau_des_chiffres_cles_a_la_demande(tablette: Page, serveur):
    """The portrait's key figures table is built when its box is opened (the figures are in
    the metrics above), then shows both territories' figures in French."""
    ouvrir(tablette, f"{serveur}/territoires?territoire=epci:200068815",
           "Portrait : Communauté de communes Cœur de Garonne")
    boite = tablette.locator('[data-testid="stExpander"]', has_text="Tableau des chiffres clés")
    expect(boite.locator("table")).to_have_count(0)
    boite.get_by_text("Tableau des chiffres clés").tap()
    tableau = boite.locator("table.ess-tableau")
    expect(tableau).to_be_visible()
    expect(tableau.get_by_role("columnheader", name="Communauté de communes Cœur de Garonne")).to_be_visible()
    expect(tableau).to_contain_text(re.compile(r"\d+,\d\s%"))
    expect(boite.get_by_role("button", name="Télécharger (CSV)")).to_be_visible()


def _copier(page: Page) -> str:
    bouton = page.get_by_role("button", name="Copier le lien")
    expect(bouton).to_be_visible()  # a button, not a hover-only icon
    # tapped once the button has not moved for 5 frames (Playwright checks 2): on Data ESS, whose
    # tables settle late, a CI tap got no answer twice in ~8 rehearsals, never locally
    bouton.evaluate("""b => new Promise(ok => { let avant = "", pareil = 0;
        const suivre = () => { const r = JSON.stringify(b.getBoundingClientRect());
            pareil = r === avant ? pareil + 1 : 0; avant = r;
            if (pareil >= 5) ok(); else requestAnimationFrame(suivre); };
        requestAnimationFrame(suivre); })""")
    bouton.tap()
    expect(page.get_by_role("status").filter(has_text=re.compile("Lien (copié|sélectionné)"))
           ).to_be_visible()
    return page.locator(".ess-lien-texte").first.input_value()


@pytest.mark.parametrize(("chemin", "titre", "attendu"), [
    ("data_ess?territoire=epci:200068815", "Data ESS", "territoire=epci:200068815"),
    ("territoires?territoire=commune:31483", "Portrait : Saint-Gaudens",
     "comparaison=petr:comminges-pyrenees"),
    ("bilan?annee=2022", "Bilan du 1er plan ESS (2020-2025)", "annee=2022"),
    ("suivi?fiche=3", "Suivi du plan ESS 2025-2028", "fiche=3"),
], ids=["data_ess", "territoires", "bilan", "suivi"])
def test_copier_le_lien_au_doigt_rouvre_la_vue(tablette: Page, serveur, chemin, titre, attendu):
    tablette.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=serveur)
    ouvrir(tablette, f"{serveur}/{chemin}", titre)
    lien = _copier(tablette)
    assert attendu in lien, lien
    copie = tablette.evaluate("navigator.clipboard.readText()")
    assert copie == lien
    autre = tablette.context.new_page()
    ouvrir(autre, lien, titre)
    assert _copier(autre) == lien  # the link reopens exactly that view
    autre.close()


def test_data_ess_lien_epci_serveur_froid(navigateur, db_demo, tmp_path):
    """`/data_ess?territoire=epci:200068815` on a freshly started server opens that EPCI."""
    from tests.serveur import serveur_streamlit

    with serveur_streamlit(db_demo, tmp_path / "suivi.sqlite") as s:
        contexte = navigateur.new_context(viewport=PORTRAIT, has_touch=True, locale="fr-FR")
        contexte.route(lambda u: not u.startswith(s.url), lambda route: route.abort())
        page = contexte.new_page()
        try:
            ouvrir(page, f"{s.url}/data_ess?territoire=epci:200068815", "Data ESS")
            expect(page.get_by_role("heading", level=2)).to_contain_text("Cœur de Garonne")
            expect(page.get_by_role("radio", name="EPCI")).to_be_checked()
        finally:
            contexte.close()


@pytest.mark.parametrize(("chemin", "titre"), [
    ("", "L'économie sociale et solidaire en Haute-Garonne"),
    ("territoires?territoire=epci:243100518", "Portrait : Toulouse Métropole"),
    ("bilan", "Bilan du 1er plan ESS (2020-2025)"),
    ("carte", "Carte de l'ESS"),
    ("territoires?vue=typologies", "L'ESS hors métropole et en rural"),
], ids=["accueil", "territoires", "bilan", "carte", "rural"])
def test_impression_a4(tablette: Page, serveur, tmp_path: Path, chemin, titre):
    ouvrir(tablette, f"{serveur}/{chemin}", titre)
    tablette.emulate_media(media="print")
    expect(tablette.locator('[data-testid="stSidebar"]')).to_be_hidden()
    expect(tablette.locator(".modebar-container").first).to_be_hidden()
    graphiques = tablette.locator('[data-testid="stPlotlyChart"]')
    expect(graphiques.first).to_be_visible()  # (count() does not wait for the chart)
    assert graphiques.first.evaluate("g => getComputedStyle(g).breakInside") == "avoid"
    if chemin != "":  # pages with a "Copier le lien": link, source and date on paper
        expect(tablette.locator(".ess-imprime").first).to_be_visible()
        expect(tablette.locator(".ess-imprime").first).to_contain_text("Lien de cette vue")
    pdf = tmp_path / "page.pdf"
    tablette.pdf(path=str(pdf), format="A4", print_background=True)
    from pypdf import PdfReader

    lecteur = PdfReader(pdf)
    texte = " ".join(p.extract_text() or "" for p in lecteur.pages)
    assert titre.split(" ")[0] in texte and "Source" in texte
    if chemin != "":
        assert "Lien de cette vue" in texte
    # Every label of every chart (values, axis titles, legend) is on paper: a chart drawn wider
    # than the page (790 px here, 703 on A4) was cut at the right, its last labels gone.
    etiquettes = tablette.evaluate("""() => [...document.querySelectorAll(
        '[data-testid="stPlotlyChart"] .main-svg text')].map(t => t.textContent.trim())""")
    def compact(t: str) -> str:  # the PDF's text has ligatures (« eﬀectifs ») and its own spaces
        return re.sub(r"\s+", "", unicodedata.normalize("NFKC", t))
    sur_papier = compact(texte)
    manquantes = {e for e in etiquettes if len(e) > 2 and compact(e) not in sur_papier}
    assert not manquantes, f"étiquettes coupées à l'impression : {sorted(manquantes)[:8]}"


def test_impression_tableau_long_entier(navigateur, serveur, externes, tmp_path: Path):
    """The 586 communes of the map's table: an interactive grid on screen (a canvas, which
    would print the rows in view only), every row on paper (printed from a desktop: Chromium's
    PDF of a mobile-emulated page stops at a few pages)."""
    contexte = navigateur.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    contexte.set_default_timeout(DELAI_NAVIGATEUR)
    expect.set_options(timeout=DELAI_NAVIGATEUR)
    contexte.route(lambda u: not u.startswith(serveur), lambda r: (externes.append(r.request.url), r.abort()))
    page = contexte.new_page()
    try:
        ouvrir(page, f"{serveur}/carte?niveau=commune", "Carte de l'ESS")
        page.get_by_text("Les données de la carte (tableau)").click()
        expect(page.locator('[data-testid="stDataFrame"]')).to_be_visible()
        attendre(page)  # the rerun the expander triggers is over: nothing is redrawn under the printer
        imprime = page.locator("table.ess-imprime-tableau")
        expect(imprime).to_be_hidden()  # on screen, the grid only
        page.emulate_media(media="print")
        expect(imprime).to_be_visible()
        expect(imprime.locator("tbody tr")).to_have_count(586)
        attendre(page)
        # the expander holds the whole printed table before the PDF is taken
        page.wait_for_function("""() => {
            const t = document.querySelector('table.ess-imprime-tableau').getBoundingClientRect();
            const d = document.querySelector('[data-testid="stExpander"] details').getBoundingClientRect();
            return d.bottom >= t.bottom; }""")
        pdf = tmp_path / "carte.pdf"
        page.pdf(path=str(pdf), format="A4", print_background=True)
    finally:
        expect.set_options(timeout=5_000)
        contexte.close()
    import subprocess

    texte = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    lignes = [x for x in texte.splitlines() if re.search(r"\b31\d{3}\b", x)]
    assert len(lignes) == 586  # every commune, with its INSEE code
    # a hidden value prints « s », an empty one nothing: never pandas' missing-value marks
    assert not re.search(r"<NA>|\bnan\b|\bNaN\b", texte)


# --- Nothing on a page may mislead (issue 29) -----------------------------------------------

def test_secteurs_au_secret_jamais_dessines_comme_zero(tablette: Page, serveur, db_demo):
    """Cœur de Garonne's secret sections (8 when the issue was filed, 11 since the attacker reads
    SIRENE) are no empty rows of the bar chart (zero jobs to the eye): left out, named in the
    sentence, « s » in the table; the heading says A38 only where there is an A38 detail, the
    table's columns are words."""
    import duckdb

    with duckdb.connect(str(db_demo), read_only=True) as con:
        (n,) = con.execute("SELECT count(*) FROM emploi WHERE territoire = 'epci:200068815' AND annee = 2021 "
                           "AND groupe = 'ess' AND nomenclature = 'a21' AND secret").fetchone()
    assert n >= 2
    ouvrir(tablette, f"{serveur}/territoires?territoire=epci:200068815&annee=2021",
           "Portrait : Communauté de communes Cœur de Garonne")
    titre = tablette.get_by_role("heading", name=re.compile("^Secteurs d'activité"), level=2)
    expect(titre).to_contain_text("(sections A21)")
    expect(titre).not_to_contain_text("A38")
    graphique = tablette.locator('[data-testid="stPlotlyChart"]').nth(2)
    graphique.scroll_into_view_if_needed()
    expect(graphique.locator(".barlayer path").first).to_be_attached()
    rangs = graphique.evaluate("""g => ({
        noms: [...g.querySelectorAll('.yaxislayer-above .ytick text')].map(t => t.textContent),
        barres: [...g.querySelectorAll('.barlayer .point path')]
            .map(p => p.getBoundingClientRect().width)})""")
    assert rangs["noms"] and not [n for n in rangs["noms"] if n.startswith(("Construction", "Transports"))]
    assert len(rangs["barres"]) == len(rangs["noms"]) and min(rangs["barres"]) > 0, rangs
    phrase = re.compile(rf"{n} secteurs couverts par le secret statistique .*«\s+construction\s+»")
    expect(tablette.get_by_text(phrase)).to_be_visible()
    tableau = tablette.locator("table.ess-tableau", has_text="Construction")
    expect(tableau.locator("thead th")).to_have_text([
        "Code NAF", "Secteur d'activité", "Établissements employeurs", "Effectifs salariés",
        "Part des effectifs de l'ESS"])
    expect(tableau.locator("tr", has_text="Construction").locator("td").nth(3)).to_have_text("s")


def _contraste(rgb: str) -> float:
    def lum(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (int(x) for x in re.findall(r"\d+", rgb)[:3])
    return 1.05 / (0.2126 * lum(r) + 0.7152 * lum(g) + 0.0722 * lum(b) + 0.05)


@pytest.mark.parametrize("chemin", ["", "carte"], ids=["accueil", "carte"])
def test_epci_au_secret_marque_s_legende_visible(tablette: Page, serveur, chemin):
    """Tarn-Agout (partie haut-garonnaise), under the secret, carries « s » under its name, as the
    communes' map marks its own; the legend's « s : secret statistique » swatch has an outline
    of contrast ≥ 3:1 (it was white on white); the neighbours' names cover no EPCI."""
    ouvrir(tablette, f"{serveur}/{chemin}", re.compile(".+"))
    carte = tablette.locator('[data-testid="stPlotlyChart"]').first
    carte.scroll_into_view_if_needed()
    tarn = carte.locator(".scatterlayer text", has_text="Tarn-Agout")
    expect(tarn).to_have_count(1)
    # split by plotly after drawing, and redrawn on a busy machine: retried until it holds
    expect(tarn.locator("tspan.line")).to_have_text(["Tarn-Agout", "(partie haut-garonnaise)", "s"])
    entree = carte.locator(".legend .traces", has_text="s : secret statistique")
    trait = entree.locator(".legendpoints path").first.evaluate(
        "p => [getComputedStyle(p).stroke, parseFloat(getComputedStyle(p).strokeWidth)]")
    assert trait[1] >= 1 and _contraste(trait[0]) >= 3, trait
    # the neighbouring départements' names: over no territory, over no EPCI name
    dessous = carte.evaluate("""g => {
        const traces = g.querySelectorAll('.scatterlayer .trace');
        const voisins = [...traces[0].querySelectorAll('text')];
        const noms = [...traces[traces.length - 1].querySelectorAll('text')]
            .map(t => t.getBoundingClientRect());
        const formes = new Set(g.querySelectorAll('.choroplethlayer .trace:not(:first-child) path'));
        return voisins.map(t => {
            const b = t.getBoundingClientRect();
            const points = [[b.left + 2, b.top + 2], [b.right - 2, b.top + 2], [b.left + 2, b.bottom - 2],
                            [b.right - 2, b.bottom - 2], [(b.left + b.right) / 2, (b.top + b.bottom) / 2]];
            const sur_forme = points.some(([x, y]) =>
                document.elementsFromPoint(x, y).some(e => formes.has(e)));
            const sur_nom = noms.some(n => Math.min(b.right, n.right) - Math.max(b.left, n.left) > 1
                                           && Math.min(b.bottom, n.bottom) - Math.max(b.top, n.top) > 1);
            return [t.textContent, sur_forme, sur_nom]; });
    }""")
    assert dessous and not [d for d in dessous if d[1] or d[2]], dessous


def _noms_coupes(carte) -> list[str]:
    """The territories' names that run past the map's frame."""
    return carte.evaluate("""g => {
        const cadre = g.querySelector('.geolayer, .geo .bg, .geo rect').getBoundingClientRect();
        const ts = g.querySelectorAll('.scatterlayer .trace');
        return [...ts[ts.length - 1].querySelectorAll('text')].filter(t => {
            const b = t.getBoundingClientRect();
            return b.left < cadre.left - 1 || b.right > cadre.right + 1; }).map(t => t.textContent); }""")


def test_carte_du_bilan_nomme_les_epci(tablette: Page, serveur):
    ouvrir(tablette, f"{serveur}/bilan?repartition=Par+EPCI", "Bilan du 1er plan ESS (2020-2025)")
    carte = tablette.locator('[data-testid="stPlotlyChart"]').first
    carte.scroll_into_view_if_needed()
    noms = carte.locator(".scatterlayer .trace").last.locator("text")
    expect(noms.filter(has_text="Toulouse Métropole")).to_have_count(1)
    expect(noms).to_have_count(18)
    assert not _noms_coupes(carte)  # drawn at the size its names were placed for


def test_barre_d_outils_au_dessus_des_valeurs(tablette: Page, serveur):
    """On a touch screen the charts' toolbar is always shown: it sits above the plot, never over
    a value (« 72,5 % », the métropole's bar, was under it)."""
    ouvrir(tablette, f"{serveur}/territoires?vue=typologies", "L'ESS hors métropole et en rural")
    for i in range(2):
        graphique = tablette.locator('[data-testid="stPlotlyChart"]').nth(i)
        graphique.scroll_into_view_if_needed()
        graphique.tap(position={"x": 20, "y": 200})  # a touch shows the toolbar
        expect(graphique.locator(".modebar")).to_be_attached()
        sous = graphique.evaluate("""g => {
            const m = g.querySelector('.modebar').getBoundingClientRect();
            return [...g.querySelectorAll('.main-svg text')].filter(t => t.textContent.trim()).map(t => {
                const b = t.getBoundingClientRect();
                return [t.textContent, Math.min(b.right, m.right) > Math.max(b.left, m.left)
                        && Math.min(b.bottom, m.bottom) > Math.max(b.top, m.top)]; })
                .filter(x => x[1]).map(x => x[0]); }""")
        assert not sous, sous


def test_panneau_ouvert_ne_coupe_pas_la_carte(tablette: Page, serveur):
    """Opening the sidebar on a portrait tablet lays it over the page: the map keeps its width
    and its names (« Aux sources du Canal du M » was cut)."""
    ouvrir(tablette, f"{serveur}/carte", "Carte de l'ESS")
    carte = tablette.locator('[data-testid="stPlotlyChart"]').first
    expect(carte.locator(".scatterlayer text", has_text="Aux sources du Canal du Midi")).to_have_count(1)
    avant = carte.evaluate("g => g.getBoundingClientRect().width")
    panneau = tablette.locator('[data-testid="stSidebar"]')
    expect(panneau).to_have_attribute("data-collapsed", "true")
    tablette.locator('[data-testid="stExpandSidebarButton"]').tap()
    expect(panneau).to_have_attribute("data-collapsed", "false")
    expect(panneau.get_by_text("Niveau", exact=True)).to_be_in_viewport()
    assert carte.evaluate("g => g.getBoundingClientRect().width") == avant
    assert not _noms_coupes(carte)


def test_lien_errone_dit_dans_la_page(tablette: Page, serveur):
    """A bad value in a link is said in the page: the sidebar is folded on a tablet."""
    ouvrir(tablette, f"{serveur}/carte?metrique=inconnue&annee=1900", "Carte de l'ESS")
    principal = tablette.locator('[data-testid="stMain"]')
    expect(principal.locator('[data-testid="stAlert"]', has_text="« inconnue »")).to_be_visible()
    annee = principal.locator('[data-testid="stAlert"]', has_text="Année « 1900 » indisponible")
    expect(annee).to_be_visible()
    expect(tablette.get_by_text("Touchez ou cliquez sur un territoire de la carte")).to_be_visible()


def _carte_prete(page: Page, n: int):
    traces = page.locator('[data-testid="stPlotlyChart"] .choroplethlayer .trace:not(:first-child) path')
    expect(traces.nth(n - 1)).to_be_attached()
    return traces


def test_niveau_change_apres_un_epci_touche(tablette: Page, serveur):
    """A tap on an EPCI, then Niveau → Communes: the page itself moved on, no « Territoire
    sélectionné … inconnu(e) dans le lien », and the box shows no territory."""
    ouvrir(tablette, f"{serveur}/carte?annee=2021", "Carte de l'ESS")
    traces = _carte_prete(tablette, 18)
    boites = [traces.nth(i).bounding_box() for i in range(traces.count())]
    i = max(range(len(boites)), key=lambda j: boites[j]["width"] * boites[j]["height"])
    traces.nth(i).click(position={"x": boites[i]["width"] / 2, "y": boites[i]["height"] / 2}, force=True)
    expect(tablette).to_have_url(re.compile(r"[?&]territoire=epci(:|%3A)\d{9}"))
    attendre(tablette)
    tablette.locator('[data-testid="stExpandSidebarButton"]').tap()
    tablette.locator('[data-testid="stSidebar"]').get_by_text("Communes", exact=True).tap()
    _carte_prete(tablette, 586)
    attendre(tablette)
    expect(tablette.get_by_text(re.compile("inconnu"))).to_have_count(0)
    expect(tablette.get_by_role("combobox", name="Territoire sélectionné")).to_have_value("— aucun —")
    assert "territoire=" not in tablette.url


def test_vue_basculee_vite_garde_la_comparaison(tablette: Page, serveur):
    """Toggling Vue six times quickly keeps the comparison territory (it became the
    département, index 0 of its box, in 2 runs of 3: three rounds here)."""
    ouvrir(tablette, f"{serveur}/territoires?territoire=epci:200068815&annee=2021",
           "Portrait : Communauté de communes Cœur de Garonne")
    expect(tablette.get_by_text(re.compile("^Comparé au PETR du Pays Sud Toulousain"))).to_be_visible()
    for _ in range(3):
        for k in range(6):
            tablette.get_by_text("Rural et métropole" if k % 2 == 0 else "Portrait d'un territoire",
                                 exact=True).first.tap(no_wait_after=True)
        expect(tablette.locator("h1").first).to_have_text("Portrait : Communauté de communes Cœur de Garonne")
        attendre(tablette)
        expect(tablette.get_by_text(re.compile("^Comparé au PETR du Pays Sud Toulousain"))).to_be_visible()
        assert "comparaison=petr" in tablette.url


@pytest.mark.parametrize(("chemin", "titre"), [
    ("", "L'économie sociale et solidaire en Haute-Garonne"), ("carte", "Carte de l'ESS"),
    ("bilan?repartition=Par+dispositif", "Bilan du 1er plan ESS (2020-2025)")],
    ids=["accueil", "carte", "bilan"])
def test_barres_d_outils_en_francais(tablette: Page, serveur, chemin, titre):
    """plotly's toolbar (« Download plot as a PNG »…) and Streamlit's labels read in French."""
    ouvrir(tablette, f"{serveur}/{chemin}", titre)
    graphique = tablette.locator('[data-testid="stPlotlyChart"]').first
    graphique.scroll_into_view_if_needed()
    expect(graphique.locator(".modebar-btn").first).to_be_attached()
    titres = graphique.evaluate(
        "g => [...g.querySelectorAll('.modebar-btn')].map(b => b.getAttribute('data-title'))")
    anglais = re.compile(r"\b(Download|plot|Zoom|Pan|Reset|Autoscale|Toggle|Select|hover|Produced)\b")
    assert titres and not [t for t in titres if anglais.search(t or "")], titres
    # translated at the next frame (web/habillage.js), the added element itself included (the
    # bilan's heading anchors, reached from the carte, stayed « Link to heading »); polled on a
    # timer: a page in the background of the test browser may get no animation frame for a while
    anglaises = ["Link to heading", "Skip to main content", "Sidebar"]
    tablette.wait_for_function("""a => ![...document.querySelectorAll('[aria-label], [title]')]
        .map(e => e.getAttribute('aria-label') || e.getAttribute('title'))
        .some(t => a.includes(t) || t.startsWith('Help for '))""",
                               arg=anglaises, timeout=5000, polling=100)
    if chemin.startswith("bilan"):  # the amounts' axis in French: « 500 000 € », « 1 M€ »
        axe = graphique.evaluate("g => [...g.querySelectorAll('.xtick text')].map(t => t.textContent)")
        assert "1\u202fM€" in axe and "500\u202f000\u202f€" in axe, axe
