"""Breakdowns and indicators by territory (ess.portrait)."""

import pytest

from ess import portrait


def test_familles_departement(con):
    df = portrait.familles(con, "departement:31", 2021).set_index("famille")
    assert df.loc["association", "part"] == 85.5
    assert df["effectifs"].sum() == 55_100
    assert df["nb_etablissements"].sum() == 4674


def test_familles_petite_commune_masquee(con):
    df = portrait.familles(con, "commune:31001", 2021)
    assert df.loc[df["secret"], "effectifs"].isna().all()
    assert df["secret"].sum() != 1  # never a lone hidden cell next to a published total


def test_secteurs_a21_et_a38(con):
    df = portrait.secteurs(con, "departement:31", 2021)
    a21 = df[df["niveau"] == "a21"].set_index("secteur")
    detail_q = df[(df["niveau"] == "a38") & (df["section"] == "Q")]
    assert a21.loc["Q", "effectifs"] == detail_q["effectifs"].sum()
    assert 39 <= df[df["secteur"] == "QB"]["part"].iloc[0] <= 41
    assert a21["libelle"].notna().all()


def test_evolution_depuis_2017(con):
    df = portrait.evolution(con, "epci:200073146")
    assert list(df["annee"]) == list(range(2017, 2024))
    assert df.set_index("annee").loc[2017, "part_ess_prive"] == 24.2


def test_groupe_de_communes_ne_revele_rien(con):
    """A custom group's value is hidden when any of its communes' value is."""
    df = portrait.evolution(con, "communes:31001,31555")
    assert df["effectifs_ess"].isna().all()


def test_par_niveau_et_rang(con):
    epci = portrait.par_niveau(con, "epci", 2021)
    assert len(epci) == 18
    assert epci["effectifs_ess"].max() == epci.set_index("code").loc["243100518", "effectifs_ess"]
    assert portrait.rang(con, "epci:200073146", 2021, "part_ess_prive")[0] == 1
    publies = int(epci["effectifs_ess"].notna().sum())
    assert 15 <= publies < 18  # CC Tarn-Agout (one commune, 2 establishments) is secret, and
    # so is one more EPCI: otherwise département − the others would reveal it
    assert portrait.rang(con, "epci:243100518", 2021, "effectifs_ess") == (1, publies)


@pytest.mark.parametrize("niveau", ["commune", "epci", "petr", "densite", "metropole"])
def test_par_niveau_couvre_tous_les_territoires(con, niveau):
    df = portrait.par_niveau(con, niveau, 2021)
    n = con.execute("SELECT count(*) FROM territoires WHERE niveau = ?", [niveau]).fetchone()[0]
    assert len(df) == n
    assert df.loc[df["secret"], "part_ess_prive"].isna().all()
