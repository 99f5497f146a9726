"""The data update behind the page « Données », through the command line the page runs:
preview (partial for a register, full otherwise), publish, go back; the preview's diff; a
build killed mid-way; two builds at once; the page itself for someone not logged in."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from ess import apercu, donnees
from ess.suivi import store
from tests.conftest import RACINE
from tests.registres import registre_plus_un


def etl(*args, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "etl", *map(str, args)], cwd=RACINE, capture_output=True,
                          text=True, env=env)


@pytest.fixture
def base(db_demo, tmp_path) -> Path:
    """A copy of the demo database in service, in its own folder (history, builds)."""
    db = tmp_path / "ess.duckdb"
    shutil.copyfile(db_demo, db)
    return db


def financés(db: Path) -> int:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT count(*) FROM projets WHERE finance = 'oui'").fetchone()[0]
    finally:
        con.close()


def test_registre_apercu_publier_revenir(base, tmp_path):
    avant = base.read_bytes()
    registre = registre_plus_un(base, tmp_path / "r.csv")
    r = etl("apercu", "--db", base, "--projets", registre, "--par", "marie")
    assert r.returncode == 0, r.stderr
    etat = donnees.etat(base)
    assert (etat["statut"], etat["mode"], etat["par"]) == ("pret", "partiel", "marie")
    assert base.read_bytes() == avant  # a preview publishes nothing

    a = apercu.comparer(base, etat["candidat"])
    projets = a.projets.set_index("indicateur")
    assert projets.loc["Projets financés"].tolist() == [56, 57]
    assert projets.loc["Projets accueillis"].tolist() == [161, 162]
    lignes = a.lignes.set_index("source")
    assert lignes.loc["Projets du registre"].tolist() == [161, 162, 1, 0]
    assert lignes.loc["Établissements (SIRENE)", ["ajoutees", "retirees"]].tolist() == [0, 0]
    assert a.chiffres_qui_bougent().empty and a.secret.empty and a.audit == "réussi"

    r = etl("publier", "--db", base, "--par", "marie")
    assert r.returncode == 0, r.stderr
    assert financés(base) == 57
    versions = donnees.versions(base)
    # The database served before (built before any history) was kept first: it can come back.
    assert len(versions) == 2 and versions[0]["en_service"] and versions[0]["par"] == "marie"
    assert etl("publier", "--db", base).returncode == 2  # nothing left to publish

    r = etl("restaurer", versions[1]["version"], "--db", base, "--par", "paul")
    assert r.returncode == 0, r.stderr
    assert financés(base) == 56 and base.read_bytes() == avant
    journal = donnees.journal(base)
    attendu = [("restauration", "paul"), ("publication", "marie")]
    assert [(j["action"], j["par"]) for j in journal[:2]] == attendu


def test_registre_invalide_rien_ne_change(base, tmp_path):
    mauvais = tmp_path / "registre.csv"
    mauvais.write_text("id_projet,nom_projet\nP1,Épicerie\n", encoding="utf-8")
    avant = base.read_bytes()
    r = etl("apercu", "--db", base, "--projets", mauvais)
    assert r.returncode == 2
    assert "Registre des projets registre.csv : colonne(s) obligatoire(s) absente(s)" in r.stderr
    assert donnees.etat(base)["statut"] == "echec" and base.read_bytes() == avant
    assert not list((base.parent / "chantier").glob("candidat-*"))


def test_publication_refusee_quand_la_base_a_change(base, tmp_path):
    registre = registre_plus_un(base, tmp_path / "r.csv")
    assert etl("apercu", "--db", base, "--projets", registre).returncode == 0
    con = duckdb.connect(str(base))  # someone else's publication in the meantime
    con.execute("DELETE FROM projets WHERE id_projet = 'P001'")
    con.close()
    r = etl("publier", "--db", base)
    assert r.returncode == 2 and "a changé depuis cet aperçu" in r.stderr
    assert financés(base) == 55


def test_apercu_chiffres_et_secret(db_demo, tmp_path):
    """The diff itself, on a candidate changed by hand: one figure moves, one cell is hidden."""
    candidat = tmp_path / "candidat.duckdb"
    shutil.copyfile(db_demo, candidat)
    con = duckdb.connect(str(candidat))
    annee = int(con.execute("SELECT valeur FROM build_info WHERE cle = 'annee_par_defaut'").fetchone()[0])
    con.execute("UPDATE emploi SET effectifs = effectifs + 10 WHERE territoire = 'departement:31' "
                "AND annee = ? AND groupe = 'ess' AND nomenclature = 'ensemble'", [annee])
    con.execute("UPDATE emploi SET secret = true, effectifs = NULL WHERE territoire = 'epci:200068815' "
                "AND annee = ? AND groupe = 'ess' AND nomenclature = 'ensemble'", [annee])
    con.close()
    a = apercu.comparer(db_demo, candidat)
    bouge = a.chiffres_qui_bougent().set_index("territoire")
    assert set(bouge.index) == {"departement:31", "epci:200068815"}
    dep = bouge.loc["departement:31"]
    assert dep["effectifs_ess_apres"] - dep["effectifs_ess_avant"] == 10
    assert pd.isna(bouge.loc["epci:200068815", "effectifs_ess_apres"])
    assert a.secret.set_index("niveau").loc["epci"].tolist() == [1, 0]
    tableau = apercu.tableau_chiffres(a).set_index("Territoire")
    assert tableau.loc["Haute-Garonne", "Effectifs salariés de l'ESS"] == "55\u202f100 → 55\u202f110"
    cœur = tableau.loc["Communauté de communes Cœur de Garonne"]
    assert cœur["Effectifs salariés de l'ESS"] == "1\u202f308 → s"


def _attendre(condition, delai: float = 120.0):
    fin = time.monotonic() + delai
    while time.monotonic() < fin:
        if (v := condition()) is not None:
            return v
        time.sleep(0.2)
    raise AssertionError("condition jamais remplie")


def test_construction_interrompue_et_concurrente(base, tmp_path, monkeypatch):
    avant = base.read_bytes()
    env = {**os.environ, "ESS_CACHE_SECRET": str(tmp_path / "cache")}
    # A full rebuild (no file given: the sources in service), as the page launches it.
    lance = subprocess.Popen([sys.executable, "-m", "etl", "apercu", "--db", str(base), "--par", "marie"],
                             cwd=RACINE, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
    try:
        etat = _attendre(lambda: e if (e := donnees.etat(base)) and e["statut"] == "en_cours"
                         and e["etapes"] >= 3 else None)
        assert etat["mode"] == "complet" and 0 < donnees.progression(etat) < 1
        # A second member of staff: one build at a time, and a clear message.
        registre = registre_plus_un(base, tmp_path / "r.csv")
        r = etl("apercu", "--db", base, "--projets", registre, "--par", "paul")
        assert r.returncode == 2 and "déjà en cours (lancée par marie" in r.stderr
    finally:
        os.killpg(lance.pid, signal.SIGKILL)  # the build dies mid-way
        lance.wait()
    etat = donnees.etat(base)
    assert etat["statut"] == "echec" and "arrêtée avant la fin" in etat["message"]
    assert base.read_bytes() == avant

    # The page says so to the logged-in staff member.
    monkeypatch.setenv("ESS_DB", str(base))
    monkeypatch.setenv("ESS_SUIVI_DB", str(tmp_path / "suivi.sqlite"))
    at = AppTest.from_file(str(RACINE / "app.py"), default_timeout=90)
    at.session_state["editeur"] = {"identifiant": "marie", "nom": "Marie"}
    at.run()
    at.switch_page("pages/donnees.py")
    at.run()
    assert not at.exception
    assert any("L'aperçu a échoué : La construction s'est arrêtée avant la fin" in e.value for e in at.error)
    assert any("La base en service n'a pas changé" in i.value for i in at.info)

    # The dead builder's lock does not block the next one.
    r = etl("apercu", "--db", base, "--projets", registre, "--par", "paul")
    assert r.returncode == 0, r.stderr
    assert json.loads((base.parent / "chantier" / "etat.json").read_text())["statut"] == "pret"


def test_page_reservee_au_sies(env_db, tmp_path, monkeypatch):
    suivi = tmp_path / "suivi.sqlite"
    monkeypatch.setenv("ESS_SUIVI_DB", str(suivi))
    at = AppTest.from_file(str(RACINE / "app.py"), default_timeout=90)
    at.run()
    at.switch_page("pages/donnees.py")
    at.run()
    assert not at.exception
    assert any("réservée au personnel du SIES" in i.value for i in at.info)
    assert not [b for b in at.button if b.label in ("Préparer l'aperçu", "Publier cette base")]
    with store.ouvrir(suivi) as con:
        assert store.lire_journal(con)[0]["action"] == "accès refusé"


def test_dossier_du_serveur_et_depots(tmp_path, monkeypatch):
    """National SIRENE stocks are placed in the server folder and listed; uploads are kept
    under their own name, each in its own folder, never overwriting another."""
    monkeypatch.setenv("ESS_DB", str(tmp_path / "ess.duckdb"))
    monkeypatch.setenv("ESS_ENTREES", str(tmp_path / "entrees"))
    assert donnees.fichiers_serveur() == []
    (tmp_path / "entrees").mkdir()
    (tmp_path / "entrees" / "StockEtablissement_utf8.zip").write_bytes(b"x" * 10)
    (tmp_path / "entrees" / ".cache").write_bytes(b"")
    a = donnees.deposer("Registre 2026 (SIES).xlsx", b"un")
    b = donnees.deposer("Registre 2026 (SIES).xlsx", b"deux")
    assert a != b and a.name == b.name == "Registre_2026_SIES_.xlsx"
    assert (a.read_bytes(), b.read_bytes()) == (b"un", b"deux")
    assert [f.chemin.name for f in donnees.fichiers_serveur()] == ["StockEtablissement_utf8.zip"]
    # SIRENE comes in two files; one alone is refused before any build, unless the other is in service
    seul = {"sirene_etablissements": tmp_path / "e.zip"}
    assert "chargez ensemble" in donnees.verifier(seul, {})
    assert donnees.verifier(seul, {"chemin_sirene_unites_legales": "/srv/ul.zip"}) is None
    assert donnees.verifier({"projets": a}, {}) is None
