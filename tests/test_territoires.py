"""Portrait and typology read functions, and the two pages through AppTest (widgets and
query-string round trips, invalid values included)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from ess import comparaison, rural_metropole
from tests.conftest import RACINE

NNBSP = "\u202f"


def ouvrir(page: str, **params) -> AppTest:
    at = AppTest.from_file(str(RACINE / "app.py"), default_timeout=90)
    at.run()
    at.switch_page(page)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def comparer(at):
    """The « Comparer avec » box (one per territory: its key holds the territory's code)."""
    return next(s for s in at.sidebar.selectbox if s.label == "Comparer avec")


def param(at, nom):
    v = at.query_params.get(nom)
    return v[0] if isinstance(v, list) else v


def test_typologies_ess_pese_plus_hors_metropole(con):
    df = rural_metropole.comparaison(con, 2021)
    assert set(df["niveau"]) == {"metropole", "densite", "petr"}
    metro = df[df["niveau"] == "metropole"]
    assert metro["part_emplois_ess_departement"].sum() == pytest.approx(100, abs=0.2)
    assert "approximation" in df.loc[df["niveau"] == "densite", "type"].iloc[0]
    msg = rural_metropole.message_plan(df)
    assert msg["plus_hors_metropole"] and msg["part_rural"] > 20
    assert 72 <= 100 - msg["emplois_hors_metropole"] <= 73


def test_comparaison_groupe_et_rangs(con):
    t = comparaison.chiffres(con, "communes:31555,31069", 2021)
    assert t["nom"] == "Blagnac et Toulouse" and t["population"] > 479_000
    assert comparaison.rangs(con, "communes:31555,31069", 2021) is None
    r = comparaison.rangs(con, "epci:243100518", 2021)
    rang = r.loc[r["Indicateur"] == "Effectifs salariés de l'ESS", "Rang"].iloc[0]
    assert rang.startswith("1er sur ") and 10 <= int(rang.split()[-1]) <= 18  # secret EPCI unranked
    tab = comparaison.tableau_chiffres(comparaison.chiffres(con, "departement:31", 2021),
                                       comparaison.chiffres(con, "departement:31", 2021))
    assert tab.shape == (4, 3) and tab.iloc[2, 1] == f"11,3{NNBSP}%"


def test_page_carte_defaut_et_url(env_db):
    at = ouvrir("pages/carte.py")
    assert param(at, "niveau") == "epci" and param(at, "metrique") == "part_ess_prive"
    assert "EPCI, 2021" in at.header[0].value
    assert at.get("plotly_chart")


def test_page_carte_lien_restaure_la_vue(env_db):
    at = ouvrir("pages/carte.py", niveau="commune", metrique="evolution_effectifs_ess", depuis="2018",
                annee="2021", territoire="commune:31555", methode="egales", classes="4")
    assert at.radio(key="url_niveau").value == "commune"
    assert at.selectbox(key="url_methode").value == "egales"
    assert at.selectbox(key="url_depuis").value == "2018"
    assert "2018-2021" in at.header[0].value
    assert any("Toulouse" in i.value for i in at.info)
    # Changing a widget writes the URL.
    at.radio(key="url_niveau").set_value("epci").run()
    assert param(at, "niveau") == "epci"
    assert param(at, "territoire") is None  # a commune is not an EPCI of this map


def test_page_carte_valeurs_invalides(env_db):
    at = ouvrir("pages/carte.py", niveau="canton", metrique="pib", annee="1900", classes="99",
                territoire="epci:'; DROP TABLE emploi")
    avertissements = " ".join(w.value for w in at.warning)
    for attendu in ("canton", "pib", "1900", "99"):
        assert attendu in avertissements
    assert param(at, "niveau") == "epci" and param(at, "classes") == "5"


def test_page_carte_sirene_sans_part(env_db):
    at = ouvrir("pages/carte.py", definition="sirene", metrique="part_ess_prive")
    assert any("SIRENE" in i.value for i in at.main.info)
    assert param(at, "metrique") == "effectifs_ess"


def test_page_carte_etablissements(env_db):
    at = ouvrir("pages/carte.py", vue="etablissements", famille="cooperative")
    assert "Établissements employeurs" in at.header[0].value
    assert at.get("deck_gl_json_chart")


def test_page_territoires_lien_portrait(env_db):
    at = ouvrir("pages/territoires.py", territoire="epci:243100518", comparaison="metropole:hors-metropole",
                annee="2017")
    assert at.title[0].value == "Portrait : Toulouse Métropole"
    assert comparer(at).value == "metropole:hors-metropole"
    assert "Chiffres clés 2017" in [s.value for s in at.header]
    comparer(at).set_value("departement:31").run()
    assert param(at, "comparaison") == "departement:31"


def test_page_territoires_groupe_et_invalide(env_db):
    at = ouvrir("pages/territoires.py", territoire="communes:31555,31069")
    assert at.title[0].value == "Portrait : Blagnac et Toulouse"
    assert set(at.multiselect(key="groupe_communes").value) == {"commune:31069", "commune:31555"}
    assert param(at, "territoire") == "communes:31069,31555"
    at = ouvrir("pages/territoires.py", territoire="commune:00000", comparaison="x:y")
    assert any("inconnu" in w.value for w in at.warning)
    assert any("comparaison" in w.value for w in at.main.warning)  # in the page, not the folded sidebar
    assert param(at, "comparaison") == "departement:31"


def test_page_territoires_rural_metropole(env_db):
    at = ouvrir("pages/territoires.py", vue="typologies")
    assert at.title[0].value == "L'ESS hors métropole et en rural"
    assert any("hors métropole" in m.value for m in at.markdown)
    assert any("approximation" in c.value for c in at.caption)


def test_page_territoires_defaut_et_reference_qui_suit(env_db):
    at = ouvrir("pages/territoires.py")
    # the most populated EPCI against the département, not the first name of the alphabet
    assert at.title[0].value == "Portrait : Toulouse Métropole"
    assert comparer(at).value == "departement:31"
    at.selectbox(key="type_territoire").set_value("commune").run()
    at.selectbox(key="territoire_commune").set_value("commune:31483").run()
    assert at.title[0].value == "Portrait : Saint-Gaudens"
    assert comparer(at).value == "petr:comminges-pyrenees"  # its own PETR
    assert param(at, "comparaison") == "petr:comminges-pyrenees"


def test_page_carte_non_diffuse_a_cet_echelon(env_db):
    at = ouvrir("pages/carte.py", niveau="commune", famille="association")
    assert any(w.value.startswith("Non diffusé à cet échelon") for w in at.warning)
    assert not at.get("plotly_chart")  # never a map of zeros
    at = ouvrir("pages/carte.py", niveau="epci", famille="association")
    assert not any("Non diffusé" in w.value for w in at.warning)
    assert at.get("plotly_chart")


def test_fond_de_carte_voisins_nommes_dans_le_cadre(con):
    """The basemap: the neighbouring départements, each name placed inside the part the map
    shows; a database without it (built before, brought back from the history) still draws."""
    import shapely

    from ess import carte, carte_vue
    from geo.territoires import MARGE_FOND_DEG

    fond = carte.fond(con)
    assert {"Gers", "Ariège", "Tarn", "Aude", "Hautes-Pyrénées", "Tarn-et-Garonne"} <= set(fond["nom"])
    geo = carte.contours(con, "departement")
    x0, y0, x1, y1 = shapely.total_bounds([shapely.geometry.shape(f["geometry"]) for f in geo["features"]])
    m = MARGE_FOND_DEG / 2
    assert fond["lon"].between(x0 - m, x1 + m).all() and fond["lat"].between(y0 - m, y1 + m).all()
    fig = carte_vue.figure(con, "epci", "part_ess_prive", 2021)
    assert fig.data[0].name == "départements voisins"  # under the territories
    assert list(fig.layout.geo.lonaxis.range) == [x0 - m, x1 + m]

    class SansFond:  # a connection to a database built before the background existed
        def execute(self, sql, *args):
            if "fond_de_carte" in sql:
                import duckdb

                raise duckdb.CatalogException("Table with name fond_de_carte does not exist!")
            return con.execute(sql, *args)

    assert carte.fond(SansFond()) is None
    fig = carte_vue.figure(SansFond(), "epci", "part_ess_prive", 2021)
    assert "départements voisins" not in {t.name for t in fig.data}
    assert fig.layout.geo.fitbounds == "locations"


def test_page_territoires_total_masque_lu_en_fourchette(env_db):
    """Le Grand Ouest Toulousain, hidden only to protect Tarn-Agout's single commune, reads as
    the interval the published figures give; Tarn-Agout itself (sensitive) gets none."""
    at = ouvrir("pages/territoires.py", territoire="epci:243100781", annee="2021")
    valeurs = {m.label: m.value for m in at.metric}
    assert valeurs["Effectifs salariés de l'ESS"] == "s"
    note = next(i.value for i in at.info if "protéger un territoire voisin" in i.value)
    assert "voisin : entre 812 et 815 d'après les seuls chiffres publiés, soit entre 5,8\u202f% et " \
           "5,9\u202f% de l'emploi privé." in note
    at = ouvrir("pages/territoires.py", territoire="epci:200034023", annee="2021")
    assert not any("entre" in i.value for i in at.info)


def test_page_territoires_phrases_en_francais(env_db):
    """The sentences beside the charts name the territory as French says it (« Dans la
    Communauté de communes … », « du PETR … »), not « À Communauté de communes … »."""
    at = ouvrir("pages/territoires.py", territoire="epci:200068815", comparaison="petr:sud-toulousain",
                annee="2021")
    textes = " ".join(m.value for m in at.markdown)
    assert "Comparé **au PETR du Pays Sud Toulousain**" in textes
    assert "Dans la Communauté de communes Cœur de Garonne, les associations portent" in textes
    assert "pour le PETR du Pays Sud Toulousain)" in textes
    assert "emploi privé de la Communauté de communes Cœur de Garonne :" in textes
    assert "Premier secteur de l'ESS dans la Communauté de communes Cœur de Garonne :" in textes
    assert "À Communauté" not in textes and " de Communauté" not in textes


def test_familles_non_diffusees_ne_sont_pas_secretes(con):
    """A commune's jobs by family are not published at that level: its rows read « — », never
    « s » (which would claim a hidden figure); a figure really hidden by the secret reads « s »."""
    commune = comparaison.tableau_familles(comparaison.familles(con, "commune:31001", "epci:200068815", 2021))
    agassac = commune[commune["Territoire"] == "Agassac"]
    assert set(agassac[["Établissements employeurs", "Effectifs", "Part"]].stack()) == {"—"}
    epci = comparaison.tableau_familles(comparaison.familles(con, "epci:243100781", "departement:31", 2021))
    associations = epci[(epci["Famille"] == "Associations") & (epci["Territoire"] != "Haute-Garonne")].iloc[0]
    assert associations["Effectifs"] == "s" and associations["Établissements employeurs"] == "46"


def test_page_territoires_secteurs_non_publies_sans_graphique_vide(env_db):
    """A commune's sectors are not published: a sentence says so, with no empty chart (axes
    from −1 to 6) and no table of headers alone; an EPCI's draw their chart and table."""
    at = ouvrir("pages/territoires.py", territoire="commune:31555", annee="2021")
    assert len(at.get("plotly_chart")) == 2  # families and evolution only
    assert any("Secteurs de l'ESS de Toulouse : non diffusés" in i.value for i in at.info)
    assert not any("Code NAF" in h.value for h in at.html)  # the sectors' table
    at = ouvrir("pages/territoires.py", territoire="epci:200068815", annee="2021")
    assert len(at.get("plotly_chart")) == 3
    assert any("Code NAF" in h.value for h in at.html)


def test_un_secteur_secret_n_est_jamais_une_barre_vide(con):
    """Cœur de Garonne (2021) has sections under the secret: the chart draws the published ones
    only, each with its value; none of its rows is a hidden section drawn as zero jobs."""
    import textwrap

    from ess import portrait
    from web.graphiques import barres_secteurs

    sec = portrait.secteurs(con, "epci:200068815", 2021, "ess")
    a21 = sec[sec["niveau"] == "a21"]
    secrets = set(a21.loc[a21["secret"].astype(bool), "libelle"])
    assert secrets  # the case of the issue: 8 sections under the secret
    (barres,) = barres_secteurs(con, "epci:200068815", 2021).data
    lignes = {y.replace("<br>", " ") for y in barres.y}
    assert not lignes & {" ".join(textwrap.wrap(s, 52)) for s in secrets}
    assert len(lignes) == len(a21) - len(secrets) and all(x == x and x is not None for x in barres.x)
