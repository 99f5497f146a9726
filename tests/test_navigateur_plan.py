"""Real browser: log in on the tracking page, edit an indicator value, see it in the audit
trail. Own Streamlit server (own secrets file and tracking store); no sleeps, Playwright's
auto-waiting only; every request leaving the loopback server is blocked."""

from __future__ import annotations

import re

import pytest
from openpyxl import load_workbook

pytest.importorskip("playwright")
from playwright.sync_api import expect

from ess.suivi import comptes, store
from ess.suivi import saisies as ind
from tests.serveur import serveur_streamlit

pytestmark = pytest.mark.browser
DELAI = 30_000
MDP = "mot de passe navigateur assez long"


@pytest.fixture(scope="module")
def serveur_plan(db_demo, tmp_path_factory):
    d = tmp_path_factory.mktemp("plan")
    secrets = d / "secrets.toml"
    secrets.write_text(f'[comptes.marie]\nnom = "Marie (SIES)"\nempreinte = "{comptes.empreinte(MDP)}"\n',
                       encoding="utf-8")
    suivi = d / "suivi.sqlite"
    with store.ouvrir(suivi) as con:
        ind.creer_indicateur(con, "1", "Porteurs accueillis au guichet", "porteurs", "paul")
    with serveur_streamlit(db_demo, suivi, ("--secrets.files", str(secrets))) as s:
        yield s.url, suivi


def test_connexion_saisie_et_journal(navigateur, serveur_plan, tmp_path):
    url, suivi = serveur_plan
    externes: list[str] = []
    contexte = navigateur.new_context(viewport={"width": 1400, "height": 1000}, locale="fr-FR",
                                      accept_downloads=True)
    contexte.set_default_timeout(DELAI)
    contexte.route(lambda u: not u.startswith(url), lambda route: (externes.append(route.request.url),
                                                                   route.abort()))
    page = contexte.new_page()
    try:
        page.goto(url)
        page.locator('[data-testid="stSidebarNav"]').get_by_role(
            "link", name=re.compile("Suivi du plan")).click()
        expect(page.get_by_role("heading", name="Suivi du plan ESS 2025-2028")).to_be_visible(timeout=DELAI)
        expect(page.get_by_role("button", name="Enregistrer la valeur")).to_have_count(0, timeout=DELAI)
        barre = page.locator('[data-testid="stSidebar"]')
        barre.get_by_label("Identifiant").fill("marie")
        barre.get_by_label("Mot de passe", exact=True).fill(MDP)  # not « Afficher le mot de passe »
        barre.get_by_role("button", name="Se connecter").click()
        expect(barre.get_by_text("Connecté·e : Marie (SIES)")).to_be_visible(timeout=DELAI)
        page.get_by_label("Valeur", exact=True).fill("87,5")  # French decimal comma, typed
        page.get_by_label("Commentaire").fill("saisie navigateur")
        page.get_by_role("button", name="Enregistrer la valeur").click()
        expect(page.get_by_label("Valeur", exact=True)).to_have_value("87,5", timeout=DELAI)
        # The upload box (shown to staff) speaks French: no "Drag and drop", "200MB per file".
        expect(page.get_by_text("200 Mo au plus par fichier")).to_be_visible(timeout=DELAI)
        expect(page.get_by_text(re.compile("per file|Drag and drop|Browse files|Upload"))).to_have_count(0)
        # The audit trail: its latest line is spelled out above the table (drawn on a canvas).
        expect(page.get_by_text(
            "Dernière modification : marie, valeur « Porteurs accueillis au guichet · 2025 »")
        ).to_be_visible(timeout=DELAI)
        expect(page.locator('[data-testid="stDataFrame"]').last).to_be_visible(timeout=DELAI)
        page.screenshot(path=str(tmp_path / "suivi_journal.png"), full_page=True)
        with store.ouvrir(suivi) as con:
            dernier = store.lire_journal(con)[0]
        assert (dernier["utilisateur"], dernier["action"]) == ("marie", "valeur")
        assert '"valeur": 87.5' in dernier["nouvelle_valeur"]  # never 875
        # The export is made on click, on its own connection: it holds the value just saved.
        with page.expect_download() as attente:
            page.get_by_role("button", name=re.compile("Télécharger les indicateurs")).click()
        fichier = tmp_path / attente.value.suggested_filename
        attente.value.save_as(fichier)
        classeur = load_workbook(fichier)["Indicateurs"]
        assert 87.5 in [c.value for row in classeur.iter_rows() for c in row]
    finally:
        contexte.close()
    assert externes == []
