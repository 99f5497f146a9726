"""The demo's establishment list and employment table agree, and look like SIRENE."""

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from etl.codes import COLONNES_ETABLISSEMENT, COLONNES_UNITE_LEGALE, table
from etl.demo import generer
from etl.demo.identifiants import luhn_valide
from geo.perimetre import departement
from geo.projection import lambert93_vers_wgs84
from geo.territoires import referentiel

FAMILLES = ["association", "cooperative", "mutuelle", "fondation", "autre_ess"]


@pytest.fixture(scope="module")
def ref():
    return referentiel(departement("31"))


@pytest.fixture(scope="module")
def demo(ref):
    return generer(ref)


def test_referentiel_haute_garonne(ref):
    assert len(ref.communes) == 586
    assert ref.communes["epci"].nunique() == 18
    assert 6300 < ref.communes["superficie_km2"].sum() < 6430
    assert ref.territoires.query("niveau == 'petr'")["code"].nunique() == 4
    tm = ref.communes[ref.communes["metropole"] == "toulouse-metropole"]
    assert len(tm) == 37 and set(tm["epci"]) == {"243100518"}


def test_geojson_communes_sous_1_mo(ref):
    communes = ref.geometries[ref.geometries["territoire"].str.startswith("commune:")]
    assert len(communes) == 586
    assert communes["geojson"].str.len().sum() < 1_000_000


def test_layouts_officiels(demo):
    assert list(demo.sirene_etablissements.columns) == COLONNES_ETABLISSEMENT
    assert list(demo.sirene_unites_legales.columns) == COLONNES_UNITE_LEGALE


def test_siret_et_siren_valides(demo):
    etab = demo.sirene_etablissements
    assert etab["siret"].is_unique
    assert etab["siret"].str.fullmatch(r"\d{14}").all()
    assert etab["siret"].map(luhn_valide).all()
    assert demo.sirene_unites_legales["siren"].map(luhn_valide).all()
    assert set(etab["siren"]) <= set(demo.sirene_unites_legales["siren"])


def test_noms_visiblement_fictifs(demo):
    noms = demo.sirene_unites_legales["denominationUniteLegale"]
    assert noms[noms != "[ND]"].str.contains("DÉMO").all()


def test_diffusion_partielle_masquee(demo):
    p = demo.sirene_etablissements[demo.sirene_etablissements["statutDiffusionEtablissement"] == "P"]
    assert len(p) > 0
    assert (p["libelleVoieEtablissement"] == "[ND]").all()
    assert (p["coordonneeLambertAbscisseEtablissement"] == "[ND]").all()


def test_filtres_exerces(demo):
    etab = demo.sirene_etablissements
    assert (etab["etatAdministratifEtablissement"] == "F").sum() > 100
    assert (etab["trancheEffectifsEtablissement"] == "NN").sum() > 100
    ul = demo.sirene_unites_legales
    assert (ul["economieSocialeSolidaireUniteLegale"] != "O").sum() > 100


def test_etablissements_2021_par_commune_identiques(demo):
    """Per commune, 2021 ESS employer establishments: the same in SIRENE and FLORES."""
    fl = demo.flores
    fl = fl[(fl["annee"] == 2021) & fl["famille"].isin(FAMILLES)]
    flores = fl.groupby("codgeo")["nb_etablissements_employeurs"].sum()
    etab = demo.sirene_etablissements.merge(
        demo.sirene_unites_legales[["siren", "categorieJuridiqueUniteLegale"]], on="siren")
    fam = table("familles_ess").set_index("categorie_juridique")["famille"]
    creation = pd.to_datetime(etab["dateCreationEtablissement"])
    fin = pd.to_datetime(etab["dateDebut"]).where(etab["etatAdministratifEtablissement"] == "F")
    actif = (creation <= "2021-12-31") & (fin.isna() | (fin > "2021-12-31"))
    ess = etab["categorieJuridiqueUniteLegale"].map(fam).notna()
    exclu = etab["activitePrincipaleEtablissement"].str.match(r"84|94\.(11|12|20|91|92)Z")
    sirene = etab[actif & ess & ~exclu & (etab["caractereEmployeurEtablissement"] == "O")]
    compte = sirene.groupby("codeCommuneEtablissement").size()
    assert compte.sum() == 4674
    pd.testing.assert_series_equal(compte.sort_index(), flores.sort_index(), check_names=False)


def test_effectifs_dans_la_tranche(demo):
    bandes = table("tranches_effectifs").set_index("tranche")
    micro = demo.micro[demo.micro["annee"] == 2021]
    assert micro["effectifs"].sum() == 55_100
    tranches = micro["effectifs"].map(lambda n: next(
        t for t, r in bandes.iterrows()
        if r.employeur == "oui" and int(r.effectif_min) <= n <= int(r.effectif_max or 10**9)
        and int(r.effectif_min) > 0))
    assert (tranches.index == micro.index).all()


def test_points_dans_leur_commune(demo, ref):
    etab = demo.sirene_etablissements
    etab = etab[etab["coordonneeLambertAbscisseEtablissement"] != "[ND]"].sample(500, random_state=1)
    lon, lat = lambert93_vers_wgs84(etab["coordonneeLambertAbscisseEtablissement"].astype(float),
                                    etab["coordonneeLambertOrdonneeEtablissement"].astype(float))
    polys = ref.frame.set_index("commune").geometry.reindex(etab["codeCommuneEtablissement"])
    # a 10 m margin for the contours' simplification, drawn in metres (Lambert-93)
    marge = gpd.GeoSeries(polys.values, crs=ref.frame.crs).to_crs(2154).buffer(10).to_crs(ref.frame.crs)
    dedans = shapely.contains_xy(marge.values, lon, lat)
    assert dedans.all()


def test_flores_agrege_les_micro_donnees(demo):
    micro = demo.micro.groupby(["annee", "commune", "a38", "famille"])["effectifs"].sum()
    fl = demo.flores[demo.flores["famille"].isin(FAMILLES)]
    fl = fl.set_index(["annee", "codgeo", "a38", "famille"])["effectifs_31_12"]
    assert (fl.sort_index().to_numpy() == micro.sort_index().to_numpy()).all()


def test_deterministe(ref, demo):
    again = generer(ref)
    pd.testing.assert_frame_equal(again.flores, demo.flores)
    pd.testing.assert_frame_equal(again.sirene_etablissements, demo.sirene_etablissements)
