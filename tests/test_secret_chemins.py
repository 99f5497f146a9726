"""A hidden value cannot be reached by any path: CLI, custom group, URL parameter, page, map
table, XLSX and CSV extracts. The true values come from the demo's micro-data (deterministic),
which the database never stores; the test looks for them where a user could."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile

import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from ess import carte
from ess.indicateurs import FAMILLES_ESS
from etl.demo import generer
from geo.perimetre import departement
from geo.territoires import referentiel
from tests.conftest import RACINE

ANNEE = 2021


@pytest.fixture(scope="module")
def caches(db_demo) -> dict[str, int]:
    """The three hidden communes (ESS jobs, all sectors) with the largest true values."""
    from ess.db import connecter

    fl = generer(referentiel(departement("31"))).flores
    fl = fl[fl["famille"].isin(FAMILLES_ESS) & (fl["annee"].astype(int) == ANNEE)]
    vrais = fl.assign(n=fl["effectifs_31_12"].astype(int)).groupby("codgeo")["n"].sum()
    con = connecter(db_demo)
    try:
        caches = [c.split(":")[1] for (c,) in con.execute(
            "SELECT territoire FROM emploi WHERE annee = ? AND groupe = 'ess' AND nomenclature = "
            "'ensemble' AND secret AND starts_with(territoire, 'commune:')", [ANNEE]).fetchall()]
    finally:
        con.close()
    top = vrais.reindex(caches).dropna().sort_values(ascending=False).head(3)
    assert len(top) == 3 and top.min() >= 10  # distinctive numbers, not 1 or 2
    return {c: int(v) for c, v in top.items()}


def _cli(db, *args) -> subprocess.CompletedProcess:
    r = subprocess.run([sys.executable, "-m", "ess", *args, "--db", str(db)], cwd=RACINE,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    return r


def _effectifs(obj, cle: str = "") -> list:
    """Every number under a key about jobs, anywhere in a JSON document."""
    if isinstance(obj, dict):
        return [v for k, x in obj.items() for v in _effectifs(x, k)]
    if isinstance(obj, list):
        return [v for x in obj for v in _effectifs(x, cle)]
    return [obj] if "effectif" in cle and isinstance(obj, int | float) else []


def test_cli_commune_et_groupe(db_demo, caches):
    publiee = "31555"
    for commune, vrai in caches.items():
        for territoire in (f"commune:{commune}", f"communes:{commune},{publiee}"):
            c = json.loads(_cli(db_demo, "chiffres", "--territoire", territoire, "--annee", str(ANNEE),
                                "--json").stdout)
            assert c["effectifs_ess"] is None and "effectifs_ess" in c["secret"]
            assert vrai not in _effectifs(c)


def test_extraits_xlsx_et_csv(db_demo, caches, tmp_path):
    for commune, vrai in caches.items():
        _cli(db_demo, "fiche", "--territoire", f"commune:{commune}", "--annee", str(ANNEE),
             "--format", "xlsx", "--format", "csv", "--out", str(tmp_path / commune), "--demandeur", "test")
        xlsx = next((tmp_path / commune).glob("*.xlsx"))
        cles = openpyxl.load_workbook(xlsx)["Synthèse"]
        valeurs = {r[0]: r[1] for r in cles.iter_rows(values_only=True)}
        assert valeurs["Effectifs salariés de l'ESS"] == "s"
        assert vrai not in _colonnes_effectifs_xlsx(xlsx)
        with zipfile.ZipFile(next((tmp_path / commune).glob("*.zip"))) as zf:
            tables = [pd.read_csv(io.BytesIO(zf.read(n)), sep=";", dtype=str, encoding="utf-8-sig",
                                  skiprows=_entete_csv(zf.read(n)))
                      for n in zf.namelist() if n.endswith(".csv") and "_epci" not in n]  # see below
        tables = [t[t["Année"] == str(ANNEE)] if "Année" in t.columns else t for t in tables]
        en_csv = {v for t in tables for c in t.columns if "Effectifs" in c for v in t[c].dropna()}
        assert str(vrai) not in en_csv and "s" in en_csv


def _colonnes_effectifs_xlsx(path) -> set:
    """Numbers in the columns headed 'Effectifs…' of every sheet but the EPCI's breakdowns
    (published values of another territory, given as context: a coincidence is no leak)."""
    vus = set()
    for ws in openpyxl.load_workbook(path).worksheets:
        if ws.title.endswith("de l'EPCI"):
            continue
        colonnes = None
        for row in ws.iter_rows(values_only=True):
            if colonnes is None:
                colonnes = [i for i, v in enumerate(row) if str(v).startswith("Effectifs")] or None
                continue
            if row[0] in range(1990, 2100) and row[0] != ANNEE:
                continue  # the evolution table's other years: other, published values
            vus |= {row[i] for i in colonnes if isinstance(row[i], int | float)}
    return vus


def _entete_csv(contenu: bytes) -> int:
    """Lines of title and source above a CSV table's header."""
    lignes = contenu.decode("utf-8-sig").splitlines()
    return next((i for i, ligne in enumerate(lignes) if ";" in ligne and "Effectifs" in ligne), 0)


def test_page_portrait_par_url(env_db, caches):
    for commune, vrai in caches.items():
        at = AppTest.from_file(str(RACINE / "app.py"), default_timeout=90)
        at.run()
        at.switch_page("pages/territoires.py")
        at.query_params["territoire"] = f"commune:{commune}"
        at.query_params["annee"] = str(ANNEE)
        at.run()
        assert not at.exception
        metriques = {m.label: m.value for m in at.metric}
        assert metriques["Effectifs salariés de l'ESS"] == "s"
        # grids, and static tables (HTML, numbers written in French: « 1 234 »)
        tables = [d.value for d in at.dataframe] + [
            t for h in at.html if "ess-tableau" in h.value
            for t in pd.read_html(io.StringIO(h.value), thousands=None, keep_default_na=False)]
        assert any("ffectif" in str(c) for t in tables for c in t.columns)
        tables = [t[t["Année"].astype(str) == str(ANNEE)] if "Année" in t.columns else t for t in tables]
        montres = {str(m.value) for m in at.metric} | {
            str(v).replace("\u202f", "") for t in tables for c in t.columns if "ffectif" in str(c)
            for v in t[c].dropna()}
        assert str(vrai) not in montres


def test_table_de_la_carte(con, caches):
    for metrique in ("effectifs_ess", "part_ess_prive", "effectifs_ess_1000_hab"):
        df = carte.donnees(con, "commune", metrique, ANNEE).set_index("territoire")
        lignes = df.loc[[f"commune:{c}" for c in caches]]
        assert lignes["secret"].all() and lignes["valeur"].isna().all()
        assert not set(caches.values()) & set(lignes.select_dtypes("number").stack())
