"""SIRENE readers and a build from small files in the official layouts (written here).

Every rule of the issue has a row: employer flag and its size-band fallback, active/closed,
`P` rows with `[ND]`, orphans, unknown commune, old nomenclature, both ESS definitions,
quoted names with commas and accents, rows of another département; CSV, zip, Parquet,
format 3.9 (no NAF 2025 column), header names with spaces.
"""

from __future__ import annotations

import csv
import hashlib
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from ess.db import connecter
from etl.build import construire
from etl.codes import COLONNES_ETABLISSEMENT, COLONNES_UNITE_LEGALE
from etl.sources import sirene
from etl.sources.chargement import Fichiers
from geo.perimetre import departement
from tests.conftest import RACINE

P31 = departement("31")

# siren → (catégorie juridique, flag ESS, diffusion)
UNITES = {
    "100000001": ("9220", "O", "O"),  # association
    "100000002": ("9220", "O", "P"),  # association, partially diffusible
    "100000003": ("5458", "O", "O"),  # SCOP (coopérative)
    "100000004": ("5710", "O", "O"),  # SAS with the ESS flag: SIRENE definition only
    "100000005": ("7220", "N", "O"),  # département (public law)
    "100000006": ("5499", "N", "O"),  # SARL outside the ESS
    "100000007": ("9220", "", "O"),  # association without the flag
}
# siret, commune, tranche, employeur, etat, naf, nomenclature, diffusion, name
ETABLISSEMENTS = [
    ("10000000100019", "31555", "12", "O", "A", "88.10A", "NAFRev2", "O",
     'Association "Les Amis, du Quartier" — été'),
    ("10000000100027", "31395", "NN", "N", "A", "94.99Z", "NAFRev2", "O", "Antenne bénévole"),
    ("10000000200017", "31555", "03", "O", "A", "87.30A", "NAFRev2", "P", "[ND]"),
    ("10000000300015", "31395", "02", "O", "A", "43.22A", "NAFRev2", "O", "Scop Toits, Murs & Cie"),
    ("10000000400013", "31555", "11", "", "A", "62.01Z", "NAFRev2", "O", "ESS numérique SAS"),
    ("10000000500010", "31555", "41", "O", "A", "84.11Z", "NAFRev2", "O", "Hôtel du Département"),
    ("10000000600018", "31069", "01", "O", "F", "47.11B", "NAFRev2", "O", "Épicerie fermée"),
    ("10000000700016", "31555", "01", "O", "A", "88.99B", "NAFRev2", "O", "Sans marqueur"),
    ("10000000800014", "31555", "02", "O", "A", "88.10A", "NAFRev2", "O", "Orpheline"),  # no legal unit
    ("10000000100035", "31999", "01", "O", "A", "88.10A", "NAFRev2", "O", "Commune inconnue"),
    ("10000000100043", "31555", "01", "O", "A", "85.3K", "NAFRev1", "O", "Ancienne nomenclature"),
    ("10000000600026", "75056", "01", "O", "A", "47.11B", "NAFRev2", "O", "Autre département"),
]
SIRET_P = "10000000200017"


def ligne_etablissement(r: tuple) -> dict:
    siret, commune, tranche, employeur, etat, naf, nomen, diff, nom = r
    cache = diff == "P"
    return {
        "siren": siret[:9], "nic": siret[9:], "siret": siret, "statutDiffusionEtablissement": diff,
        "dateCreationEtablissement": "2010-05-01", "trancheEffectifsEtablissement": tranche,
        "anneeEffectifsEtablissement": "" if tranche == "NN" else "2022",
        "dateDernierTraitementEtablissement": "2025-01-15T10:00:00",
        "etablissementSiege": "false" if siret[9:] in ("00027", "00035", "00043", "00026") else "true",
        "numeroVoieEtablissement": "[ND]" if cache else "12",
        "typeVoieEtablissement": "[ND]" if cache else "RUE",
        "libelleVoieEtablissement": "[ND]" if cache else "DES ÉCOLES, BÂT. B",
        "codePostalEtablissement": "[ND]" if cache else "31000",
        "codeCommuneEtablissement": commune,
        "coordonneeLambertAbscisseEtablissement": "[ND]" if cache else "574500.0",
        "coordonneeLambertOrdonneeEtablissement": "[ND]" if cache else "6279500.0",
        "dateDebut": "2020-01-01", "etatAdministratifEtablissement": etat,
        "denominationUsuelleEtablissement": nom, "activitePrincipaleEtablissement": naf,
        "nomenclatureActivitePrincipaleEtablissement": nomen,
        "caractereEmployeurEtablissement": employeur,
    }


