"""Real browser, tablet (820×1180, touch): the extraction journal's requesters are for the SIES
staff only, a staff login survives a reload until « Se déconnecter », a group of communes is
named in the journal, repeated taps on a download make one file and one line. Own server (own
secrets file and tracking store); no sleeps: Playwright's auto-waiting on the page's state."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("playwright")
from playwright.sync_api import Page, expect

from ess import journal
from ess.suivi import comptes, sessions, store
from tests.conftest import DELAI_NAVIGATEUR
from tests.serveur import serveur_streamlit
from tests.test_navigateur_tablette import PORTRAIT, attendre, ouvrir

pytestmark = pytest.mark.browser
MDP = "mot de passe navigateur assez long"
GROUPE = "communes:31193,31204,31317"
NOM_GROUPE = "Fustignac, Le Fousseret et Marignac-Lasclares"


@pytest.fixture(scope="module")
def serveur_sies(db_demo, tmp_path_factory):
    d = tmp_path_factory.mktemp("sies")
    secrets = d / "secrets.toml"
    secrets.write_text(f'[comptes.marie]\nnom = "Marie (SIES)"\nempreinte = "{comptes.empreinte(MDP)}"\n',
                       encoding="utf-8")
    suivi = d / "suivi.sqlite"
    journal.consigner("epci:200068815", "Communauté de communes Cœur de Garonne", 2021, "pdf",
                      "Mairie de Rieumes", chemin=suivi)
    with serveur_streamlit(db_demo, suivi, ("--secrets.files", str(secrets))) as s:
        yield s.url, suivi


@pytest.fixture
def ipad(navigateur, serveur_sies):
    url, _ = serveur_sies
    contexte = navigateur.new_context(viewport=PORTRAIT, has_touch=True, locale="fr-FR",
                                      accept_downloads=True)
    contexte.set_default_timeout(DELAI_NAVIGATEUR)
    expect.set_options(timeout=DELAI_NAVIGATEUR)
    contexte.route(lambda u: not u.startswith(url), lambda route: route.abort())
    page = contexte.new_page()
    try:
        yield page
    finally:
        expect.set_options(timeout=5_000)
        contexte.close()


def _journal(page: Page):
    _replier(page)  # on a portrait tablet the open sidebar lies over the page
    boite = page.locator('[data-testid="stExpander"]', has_text="Journal des extractions")
    if boite.locator("details").get_attribute("open") is None:  # opened once, it stays open
        boite.get_by_text("Journal des extractions", exact=True).tap()
    expect(boite.locator("details")).to_have_attribute("open", "")
    attendre(page)
    return boite


def _panneau(page: Page):
    panneau = page.locator('[data-testid="stSidebar"]')
    if panneau.get_attribute("data-collapsed") == "true":
        page.locator('[data-testid="stExpandSidebarButton"]').tap()
        expect(panneau).to_have_attribute("data-collapsed", "false")
    return panneau


def _replier(page: Page) -> None:
    panneau = page.locator('[data-testid="stSidebar"]')
    if panneau.get_attribute("data-collapsed") == "false":
        panneau.hover()  # (the button shows on hover; a tap on a tablet finds it too)
        page.locator('[data-testid="stSidebarCollapseButton"] button').tap()
        expect(panneau).to_have_attribute("data-collapsed", "true")


def test_journal_reserve_au_sies_et_session_gardee(ipad: Page, serveur_sies):
    url, suivi = serveur_sies
    ouvrir(ipad, f"{url}/data_ess?territoire={GROUPE}", "Data ESS")
    expect(ipad.get_by_role("heading", level=2)).to_contain_text(NOM_GROUPE)  # named, every commune
    # an anonymous visitor: how many extracts, never who asked
    boite = _journal(ipad)
    expect(boite).to_contain_text(re.compile(r"\d+ extractions? enregistrées? : "))
    expect(boite).not_to_contain_text("Mairie de Rieumes")
    expect(boite.locator("table")).to_have_count(0)
    # the login field speaks French, its limit is set
    panneau = _panneau(ipad)
    expect(panneau.get_by_role("button", name="Afficher le mot de passe")).to_have_count(1)
    expect(ipad.locator('[aria-label="Show password"]')).to_have_count(0)
    panneau.get_by_label("Identifiant").fill("marie")
    panneau.get_by_label("Mot de passe", exact=True).fill(MDP)
    # the browser trades its one-time code for the session cookie (web/cookie_session.py)
    with ipad.expect_response(lambda r: r.url.endswith("/_ess/session") and r.request.method == "POST"
                              ) as echange:
        panneau.get_by_role("button", name="Se connecter").tap()
        expect(panneau.get_by_text("Connecté·e : Marie (SIES)")).to_be_visible()
    assert echange.value.status == 204
    attendre(ipad)
    cookie = next(c for c in ipad.context.cookies() if c["name"] == sessions.COOKIE)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    expect(_journal(ipad)).to_contain_text("Mairie de Rieumes")
    # a reload keeps the staff member logged in
    ipad.reload()
    expect(ipad.locator('[data-testid="stMainBlockContainer"] h1').first).to_have_text("Data ESS")
    attendre(ipad)
    expect(_panneau(ipad).get_by_text("Connecté·e : Marie (SIES)")).to_be_visible()
    expect(_journal(ipad)).to_contain_text("Mairie de Rieumes")
    # « Se déconnecter »: gone for good, a reload included
    with ipad.expect_response(lambda r: r.url.endswith("/_ess/session") and r.request.method == "DELETE"):
        _panneau(ipad).get_by_role("button", name="Se déconnecter").tap()
        expect(_panneau(ipad).get_by_role("button", name="Se connecter")).to_be_visible()
    assert not [c for c in ipad.context.cookies() if c["name"] == sessions.COOKIE]
    attendre(ipad)
    ipad.reload()
    expect(ipad.locator('[data-testid="stMainBlockContainer"] h1').first).to_have_text("Data ESS")
    attendre(ipad)
    expect(_panneau(ipad).get_by_role("button", name="Se connecter")).to_be_visible()
    expect(_journal(ipad)).not_to_contain_text("Mairie de Rieumes")
    with store.ouvrir(suivi) as con:
        actions = [j["action"] for j in store.lire_journal(con)]
    assert actions[:2] == ["déconnexion", "connexion"]


def test_taps_repetes_un_fichier_une_ligne_groupe_nomme(ipad: Page, serveur_sies):
    url, suivi = serveur_sies
    ouvrir(ipad, f"{url}/data_ess?territoire={GROUPE}", "Data ESS")
    demandeur = ipad.get_by_label("Demandé par (journal des extractions)")
    demandeur.press_sequentially("x" * 205)
    expect(demandeur).to_have_value("x" * 200)  # typing stops at the limit
    demandeur.fill("Mairie de Fustignac")
    demandeur.press("Enter")
    attendre(ipad)
    avant = len(journal.lire(chemin=suivi))
    # taps that reach the button (after web/habillage.js, which may stop them at the document)
    ipad.evaluate("""() => { window.__essTaps = 0; document.addEventListener('click', e => {
        if (e.target.closest('[data-testid="stDownloadButton"]')) window.__essTaps++; }); }""")
    bouton = ipad.get_by_role("button", name="Fiche PDF A4")
    with ipad.expect_download() as telechargement:
        for _ in range(5):
            bouton.tap(no_wait_after=True)
    assert telechargement.value.suggested_filename.endswith(".pdf")
    attendre(ipad)
    assert ipad.evaluate("window.__essTaps") == 1  # one tap made a file, four were let go
    lignes = journal.lire(chemin=suivi)
    assert len(lignes) == avant + 1
    derniere = lignes.iloc[0]
    assert derniere["Territoire"] == NOM_GROUPE and derniere["Demandé par"] == "Mairie de Fustignac"
