"""Real browser, as SIES staff: log in on « Données », upload the register with one more
financed project, read the preview (56 → 57), publish, see 57 on Bilan; upload a broken
register, read the French error, nothing changes; go back to the previous version, see 56.
Own Streamlit server on its own copy of the demo database (publishing replaces it)."""

from __future__ import annotations

import re
import shutil

import pytest

pytest.importorskip("playwright")
from playwright.sync_api import expect

from ess.suivi import comptes, store
from tests.registres import registre_plus_un
from tests.serveur import serveur_streamlit

pytestmark = pytest.mark.browser
DELAI = 60_000
MDP = "mot de passe navigateur assez long"


@pytest.fixture(scope="module")
def serveur_donnees(db_demo, tmp_path_factory):
    d = tmp_path_factory.mktemp("donnees")
    db = d / "ess.duckdb"
    shutil.copyfile(db_demo, db)
    secrets = d / "secrets.toml"
    secrets.write_text(f'[comptes."marie.dupont"]\nnom = "Marie Dupont (SIES)"\n'
                       f'empreinte = "{comptes.empreinte(MDP)}"\n', encoding="utf-8")
    suivi = d / "suivi.sqlite"
    with serveur_streamlit(db, suivi, ("--secrets.files", str(secrets))) as s:
        yield s.url, db, suivi


def _aller(page, titre: str) -> None:
    """Through the sidebar, as a user: a new URL would open a new session (logged out)."""
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=titre).click()


def _financés(page):
    _aller(page, "Bilan 2020-2025")
    return page.get_by_test_id("stMetric").filter(has_text="Projets d'innovation sociale financés")


def test_charger_apercu_publier_revenir(navigateur, serveur_donnees, tmp_path):
    url, db, suivi = serveur_donnees
    contexte = navigateur.new_context(viewport={"width": 1400, "height": 1000}, locale="fr-FR")
    contexte.set_default_timeout(DELAI)
    externes: list[str] = []
    contexte.route(lambda u: not u.startswith(url), lambda r: (externes.append(r.request.url), r.abort()))
    page = contexte.new_page()
    expect.set_options(timeout=DELAI)
    try:
        page.goto(f"{url}/donnees")
        expect(page.get_by_role("heading", name="Données", exact=True)).to_be_visible()
        expect(page.get_by_text("réservée au personnel du SIES")).to_be_visible()
        expect(page.get_by_role("button", name="Préparer l'aperçu")).to_have_count(0)
        barre = page.get_by_test_id("stSidebar")
        barre.get_by_label("Identifiant").fill("marie.dupont")
        barre.get_by_label("Mot de passe", exact=True).fill(MDP)  # not « Afficher le mot de passe »
        barre.get_by_role("button", name="Se connecter").click()
        expect(barre.get_by_text("Connecté·e : Marie Dupont (SIES)")).to_be_visible()

        # A broken register: the French error of the CLI's reader, the database untouched.
        avant = db.read_bytes()
        registre = page.get_by_test_id("stFileUploader").filter(
            has_text="Registre des projets du 1er plan").locator("input[type=file]")
        registre.set_input_files(registre_plus_un(db, tmp_path / "registre_casse.csv", commune="99999"))
        page.get_by_role("button", name="Préparer l'aperçu").click()
        erreur = page.get_by_test_id("stAlertContentError")
        expect(erreur).to_contain_text("L'aperçu a échoué : Registre des projets registre_casse.csv")
        expect(erreur).to_contain_text("ligne 163, colonne « commune » : commune « 99999 » inconnue")
        expect(page.get_by_text("La base en service n'a pas changé.")).to_be_visible()
        assert db.read_bytes() == avant

        # One more financed project: the preview says 56 → 57 before anything is published.
        registre.set_input_files(registre_plus_un(db, tmp_path / "registre_plus_un.csv"))
        page.get_by_role("button", name="Préparer l'aperçu").click()
        projets = page.locator("table.ess-tableau").filter(has_text="Projets financés")
        expect(projets.get_by_role("row").filter(has_text="Projets financés")).to_contain_text("56")
        expect(projets.get_by_role("row").filter(has_text="Projets financés")).to_contain_text("57")
        expect(page.get_by_text("Audit du secret statistique de la nouvelle base : réussi.")).to_be_visible()
        expect(page.get_by_text("Aucun chiffre clé du département ni des EPCI ne change.")).to_be_visible()
        assert db.read_bytes() == avant
        expect(_financés(page)).to_contain_text("56")

        _aller(page, "Données")
        page.get_by_role("button", name="Publier cette base").click()
        publie = re.compile("Dernière publication : version du .*, par marie.dupont")
        expect(page.get_by_text(publie)).to_be_visible()
        expect(_financés(page)).to_contain_text("57")
        # The register is the SIES's own now: the demo banner no longer calls the projects fictitious.
        expect(page.get_by_text(re.compile("Données de démonstration : les établissements et les emplois "
                                           "par commune sont fictifs"))).to_be_visible()

        # Back to the version in service before: 56 again, and the journal says who did it.
        _aller(page, "Données")
        page.get_by_role("button", name="Revenir à cette version").click()
        expect(page.get_by_text(re.compile("remise en service"))).to_be_visible()
        expect(_financés(page)).to_contain_text("56")
        _aller(page, "Données")
        journal = page.locator("table.ess-tableau").filter(has_text="retour à une version gardée")
        expect(journal).to_contain_text("marie.dupont")
    finally:
        expect.set_options(timeout=5_000)
        page.screenshot(path=str(tmp_path / "donnees.png"), full_page=True)
        contexte.close()
    assert externes == []
    with store.ouvrir(suivi) as con:
        actions = [x["action"] for x in store.lire_journal(con) if x["utilisateur"] == "marie.dupont"]
    assert {"aperçu demandé", "publication", "retour à une version"} <= set(actions)
