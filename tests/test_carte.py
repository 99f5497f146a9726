"""Map data (ess.carte), class breaks and figure (geo.classes, geo.choroplethe), permalink parsing
(web.permalien)."""

from __future__ import annotations

import io
import json

import duckdb
import numpy as np
import pandas as pd
import pytest

from ess import carte
from ess import format as fr
from ess.exports.csv import FIN_DE_LIGNE_TABLEAUX, table_csv
from geo.choroplethe import (
    BLANC,
    CONTOUR_ND,
    CONTOUR_SECRET,
    LIBELLE_SECRET,
    carte_classes,
    feature_collection,
)
from geo.classes import METHODES_CLASSES, Classes, classer, couleurs, placer_fourchettes
from geo.etiquettes import noms_courts, points_interieurs
from geo.points import FOND_LARGEUR_PX, fond_images
from web import permalien


@pytest.fixture
def mini() -> duckdb.DuckDBPyConnection:
    """Two EPCI, three communes, one year of emploi cells; one EPCI secret."""
    con = duckdb.connect()
    con.execute("""
        CREATE TABLE territoires AS SELECT * FROM (VALUES
            ('epci:1', 'epci', '1', 'Alpha', 1000, 10.0, 2), ('epci:2', 'epci', '2', 'Beta', 500, 5.0, 1))
            t(territoire, niveau, code, nom, population, superficie_km2, nb_communes);
        CREATE TABLE emploi AS SELECT * FROM (VALUES
            ('epci:1', 2020, 'ess', 'ensemble', '_', 4, 40.0, 30.0, false),
            ('epci:1', 2020, 'prive', 'ensemble', '_', 20, 400.0, 300.0, false),
            ('epci:1', 2021, 'ess', 'ensemble', '_', 5, 50.0, 40.0, false),
            ('epci:1', 2021, 'prive', 'ensemble', '_', 20, 500.0, 400.0, false),
            ('epci:2', 2020, 'ess', 'ensemble', '_', 2, NULL, NULL, true),
            ('epci:2', 2020, 'prive', 'ensemble', '_', 9, 90.0, 80.0, false),
            ('epci:2', 2021, 'ess', 'ensemble', '_', 2, NULL, NULL, true),
            ('epci:2', 2021, 'prive', 'ensemble', '_', 10, 100.0, 90.0, false))
            e(territoire, annee, groupe, nomenclature, secteur, nb_etablissements, effectifs, eqtp, secret);
        CREATE TABLE ref_diffusion_emploi AS SELECT * FROM (VALUES
            ('epci', 'ess', 'ensemble'), ('epci', 'prive', 'ensemble')) d(niveau, groupe, nomenclature);
    """)
    return con


def test_part_et_secret(mini):
    df = carte.donnees(mini, "epci", "part_ess_prive", 2021).set_index("territoire")
    assert df.at["epci:1", "valeur"] == 10.0
    assert df.at["epci:2", "secret"] and np.isnan(df.at["epci:2", "valeur"])
    assert df.at["epci:1", "rang"] == 1 and df.at["epci:1", "nb_classes"] == 1


def test_etablissements_jamais_secrets(mini):
    df = carte.donnees(mini, "epci", "etablissements_ess", 2021).set_index("territoire")
    assert list(df["valeur"]) == [5, 2] and not df["secret"].any()
    assert list(df["rang"]) == [1, 2]


def test_evolution_et_pour_1000(mini):
    evo = carte.donnees(mini, "epci", "evolution_effectifs_ess", 2021, depuis=2020).set_index("territoire")
    assert evo.at["epci:1", "valeur"] == 25.0
    assert evo.at["epci:2", "secret"]
    hab = carte.donnees(mini, "epci", "effectifs_ess_1000_hab", 2021).set_index("territoire")
    assert hab.at["epci:1", "valeur"] == 50.0
    with pytest.raises(ValueError, match="année de départ"):
        carte.donnees(mini, "epci", "evolution_effectifs_ess", 2021, depuis=2021)


def test_donnees_demo_filtres_et_sirene(con):
    df = carte.donnees(con, "commune", "effectifs_ess", 2021)
    assert len(df) == 586 and df["secret"].any()
    assert df.loc[df["secret"], "valeur"].isna().all()  # a hidden value never leaves the module
    assoc = carte.donnees(con, "epci", "effectifs_ess", 2021, famille="association")
    tout = carte.donnees(con, "epci", "effectifs_ess", 2021)
    assert (assoc["valeur"].fillna(0) <= tout["valeur"].fillna(np.inf)).all()
    # families and sectors are not published for communes: said, never drawn as 0
    with pytest.raises(carte.NonDiffuse, match="pas diffusés pour les communes"):
        carte.donnees(con, "commune", "effectifs_ess", 2021, famille="association")
    with pytest.raises(carte.NonDiffuse):
        carte.donnees(con, "epci", "part_ess_prive", 2021, section="Q")  # privé by sector: not published
    sirene = carte.donnees(con, "epci", "etablissements_ess", 2021, definition="sirene")
    assert sirene["valeur"].sum() > 0
    with pytest.raises(ValueError, match="SIRENE"):
        carte.donnees(con, "epci", "part_ess_prive", 2021, definition="sirene")


