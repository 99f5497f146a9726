"""The project register reader: a good register round-trips, bad ones give French messages
naming line and column."""

from __future__ import annotations

import pandas as pd
import pytest

from ess.bilan import MODELE_REGISTRE
from etl.sources import SourceInvalide
from etl.sources.projets import NOMS, OBLIGATOIRES, lire_projets

COMMUNES = {"31555", "31069", "31451"}


def _ecrire(tmp_path, lignes: list[dict], nom="registre.csv", sep=",") -> object:
    p = tmp_path / nom
    df = pd.DataFrame(lignes)
    if nom.endswith(".xlsx"):
        df.to_excel(p, index=False)
    else:
        df.to_csv(p, index=False, sep=sep)
    return p


def _ligne(**kw) -> dict:
    base = {"id_projet": "P1", "nom_projet": "Épicerie solidaire", "porteur": "Asso", "commune": "31555",
            "theme": "Alimentation durable et digne", "annee_accueil": "2021", "finance": "oui",
            "dispositif": "Fonds", "montant_eur": "12 000", "etp_projetes": "1,5", "tiers_lieu": "non",
            "statut": "active"}
    return {**base, **kw}


def test_modele_a_les_colonnes_du_registre_de_demo():
    entete = MODELE_REGISTRE.read_text(encoding="utf-8").strip().split(",")
    assert entete == NOMS


def test_registre_de_demo_relu_a_l_identique(con, tmp_path):
    demo = con.execute("SELECT * FROM projets").df()
    valides = {c for (c,) in con.execute("SELECT commune FROM communes").fetchall()}
    for nom in ("r.csv", "r.xlsx"):
        p = tmp_path / nom
        demo.to_csv(p, index=False) if nom.endswith(".csv") else demo.to_excel(p, index=False)
        relu = lire_projets(p, valides)
        assert list(relu.columns) == NOMS
        pd.testing.assert_frame_equal(relu.astype(str), demo[NOMS].astype(str))


def test_csv_francais_point_virgule_et_valeurs_par_defaut(tmp_path):
    p = _ecrire(tmp_path, [{"ID": "A", "Nom projet": "X", "Commune": "31069",
                            "Année d'accueil": "2022", "Financé": "Oui", "Montant": "1 500,00"}], sep=";")
    df = lire_projets(p, COMMUNES)
    r = df.iloc[0]
    assert (r["id_projet"], r["commune"], r["annee_accueil"], r["finance"]) == ("A", "31069", 2022, "oui")
    assert r["montant_eur"] == 1500 and r["etp_projetes"] == 0.0
    assert (r["tiers_lieu"], r["statut"], r["fictif"]) == ("non", "active", "non")
    assert df["annee_accueil"].dtype == "int64" and df["montant_eur"].dtype == "int64"


def test_colonne_obligatoire_absente(tmp_path):
    lignes = [{k: v for k, v in _ligne().items() if k != "commune"}]
    with pytest.raises(SourceInvalide, match=r"colonne\(s\) obligatoire\(s\) absente\(s\) : commune"):
        lire_projets(_ecrire(tmp_path, lignes), COMMUNES)


@pytest.mark.parametrize("nom", ["registre.csv", "registre.xlsx"])
def test_types_communes_et_doublons_signales_par_ligne_et_colonne(tmp_path, nom):
    lignes = [
        _ligne(),
        _ligne(id_projet="P2", annee_accueil="vingt"),  # line 3
        _ligne(id_projet="P3", commune="75056"),  # line 4: not in the département
        _ligne(id_projet="P1"),  # line 5: duplicate of line 2
        _ligne(id_projet="P5", montant_eur="beaucoup", finance="peut-être"),  # line 6
    ]
    with pytest.raises(SourceInvalide) as e:
        lire_projets(_ecrire(tmp_path, lignes, nom), COMMUNES)
    msg = str(e.value)
    assert nom in msg and "5 erreur(s)" in msg
    assert "ligne 3, colonne « annee_accueil » : « vingt » n'est pas une année" in msg
    assert "ligne 4, colonne « commune » : commune « 75056 » inconnue" in msg
    assert "ligne 5, colonne « id_projet » : identifiant « P1 » en double (déjà ligne 2)" in msg
    assert "ligne 6, colonne « montant_eur » : « beaucoup » n'est pas un nombre positif" in msg
    assert "ligne 6, colonne « finance » : « peut-être » : valeur attendue oui ou non" in msg


def test_champs_obligatoires_vides(tmp_path):
    with pytest.raises(SourceInvalide) as e:
        lire_projets(_ecrire(tmp_path, [_ligne(id_projet="", nom_projet="")]), COMMUNES)
    assert "ligne 2, colonne « id_projet » : identifiant vide" in str(e.value)
    assert "ligne 2, colonne « nom_projet »" in str(e.value)


def test_fichier_absent_format_inconnu_et_illisible(tmp_path):
    with pytest.raises(SourceInvalide, match="introuvable"):
        lire_projets(tmp_path / "absent.csv")
    (tmp_path / "r.ods").write_text("x")
    with pytest.raises(SourceInvalide, match="non pris en charge"):
        lire_projets(tmp_path / "r.ods")
    (tmp_path / "faux.xlsx").write_bytes(b"pas un classeur")
    with pytest.raises(SourceInvalide, match="illisible"):
        lire_projets(tmp_path / "faux.xlsx")


def test_sans_liste_de_communes_le_format_suffit(tmp_path):
    assert OBLIGATOIRES == ["id_projet", "nom_projet", "commune", "annee_accueil", "finance"]
    df = lire_projets(_ecrire(tmp_path, [_ligne(commune="2A004")]))
    assert df["commune"].tolist() == ["2A004"]
