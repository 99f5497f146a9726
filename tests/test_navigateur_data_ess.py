"""Real browser on the "Data ESS" page: pick an EPCI, download the XLSX, read it back."""

from __future__ import annotations

import re

import openpyxl
import pytest

pytest.importorskip("playwright")
from playwright.sync_api import expect

from tests.navigateur import attendre

pytestmark = pytest.mark.browser

DELAI = 60_000  # ms: first render of the page runs the cold queries of the fiche
EPCI = "Communauté de communes Cagire Garonne Salat"


def test_choisir_un_epci_et_telecharger_le_xlsx(page, serveur, tmp_path):
    page.goto(serveur)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=re.compile("Data ESS")).click()
    expect(page).to_have_url(re.compile(r"/data_ess"), timeout=DELAI)
    expect(page.get_by_role("heading", name="Data ESS", level=1)).to_be_visible(timeout=DELAI)
    # first render done (the default commune's fiche) before changing the level
    expect(page.get_by_test_id("stDownloadButton")).to_have_count(4, timeout=DELAI)
    page.get_by_test_id("stRadio").filter(has_text="Type de territoire").get_by_text(
        "EPCI", exact=True).click()
    # the rerun has replaced the commune picker by the EPCI one when the URL names an EPCI
    expect(page).to_have_url(re.compile(r"territoire=epci"), timeout=DELAI)
    attendre(page, DELAI)  # the commune picker, stale during the rerun, is gone
    selecteur = page.get_by_test_id("stSelectbox").filter(has_text="Territoire")  # no stale one left
    expect(selecteur).to_have_count(1, timeout=DELAI)
    selecteur.click()
    page.keyboard.type("Cagire")  # the list is virtualised: filter it first
    page.get_by_role("option", name=EPCI).click()
    expect(page.get_by_role("heading", name=re.compile(r"Cagire Garonne Salat — 2021"))).to_be_visible(
        timeout=DELAI)
    expect(page).to_have_url(re.compile(r"territoire=epci(%3A|:)200073146"), timeout=DELAI)

    with page.expect_download() as attente:
        page.get_by_test_id("stDownloadButton").filter(has_text="Classeur XLSX").get_by_role("button").click()
    telechargement = attente.value
    assert telechargement.suggested_filename == \
        "data-ess_Communaute-de-communes-Cagire-Garonne-Salat_2021.xlsx"
    chemin = tmp_path / telechargement.suggested_filename
    telechargement.save_as(chemin)
    wb = openpyxl.load_workbook(chemin, read_only=True)
    assert "Familles juridiques" in wb.sheetnames and wb.sheetnames[-1] == "Méthodes et sources"
    titre = next(wb["Comparaisons"].iter_rows(max_row=1, values_only=True))[0]
    assert "Cagire Garonne Salat" in titre
    page.screenshot(path=str(tmp_path / "data_ess.png"), full_page=True)


def test_fiche_imprimee(page, serveur, tmp_path):
    """Printed from the browser, the fiche is what a reader needs on paper: each table with its
    title on the same page, the definitions and the secret (a closed box on screen), where the
    long list is; not the download buttons nor the journal of extracts."""
    from pypdf import PdfReader

    page.goto(f"{serveur}/data_ess?territoire=epci:200068815")
    expect(page.get_by_role("heading", level=2)).to_contain_text("Cœur de Garonne", timeout=DELAI)
    attendre(page, DELAI)  # the run over, nothing stale under the printer
    page.emulate_media(media="print")
    # the print styles in effect (they come with the run, in the sidebar's habillage)
    etat = page.evaluate("""() => ({print: matchMedia('print').matches,
        styles: [...document.querySelectorAll('style')]
            .filter(s => s.textContent.includes('ess-tableau-bloc')).length,
        boites: [...document.querySelectorAll('[data-testid="stExpander"]')].map(e =>
            [e.innerText.slice(0, 30), getComputedStyle(e).display, e.querySelector('details').open])})""")
    message = f"impression : {etat}"
    expect(page.get_by_text("Journal des extractions", exact=True), message).to_be_hidden(timeout=DELAI)
    expect(page.get_by_text("valeur masquée par le secret statistique"), message).to_be_visible(timeout=DELAI)
    pdf = tmp_path / "fiche.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    pages = [p.extract_text() or "" for p in PdfReader(pdf).pages]
    texte = " ".join(pages)
    assert "valeur masquée par le secret statistique" in texte  # the closed box, printed
    assert "lignes, non imprimées" in texte and "classeur XLSX" in texte
    assert "Télécharger la fiche" not in texte and "Journal des extractions" not in texte
    titre = next(p for p in pages if "Tableau 1 — Comparaisons" in p)
    assert "Département" in titre and "Source : INSEE" in titre  # its rows and source with it