def test_points_jamais_non_diffusibles(con):
    pts = carte.etablissements(con, 2021)
    non_diffusibles = {s for (s,) in con.execute(
        "SELECT siret FROM etablissements WHERE NOT diffusible").fetchall()}
    assert len(pts) > 1000 and non_diffusibles
    assert not set(pts["siret"]) & non_diffusibles
    asso = carte.etablissements(con, 2021, famille="association", section="Q")
    assert 0 < len(asso) < len(pts) and (asso["a21"] == "Q").all()


def test_csv_excel_francais():
    brut = table_csv(pd.DataFrame({"Territoire": ["Aspet"], "Part (%)": [11.3]}), FIN_DE_LIGNE_TABLEAUX)
    assert brut.startswith(b"\xef\xbb\xbf")
    assert brut.decode("utf-8-sig").splitlines() == ["Territoire;Part (%)", "Aspet;11,3"]
    relu = pd.read_csv(io.BytesIO(brut), sep=";", decimal=",", encoding="utf-8-sig")
    assert relu.iloc[0, 1] == 11.3


@pytest.mark.parametrize("methode", list(METHODES_CLASSES))
def test_classes(methode):
    valeurs = pd.Series([1.0, 2.0, 2.5, 3.0, 8.0, 9.0, np.nan, 20.0])
    c = classer(valeurs, methode, 3)
    assert len(c.bornes) == 3 and c.bornes[-1] == 20.0
    assert pd.isna(c.indices[6]) and c.indices[0] == 0 and c.indices[7] == 2
    assert c.bornes == sorted(c.bornes)


def test_classes_peu_de_valeurs():
    c = classer(pd.Series([4.0, 4.0, np.nan]), "jenks", 5)
    assert c.bornes == [4.0] and list(c.indices[:2]) == [0, 0]
    assert classer(pd.Series([np.nan]), "quantiles", 5).bornes == []
    with pytest.raises(ValueError):
        classer(pd.Series([1.0]), "inconnue", 5)


def _contraste(couleur: str) -> float:
    """WCAG contrast ratio against white."""
    if couleur.startswith("rgb"):
        r, g, b = (int(float(x)) / 255 for x in couleur[couleur.index("(") + 1:-1].split(","))
    else:
        r, g, b = (int(couleur[i:i + 2], 16) / 255 for i in (1, 3, 5))
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 1.05 / (0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2] + 0.05)


def test_figure_classes_legende_secret_et_contraste():
    carre = json.dumps({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]})
    df = pd.DataFrame({"territoire": ["a", "b", "c"], "nom": ["A", "B", "C"],
                       "valeur": [1.0, 5.0, np.nan], "secret": [False, False, True],
                       "geojson": [carre] * 3})
    c = classer(df["valeur"], "egales", 2)
    survol = df[["nom"]].assign(v=["1", "5", "s"])
    geojson = feature_collection(df)
    etiquettes = points_interieurs(geojson).assign(nom=["A", "B", "C"])
    fig = carte_classes(df, geojson, c, ["1 à 3", "3 à 5"], "Légende", survol, selection="b",
                               etiquettes=etiquettes)
    classes = [t for t in fig.data if t.type == "choropleth"]
    # one trace per legend entry, each with only its own shapes (the GeoJSON is sent once)
    assert [t.name for t in classes] == ["1 à 3", "3 à 5", LIBELLE_SECRET]
    assert sum(len(t.geojson["features"]) for t in classes) == 3
    assert fig.layout.legend.orientation == "h" and fig.layout.legend.yanchor == "top"  # below
    secret = classes[-1]
    assert secret.colorscale[0][1] == BLANC and list(secret.marker.line.color) == [
        CONTOUR_SECRET]
    assert list(classes[1].marker.line.width) == [3.5]  # the selection
    for couleur in [t.colorscale[0][1] for t in classes[:-1]] + couleurs(7):
        assert _contraste(couleur) >= 3, couleur  # WCAG 1.4.11, shapes against white
    assert _contraste(CONTOUR_SECRET) >= 3 and _contraste(CONTOUR_ND) >= 3
    (noms,) = [t for t in fig.data if t.name == "étiquettes"]
    assert list(noms.text) == ["A", "B", "C<br><b>s</b>"]  # the secret one marked under its name
    # legend entries: outlined squares (a choropleth's swatch has no outline: white on white)
    entrees = {t.name: t.marker for t in fig.data if t.showlegend}
    assert list(entrees) == ["1 à 3", "3 à 5", LIBELLE_SECRET]
    assert entrees[LIBELLE_SECRET].line.color == CONTOUR_SECRET and entrees[LIBELLE_SECRET].line.width >= 1
    assert entrees[LIBELLE_SECRET].symbol == "square" and entrees[LIBELLE_SECRET].color == BLANC


