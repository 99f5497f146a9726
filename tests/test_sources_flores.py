"""FLORES-style employment: format detection (delimiter, encoding, decimal) and a build."""

from __future__ import annotations

import pytest

from ess.db import connecter
from etl.build import construire
from etl.sources import SourceInvalide, flores
from etl.sources.chargement import Fichiers
from geo.perimetre import departement
from tests.test_sources_sirene import fichiers_sirene

P31 = departement("31")

COMMUNES = {"31555", "31395", "31069"}
LIGNES = [  # annee, codgeo, a38, famille, etablissements, effectifs, eqtp
    ("2022", "31555", "QB", "association", "12", "340", "301.5"),
    ("2022", "31555", "QB", "cooperative", "4", "41", "39.25"),
    ("2022", "31555", "GZ", "prive_hors_ess", "30", "900", "850"),
    ("2022", "31395", "QB", "association", "5", "60", "52.5"),
    ("2022", "31395", "OZ", "public", "3", "120", "110"),
    ("2022", "75056", "QB", "association", "9", "99", "90"),  # another département: cut
]
ENTETE = ["annee", "codgeo", "a38", "famille", "nb_etablissements_employeurs", "effectifs_31_12", "eqtp"]


def ecrire_flores(path, delim=";", encodage="utf-8", decimale=",", lignes=LIGNES, entete=ENTETE):
    texte = "\n".join(delim.join(ligne) for ligne in [entete, *lignes])
    texte = texte.replace(".", decimale) if decimale == "," else texte
    path.write_bytes((texte + "\n").replace("\n", "\r\n").encode(encodage))
    return path


@pytest.mark.parametrize(("delim", "encodage", "decimale"), [
    (";", "utf-8", ","), (",", "utf-8", "."), ("\t", "latin-1", ","), (";", "latin-1", "."),
])
def test_detection_du_format(tmp_path, delim, encodage, decimale):
    lignes = [(*r, "Hérault") for r in [*LIGNES, ("2022", "31069", "QB", "fondation", "3", "30", "27.5")]]
    path = ecrire_flores(tmp_path / "flores.csv", delim, encodage, decimale, lignes, [*ENTETE, "libelle"])
    lu = flores.lire(path, P31, COMMUNES)
    d = lu.detection
    assert (d.delimiteur, d.encodage, d.decimale) == (delim, encodage, decimale)
    assert len(lu.lignes) == 6
    assert lu.lignes.loc[lu.lignes["famille"] == "cooperative", "eqtp"].item() == "39.25"
    assert "séparateur" in lu.detection.texte()


def test_commune_inconnue_toleree(tmp_path):
    path = ecrire_flores(tmp_path / "f.csv", lignes=[*LIGNES, ("2022", "31999", "QB", "association",
                                                                "3", "10", "9")])
    with pytest.raises(SourceInvalide, match="ligne 8, colonne codgeo"):
        flores.lire(path, P31, COMMUNES)
    lu = flores.lire(path, P31, COMMUNES, tolerer_rejets=True)
    assert len(lu.rejets) == 1 and lu.rejets.iloc[0]["ligne"] == 8


def test_build_sirene_et_flores(tmp_path):
    etab, ul = fichiers_sirene(tmp_path / "sirene")
    f = ecrire_flores(tmp_path / "flores.csv", lignes=[*LIGNES, ("2022", "31999", "QB", "association",
                                                               "3", "10", "9")])
    db = tmp_path / "ess.duckdb"
    info = construire(db, "31", afficher=lambda _m: None, tolerer_rejets=True, fichiers=Fichiers(
        sirene_etablissements=etab, sirene_unites_legales=ul, flores=f))
    assert info["emploi"] == "FLORES" and info["annees_emploi"] == "2022"
    assert info["flores_format_detecte"] == "encodage utf-8, séparateur point-virgule, décimale virgule"
    con = connecter(db)
    try:
        # families are published from the EPCI up (data/diffusion_emploi.csv)
        qb = con.execute("SELECT nb_etablissements, effectifs, eqtp FROM emploi WHERE groupe = "
                         "'association' AND territoire = 'epci:243100518' AND nomenclature = 'ensemble'"
                         ).fetchall()
        desc = con.execute("SELECT description FROM sources WHERE source = 'emploi'").fetchall()[0][0]
        rejet = con.execute("SELECT source, nb_lignes, exemples FROM rejets "
                            "WHERE source LIKE 'FLORES%'").fetchall()
        ligne = con.execute("SELECT ligne, colonne, valeur FROM rejets_lignes").fetchall()
    finally:
        con.close()
    assert qb == [(12, 340, 301.5)]
    assert "décimale virgule" in desc and "estimation" not in desc
    assert rejet == [("FLORES (flores.csv)", 1, "ligne 8")]
    assert ligne == [(8, "codgeo", "31999")]
