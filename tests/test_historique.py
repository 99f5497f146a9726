"""History and rollback of built databases (issue 14, command line): each build kept with its
card, the oldest pruned, a version swapped back atomically and journaled."""

from __future__ import annotations

import json
import subprocess
import sys

import duckdb

from etl import historique
from etl.build import construire
from etl.sources.chargement import Fichiers
from tests.conftest import RACINE
from tests.test_sources_flores import LIGNES, ecrire_flores
from tests.test_sources_sirene import fichiers_sirene


def _etl(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "etl", *map(str, args)], cwd=RACINE, capture_output=True,
                          text=True, timeout=300)


def _effectifs_departement(db) -> int | None:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT effectifs FROM emploi WHERE territoire = 'departement:31' AND "
                           "groupe = 'prive' AND nomenclature = 'ensemble'").fetchone()[0]
    finally:
        con.close()


def test_garder_lister_restaurer(tmp_path, monkeypatch):
    monkeypatch.setenv("ESS_HISTORIQUE", "2")
    monkeypatch.setenv("ESS_AUTEUR", "marie.audit")
    etab, ul = fichiers_sirene(tmp_path / "sirene")
    db = tmp_path / "ess.duckdb"
    valeurs = []
    for i, plus in enumerate((0, 100, 200)):  # three builds, privé growing each time
        lignes = [*LIGNES, ("2022", "31069", "GZ", "prive_hors_ess", "10", str(500 + plus), "450")]
        flores = ecrire_flores(tmp_path / f"flores{i}.csv", lignes=lignes)
        construire(db, "31", afficher=lambda _m: None,
                   fichiers=Fichiers(sirene_etablissements=etab, sirene_unites_legales=ul, flores=flores))
        valeurs.append(_effectifs_departement(db))
    versions = historique.versions(db)
    assert len(versions) == 2  # the oldest pruned
    assert versions[0]["par"] == "marie.audit" and "flores" in versions[0]["fichiers"]
    assert versions[0]["audit_secret"] == "réussi"
    assert historique.courante(db) == versions[0]["version"]

    liste = _etl("historique", "--db", db)
    assert liste.returncode == 0 and "(en service)" in liste.stdout and "marie.audit" in liste.stdout

    r = _etl("restaurer", versions[1]["version"], "--db", db)
    assert r.returncode == 0, r.stderr
    assert _effectifs_departement(db) == valeurs[1]
    assert historique.courante(db) == versions[1]["version"]
    lignes = (historique.dossier(db) / "journal.jsonl").read_text(encoding="utf-8").splitlines()
    journal = [json.loads(x) for x in lignes]
    assert journal[-1]["version"] == versions[1]["version"]
    assert journal[-1]["remplace"] == versions[0]["version"]

    inconnue = _etl("restaurer", "19990101-000000-000000", "--db", db)
    assert inconnue.returncode == 2 and "Version inconnue" in inconnue.stderr
    assert _effectifs_departement(db) == valeurs[1]  # nothing changed
