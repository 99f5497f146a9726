"""Secret statistique on small hand-built cubes."""

import pandas as pd

from etl import secret


def cube(rows):
    return pd.DataFrame(rows, columns=["territoire", "annee", "groupe", "nomenclature", "secteur",
                                       "section", "nb_etablissements", "effectifs", "eqtp",
                                       "effectif_max"])


def ligne(groupe, nb, eff, maxi=None, nomenclature="ensemble", secteur="_", section="_"):
    return ("commune:1", 2021, groupe, nomenclature, secteur, section, nb, eff, eff * 0.8, maxi)


def test_regle_de_frequence():
    c = cube([ligne("association", 2, 10), ligne("cooperative", 5, 40), ligne("mutuelle", 4, 30),
              ligne("ess", 11, 80)])
    assert list(secret.secret_primaire(c)) == [True, False, False, False]


def test_regle_de_dominance():
    c = cube([ligne("association", 5, 100, maxi=90), ligne("cooperative", 5, 100, maxi=50)])
    assert list(secret.secret_primaire(c)) == [True, False]


def test_secondaire_empeche_la_soustraction():
    # association hidden alone → recomputable as ess − the others: the smallest other is hidden
    c = cube([ligne("association", 2, 10), ligne("cooperative", 5, 40), ligne("mutuelle", 4, 30),
              ligne("ess", 11, 80)])
    out = secret.appliquer(c)
    assert list(out["secret"]) == [True, False, True, False]
    assert out.loc[out["secret"], "effectifs"].isna().all()
    assert "effectif_max" not in out.columns


def test_secondaire_se_propage_entre_relations():
    # hiding ESS (only 2 units) must hide privé hors ESS too, since privé is published
    c = cube([ligne("association", 2, 10), ligne("ess", 2, 10),
              ligne("prive_hors_ess", 40, 500), ligne("prive", 42, 510),
              ligne("public", 9, 90), ligne("ensemble", 51, 600)])
    out = secret.appliquer(c).set_index("groupe")["secret"]
    assert out["ess"] and out["prive_hors_ess"]
    # then privé + public → ensemble has two hidden parts? no: prive stays published
    assert not out["prive"]


def test_aucune_relation_avec_une_seule_cellule_cachee():
    rows = [ligne("ess", 30, 300, nomenclature="ensemble")]
    for i, (nb, eff) in enumerate([(1, 5), (6, 100), (8, 120), (15, 75)]):
        code = f"A{i}"
        rows.append(ligne("ess", nb, eff, nomenclature="a21", secteur=code, section=code))
    out = secret.appliquer(cube(rows))
    sections = out[out["nomenclature"].isin(["a21", "ensemble"])]
    assert sections["secret"].sum() != 1