def test_noms_courts():
    noms = pd.Series(["Communauté de communes Cagire Garonne Salat", "Toulouse Métropole",
                      "Communauté d'agglomération du Sicoval", "Communauté de communes des Hauts Tolosans"])
    assert list(noms_courts(noms)) == ["Cagire Garonne Salat", "Toulouse Métropole", "Sicoval",
                                              "Hauts Tolosans"]


def test_permalien_lire():
    admis = {"epci": "EPCI", "commune": "Communes"}
    assert permalien.lire({"niveau": "commune"}, "niveau", admis, "epci", "Niveau") == ("commune", None)
    assert permalien.lire({}, "niveau", admis, "epci", "Niveau") == ("epci", None)
    valeur, message = permalien.lire({"niveau": "canton"}, "niveau", admis, "epci", "Niveau")
    assert valeur == "epci" and "canton" in message and "EPCI" in message


def test_permalien_territoire_et_lien(con):
    assert permalien.lire_territoire(con, {"t": "epci:243100518"}, "t", None) == ("epci:243100518", None)
    code, message = permalien.lire_territoire(con, {"t": "epci:1 OR 1=1"}, "t", "departement:31")
    assert code == "departement:31" and "mal formé" in message
    code, message = permalien.lire_territoire(con, {"t": "commune:99999"}, "t", None)
    assert code is None and "inconnu" in message
    assert (permalien.lien("http://h/carte", {"territoire": "communes:31555,31069", "annee": 2021,
                                              "vide": ""})
            == "http://h/carte?territoire=communes:31555,31069&annee=2021")


def test_vue_de_carte_resume_et_diffusion(con):
    from ess import carte_vue

    v = carte_vue.vue(con, "epci", "part_ess_prive", 2021)
    phrase = carte_vue.resume(v, "EPCI")
    assert phrase.startswith("Part de l'ESS dans l'emploi privé, EPCI : de ") and "%" in phrase
    assert all("=" not in x for x in v.survol["valeur"])  # « Part … : 20,6 % », not « =20,6 »
    fig = carte_vue.figure(con, "epci", "part_ess_prive", 2021)
    assert fig.layout.separators.startswith(",")
    noms = carte_vue.etiquettes(con, "epci")
    assert len(noms) == 18 and "Toulouse Métropole" in set(noms["nom"])
    # Communes publish only ESS and private totals (data/diffusion_emploi.csv).
    assert carte_vue.non_diffuse(con, "epci", "part_ess_prive", None, None) is None
    refus = carte_vue.non_diffuse(con, "commune", "effectifs_ess", "association", None)
    assert refus.startswith("Non diffusé à cet échelon") and "EPCI" in refus
    assert carte_vue.non_diffuse(con, "commune", "effectifs_ess", None, "Q") is not None


def test_survol_total_masque_en_fourchette(con):
    """On the EPCI map of ESS jobs, Le Grand Ouest Toulousain (hidden to protect Tarn-Agout)
    reads as the interval the published figures give; Tarn-Agout, sensitive, as « s » only;
    a metric no interval exists for (an evolution) gets none."""
    from ess import carte_vue

    v = carte_vue.vue(con, "epci", "effectifs_ess", 2021)
    survol = dict(zip(v.df["territoire"], v.survol["valeur"], strict=True))
    assert survol["epci:243100781"].endswith("s (secret statistique ; entre 812 et 815 salariés d'après "
                                             "les chiffres publiés)")
    assert survol["epci:200034023"].endswith("s (secret statistique : trop peu d'établissements ou un "
                                             "établissement dominant)")  # its own reason
    evolution = carte_vue.vue(con, "epci", "evolution_effectifs_ess", 2021, depuis=2017)
    assert "entre" not in " ".join(evolution.survol["valeur"])


