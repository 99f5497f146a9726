"""Property-based: what users type or upload in the app (link parameters, pasted commune codes,
an edited tracking workbook) gives a result or a French message, never an exception, and a
refused import saves nothing."""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from ess import fiche
from ess.suivi import classeur, store
from web import permalien

REGLAGES = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
# text that looks like what people paste or edit in links: codes, separators, quotes, SQL
TEXTE = st.one_of(
    st.text(max_size=80),
    st.from_regex(r"(commune|communes|epci|petr|departement|metropole|densite)?:?[0-9AB,;' \-]{0,40}",
                  fullmatch=True),
    st.sampled_from(["commune:31555' OR '1'='1", "communes:31555,31555", "epci:", "communes:",
                     "departement:31; DROP TABLE emploi", "commune:2A004", "\x00"]),
)

CELLULE = st.one_of(st.text(st.characters(exclude_categories=["Cc", "Cs"]), max_size=20),
                    st.integers(-10**6, 10**6), st.floats(allow_nan=True), st.none())


@REGLAGES
@given(valeur=TEXTE)
def test_territoire_du_lien(con, valeur):
    code, message = permalien.lire_territoire(con, {"territoire": valeur}, "territoire", "departement:31")
    assert (code == "departement:31" and message) or (message is None and code)
    assert con.execute("SELECT count(*) FROM emploi").fetchone()[0] > 0


@REGLAGES
@given(texte=st.text(max_size=200))
def test_codes_colles(con, texte):
    connus = {k.split(":")[1] for k in fiche.options_niveau(con, "commune")}
    codes, inconnus = fiche.codes_colles(texte, connus)
    assert set(codes) <= connus and not set(codes) & set(inconnus)


@pytest.fixture(scope="module")
def export_valide(tmp_path_factory) -> bytes:
    with store.ouvrir(tmp_path_factory.mktemp("suivi") / "suivi.sqlite") as c:
        return classeur.exporter(c)


def _etat(con) -> list:
    return [con.execute(f"SELECT * FROM {t}").fetchall()  # noqa: S608
            for (t,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]


@REGLAGES
@given(data=st.data())
def test_classeur_de_suivi_abime(tmp_path, export_valide, data):
    """Mutated bytes of a real export, or a real export with random cell values."""
    if data.draw(st.booleans()):
        i = data.draw(st.integers(0, len(export_valide) - 1))
        j = data.draw(st.integers(i, len(export_valide)))
        contenu = export_valide[:i] + data.draw(st.binary(max_size=16)) + export_valide[j:]
    else:
        wb = load_workbook(io.BytesIO(export_valide))
        ws = wb["Indicateurs"]
        for _ in range(data.draw(st.integers(1, 5))):
            ligne = data.draw(st.integers(1, ws.max_row + 1))
            colonne = data.draw(st.integers(1, ws.max_column))
            ws.cell(ligne, colonne).value = data.draw(CELLULE)
        tampon = io.BytesIO()
        wb.save(tampon)
        contenu = tampon.getvalue()
    with store.ouvrir(tmp_path / "suivi.sqlite") as c:
        avant = _etat(c)
        try:
            classeur.importer(c, contenu, "test")
        except classeur.ImportInvalide as exc:
            assert str(exc)
            assert _etat(c) == avant  # nothing saved
