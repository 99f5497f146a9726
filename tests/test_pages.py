"""Every page of the navigation, run through Streamlit's AppTest."""

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import RACINE

NNBSP = "\u202f"


def app():
    return AppTest.from_file(str(RACINE / "app.py"), default_timeout=60)


def test_accueil_chiffres_cles(env_db):
    at = app()
    at.run()
    assert not at.exception
    valeurs = {m.label: m.value for m in at.metric}
    assert valeurs["Établissements employeurs de l'ESS"] == f"4{NNBSP}674"
    assert valeurs["Effectifs salariés de l'ESS"] == f"55{NNBSP}100"
    assert valeurs["Part de l'ESS dans l'emploi privé"] == f"11,3{NNBSP}%"
    assert valeurs["Part des associations dans l'emploi ESS"] == f"85,5{NNBSP}%"
    assert any("Données de démonstration" in w.value for w in at.warning)
    assert at.query_params["annee"] in ("2021", ["2021"])


def test_accueil_annee_dans_l_url(env_db):
    at = app()
    at.query_params["annee"] = "2017"
    at.run()
    assert at.selectbox(key="annee").value == 2017
    assert "2017" in at.header[0].value


def test_accueil_annee_inconnue_revient_au_defaut(env_db):
    at = app()
    at.query_params["annee"] = "1900"
    at.run()
    assert not at.exception
    assert at.selectbox(key="annee").value == 2021
    # in the page: the sidebar is folded on a tablet (issue 29)
    assert any("indisponible" in w.value for w in at.main.warning)


@pytest.mark.parametrize("page", ["pages/sources.py"])
def test_autres_pages(env_db, page):
    at = app()
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception
    assert at.title


def _base_ancienne(path):
    """A database from an earlier version: readable, but without the newer marts."""
    import duckdb

    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE build_info AS SELECT 'demo' AS cle, 'oui' AS valeur")
    con.close()


BASES = {  # name: (how to make it, words of the message)
    "absente": (lambda p: None, "absente"),
    "vide": (lambda p: p.write_bytes(b""), "absente ou vide"),
    "corrompue": (lambda p: p.write_bytes(b"ceci n'est pas une base DuckDB" * 100), "illisible"),
    "ancienne version": (_base_ancienne, "version antérieure"),
}


@pytest.mark.parametrize("cas", list(BASES))
def test_base_indisponible_message_clair(tmp_path, monkeypatch, cas):
    fabriquer, attendu = BASES[cas]
    db = tmp_path / "ess.duckdb"
    fabriquer(db)
    monkeypatch.setenv("ESS_DB", str(db))
    at = app()
    at.run()
    assert not at.exception
    assert attendu in at.error[0].value
    assert any("make run" in m.value for m in at.markdown)


def test_le_build_ecrit_les_tables_que_l_app_lit():
    from ess.db import TABLES
    from etl.build import MARTS

    assert set(TABLES) <= set(MARTS)


def test_chaque_page_commence_par_le_cadre_de_l_application():
    """A page run alone (a forwarded link, first request after a server start) must hand over
    to app.py: its first statement after the imports is ui.cadre_application()."""
    import ast

    for fichier in sorted((RACINE / "pages").glob("*.py")):
        corps = [n for n in ast.parse(fichier.read_text(encoding="utf-8")).body
                 if not isinstance(n, ast.Import | ast.ImportFrom)
                 and not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))]
        assert ast.unparse(corps[0]) == "ui.cadre_application()", fichier.name