def ligne_unite(siren: str) -> dict:
    cj, ess, diff = UNITES[siren]
    return {"siren": siren, "statutDiffusionUniteLegale": diff, "etatAdministratifUniteLegale": "A",
            "denominationUniteLegale": "[ND]" if diff == "P" else f"Unité {siren}",
            "categorieJuridiqueUniteLegale": cj, "economieSocialeSolidaireUniteLegale": ess,
            "nicSiegeUniteLegale": "00019"}


def ecrire_csv(path: Path, colonnes: list[str], lignes: list[dict], entete: list[str] | None = None) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(entete or colonnes)
        for ligne in lignes:
            w.writerow([ligne.get(c, "") for c in colonnes])
    return path


def fichiers_sirene(dossier: Path, fmt: str = "csv") -> tuple[Path, Path]:
    """StockEtablissement and StockUniteLegale in the given variant."""
    dossier.mkdir(parents=True, exist_ok=True)
    cols_e, cols_u = list(COLONNES_ETABLISSEMENT), list(COLONNES_UNITE_LEGALE)
    if fmt == "3.9":  # no NAF 2025 columns
        cols_e, cols_u = cols_e[:-1], cols_u[:-1]
    entete_e = [f" {c} " if "Lambert" in c else c for c in cols_e] if fmt == "espaces" else None
    etab = ecrire_csv(dossier / "StockEtablissement_utf8.csv", cols_e,
                      [ligne_etablissement(r) for r in ETABLISSEMENTS], entete_e)
    ul = ecrire_csv(dossier / "StockUniteLegale_utf8.csv", cols_u, [ligne_unite(s) for s in UNITES])
    if fmt == "zip":
        for p in (etab, ul):
            with zipfile.ZipFile(p.with_suffix(".zip"), "w", zipfile.ZIP_DEFLATED) as zf:
                zf.write(p, p.name)
        return etab.with_suffix(".zip"), ul.with_suffix(".zip")
    if fmt == "parquet":
        con = duckdb.connect()
        for p in (etab, ul):
            con.execute(f"COPY (SELECT * FROM read_csv('{p}', all_varchar = true)) "  # noqa: S608
                        f"TO '{p.with_suffix('.parquet')}' (FORMAT parquet)")
        con.close()
        return etab.with_suffix(".parquet"), ul.with_suffix(".parquet")
    return etab, ul


@pytest.mark.parametrize("fmt", ["csv", "zip", "parquet", "3.9", "espaces"])
def test_lecture_des_formats(tmp_path, fmt):
    etab, ul = fichiers_sirene(tmp_path, fmt)
    con = duckdb.connect()
    lu = sirene.charger_etablissements(con, etab, P31, tmp_path / "x")
    lu_ul = sirene.charger_unites_legales(con, ul, tmp_path / "x")
    assert lu.lignes == len(ETABLISSEMENTS) - 1  # the Paris row is cut while reading
    assert lu_ul.lignes == len(UNITES)
    assert ("activitePrincipaleNAF25Etablissement" in lu.colonnes_absentes) == (fmt == "3.9")
    rows = dict(con.execute("SELECT siret, nic FROM raw_sirene_etablissements").fetchall())
    assert rows["10000000100019"] == "00019"  # codes stay text, zeros kept
    nom = con.execute("SELECT denominationUsuelleEtablissement FROM raw_sirene_etablissements "
                      "WHERE siret = '10000000100019'").fetchone()[0]
    assert nom == 'Association "Les Amis, du Quartier" — été'
    x = con.execute("SELECT coordonneeLambertAbscisseEtablissement FROM raw_sirene_etablissements "
                    "WHERE siret = '10000000100019'").fetchone()[0]
    assert float(x) == 574500.0


def test_corse_departement_2a(tmp_path):
    lignes = [ligne_etablissement(("20000000100011", "2A004", "01", "O", "A", "88.10A", "NAFRev2", "O",
                                   "Ajaccio")),
              ligne_etablissement(("20000000200019", "31555", "01", "O", "A", "88.10A", "NAFRev2", "O",
                                   "Toulouse"))]
    etab = ecrire_csv(tmp_path / "e.csv", list(COLONNES_ETABLISSEMENT), lignes)
    con = duckdb.connect()
    assert sirene.charger_etablissements(con, etab, departement("2A"), tmp_path).lignes == 1


@pytest.fixture(scope="module")
def base_sirene(tmp_path_factory):
    dossier = tmp_path_factory.mktemp("sirene")
    etab, ul = fichiers_sirene(dossier)
    db = dossier / "ess.duckdb"
    info = construire(db, "31", afficher=lambda _m: None,
                      fichiers=Fichiers(sirene_etablissements=etab, sirene_unites_legales=ul))
    return db, info, etab