def test_part_masquee_placee_dans_sa_classe(con):
    """Le Grand Ouest Toulousain's share of ESS jobs is hidden but bounded by what is published
    (ESS jobs between 812 and 815, private jobs published): the Accueil map colours it in the
    class that holds the whole interval, whose legend reaches down to it, with the interval in
    its tooltip, the table and the map's sentence; Tarn-Agout stays a white « s »."""
    from ess import carte_vue

    v = carte_vue.vue(con, "epci", "part_ess_prive", 2021)
    got = v.df.index[v.df["territoire"] == "epci:243100781"][0]
    (prive,) = con.execute("SELECT effectifs FROM emploi WHERE territoire = 'epci:243100781' "
                           "AND annee = 2021 AND groupe = 'prive' AND nomenclature = 'ensemble'").fetchone()
    lo, hi = v.df.loc[got, ["valeur_min", "valeur_max"]]
    # the published ESS interval over the published private jobs, rounded outward (its holding the
    # true value: test_secret_build)
    assert (lo, hi) == (np.floor(1000 * 812 / prive) / 10, np.ceil(1000 * 815 / prive) / 10)
    assert pd.isna(v.df.loc[got, "valeur"])
    from ess import indicateurs  # the portrait and the fiche say the same interval

    chiffres = indicateurs.chiffres_cles(con, "epci:243100781", 2021)
    assert chiffres["fourchette_part_ess_emploi_prive"] == [lo, hi]
    classe = v.classes.indices[got]
    assert classe == 0 and hi <= v.classes.bornes[0]  # the lowest share of all EPCIs
    assert v.libelles[0].startswith(f"{fr.nombre(lo, 1)}{fr.ESPACE}% à ")
    pc = f"{fr.ESPACE}%"
    assert v.survol.loc[got, "valeur"].endswith(f"entre {fr.nombre(lo, 1)}{pc} et {fr.nombre(hi, 1)}{pc} "
                                                "d'après les chiffres publiés)")
    assert pd.isna(v.classes.indices[v.df.index[v.df["territoire"] == "epci:200034023"][0]])
    phrase = carte_vue.resume(v, "EPCI")
    assert "dont la Communauté d'agglomération Le Grand Ouest Toulousain, entre " in phrase
    table = carte.tableau(v.df, "part_ess_prive", v.entete).set_index("Code")
    assert table.loc["243100781", "Secret statistique"].startswith("s (entre ")
    assert table.loc["200034023", "Secret statistique"] == "s"
    fig = carte_vue.figure(con, "epci", "part_ess_prive", 2021)
    traces = {t.name: set(t.locations) for t in fig.data if t.type == "choropleth"}
    assert "epci:243100781" in traces[v.libelles[0]]
    assert traces[LIBELLE_SECRET] == {"epci:200034023"}


def test_placer_fourchettes():
    """An interval inside one class is placed there (the lowest class open below, the highest
    above); one across a break, or without an upper end, is not."""
    classes = Classes([10.0, 20.0, 30.0], pd.Series([0, 1, 2, pd.NA, pd.NA, pd.NA, pd.NA],
                                                           dtype="Int64"))
    bas = pd.Series([np.nan, np.nan, np.nan, 2.0, 19.0, 31.0, 25.0])
    haut = pd.Series([np.nan, np.nan, np.nan, 9.0, 21.0, 35.0, np.inf])
    placees = placer_fourchettes(classes, bas, haut)
    assert placees.indices.tolist() == [0, 1, 2, 0, pd.NA, 2, pd.NA]
    assert classes.indices.isna().sum() == 4  # the original left as it was


def test_noms_de_la_carte_des_etablissements_sans_chevauchement(con, monkeypatch):
    """The EPCI names drawn over the establishments never cover each other and stay inside the
    picture; the largest EPCIs and Toulouse Métropole are named, a name that finds no room is
    left out rather than written over another."""
    from PIL import ImageDraw

    from ess import carte_vue

    boites = {}
    ecrire = ImageDraw.ImageDraw.text

    def noter(self, xy, texte, *args, **kwargs):
        boites[texte] = self.textbbox(xy, texte, font=kwargs["font"], anchor="mm")
        return ecrire(self, xy, texte, *args, **kwargs)

    monkeypatch.setattr(ImageDraw.ImageDraw, "text", noter)
    fond_images(carte.contours(con, "epci"), None, carte_vue.etiquettes(con, "epci"))
    assert {"Toulouse Métropole", "Cœur et Coteaux du Comminges", "Sicoval"} <= set(boites)
    liste = list(boites.values())
    for i, (g, h, d, b) in enumerate(liste):
        assert g >= 0 and d <= FOND_LARGEUR_PX
        for g2, h2, d2, b2 in liste[i + 1:]:
            assert not (g < d2 and g2 < d and h < b2 and h2 < b)
