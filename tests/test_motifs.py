"""Each « s » with its true reason (ess.motifs, from emploi.motif_secret), and a group of
communes named by its communes: in the key figures, the fiche (page 1, CSV) and the map."""

from __future__ import annotations

import io
import zipfile

import pandas as pd

from ess import carte_vue, comparaison, fiche, indicateurs, motifs
from ess.codes_territoire import resoudre
from ess.fiche import fichiers, mise_en_page

GROUPE = "communes:31193,31204,31317"  # Le Fousseret, published; Fustignac, Marignac-Lasclares, hidden
TROP_PETIT = "epci:200034023"  # Tarn-Agout (partie haut-garonnaise): too few establishments
COMPLEMENT = "epci:243100781"  # Le Grand Ouest Toulousain: hidden to protect Tarn-Agout


def test_motif_de_chaque_cellule_masquee(con):
    assert motifs.motif(con, resoudre(con, TROP_PETIT), 2021)["motif"] == "sensible"
    assert motifs.motif(con, resoudre(con, COMPLEMENT), 2021) == {"motif": "complement"}
    assert motifs.motif(con, resoudre(con, "epci:200068815"), 2021) is None  # published
    # a group: the communes whose cell is hidden, by name (Le Fousseret's is published)
    assert motifs.motif(con, resoudre(con, GROUPE), 2021) == {
        "motif": "communes", "communes": ["Fustignac", "Marignac-Lasclares"]}


def test_phrase_vraie_pour_chaque_motif(con):
    groupe = indicateurs.chiffres_cles(con, GROUPE, 2021)
    phrase = motifs.phrase(groupe["motif_secret_effectifs_ess"])
    assert "ceux de Fustignac et de Marignac-Lasclares sont couverts par le secret statistique" in phrase
    assert "trop peu" not in phrase and "établissement dominant" not in phrase  # not the group's reason
    petit = motifs.phrase(indicateurs.chiffres_cles(con, TROP_PETIT, 2021)["motif_secret_effectifs_ess"])
    assert "moins de 3 établissements" in petit and "plus de 85\u202f%" in petit
    protege = motifs.phrase({"motif": "complement"})
    assert "protéger une autre valeur" in protege and "moins de 3" not in protege


def test_regles_dites_sont_celles_de_la_base(db_demo, tmp_path, monkeypatch):
    """The thresholds every text states come from the database's build (build_info), not from
    the text: a database protected at 4 establishments and 90 % says so on the page, the fiche,
    the « s » sentence and the open dataset's read-me."""
    import shutil

    import duckdb
    from streamlit.testing.v1 import AppTest

    from ess import donnees_ouvertes
    from ess.db import connecter
    from tests.conftest import RACINE

    db = tmp_path / "ess.duckdb"
    shutil.copy(db_demo, db)
    with duckdb.connect(str(db)) as w:
        w.execute("UPDATE build_info SET valeur = '4' WHERE cle = 'secret_seuil_etablissements'")
        w.execute("UPDATE build_info SET valeur = '0.9' WHERE cle = 'secret_seuil_dominance'")
    attendu = "moins de 4 établissements y contribuent, ou l'un d'eux en emploie plus de 90\u202f%"
    con = connecter(db)
    try:
        chiffres = indicateurs.chiffres_cles(con, TROP_PETIT, 2021)
        assert attendu in motifs.phrase(chiffres["motif_secret_effectifs_ess"])
        assert any(attendu in n for n in fiche.fiche(con, TROP_PETIT, 2021).notes)
        assert attendu in donnees_ouvertes.produire(con).fichiers["LISEZ-MOI.md"].decode()
    finally:
        con.close()
    monkeypatch.setenv("ESS_DB", str(db))
    at = AppTest.from_file(str(RACINE / "pages" / "sources.py"), default_timeout=60)
    at.run()
    assert not at.exception and any(attendu in m.value for m in at.markdown)


def test_fiche_du_groupe_page_1_et_csv(con):
    """The group's fiche gives the true reason on page 1 (alert and key figure) and in its CSV,
    never « Territoire trop petit… (trop peu d'établissements, ou un établissement dominant) »."""
    f = fiche.fiche(con, GROUPE, 2021)
    d = mise_en_page.document(f, con, images=False)
    emplois = next(c for c in d.chiffres if c.libelle == "Effectifs salariés de l'ESS")
    for texte in (*f.alertes, emplois.phrase):
        assert "Fustignac et de Marignac-Lasclares" in texte, texte
        assert "trop peu" not in texte and "trop petit" not in texte.lower()
    with zipfile.ZipFile(io.BytesIO(fichiers.generer(f, "csv", con))) as z:
        synthese = z.read("00_synthese.csv").decode("utf-8-sig")
        methodes = z.read("99_methodes.csv").decode("utf-8-sig")
    assert "ceux de Fustignac et de Marignac-Lasclares" in synthese and "trop peu" not in synthese
    assert "Groupe de 3 communes : Fustignac, Le Fousseret et Marignac-Lasclares." in methodes


def test_commune_et_epci_leur_propre_motif(con):
    petit = fiche.fiche(con, TROP_PETIT, 2021)
    assert any("moins de 3 établissements" in a for a in petit.alertes)
    voisin = fiche.fiche(con, COMPLEMENT, 2021)
    assert any("protéger un territoire voisin : entre 812 et 815" in a for a in voisin.alertes)
    assert not any("moins de 3" in a for a in voisin.alertes)
    agassac = fiche.fiche(con, "commune:31001", 2021)  # 118 inhabitants
    assert any("Consultez ceux de la Communauté de communes" in a for a in agassac.alertes)


def test_carte_info_bulle_dit_le_motif(con):
    v = carte_vue.vue(con, "epci", "part_ess_prive", 2021)
    survol = dict(zip(v.df["territoire"], v.survol["valeur"], strict=True))
    assert survol[TROP_PETIT].endswith("s (secret statistique : trop peu d'établissements ou un "
                                      "établissement dominant)")
    assert "trop peu" not in survol[COMPLEMENT] and "entre 5,8" in survol[COMPLEMENT]
    communes = carte_vue.vue(con, "commune", "effectifs_ess", 2021)
    motif = communes.df.set_index("territoire")["motif_secret"]
    assert motif["commune:31204"] == "sensible" and pd.isna(motif["commune:31193"])
    assert set(communes.df.loc[communes.df["secret"], "motif_secret"]) <= {"sensible", "complement"}


def test_groupe_nomme_par_ses_communes(con):
    t = resoudre(con, GROUPE)
    assert t.nom == "Fustignac, Le Fousseret et Marignac-Lasclares"
    assert t.noms_communes == ("Fustignac", "Le Fousseret", "Marignac-Lasclares")
    assert resoudre(con, "communes:31555,31069").nom == "Blagnac et Toulouse"
    long = resoudre(con, "communes:31001,31002,31003,31004,31005,31006")
    assert long.nom == "Agassac, Aignes, Aigrefeuille et 3 autres communes"  # abbreviated, its count
    assert len(long.noms_communes) == 6  # every one kept, for the page and the fiche
    from ess.codes_territoire import nom_groupe

    assert nom_groupe(("Écully", "Albi")) == "Écully et Albi"  # as given: resoudre sorts them
    t = comparaison.chiffres(con, GROUPE, 2021)
    assert t["nom"] == "Fustignac, Le Fousseret et Marignac-Lasclares"
    assert fiche.fiche(con, GROUPE, 2021).titre == t["nom"]
