"""The two commands, as users run them."""

import json
import subprocess
import sys

from tests.conftest import RACINE


def run(*args, env_db=None):
    return subprocess.run([sys.executable, "-m", *args], cwd=RACINE, capture_output=True,
                          text=True, timeout=300)


def test_chiffres_json(db_demo):
    r = run("ess", "chiffres", "--territoire", "departement:31", "--annee", "2021", "--json",
            "--db", str(db_demo))
    assert r.returncode == 0, r.stderr
    c = json.loads(r.stdout)
    assert c["nom"] == "Haute-Garonne" and c["annee"] == 2021 and c["donnees_demo"] is True
    assert c["etablissements_employeurs_ess"] == 4674
    assert c["part_ess_emploi_prive"] == 11.3
    assert set(c["effectifs_par_famille"]) == {"association", "cooperative", "mutuelle",
                                              "fondation", "autre_ess"}
    assert c["effectifs_par_a38"]["QB"] > 20000
    assert c["perimetre"] == "statistique"


def test_chiffres_commune_secret(db_demo):
    r = run("ess", "chiffres", "--territoire", "commune:31001", "--annee", "2021", "--json",
            "--db", str(db_demo))
    c = json.loads(r.stdout)
    assert "effectifs_ess" in c["secret"] and c["effectifs_ess"] is None


def test_chiffres_total_masque_en_fourchette(db_demo):
    """Le Grand Ouest Toulousain's hidden total and share read as the published intervals."""
    r = run("ess", "chiffres", "--territoire", "epci:243100781", "--annee", "2021", "--db", str(db_demo))
    assert r.returncode == 0, r.stderr
    assert ("entre 812 et 815 d'après les seuls chiffres publiés, soit entre 5,8\u202f% et 5,9\u202f% "
            "de l'emploi privé.") in r.stdout
    c = json.loads(run("ess", "chiffres", "--territoire", "epci:243100781", "--annee", "2021", "--json",
                       "--db", str(db_demo)).stdout)
    assert c["fourchette_effectifs_ess"] == [812, 815]
    assert c["fourchette_part_ess_emploi_prive"] == [5.8, 5.9]


def test_chiffres_perimetre_sirene(db_demo):
    r = run("ess", "chiffres", "--territoire", "epci:243100518", "--perimetre", "sirene",
            "--json", "--db", str(db_demo))
    c = json.loads(r.stdout)
    assert c["perimetre"] == "sirene" and c["etablissements_employeurs_ess"] > 0
    assert "estimation" in c["source"]


def test_plan_json(db_demo):
    r = run("ess", "plan", "--json", "--db", str(db_demo))
    p = json.loads(r.stdout)
    assert p["projets_accueillis"] == 161 and p["projets_finances"] == 56
    assert p["etp_projetes"] == 188 and p["taux_perennisation"] == 94.6


def test_erreurs_en_francais(db_demo, tmp_path):
    r = run("ess", "chiffres", "--territoire", "epci:000", "--db", str(db_demo))
    assert r.returncode == 2 and "Territoire inconnu" in r.stderr and "Traceback" not in r.stderr
    r = run("ess", "chiffres", "--territoire", "departement:31", "--annee", "1990",
            "--db", str(db_demo))
    assert r.returncode == 2 and "indisponible" in r.stderr
    r = run("ess", "plan", "--db", str(tmp_path / "absente.duckdb"))
    assert r.returncode == 2 and "absente" in r.stderr


def test_build_departement_inconnu_laisse_la_base_intacte(db_demo, tmp_path):
    cible = tmp_path / "ess.duckdb"
    cible.write_bytes(db_demo.read_bytes())
    avant = cible.read_bytes()
    r = run("etl", "build", "--db", str(cible), "--departement", "99")
    assert r.returncode == 2
    assert "Département inconnu" in r.stderr and "Traceback" not in r.stderr
    assert cible.read_bytes() == avant
    assert not list(tmp_path.glob(".*.tmp"))
