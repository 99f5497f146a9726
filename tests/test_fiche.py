"""The "Data ESS" fiche as data (ess.fiche), its journal, the page and the CLI."""

from __future__ import annotations

import subprocess
import sys

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from ess import fiche, journal
from tests.conftest import RACINE

TITRES = ["Chiffres clés", "Définitions comparées", "Familles juridiques", "Catégories juridiques",
          "Secteurs d'activité", "Comparaisons", "Évolution", "Établissements", "Pépites"]


@pytest.fixture
def suivi(tmp_path, monkeypatch):
    chemin = tmp_path / "suivi.sqlite"
    monkeypatch.setenv("ESS_SUIVI_DB", str(chemin))
    return chemin


def test_fiche_departement_chiffres_publies(con):
    f = fiche.fiche(con, "departement:31", 2021)
    assert [t.titre for t in f.tableaux] == TITRES
    assert f.chiffres["etablissements_employeurs_ess"] == 4674  # SIRENE = FLORES count in 2021
    assert f.chiffres["effectifs_ess"] == pytest.approx(55_100, abs=50)
    familles = f.tableau("familles").donnees.set_index("Famille juridique")
    assert familles.loc["Associations", "Part des effectifs de l'ESS (%)"] == 85.5
    evolution = f.tableau("evolution").donnees
    assert list(evolution["Année"]) == list(range(2017, 2024))
    assert f.demo and any("démonstration" in n for n in f.notes)


def test_comparaisons_epci_petr_departement(con):
    f = fiche.fiche(con, "commune:31001", 2021)
    niveaux = list(f.tableau("comparaisons").donnees["Niveau"])
    assert niveaux == ["Commune", "EPCI", "PETR", "Département"]


def test_deux_definitions_et_deux_unites(con):
    f = fiche.fiche(con, "epci:243100518", 2021, perimetre="sirene", unite="sieges")
    d = f.tableau("definitions_comparees").donnees
    assert len(d) == 4 and (d["Choix affiché"] == "oui").sum() == 1
    choisi = d[d["Choix affiché"] == "oui"].iloc[0]
    assert choisi["Établissements employeurs de l'ESS"] == f.chiffres["etablissements_employeurs_ess"]
    assert choisi["Écart avec le choix affiché"] == 0
    # head offices never outnumber establishments
    for p in fiche.PERIMETRES:
        lignes = d[d["Définition de l'ESS"] == fiche.PERIMETRES[p]].set_index("Unité de compte")
        assert lignes.loc[fiche.UNITES["sieges"], "Établissements employeurs de l'ESS"] <= \
            lignes.loc[fiche.UNITES["etablissements"], "Établissements employeurs de l'ESS"]


def test_petite_commune_renvoie_a_l_epci(con):
    f = fiche.fiche(con, "commune:31001", 2021)  # Agassac: 118 inhabitants
    assert any("trop petit" in a and "EPCI" in a for a in f.alertes)
    familles = f.tableau("familles").donnees
    # families are not published for a commune (data/diffusion_emploi.csv): no figure, never 0
    assert len(familles) and all(v is None for v in familles["Effectifs salariés"])
    assert f.chiffres["effectifs_ess"] is None


def test_aucun_secret_ni_etablissement_non_diffusible(con):
    f = fiche.fiche(con, "epci:200073146", 2021)
    sirets = set(f.tableau("etablissements").donnees["SIRET"])
    non_diffusibles = {s for (s,) in con.execute(
        "SELECT siret FROM etablissements WHERE NOT diffusible").fetchall()}
    assert sirets and not sirets & non_diffusibles
    caches = con.execute("SELECT count(*) FROM emploi WHERE territoire = ? AND annee = 2021 "
                         "AND groupe IN ('association','cooperative','mutuelle','fondation','autre_ess') "
                         "AND nomenclature = 'ensemble' AND secret", ["epci:200073146"]).fetchone()[0]
    non_diffusees = 1  # autre_ess is published from the département up only
    familles = f.tableau("familles").donnees
    assert sum(v is None for v in familles["Effectifs salariés"]) == caches + non_diffusees


def test_pepites_initiatives_du_plan(con):
    pepites = fiche.fiche(con, "commune:31555", 2021).tableau("pepites").donnees
    initiatives = set(pepites.loc[pepites["Catégorie"] == "Initiative citée par le plan", "Nom"])
    assert {"Café&Co", "Miam'Up"} <= initiatives
    assert "Grand employeur de l'ESS" in set(pepites["Catégorie"])
    revel = fiche.fiche(con, "commune:31451", 2021).tableau("pepites").donnees
    assert "Équipollence" in set(revel["Nom"])


