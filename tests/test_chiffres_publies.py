"""The demo database reproduces every published figure of demo-data.md §A and §B,
recomputed from the built database by the read side (not read from the targets file)."""

import itertools

import pytest

from ess.indicateurs import chiffres_cles, chiffres_departement
from ess.plan import synthese_plan1

TM = "epci:243100518"


@pytest.fixture
def dep2021(con):
    return chiffres_departement(con, 2021)


def test_etablissements_employeurs_ess_exact(dep2021):
    assert dep2021["etablissements_employeurs_ess"] == 4674


def test_effectifs_ess(dep2021):
    assert abs(dep2021["effectifs_ess"] - 55_100) <= 50


def test_part_emploi_prive(dep2021):
    assert dep2021["part_ess_emploi_prive"] == 11.3


def test_part_associations(dep2021):
    assert dep2021["part_associations"] == 85.5


def test_part_action_sociale(dep2021):
    assert 39.0 <= dep2021["part_action_sociale"] <= 41.0


def test_metropole_concentre_plus_de_72_pourcent(dep2021):
    assert 72.0 <= dep2021["part_metropole_effectifs_ess"] <= 73.0
    assert 11.0 <= dep2021["part_ess_emploi_prive_metropole"] <= 11.6


def _effectifs(con, territoire, groupe, annee=2021):
    return con.execute(
        "SELECT effectifs FROM emploi WHERE territoire = ? AND groupe = ? AND annee = ? "
        "AND nomenclature = 'ensemble'", [territoire, groupe, annee]).fetchone()[0]


def test_concentration_metropolitaine_hors_ess(con):
    # privé hors ESS is not a published group: privé − ESS, both published for both territories
    hors = {t: _effectifs(con, t, "prive") - _effectifs(con, t, "ess") for t in (TM, "departement:31")}
    assert 72.5 <= 100 * hors[TM] / hors["departement:31"] <= 73.5


@pytest.mark.parametrize(("epci", "part"), [
    ("200073146", 24.2),  # CC Cagire Garonne Salat
    ("200068815", 21.5),  # CC Cœur de Garonne
    ("200072643", 18.9),  # CC Cœur et Coteaux du Comminges
])
def test_parts_epci_2017(con, epci, part):
    assert chiffres_cles(con, f"epci:{epci}", 2017)["part_ess_emploi_prive"] == part


@pytest.mark.parametrize("annee", [2017, 2021])
def test_rural_plus_de_20_pourcent(con, annee):
    assert chiffres_cles(con, "densite:rural", annee)["part_ess_emploi_prive"] > 20.0


def test_serie_2017_2023_evolue(con):
    serie = [chiffres_cles(con, "departement:31", a)["effectifs_ess"] for a in range(2017, 2024)]
    assert len(set(serie)) == 7  # a series, not a constant
    assert all(0.9 < b / a < 1.1 for a, b in itertools.pairwise(serie))


def test_synthese_premier_plan(con):
    s = synthese_plan1(con)
    assert (s["projets_accueillis"], s["projets_finances"], s["etp_projetes"]) == (161, 56, 188)
    assert (s["tiers_lieux_finances"], s["structures_dissoutes"]) == (20, 3)
    assert s["taux_perennisation"] == round(100 * 53 / 56, 1)
    assert (s["collectivites_accompagnees"], s["epci_accompagnes"]) == (20, 2)
    assert any("Sicoval" in n for n in s["noms_epci_accompagnes"])
    assert any("Muretain" in n for n in s["noms_epci_accompagnes"])
    assert len(s["livrables"]) == 4
