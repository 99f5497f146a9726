"""Bad inputs never reach the database: exit 2, a French message, the previous file untouched.
Also: the shrink guard, a build killed mid-way, and random bytes fed to every reader."""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ess.db import connecter
from etl import build
from etl.build import BuildError, construire
from etl.sources import SourceInvalide, flores, sirene, zonages
from etl.sources.chargement import Fichiers
from etl.sources.population import lire_population
from etl.sources.projets import lire_projets
from geo.perimetre import departement
from tests.conftest import RACINE
from tests.test_sources_flores import LIGNES, ecrire_flores
from tests.test_sources_sirene import ETABLISSEMENTS, fichiers_sirene

P31 = departement("31")

COMMUNES = {"31555", "31395", "31069"}


def empreinte(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def etl(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "etl", "build", *map(str, args)], cwd=RACINE,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    dossier = tmp_path_factory.mktemp("robustesse")
    etab, ul = fichiers_sirene(dossier / "bons")
    db = dossier / "ess.duckdb"
    construire(db, "31", afficher=lambda _m: None,
               fichiers=Fichiers(sirene_etablissements=etab, sirene_unites_legales=ul))
    return dossier, db, etab, ul


def _remplacer(path: Path, dest: Path, avant: str, apres: str, premiere_ligne: bool = False) -> Path:
    lignes = path.read_text(encoding="utf-8").splitlines(keepends=True)
    if premiere_ligne:
        lignes[0] = lignes[0].replace(avant, apres)
    else:
        lignes = [lignes[0]] + [ligne.replace(avant, apres) for ligne in lignes[1:]]
    dest.write_text("".join(lignes), encoding="utf-8")
    return dest


CAS = {
    # name: (how to make the bad file from (dossier, etab, ul), option, expected words)
    "colonne manquante": (lambda d, e, u: _remplacer(e, d / "e.csv", "siret,", "sirett,", True),
                          "--sirene-etablissements", "colonne(s) manquante(s) siret"),
    "mauvais séparateur": (lambda d, e, u: _write(d / "e.csv", e.read_text().replace(",", ";")),
                           "--sirene-etablissements", "séparateur virgule"),
    "fichier vide": (lambda d, e, u: _write(d / "e.csv", ""), "--sirene-etablissements", "vide"),
    "fichier binaire": (lambda d, e, u: _write(d / "e.csv", b"\x00\x01\x02PK" * 100),
                        "--sirene-etablissements", "binaire"),
    "fichier tronqué": (lambda d, e, u: _write(d / "e.csv", e.read_bytes()[:-60]),
                        "--sirene-etablissements", "ligne 13"),
    "parquet tronqué": (lambda d, e, u: _parquet_tronque(d, e), "--sirene-etablissements", "Parquet"),
    "mauvais fichier pour l'option": (lambda d, e, u: u, "--sirene-etablissements", "StockUniteLegale"),
    "clé en double": (lambda d, e, u: _write(d / "e.csv",
                                             e.read_text() + e.read_text().splitlines()[1] + "\n"),
                      "--sirene-etablissements", "en double"),
    "code inconnu": (lambda d, e, u: _remplacer(e, d / "e.csv", ",12,2022,", ",99,2022,"),
                     "--sirene-etablissements", "tranche d'effectifs"),
    "commune inconnue (FLORES)": (lambda d, e, u: ecrire_flores(d / "f.csv", lignes=[
        *LIGNES, ("2022", "31999", "QB", "association", "3", "9", "8")]),
        "--flores", "ligne 8, colonne codgeo"),
    "effectif négatif": (lambda d, e, u: ecrire_flores(d / "f.csv", lignes=[
        ("2022", "31555", "QB", "association", "3", "-9", "8")]), "--flores", "entier positif"),
    "effectif non numérique": (lambda d, e, u: ecrire_flores(d / "f.csv", lignes=[
        ("2022", "31555", "QB", "association", "trois", "9", "8")]), "--flores", "nb_etablissements"),
    "famille inconnue": (lambda d, e, u: ecrire_flores(d / "f.csv", lignes=[
        ("2022", "31555", "QB", "syndicat", "3", "9", "8")]), "--flores", "colonne famille"),
    "fichier introuvable": (lambda d, e, u: d / "absent.csv", "--sirene-etablissements", "introuvable"),
    "en-tête seul": (lambda d, e, u: _write(d / "e.csv", e.read_text().splitlines()[0] + "\n"),
                     "--sirene-etablissements", "en-tête seul"),
    "aucune ligne du département": (lambda d, e, u: _remplacer(e, d / "e.csv", ",31", ",75"),
                                    "--sirene-etablissements", "aucun établissement du département 31"),
    "zip tronqué": (lambda d, e, u: _zip_tronque(d, e), "--sirene-etablissements", "zip illisible"),
    "en-tête seul (FLORES)": (lambda d, e, u: ecrire_flores(d / "f.csv", lignes=[]), "--flores",
                              "en-tête seul"),
    "classeur tronqué (registre)": (lambda d, e, u: _xlsx_tronque(d), "--projets", "illisible"),
    "classeur tronqué (densité)": (lambda d, e, u: _xlsx_tronque(d), "--densite", "illisible"),
    "ligne FLORES en double": (lambda d, e, u: ecrire_flores(d / "f.csv", lignes=[LIGNES[0], LIGNES[0]]),
                               "--flores", "en double"),
}


def _write(path: Path, contenu) -> Path:
    if isinstance(contenu, bytes):
        path.write_bytes(contenu)
    else:
        path.write_text(contenu, encoding="utf-8")
    return path


def _zip_tronque(d: Path, e: Path) -> Path:
    with zipfile.ZipFile(d / "e.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(e, e.name)
    return _write(d / "e.zip", (d / "e.zip").read_bytes()[:300])


def _xlsx_tronque(d: Path) -> Path:
    pd.DataFrame({"id_projet": ["P1"], "nom_projet": ["Épicerie"]}).to_excel(d / "c.xlsx", index=False)
    return _write(d / "c.xlsx", (d / "c.xlsx").read_bytes()[:1500])


def _parquet_tronque(d: Path, e: Path) -> Path:
    pq = d / "e.parquet"
    con = duckdb.connect()
    con.execute(f"COPY (SELECT * FROM read_csv('{e}', all_varchar = true)) TO '{pq}' (FORMAT parquet)")  # noqa: S608
    con.close()
    return _write(pq, pq.read_bytes()[: pq.stat().st_size // 2])


@pytest.mark.parametrize("cas", list(CAS))
def test_mauvaise_entree(base, tmp_path, cas):
    _dossier, db, etab, ul = base
    fabriquer, option, attendu = CAS[cas]
    mauvais = fabriquer(tmp_path, etab, ul)
    avant = empreinte(db)
    options = {"--sirene-etablissements": etab, "--sirene-unites-legales": ul, option: mauvais}
    r = etl("--db", db, *(x for paire in options.items() for x in paire))
    assert r.returncode == 2, r.stdout + r.stderr
    assert attendu in r.stderr and "Traceback" not in r.stderr
    assert "La base existante n'a pas été modifiée" in r.stderr
    assert empreinte(db) == avant


def test_garde_contre_les_baisses(base, tmp_path):
    _dossier, db, etab, ul = base
    coupe = _write(tmp_path / "e.csv", "".join(etab.read_text().splitlines(keepends=True)[:-4]))
    avant = empreinte(db)
    f = Fichiers(sirene_etablissements=coupe, sirene_unites_legales=ul)
    with pytest.raises(BuildError, match="--force"):
        construire(db, "31", afficher=lambda _m: None, fichiers=f)
    assert empreinte(db) == avant
    info = construire(tmp_path / "copie.duckdb", "31", afficher=lambda _m: None, fichiers=f)
    assert int(info["lignes_etablissements"]) < len(ETABLISSEMENTS)


def _en_service(db: Path, dossier: Path) -> Path:
    """A copy of a built database, alone in its folder: the file a server would be reading."""
    (dossier / "service").mkdir()
    return Path(shutil.copy2(db, dossier / "service" / "ess.duckdb"))


def _etat(db: Path) -> tuple[str, int]:
    """The served file's bytes and inode (a reader holding it open keeps reading this file)."""
    return empreinte(db), db.stat().st_ino


def _laisse_a_cote(db: Path) -> list[str]:
    """What lies beside the database besides itself and its kept versions (temporaries…)."""
    return sorted(p.name for p in db.parent.iterdir() if p.name not in (db.name, "historique"))


def test_ecriture_en_echec_a_mi_chemin(base, tmp_path, monkeypatch):
    """The new file fails after 7 of its tables are written: the served database keeps its bytes
    and its inode (written in place, it would open with 7 tables), and nothing is left beside it."""
    _dossier, db0, etab, ul = base
    db = _en_service(db0, tmp_path)
    avant = _etat(db)
    monkeypatch.setattr(build, "MARTS", [*build.MARTS[:7], "table_absente", *build.MARTS[7:]])
    with pytest.raises(duckdb.CatalogException, match="table_absente"):
        construire(db, "31", afficher=lambda _m: None,
                   fichiers=Fichiers(sirene_etablissements=etab, sirene_unites_legales=ul))
    assert _etat(db) == avant
    assert _laisse_a_cote(db) == []


@pytest.mark.parametrize(("breche", "attendu"), [
    ("UPDATE etablissements SET nom = 'Nommé' WHERE NOT diffusible",
     "établissement non diffusible localisé ou nommé"),
    ("INSERT INTO etablissements SELECT * FROM etablissements LIMIT 1",
     "etablissements : clé (siret) en double"),
], ids=["non-diffusible-nomme", "cle-repetee"])
def test_construction_complete_arretee_par_ses_contrats(base, tmp_path, monkeypatch, breche, attendu):
    """A whole build whose marts break a contract (a non-diffusible establishment named, a key
    repeated) stops with the contract's message and never reaches the served file."""
    _dossier, db0, etab, ul = base
    db = _en_service(db0, tmp_path)
    avant = _etat(db)
    executer = build.executer_sql

    def marts_casses(con, fichier):
        executer(con, fichier)
        if fichier == "03_marts.sql":
            con.execute(breche)

    monkeypatch.setattr(build, "executer_sql", marts_casses)
    with pytest.raises(BuildError, match="Contrôles de la base en échec") as echec:
        construire(db, "31", afficher=lambda _m: None,
                   fichiers=Fichiers(sirene_etablissements=etab, sirene_unites_legales=ul))
    assert attendu in str(echec.value)
    assert _etat(db) == avant
    assert _laisse_a_cote(db) == []


# A build that stops, as a test can make it, after writing `n` tables of the new file: it says so
# on stdout, then waits for a line on stdin that never comes (the test kills it there).
ARRET_EN_COURS = """
import sys
from etl import build
from etl.__main__ import main

class Arret(list):
    def __iter__(self):
        for i, table in enumerate(list.__iter__(self)):
            if i == int(sys.argv[1]):
                print(f"{i} tables écrites", flush=True)
                sys.stdin.readline()
            yield table

build.MARTS = Arret(build.MARTS)
sys.exit(main(sys.argv[2:]))
"""


def test_construction_tuee_en_cours(base, tmp_path):
    """SIGKILL once 7 tables of the new file are written: the served database keeps its bytes
    and inode, opens and serves; the next build removes what the dead one left (its temporary,
    as large as a database), not a live build's."""
    _dossier, db0, etab, ul = base
    db = _en_service(db0, tmp_path)
    avant = _etat(db)
    options = ["build", "--db", str(db), "--force", "--sirene-etablissements", str(etab),
               "--sirene-unites-legales", str(ul)]
    proc = subprocess.Popen([sys.executable, "-c", ARRET_EN_COURS, "7", *options], cwd=RACINE,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True, start_new_session=True)
    try:
        for ligne in proc.stdout:
            if "7 tables écrites" in ligne:
                os.kill(proc.pid, signal.SIGKILL)
                break
    finally:
        proc.wait(timeout=120)
    assert proc.returncode == -signal.SIGKILL
    assert _etat(db) == avant
    assert _laisse_a_cote(db)  # the dead build's temporary
    con = connecter(db)
    try:
        assert con.execute("SELECT valeur FROM build_info WHERE cle = 'demo'").fetchall() == [("non",)]
    finally:
        con.close()
    r = subprocess.run([sys.executable, "-m", "ess", "chiffres", "--territoire", "departement:31",
                        "--perimetre", "sirene", "--json", "--db", str(db)],
                       cwd=RACINE, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr

    vivant = db.with_name(f".{db.name}.{os.getppid()}.tmp")  # a build still running
    vivant.write_bytes(b"en cours")
    construire(db, "31", afficher=lambda _m: None, force=True,
               fichiers=Fichiers(sirene_etablissements=etab, sirene_unites_legales=ul))
    assert _laisse_a_cote(db) == [vivant.name]


# Random or mutated bytes: a reader either reads them or says why in French, nothing else.
def _unites_legales(p: Path, d: Path, tolerer: bool = False):
    con = duckdb.connect()
    con.execute("CREATE TABLE raw_sirene_etablissements AS SELECT '100000001' AS siren")
    return sirene.charger_unites_legales(con, p, d, tolerer)


LECTEURS = {  # name: (reader, file suffix)
    "sirene": (lambda p, d: sirene.charger_etablissements(duckdb.connect(), p, P31, d), ".csv"),
    "sirene tolérant": (lambda p, d: sirene.charger_etablissements(duckdb.connect(), p, P31, d, True),
                        ".csv"),
    "unités légales": (_unites_legales, ".csv"),
    "unités légales tolérant": (lambda p, d: _unites_legales(p, d, True), ".csv"),
    "flores": (lambda p, d: flores.lire(p, P31, COMMUNES), ".csv"),
    "flores tolérant": (lambda p, d: flores.lire(p, P31, COMMUNES, True), ".csv"),
    "projets csv": (lambda p, d: lire_projets(p, COMMUNES), ".csv"),
    "projets xlsx": (lambda p, d: lire_projets(p, COMMUNES), ".xlsx"),
    "qpv": (lambda p, d: zonages.lire_qpv(p, P31), ".csv"),
    "massifs": (lambda p, d: zonages.lire_massifs(p, P31), ".csv"),
    "densite": (lambda p, d: zonages.lire_densite(p, P31), ".xlsx"),
    "population": (lambda p, d: lire_population(p, P31), ".csv"),
}
REGLAGES = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.mark.parametrize("lecteur", list(LECTEURS))
@REGLAGES
@given(contenu=st.binary(max_size=2000))
def test_octets_aleatoires(tmp_path, lecteur, contenu):
    _lire_ou_refuser(tmp_path, lecteur, contenu)


@functools.cache
def _valide(lecteur: str) -> bytes:
    """A good file for the reader, before mutation; made once, so every example mutates the same
    bytes (an xlsx holds its creation time: Hypothesis needs the same data for a replay)."""
    with tempfile.TemporaryDirectory() as d:
        return _ecrire_valide(Path(d), lecteur)


def _ecrire_valide(dossier: Path, lecteur: str) -> bytes:
    if lecteur.startswith("sirene"):
        return fichiers_sirene(dossier)[0].read_bytes()
    if lecteur.startswith("unités légales"):
        return fichiers_sirene(dossier)[1].read_bytes()
    if lecteur.startswith("flores"):
        return ecrire_flores(dossier / "src.csv").read_bytes()
    registre = pd.DataFrame([{"id_projet": f"P{i}", "nom_projet": "Épicerie solidaire", "porteur": "Asso",
                              "commune": "31555", "theme": "Alimentation", "annee_accueil": "2021",
                              "finance": "oui", "dispositif": "Fonds", "montant_eur": "12000",
                              "etp_projetes": "1,5", "tiers_lieu": "non", "statut": "active"}
                             for i in range(5)])
    if lecteur == "projets xlsx":
        registre.to_excel(dossier / "r.xlsx", index=False)
        return (dossier / "r.xlsx").read_bytes()
    return registre.to_csv(index=False).encode("utf-8")


@pytest.mark.parametrize("lecteur", ["sirene", "sirene tolérant", "unités légales", "flores",
                                     "flores tolérant", "projets csv", "projets xlsx"])
@REGLAGES
@given(data=st.data())
def test_fichier_valide_abime(tmp_path, lecteur, data):
    valide = _valide(lecteur)
    i = data.draw(st.integers(0, len(valide) - 1))
    octets = data.draw(st.binary(min_size=0, max_size=8))
    coupe = data.draw(st.integers(i, len(valide)))
    _lire_ou_refuser(tmp_path, lecteur, valide[:i] + octets + valide[coupe:])


def _lire_ou_refuser(tmp_path: Path, lecteur: str, contenu: bytes) -> None:
    lire, suffixe = LECTEURS[lecteur]
    path = tmp_path / f"entree{suffixe}"
    path.write_bytes(contenu)
    try:
        lire(path, tmp_path / "zip")
    except SourceInvalide as exc:
        assert str(exc) and "Traceback" not in str(exc)