def test_build_reel_remplace_la_demo(base_sirene):
    db, info, etab = base_sirene
    assert info["demo"] == "non"
    assert info["emploi"] == "estimation (tranches d'effectifs)"
    assert hashlib.sha256(etab.read_bytes()).hexdigest() in info["fichier_sirene_etablissements"]
    con = connecter(db)
    try:
        assert con.execute("SELECT count(*) FROM projets").fetchone()[0] == 0  # no mixing
        sources = con.execute("SELECT source, description, demo FROM sources").fetchall()
        assert not any(demo for *_, demo in sources)
        assert any("estimation (tranches d'effectifs)" in d for s, d, _ in sources if s == "emploi")
    finally:
        con.close()


def test_regles_etablissements(base_sirene):
    con = connecter(base_sirene[0])
    try:
        e = con.execute("SELECT * FROM etablissements").df().set_index("siret")
    finally:
        con.close()
    assert "10000000100035" not in e.index and "10000000600026" not in e.index
    assert len(e) == 10
    assert e.at["10000000100019", "famille_ess"] == "association"
    assert e.at["10000000100019", "nom"] == 'Association "Les Amis, du Quartier" — été'
    assert e.at["10000000300015", "famille_ess"] == "cooperative"
    # both definitions: the SAS is ESS for SIRENE only, the unflagged association the reverse
    assert e.at["10000000400013", "ess_sirene"] and pd.isna(e.at["10000000400013", "famille_ess"])
    assert not e.at["10000000700016", "ess_sirene"] and e.at["10000000700016", "famille_ess"] == "association"
    # employer: the flag, or a band other than NN when the flag is empty
    assert e.at["10000000400013", "employeur"] and not e.at["10000000100027", "employeur"]
    assert e.at["10000000600018", "etat"] == "F"
    # P row: counted, never named, addressed or placed
    p = e.loc[SIRET_P]
    assert not p["diffusible"] and p[["nom", "adresse", "lon", "lat"]].isna().all()
    assert not e.astype(str).apply(lambda s: s.str.contains(r"\[ND\]")).any().any()
    # coordinates converted to WGS84 (Toulouse area)
    assert 1.0 < e.at["10000000100019", "lon"] < 2.0 and 43.0 < e.at["10000000100019", "lat"] < 44.0
    assert pd.isna(e.at["10000000100043", "a38"])  # NAFRev1: kept, no sector


def test_rapport_de_construction(base_sirene):
    con = connecter(base_sirene[0])
    try:
        rows = con.execute("SELECT motif, nb_lignes, exemples FROM rejets").fetchall()
        r = {m: (n, ex) for m, n, ex in rows}
    finally:
        con.close()
    assert r["unité légale absente de StockUniteLegale (siren orphelin)"][0] == 1
    assert r["code commune inconnu du référentiel territorial"] == (1, "10000000100035")
    assert r["nomenclature d'activité autre que NAF rév. 2 (NAFRev1)"][0] == 1


def test_estimation_emploi_par_tranches(base_sirene):
    con = connecter(base_sirene[0])
    try:
        rows = con.execute("SELECT groupe, nb_etablissements, effectifs, secret FROM emploi "
                           "WHERE territoire = 'departement:31' AND nomenclature = 'ensemble'").fetchall()
    finally:
        con.close()
    cellules = {g: (n, eff, s) for g, n, eff, s in rows}
    # active employers placed: 2 associations (88.10A + 88.99B), the P association, SCOP, SAS, public
    assert cellules["association"][0] == 3 and cellules["prive"][0] == 5
    assert cellules["cooperative"][1] is None  # fewer than 3 contributors: secret applies


def test_chiffres_et_pages_sur_base_reelle(base_sirene, monkeypatch):
    db = base_sirene[0]
    r = subprocess.run([sys.executable, "-m", "ess", "chiffres", "--territoire", "departement:31",
                        "--json", "--db", str(db), "--perimetre", "sirene"],
                       cwd=RACINE, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    c = json.loads(r.stdout)
    assert c["donnees_demo"] is False and c["annee"] == 2022
    # flagged active employers: association (two sites, one NAFRev1), the P one, SCOP, SAS
    assert c["etablissements_employeurs_ess"] == 5
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("ESS_DB", str(db))
    for page in ("app.py", "pages/sources.py"):
        at = AppTest.from_file(str(RACINE / page), default_timeout=60).run()
        assert not at.exception, at.exception
        textes = " ".join(str(w.value) for w in at.warning)
        assert "Données de démonstration" not in textes
