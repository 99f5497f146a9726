"""Contracts of the marts: they pass on the demo build and catch broken tables."""

import duckdb
import pytest

from etl import contrats
from etl.build import MARTS


@pytest.fixture
def copie(db_demo):
    """A writable in-memory copy of the built marts."""
    con = duckdb.connect()
    con.execute("ATTACH ? AS src (READ_ONLY)", [str(db_demo)])
    for t in MARTS:
        con.execute(f'CREATE TABLE "{t}" AS SELECT * FROM src."{t}"')  # noqa: S608 (constant names)
    con.execute("DETACH src")
    yield con
    con.close()


def test_contrats_respectes(copie):
    assert contrats.verifier(copie) == []


@pytest.mark.parametrize(("casse", "attendu"), [
    ("INSERT INTO territoires SELECT * FROM territoires LIMIT 1", "territoires : clé"),
    ("UPDATE communes SET nom = NULL WHERE commune = '31555'", "communes.nom vide"),
    ("UPDATE etablissements SET etat = 'X' WHERE siret = (SELECT min(siret) FROM etablissements)",
     "etablissements.etat hors des valeurs admises"),
    ("UPDATE projets SET commune = '99999' WHERE id_projet = 'P001'", "projets.commune sans"),
    ("UPDATE emploi SET effectifs = 1 WHERE secret AND territoire = "
     "(SELECT min(territoire) FROM emploi WHERE secret)", "valeur confidentielle publiée"),
    ("UPDATE etablissements SET nom = 'X' WHERE NOT diffusible", "non diffusible"),
])
def test_contrat_viole(copie, casse, attendu):
    copie.execute(casse)
    assert any(attendu in e for e in contrats.verifier(copie))


def test_aucune_donnee_de_staging_dans_la_base(db_demo):
    con = duckdb.connect(str(db_demo), read_only=True)
    tables = {t for (t,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert not {t for t in tables if t.startswith(("raw_", "stg_", "int_"))}
    cols = {c for (c,) in con.execute("SELECT column_name FROM information_schema.columns "
                                      "WHERE table_name = 'emploi'").fetchall()}
    assert "effectif_max" not in cols
