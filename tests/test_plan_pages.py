"""Pages of the "Plan ESS" section through AppTest: figures of the bilan, read-only tracking
without login, wrong password refused, editing after login with audit trail and conflicts."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib

import pytest
from streamlit.testing.v1 import AppTest

from ess.suivi import comptes, store
from ess.suivi import saisies as ind
from tests.conftest import RACINE

NNBSP = "\u202f"
MDP = "mot de passe de test assez long"


@pytest.fixture(scope="module")
def empreinte():
    return comptes.empreinte(MDP)


@pytest.fixture
def suivi(env_db, tmp_path, monkeypatch):
    chemin = tmp_path / "suivi.sqlite"
    monkeypatch.setenv("ESS_SUIVI_DB", str(chemin))
    return chemin


def _page(page: str, secrets: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(RACINE / "app.py"), default_timeout=90)
    for k, v in (secrets or {}).items():
        at.secrets[k] = v
    at.run()
    # (AppTest keeps the entry script's banner in the first run's tree only)
    assert any("Données de démonstration" in w.value for w in at.warning)
    at.query_params.clear()  # as the browser does on a page switch (Accueil wrote ?annee=2021)
    at.switch_page(page)
    at.run()
    assert not at.exception
    return at


def _bouton(at: AppTest, libelle: str):
    return next(b for b in at.button if b.label == libelle)


def _libelles(at: AppTest) -> set[str]:
    return {b.label for b in at.button}


def test_bilan_chiffres_du_registre(suivi):
    at = _page("pages/bilan.py")
    v = {m.label: m.value for m in at.metric}
    assert v["Projets ESS accueillis"] == "161" and v["Projets d'innovation sociale financés"] == "56"
    assert v["Emplois projetés"] == "188 ETP" and v["Tiers-lieux ESS financés"] == "20"
    assert v["Structures financées puis dissoutes"] == "3"
    assert v["Taux de pérennisation"] == f"94,6{NNBSP}%" and v["Collectivités accompagnées"] == "20"
    assert any("registre des projets du SIES" in c.value for c in at.caption)
    at.select_slider(key="annee_bilan").set_value(2022).run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["Projets ESS accueillis"] == "75"
    assert at.query_params["annee"] in ("2022", ["2022"])  # the year is in the link


def test_bilan_lien_annee(suivi):
    at = AppTest.from_file(str(RACINE / "app.py"), default_timeout=90)
    at.run()
    at.switch_page("pages/bilan.py")
    at.query_params.clear()
    at.query_params["annee"] = "2022"
    at.run()
    assert {m.label: m.value for m in at.metric}["Projets ESS accueillis"] == "75"


def test_bilan_liste_filtrable(suivi):
    at = _page("pages/bilan.py")
    at.session_state["repartition"] = "Liste des projets"  # lazy tabs: only the open one is drawn
    at.run()
    at.text_input(key="filtre_texte").input("Caissalim").run()
    assert any(c.value.startswith("1 projet sur 161") for c in at.caption)


def test_suivi_sans_compte_lecture_seule(suivi):
    at = _page("pages/suivi.py")
    assert at.title[0].value == "Suivi du plan ESS 2025-2028"
    assert any("aucun compte de modification" in c.value for c in at.sidebar.caption)
    assert not {"Enregistrer la valeur", "Créer l'indicateur", "Enregistrer les statuts"} & _libelles(at)
    # 13 fiches + pilotage, a static HTML table (all columns on a tablet)
    avancement = next(h.value for h in at.html if "ess-tableau" in h.value and "Avancement" in h.value)
    assert avancement.split("<tbody>")[1].count("<tr>") == 14


def test_mauvais_mot_de_passe_refuse(suivi, empreinte):
    at = _page("pages/suivi.py", {"comptes": {"marie": {"nom": "Marie", "empreinte": empreinte}}})
    at.text_input(key="identifiant").input("marie")
    at.text_input(key="mot_de_passe").input("pas le bon")
    _bouton(at, "Se connecter").click().run()
    assert any("incorrect" in e.value for e in at.sidebar.error)
    assert "Créer l'indicateur" not in _libelles(at)
    with store.ouvrir(suivi) as con:
        assert store.lire_journal(con)[0]["action"] == "connexion refusée"


def _connecte(empreinte) -> AppTest:
    at = _page("pages/suivi.py", {"comptes": {"marie": {"nom": "Marie", "empreinte": empreinte}}})
    at.text_input(key="identifiant").input("marie")
    at.text_input(key="mot_de_passe").input(MDP)
    _bouton(at, "Se connecter").click().run()
    assert not at.exception
    assert any("Connecté·e : Marie" in s.value for s in at.sidebar.success)
    return at


def test_connexion_saisie_et_journal(suivi, empreinte):
    at = _connecte(empreinte)
    at.text_input(key="nouvel_nom").input("Porteurs accueillis au guichet")
    at.text_input(key="nouvelle_unite").input("porteurs")
    _bouton(at, "Créer l'indicateur").click().run()
    assert not at.exception
    with store.ouvrir(suivi) as con:
        (i,) = [x["id"] for x in ind.indicateurs(con, "1")]
    at.text_input(key=f"valeur_{i}_2025").input("87,5")
    at.text_input(key=f"commentaire_{i}_2025").input("premier trimestre")
    _bouton(at, "Enregistrer la valeur").click().run()
    assert not at.exception and not at.error
    with store.ouvrir(suivi) as con:
        assert ind.lire_valeur(con, i, 2025)["valeur"] == 87.5  # French decimal comma, never 875
    journal = next(d.value for d in at.dataframe if "Qui" in d.value.columns)
    assert journal.iloc[0]["Qui"] == "marie" and journal.iloc[0]["Action"] == "valeur"
    nouvelle = journal.iloc[0]["Nouvelle valeur"]
    assert "valeur : 87,5" in nouvelle and "{" not in nouvelle  # words, not JSON
    assert re.fullmatch(r"\d\d/\d\d/\d{4}\sà\s\d\d\sh\s\d\d", journal.iloc[0]["Quand (heure de Paris)"])
    at.text_input(key=f"valeur_{i}_2025").input("87,5,1")
    _bouton(at, "Enregistrer la valeur").click().run()
    assert any("n'est pas un nombre" in e.value for e in at.error)


def test_deux_personnes_meme_valeur_la_seconde_est_refusee(suivi, empreinte):
    with store.ouvrir(suivi) as con:
        i = ind.creer_indicateur(con, "1", "Porteurs accueillis", "porteurs", "paul")
    at = _connecte(empreinte)  # Marie displays the (empty) 2025 value: version 0
    with store.ouvrir(suivi) as con:  # Paul saves first, from another session
        ind.enregistrer_valeur(con, i, 2025, None, 10, "", "", 0, "paul")
    at.text_input(key=f"valeur_{i}_2025").input("99")
    _bouton(at, "Enregistrer la valeur").click().run()
    assert any("Conflit" in e.value and "par paul" in e.value for e in at.error)
    with store.ouvrir(suivi) as con:
        assert ind.lire_valeur(con, i, 2025)["valeur"] == 10  # Paul's value was not overwritten


def test_identifiant_avec_point_bloc_toml_et_connexion(suivi, monkeypatch, capsys):
    """prénom.nom, the usual form: the block printed by the command parses (as Streamlit parses
    secrets.toml, tomllib) into one account whose login works through the page."""
    monkeypatch.setattr(comptes.getpass, "getpass", lambda _invite: MDP)
    monkeypatch.setattr(sys, "argv", ["comptes", "marie.audit"])
    assert comptes.main() == 0
    bloc = capsys.readouterr().out
    assert '[comptes."marie.audit"]' in bloc
    secrets = tomllib.loads(bloc)
    assert list(secrets["comptes"]) == ["marie.audit"]
    at = _page("pages/suivi.py", secrets)
    at.text_input(key="identifiant").input("Marie.Audit")
    at.text_input(key="mot_de_passe").input(MDP)
    _bouton(at, "Se connecter").click().run()
    assert any("Connecté·e : marie.audit" in s.value for s in at.sidebar.success)
    # A block pasted before the fix (unquoted key, a nested table for TOML) works too.
    ancien = tomllib.loads(bloc.replace('"marie.audit"', "marie.audit", 1))
    assert "marie.audit" in comptes.comptes(ancien)


def test_commande_comptes_usage():
    r = subprocess.run([sys.executable, "-m", "ess.suivi.comptes"], capture_output=True, text=True,
                       cwd=RACINE)
    assert r.returncode == 2 and "Usage" in r.stderr


def test_refus_garde_la_saisie_et_dit_la_limite(suivi, empreinte):
    """A refused new indicator keeps what was typed (the form was emptied on every submit); the
    fields carry their limits (typing stops there, a counter shows it); a created one empties
    the form."""
    with store.ouvrir(suivi) as con:
        ind.creer_indicateur(con, "1", "Porteurs accueillis", "porteurs", "paul")
    at = _connecte(empreinte)
    assert at.text_input(key="nouvel_nom").max_chars == ind.LONGUEURS["nom"]
    assert at.text_input(key="nouvelle_unite").max_chars == ind.LONGUEURS["unite"]
    at.text_input(key="nouvel_nom").input("Porteurs accueillis")
    at.text_input(key="nouvelle_unite").input("porteurs reçus")
    _bouton(at, "Créer l'indicateur").click().run()
    assert any("existe déjà" in e.value for e in at.error)
    assert at.text_input(key="nouvel_nom").value == "Porteurs accueillis"
    assert at.text_input(key="nouvelle_unite").value == "porteurs reçus"
    at.text_input(key="nouvel_nom").input("Porteurs accueillis au guichet")
    _bouton(at, "Créer l'indicateur").click().run()
    assert not at.error and at.text_input(key="nouvel_nom").value == ""
