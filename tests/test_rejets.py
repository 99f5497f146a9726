"""--tolerer-rejets: every bad line is set aside with its line, column and reason, the rest
loads, the summary gives their number and the app lists them. Without it, the file is refused."""

from __future__ import annotations

import subprocess
import sys

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from ess.db import connecter
from etl.codes import COLONNES_ETABLISSEMENT
from etl.sources import flores, sirene
from geo.perimetre import departement
from tests.conftest import RACINE
from tests.test_sources_flores import COMMUNES, LIGNES, ecrire_flores
from tests.test_sources_sirene import ETABLISSEMENTS, ecrire_csv, fichiers_sirene, ligne_etablissement

P31 = departement("31")

SCOP = ETABLISSEMENTS[3][0]


def _etablissements_abimes(dossier, fmt: str):
    """The test stock with three bad lines: an unknown size band (line 5), a malformed SIRET
    (line 7) and a repeated SIRET (line 14, a copy of line 2)."""
    etab, ul = fichiers_sirene(dossier)
    lignes = [ligne_etablissement(r) for r in ETABLISSEMENTS]
    lignes[3]["trancheEffectifsEtablissement"] = "99"
    lignes[5]["siret"] = "10000000500X10"
    lignes.append(dict(lignes[0]))
    ecrire_csv(etab, list(COLONNES_ETABLISSEMENT), lignes)
    if fmt == "parquet":
        con = duckdb.connect()
        con.execute(f"COPY (SELECT * FROM read_csv('{etab}', all_varchar = true)) "  # noqa: S608
                    f"TO '{etab.with_suffix('.parquet')}' (FORMAT parquet)")
        con.close()
        etab = etab.with_suffix(".parquet")
    return etab, ul


def _etl(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "etl", "build", *map(str, args)], cwd=RACINE,
                          capture_output=True, text=True, timeout=300)


# a Parquet file has no header line: its "ligne" is the row number
@pytest.mark.parametrize(("fmt", "decalage"), [("csv", 0), ("parquet", -1)])
def test_sirene_lignes_ecartees(tmp_path, fmt, decalage):
    etab, _ul = _etablissements_abimes(tmp_path, fmt)
    con = duckdb.connect()
    with pytest.raises(sirene.SourceInvalide, match=f"ligne {7 + decalage}, colonne siret.*--tolerer-rejets"):
        sirene.charger_etablissements(con, etab, P31, tmp_path / "x")
    lu = sirene.charger_etablissements(con, etab, P31, tmp_path / "x", tolerer_rejets=True)
    rejets = lu.rejets[["ligne", "colonne", "valeur"]].to_records(index=False).tolist()
    assert rejets == [(5 + decalage, "trancheEffectifsEtablissement", "99"),
                      (7 + decalage, "siret", None), (14 + decalage, "siret", None)]
    assert lu.lignes == len(ETABLISSEMENTS) - 1 - 2  # Paris cut; two bad lines out, one copy out
    gardes = {s for (s,) in con.execute("SELECT siret FROM raw_sirene_etablissements").fetchall()}
    assert SCOP not in gardes and ETABLISSEMENTS[0][0] in gardes
    assert "_ligne" not in con.execute("SELECT * FROM raw_sirene_etablissements LIMIT 0").df().columns


def test_build_tolerant_rapport_et_page(tmp_path, monkeypatch):
    etab, ul = _etablissements_abimes(tmp_path, "csv")
    db = tmp_path / "ess.duckdb"
    refus = _etl("--db", db, "--sirene-etablissements", etab, "--sirene-unites-legales", ul)
    assert refus.returncode == 2 and "ligne 7, colonne siret" in refus.stderr
    assert not db.exists()
    r = _etl("--db", db, "--sirene-etablissements", etab, "--sirene-unites-legales", ul, "--tolerer-rejets")
    assert r.returncode == 0, r.stderr
    assert "Lignes écartées (--tolerer-rejets) : 3" in r.stdout
    con = connecter(db)
    try:
        lignes = con.execute("SELECT ligne, colonne, valeur FROM rejets_lignes").fetchall()
        resume = con.execute("SELECT motif, nb_lignes, exemples FROM rejets "
                             "WHERE traitement LIKE 'ligne écartée%' ORDER BY exemples").fetchall()
        assert con.execute("SELECT count(*) FROM etablissements WHERE siret = ?", [SCOP]).fetchone() == (0,)
    finally:
        con.close()
    assert [ligne for ligne, _c, _v in lignes] == [5, 7, 14]
    assert all(v is None for _l, c, v in lignes if c == "siret")  # identifiers never copied
    assert [(n, ex) for _m, n, ex in resume] == [(1, "ligne 14"), (1, "ligne 5"), (1, "ligne 7")]
    assert resume[1][0].startswith("colonne trancheEffectifsEtablissement : attendu un code")

    monkeypatch.setenv("ESS_DB", str(db))
    at = AppTest.from_file(str(RACINE / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("pages/sources.py")
    at.run()
    assert not at.exception
    assert any("Détail des 3 lignes écartées" in e.label for e in at.expander)
    detail = [d.value for d in at.dataframe if "Ligne" in d.value.columns]
    assert detail and detail[0]["Ligne"].tolist() == [5, 7, 14]


def test_flores_chaque_ligne_avec_son_motif(tmp_path):
    lignes = [*LIGNES,
              ("2022", "31069", "QB", "association", "-3", "9", "8"),  # line 8
              ("2022", "31069", "GZ", "association", "3", "neuf", "8"),  # line 9
              ("2022", "31069", "QB", "syndicat", "3", "9", "8"),  # line 10
              ("2022", "31999", "QB", "association", "3", "9", "8"),  # line 11
              LIGNES[0]]  # line 12, a repeated key
    path = ecrire_flores(tmp_path / "f.csv", lignes=lignes)
    with pytest.raises(flores.SourceInvalide, match="ligne 11, colonne codgeo"):
        flores.lire(path, P31, COMMUNES)
    lu = flores.lire(path, P31, COMMUNES, tolerer_rejets=True)
    assert lu.rejets[["ligne", "colonne"]].to_records(index=False).tolist() == [
        (8, "nb_etablissements_employeurs"), (9, "effectifs_31_12"), (10, "famille"),
        (11, "codgeo"), (12, "annee, codgeo, a38, famille")]
    assert lu.rejets["motif"].str.startswith(("colonne", "ligne en double")).all()
    assert len(lu.lignes) == 5  # the 5 good lines of the département