def test_groupe_de_communes_et_codes_colles(con):
    connus = fiche.options_niveau(con, "commune")
    codes, inconnus = fiche.codes_colles("31555; 31069\n 99999,abc", {k.split(":")[1] for k in connus})
    assert codes == ["31555", "31069"] and inconnus == ["99999", "ABC"]
    f = fiche.fiche(con, "communes:31069,31555", 2021)
    assert f.territoire.niveau == "communes" and len(f.territoire.communes) == 2


def test_journal(suivi):
    journal.consigner("epci:1", "CC Test", 2021, "xlsx", "  Mairie de Revel ")
    journal.consigner("commune:2", "Ville", 2021, "pdf", "")
    df = journal.lire()
    assert list(df["Format"]) == ["pdf", "xlsx"]
    assert list(df["Demandé par"]) == ["non renseigné", "Mairie de Revel"]
    assert suivi.exists()


def _cli(*args, env_extra=None):
    import os
    env = {**os.environ, **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "ess", "fiche", *args], cwd=RACINE, env=env,
                          capture_output=True, text=True, timeout=300)


def test_cli_une_fiche(db_demo, tmp_path, suivi):
    r = _cli("--territoire", "epci:200073146", "--format", "xlsx", "--format", "csv", "--out",
             str(tmp_path / "sortie"), "--db", str(db_demo), "--demandeur", "SIES",
             env_extra={"ESS_SUIVI_DB": str(suivi)})
    assert r.returncode == 0, r.stderr
    fichiers = sorted(p.name for p in (tmp_path / "sortie").iterdir())
    assert fichiers == ["data-ess_Communaute-de-communes-Cagire-Garonne-Salat_2021.xlsx",
                        "data-ess_Communaute-de-communes-Cagire-Garonne-Salat_2021.zip"]
    wb = openpyxl.load_workbook(tmp_path / "sortie" / fichiers[0], read_only=True)
    assert wb.sheetnames == [*TITRES, "Sources et définitions"]
    assert list(journal.lire(chemin=suivi)["Demandé par"]) == ["SIES", "SIES"]


def test_cli_lot_petr(db_demo, tmp_path, suivi):
    r = _cli("--tous", "petr", "--out", str(tmp_path), "--db", str(db_demo),
             env_extra={"ESS_SUIVI_DB": str(suivi)})
    assert r.returncode == 0, r.stderr
    assert "4 fiche(s) sur 4" in r.stdout
    assert "100%" in r.stderr  # the progress bar
    assert len(list(tmp_path.glob("*.xlsx"))) == 4
    assert set(journal.lire(chemin=suivi)["Origine"]) == {"lot"}


def test_cli_territoire_inconnu(db_demo, tmp_path, suivi):
    r = _cli("--territoire", "epci:999", "--out", str(tmp_path), "--db", str(db_demo),
             env_extra={"ESS_SUIVI_DB": str(suivi)})
    assert r.returncode == 2
    assert "Territoire inconnu" in r.stderr and "Traceback" not in r.stderr


def _page():
    at = AppTest.from_file(str(RACINE / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("pages/data_ess.py")
    at.run()
    return at


def test_page_data_ess(env_db, suivi):
    at = _page()
    assert not at.exception
    assert at.title[0].value == "Data ESS"
    at.radio(key="niveau").set_value("epci").run()
    at.selectbox(key="territoire_epci").set_value("epci:200073146").run()
    assert not at.exception
    assert "Cagire Garonne Salat" in at.header[0].value
    assert {s.value for s in at.subheader} >= set(TITRES)
    assert at.query_params["territoire"] in ("epci:200073146", ["epci:200073146"])


def test_page_groupe_codes_colles_invalides(env_db, suivi):
    at = _page()
    at.radio(key="niveau").set_value("communes").run()
    assert any("au moins une commune" in i.value for i in at.info)
    at.text_area(key="codes_colles").input("31555, 99999").run()
    assert not at.exception
    assert any("99999" in e.value for e in at.error)
    assert "Toulouse" in at.header[0].value


def test_page_data_ess_lien_defaut_et_demandeur(env_db, suivi):
    at = _page()
    assert "Haute-Garonne" in at.header[0].value  # the département, not an all-secret village
    at.text_input(key="demandeur").input("Mairie de Revel").run()
    at.radio(key="niveau").set_value("communes").run()  # empty group: the page stops early
    at.radio(key="niveau").set_value("epci").run()
    assert at.text_input(key="demandeur").value == "Mairie de Revel"
    lien = AppTest.from_file(str(RACINE / "app.py"), default_timeout=120)
    lien.run()
    lien.switch_page("pages/data_ess.py")
    lien.query_params["territoire"] = "epci:200068815"
    lien.run()
    assert not lien.exception
    assert lien.radio(key="niveau").value == "epci"
    assert lien.selectbox(key="territoire_epci").value == "epci:200068815"
