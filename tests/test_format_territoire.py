"""French formatting and territory codes."""

import pytest

from ess import format as fr
from ess.codes_territoire import TerritoireInvalide, resoudre

NNBSP = "\u202f"


@pytest.mark.parametrize(("valeur", "attendu"), [
    (55100, f"55{NNBSP}100"), (4674, f"4{NNBSP}674"), (188, "188"), (0, "0"),
    (1234567, f"1{NNBSP}234{NNBSP}567"), (None, "s"), (float("nan"), "s"),
])
def test_nombre(valeur, attendu):
    assert fr.nombre(valeur) == attendu


def test_pourcent():
    assert fr.pourcent(11.3) == f"11,3{NNBSP}%"
    assert fr.pourcent(85.5) == f"85,5{NNBSP}%"
    assert fr.pourcent(None) == "s"


def test_territoires_resolus(con):
    assert resoudre(con, "departement:31").nom == "Haute-Garonne"
    tm = resoudre(con, "epci:243100518")
    assert tm.nom == "Toulouse Métropole" and len(tm.communes) == 37
    assert resoudre(con, "commune:31555").nom == "Toulouse"
    assert len(resoudre(con, "petr:comminges-pyrenees").communes) == 235
    groupe = resoudre(con, "communes:31555,31069")
    assert groupe.communes == ("31069", "31555")


@pytest.mark.parametrize("code", ["epci:1' OR 1=1 --", "commune", "pays:fr", "communes:31555;drop",
                                  "", "departement:99", "communes:31555,99999"])
def test_territoire_invalide(con, code):
    with pytest.raises(TerritoireInvalide):
        resoudre(con, code)


@pytest.mark.parametrize("nom, valeurs, chiffree", [
    ("Effectifs", ["2\u202f697", "s", "−165", None], True),
    ("Part", ["11,3\u202f%", "—", "0,5\u00a0%"], True),
    ("Montant", ["1\u202f200\u202f€"], True),
    ("Territoire", ["Toulouse", "31"], False),   # labels, even with one made of digits
    ("Année", ["2017", "2021"], False),          # a year is a label
    ("Code", ["88", "91"], False),               # so is a code
    ("Effectifs", ["s", "—"], False),            # nothing to align
])
def test_colonne_chiffree(nom, valeurs, chiffree):
    assert fr.colonne_chiffree(nom, valeurs) is chiffree


def test_tableau_html_chiffres_a_droite():
    """Figures right-aligned (class n) as in INSEE's tables, labels left; text escaped;
    title and scope in the caption; one <tr> per row."""
    import io

    import pandas as pd

    from web import ui

    df = pd.DataFrame({"Territoire": ["A <b>", "B"], "Année": [2021, 2022],
                       "Effectifs": [1234, None], "Part": ["11,3\u202f%", "s"]})
    html = ui.html_tableau(df, titre="Tableau 1 — Essai", champ="tout")
    assert '<th class="n">Effectifs</th>' in html and '<td class="n">1\u202f234</td>' in html
    assert '<td class="n">s</td>' in html and "<th>Année</th>" in html and "<td>2021</td>" in html
    assert "A &lt;b&gt;" in html and "<b>" not in html
    assert html.split("<tbody>")[1].count("<tr>") == 2
    lu = pd.read_html(io.StringIO(html), thousands=None, keep_default_na=False)[0]
    assert list(lu.columns) == list(df.columns) and lu.loc[0, "Effectifs"] == "1\u202f234"


@pytest.mark.parametrize("nom, de_, a_, dans_", [
    ("Communauté de communes Cœur de Garonne", "de la Communauté de communes Cœur de Garonne",
     "à la Communauté de communes Cœur de Garonne", "dans la Communauté de communes Cœur de Garonne"),
    ("PETR du Pays Sud Toulousain", "du PETR du Pays Sud Toulousain", "au PETR du Pays Sud Toulousain",
     "dans le PETR du Pays Sud Toulousain"),
    ("Haute-Garonne", "de la Haute-Garonne", "à la Haute-Garonne", "en Haute-Garonne"),
    ("Toulouse", "de Toulouse", "à Toulouse", "à Toulouse"),
    ("Aucamville", "d'Aucamville", "à Aucamville", "à Aucamville"),
    ("Le Fousseret", "du Fousseret", "au Fousseret", "au Fousseret"),
    ("Les Tourreilles", "des Tourreilles", "aux Tourreilles", "aux Tourreilles"),
    ("L'Union", "de L'Union", "à L'Union", "à L'Union"),
    ("Groupe de 3 communes", "du groupe de 3 communes", "au groupe de 3 communes",
     "dans le groupe de 3 communes"),
])
def test_noms_dans_une_phrase(nom, de_, a_, dans_):
    from ess import noms

    assert (noms.de(nom), noms.a(nom), noms.dans(nom)) == (de_, a_, dans_)
