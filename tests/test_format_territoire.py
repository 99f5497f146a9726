"""French formatting and territory codes."""

import pytest

from ess import format as fr
from ess.territoire import TerritoireInvalide, resoudre

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
