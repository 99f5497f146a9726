"""The "Data ESS" fiche as data (ess.fiche), its journal, the page and the CLI."""

from __future__ import annotations

import re
import subprocess
import sys

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from ess import diffusion, fiche, journal
from ess import format as fr
from ess.db import connecter
from ess.document import NON_DIFFUSE
from ess.fiche import fichiers, mise_en_page
from tests.conftest import RACINE

SECTIONS = ["1. Le territoire et ceux qui le contiennent", "2. Familles juridiques et secteurs d'activité",
            "3. Évolution", "4. Établissements et pépites", "5. Définitions comparées"]


@pytest.fixture
def suivi(tmp_path, monkeypatch):
    chemin = tmp_path / "suivi.sqlite"
    monkeypatch.setenv("ESS_SUIVI_DB", str(chemin))
    return chemin


def test_fiche_departement_chiffres_publies(con):
    f = fiche.fiche(con, "departement:31", 2021)
    assert {t.cle for t in f.tableaux} == {"familles", "secteurs", "categories_juridiques", "comparaisons",
                                         "definitions_comparees", "evolution", "etablissements", "pepites"}
    assert f.chiffres["etablissements_employeurs_ess"] == 4674  # SIRENE = FLORES count in 2021
    assert f.chiffres["effectifs_ess"] == pytest.approx(55_100, abs=50)
    familles = f.tableau("familles").donnees.set_index("Famille juridique")
    assert familles.loc["Associations", "Part des effectifs de l'ESS"] == 0.855  # a fraction, everywhere
    assert list(f.tableau("evolution").donnees["Année"]) == list(range(2017, 2024))
    assert "Détail A38" in set(f.tableau("secteurs").donnees["Niveau"])  # A38 published here only
    assert f.demo and any("démonstration" in n for n in f.notes)


def test_comparaisons_epci_petr_departement(con):
    f = fiche.fiche(con, "commune:31001", 2021)
    niveaux = list(f.tableau("comparaisons").donnees["Niveau"])
    assert niveaux == ["Commune", "EPCI", "PETR", "Département", "Région (SIRENE)", "France (SIRENE)"]


def test_comparaisons_region_et_france(con):
    """Above the commune, the région and France from the national SIRENE stock (issue 26):
    establishments only, employment « — », the source in the level's cell."""
    t = fiche.fiche(con, "epci:200073146", 2021).tableau("comparaisons")
    assert list(t.donnees["Niveau"]) == ["EPCI", "PETR", "Département", "Région (SIRENE)", "France (SIRENE)"]
    region, france = t.lignes[-2], t.lignes[-1]
    assert region[0] == "Occitanie" and france[0] == "France"
    assert france[2] > region[2] > t.lignes[2][2] and region[3] == france[3] == "—"


@pytest.mark.parametrize("territoire", ["epci:200068815", "epci:243100781", "petr:comminges-pyrenees"])
def test_pas_de_derniere_page_presque_vide(con, territoire):
    """Cœur de Garonne's, Le Grand Ouest Toulousain's and the Comminges' PDF fiches ran to a
    fifth page holding the last lines of the sources (or all of them, 60 mm): the establishment
    listing now prints fewer rows (all kept in the workbook), the note under it says how many,
    and no page is a stub."""
    import io

    import pdfplumber

    f = fiche.fiche(con, territoire, 2021)
    liste = f.tableau("etablissements")
    with pdfplumber.open(io.BytesIO(fichiers.generer(f, "pdf", con))) as pdf:
        pages = [p.extract_text() for p in pdf.pages]
        derniere = max(float(c["bottom"]) for c in pdf.pages[-1].chars if c["bottom"] < 800)
    assert len(pages) == 4 and derniere > 300, (len(pages), derniere)
    texte = " ".join(pages).replace("\n", " ")
    montrees = int(re.search(r"(\d+) premières lignes sur " + fr.nombre(len(liste.lignes)), texte)[1])
    assert montrees < liste.max_lignes_pdf < len(liste.lignes)


def test_deux_definitions_et_deux_unites(con):
    f = fiche.fiche(con, "epci:243100518", 2021, perimetre="sirene", unite="sieges")
    d = f.tableau("definitions_comparees").donnees
    assert len(d) == 4 and (d["Choix affiché"] == "oui").sum() == 1
    choisi = d[d["Choix affiché"] == "oui"].iloc[0]
    assert choisi["Établissements employeurs de l'ESS"] == f.chiffres["etablissements_employeurs_ess"]
    assert choisi["Écart avec le choix affiché"] == 0
    # head offices never outnumber establishments
    for p in fiche.PERIMETRES:
        lignes = d[d["Définition de l'ESS"] == fiche.PERIMETRES[p]].set_index("Unité de compte")
        assert lignes.loc[fiche.UNITES["sieges"], "Établissements employeurs de l'ESS"] <= \
            lignes.loc[fiche.UNITES["etablissements"], "Établissements employeurs de l'ESS"]
    # the list lists what the headline counts: head offices here
    assert set(f.tableau("etablissements").donnees["Siège"]) <= {"oui"}


def test_petite_commune_renvoie_a_l_epci(con):
    f = fiche.fiche(con, "commune:31001", 2021)  # Agassac: 118 inhabitants
    # its true reason, then where to read a figure (ess.motifs; issue 29)
    assert any("secret statistique" in a and "Consultez ceux de la Communauté de communes" in a
               for a in f.alertes)
    assert f.chiffres["effectifs_ess"] is None


def test_commune_detail_non_diffuse_a_cet_echelon(con):
    """ref_diffusion_emploi publishes no family and no sector at commune level: "—" (never 0,
    never s), counts by family from SIRENE, and the EPCI's breakdowns as labelled context."""
    assert not diffusion.publie(con, "commune", "association", "ensemble")
    assert diffusion.publie(con, "epci", "association", "ensemble")
    assert diffusion.publie(con, "departement", "ess", "a38")
    assert not diffusion.publie(con, "epci", "ess", "a38")
    f = fiche.fiche(con, "commune:31483", 2021)  # Saint-Gaudens
    fam = f.tableau("familles")
    assert {r[2] for r in fam.lignes} == {NON_DIFFUSE} and {r[3] for r in fam.lignes} == {NON_DIFFUSE}
    assert diffusion.NON_DIFFUSE_A_CET_ECHELON in fam.note and "SIRENE" in fam.source
    sirene = con.execute("SELECT count(*) FROM etablissements WHERE commune = '31483' AND employeur "
                         "AND famille_ess = 'association' AND date_creation <= DATE '2021-12-31' AND "
                         "(date_fermeture IS NULL OR date_fermeture > DATE '2021-12-31')").fetchone()[0]
    par_famille = fam.donnees.set_index("Famille juridique")
    assert par_famille.loc["Associations", "Établissements employeurs"] == sirene
    cles = [t.cle for t in f.tableaux]
    assert "secteurs" not in cles and "familles_epci" in cles
    assert ("secteurs_epci" in cles) == diffusion.publie(con, "epci", "ess", "a21")
    assert "Cœur et Coteaux du Comminges" in f.tableau("familles_epci").champ


def test_liste_et_compte_concordent(con):
    """The list holds the establishments the headline counts, those closed since included; the
    note says how count and list relate."""
    for code in ("commune:31483", "epci:200068815"):
        f = fiche.fiche(con, code, 2021)
        liste = f.tableau("etablissements")
        caches = con.execute(
            "SELECT count(*) FROM etablissements WHERE list_contains(?, commune) AND employeur "
            "AND NOT diffusible AND famille_ess IS NOT NULL AND date_creation <= DATE '2021-12-31' AND "
            "(date_fermeture IS NULL OR date_fermeture > DATE '2021-12-31')", [list(f.territoire.communes)]
        ).fetchone()[0]
        assert len(liste.lignes) + caches == f.chiffres["etablissements_employeurs_ess"]
        assert f"{f.chiffres['etablissements_employeurs_ess']} établissements comptés" in liste.note
        fermes = [r for r in liste.lignes if r[-1].startswith("fermé le")]
        assert not fermes or "ont fermé depuis" in liste.note or "a fermé depuis" in liste.note


def test_aucun_secret_ni_etablissement_non_diffusible(con):
    f = fiche.fiche(con, "epci:200073146", 2021)
    sirets = set(f.tableau("etablissements").donnees["SIRET"])
    non_diffusibles = {s for (s,) in con.execute(
        "SELECT siret FROM etablissements WHERE NOT diffusible").fetchall()}
    assert sirets and not sirets & non_diffusibles
    caches = con.execute("SELECT count(*) FROM emploi WHERE territoire = ? AND annee = 2021 "
                         "AND groupe IN ('association','cooperative','mutuelle','fondation','autre_ess') "
                         "AND nomenclature = 'ensemble' AND secret", ["epci:200073146"]).fetchone()[0]
    familles = f.tableau("familles").donnees
    assert sum(v is None for v in familles["Effectifs salariés"]) == caches


def test_pepites_initiatives_du_plan(con):
    pepites = fiche.fiche(con, "commune:31555", 2021).tableau("pepites").donnees
    initiatives = set(pepites.loc[pepites["Catégorie"] == "Initiative citée par le plan", "Nom"])
    assert {"Café&Co", "Miam'Up"} <= initiatives
    grands = pepites[pepites["Catégorie"] == "Grand employeur de l'ESS"]
    assert len(grands)
    # a size band of at least 50 employees, never a 1–2 employee mutuelle
    assert all(d.split(" ")[0].replace("\u00a0", "").isdigit() and int(d.split(" ")[0]) >= 50
               for d in grands["Détail"])
    revel = fiche.fiche(con, "commune:31451", 2021).tableau("pepites").donnees
    assert "Équipollence" in set(revel["Nom"])


def test_groupe_de_communes_et_codes_colles(con):
    connus = fiche.options_niveau(con, "commune")
    codes, inconnus = fiche.codes_colles("31555; 31069\n 99999,abc", {k.split(":")[1] for k in connus})
    assert codes == ["31555", "31069"] and inconnus == ["99999", "abc"]  # quoted as typed
    f = fiche.fiche(con, "communes:31069,31555", 2021)
    assert f.territoire.niveau == "communes" and len(f.territoire.communes) == 2
    assert f.titre == "Blagnac et Toulouse"  # named by its communes (issue 29)
    autre = fiche.fiche(con, "communes:31069,31149", 2021)
    assert fichiers.nom(f, "pdf") != fichiers.nom(autre, "pdf")  # never overwrite each other
    assert fichiers.nom(f, "pdf") == "data-ess_groupe-31069-31555_2021.pdf"


def test_journal(suivi):
    journal.consigner("epci:1", "CC Test", 2021, "xlsx", "  Mairie de Revel ")
    journal.consigner("commune:2", "Ville", 2021, "pdf", "")
    df = journal.lire()
    assert list(df["Format"]) == ["pdf", "xlsx"]
    assert list(df["Demandé par"]) == ["non renseigné", "Mairie de Revel"]
    assert suivi.exists()


def _cli(*args, env_extra=None):
    import os
    env = {**os.environ, **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "ess", "fiche", *args], cwd=RACINE, env=env,
                          capture_output=True, text=True, timeout=300)


def test_cli_une_fiche(db_demo, tmp_path, suivi):
    r = _cli("--territoire", "epci:200073146", "--format", "xlsx", "--format", "csv", "--out",
             str(tmp_path / "sortie"), "--db", str(db_demo), "--demandeur", "SIES",
             env_extra={"ESS_SUIVI_DB": str(suivi)})
    assert r.returncode == 0, r.stderr
    fichiers = sorted(p.name for p in (tmp_path / "sortie").iterdir())
    assert fichiers == ["data-ess_Communaute-de-communes-Cagire-Garonne-Salat_2021.xlsx",
                        "data-ess_Communaute-de-communes-Cagire-Garonne-Salat_2021.zip"]
    wb = openpyxl.load_workbook(tmp_path / "sortie" / fichiers[0], read_only=True)
    assert wb.sheetnames[0] == "Synthèse" and wb.sheetnames[-1] == "Méthodes et sources"
    assert all(len(n) <= 31 for n in wb.sheetnames) and len(wb.sheetnames) == 10
    assert list(journal.lire(chemin=suivi)["Demandé par"]) == ["SIES", "SIES"]


def test_cli_lot_petr(db_demo, tmp_path, suivi):
    r = _cli("--tous", "petr", "--out", str(tmp_path), "--db", str(db_demo),
             env_extra={"ESS_SUIVI_DB": str(suivi)})
    assert r.returncode == 0, r.stderr
    assert "4 fiche(s) sur 4" in r.stdout
    assert "Fiches petr : 100 % |" in r.stderr and "4 sur 4" in r.stderr  # the progress bar, in French
    assert "it/s" not in r.stderr
    assert len(list(tmp_path.glob("*.xlsx"))) == 4
    assert set(journal.lire(chemin=suivi)["Origine"]) == {"lot"}


def test_connexion_memoire_meme_fiche(con):
    """The batch workers' connection answers repeated queries from memory: same fiche, and a
    DataFrame modified by a caller does not change the next answer."""
    from ess.db import ConnexionMemoire

    memoire = ConnexionMemoire(con, taille=8)
    cache = {}
    for code in ("commune:31069", "commune:31483", "commune:31069"):
        attendu = mise_en_page.document(fiche.fiche(con, code, 2021), con)
        obtenu = mise_en_page.document(fiche.fiche(memoire, code, 2021, cache=cache), memoire)
        assert obtenu.genere_le >= attendu.genere_le
        obtenu.genere_le = attendu.genere_le
        assert obtenu == attendu
    sql = "SELECT commune FROM communes ORDER BY commune LIMIT 2"
    df = memoire.execute(sql).df()
    df.loc[0, "commune"] = "modifiée"
    assert memoire.execute(sql).df().loc[0, "commune"] != "modifiée"
    assert len(memoire._memoire) <= 8


def test_cli_territoire_inconnu(db_demo, tmp_path, suivi):
    r = _cli("--territoire", "epci:999", "--out", str(tmp_path), "--db", str(db_demo),
             env_extra={"ESS_SUIVI_DB": str(suivi)})
    assert r.returncode == 2
    assert "Territoire inconnu" in r.stderr and "Traceback" not in r.stderr


def _page():
    at = AppTest.from_file(str(RACINE / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("pages/data_ess.py")
    at.run()
    return at


def test_page_data_ess(env_db, suivi):
    at = _page()
    assert not at.exception
    assert at.title[0].value == "Data ESS"
    at.radio(key="niveau").set_value("epci").run()
    at.selectbox(key="territoire_epci").set_value("epci:200073146").run()
    assert not at.exception
    assert "Cagire Garonne Salat" in at.header[0].value
    assert [s.value for s in at.subheader][1:6] == SECTIONS  # after "Télécharger la fiche"
    assert at.query_params["territoire"] in ("epci:200073146", ["epci:200073146"])


def test_page_groupe_codes_colles_invalides(env_db, suivi):
    at = _page()
    at.radio(key="niveau").set_value("communes").run()
    assert any("au moins une commune" in i.value for i in at.info)
    at.text_area(key="codes_colles").input("31555, 99999").run()
    assert not at.exception
    assert any("99999" in e.value for e in at.error)
    assert "Toulouse" in at.header[0].value


def test_page_data_ess_lien_defaut_et_demandeur(env_db, suivi):
    at = _page()
    assert "Haute-Garonne" in at.header[0].value  # the département, not an all-secret village
    at.text_input(key="demandeur").input("Mairie de Revel").run()
    at.radio(key="niveau").set_value("communes").run()  # empty group: the page stops early
    at.radio(key="niveau").set_value("epci").run()
    assert at.text_input(key="demandeur").value == "Mairie de Revel"
    lien = AppTest.from_file(str(RACINE / "app.py"), default_timeout=120)
    lien.run()
    lien.switch_page("pages/data_ess.py")
    lien.query_params["territoire"] = "epci:200068815"
    lien.run()
    assert not lien.exception
    assert lien.radio(key="niveau").value == "epci"
    assert lien.selectbox(key="territoire_epci").value == "epci:200068815"


def test_diffusion_lue_dans_la_table_de_reference(db_demo, tmp_path):
    """The fiche follows ref_diffusion_emploi, not the data: a family an EPCI no longer
    publishes reads "—" even though its cells are still in `emploi`."""
    import shutil

    import duckdb

    copie = tmp_path / "moins.duckdb"
    shutil.copy(db_demo, copie)
    with duckdb.connect(str(copie)) as rw:
        rw.execute("DELETE FROM ref_diffusion_emploi WHERE niveau = 'epci' AND groupe = 'fondation'")
        rw.execute("DELETE FROM ref_diffusion_emploi WHERE niveau = 'epci' AND nomenclature = 'a21'")
    con = connecter(copie)  # the read side's connection (its macros: actif_au_31_12)
    f = fiche.fiche(con, "epci:200073146", 2021)
    lignes = f.tableau("familles").donnees.set_index("Famille juridique")
    assert lignes.loc["Fondations", "Effectifs salariés"] == NON_DIFFUSE
    assert lignes.loc["Associations", "Effectifs salariés"] != NON_DIFFUSE
    assert "secteurs" not in {t.cle for t in f.tableaux}  # no A21 at this level any more
    con.close()


def test_ecarts_negatifs_lus_et_calcules(con):
    """A gap below the displayed choice reads « −n » (typographic minus) on the page and in the
    PDF and DOCX, and stays a number in the CSV (« -n ») for a spreadsheet."""
    from ess.document import rendu_csv, texte

    f = fiche.fiche(con, "epci:243100518", 2021, perimetre="sirene", unite="etablissements")
    t = next(t for t in f.tableaux if t.cle == "definitions_comparees")
    ecarts = [ligne[3] for ligne in t.lignes]
    assert min(ecarts) < 0
    lus = list(texte.tableau_texte(t)["Écart avec le choix affiché"])
    assert all(s.startswith("\u2212") for s, e in zip(lus, ecarts, strict=True) if e < 0)
    assert "-" not in "".join(lus)
    csv = rendu_csv.table_csv(t).decode("utf-8-sig")
    assert f";{min(ecarts)};" in csv


def test_total_masque_renvoie_au_departement_nomme(con):
    """A masked EPCI total points to the figure of the territory that contains it, named as a
    sentence says it: « ; la Haute-Garonne en compte 55 100 », not « Haute-Garonne en compte »."""
    from ess.fiche.mise_en_page import document

    doc = document(fiche.fiche(con, "epci:243100781", 2021), con, images=False)
    phrases = [c.phrase for s in doc.sections for c in getattr(s, "chiffres", []) or []]
    phrases += [c.phrase for c in getattr(doc, "chiffres", []) or []]
    masque = next(p for p in phrases if p.startswith("Masqué pour protéger"))
    assert "; la Haute-Garonne en compte 55\u202f100." in masque


@pytest.mark.parametrize("code", ["departement:31", "epci:200068815", "petr:comminges-pyrenees",
                                  "commune:31483"])
def test_evolution_egale_aux_chiffres_cles(con, monkeypatch, code):
    """The evolution table of a fiche (a year that is not the default one) holds, for the chosen
    year and the first year of its trend, the key figures of those years, ESS and private in
    their own columns; the jobs' trend reads the change between them with its sign (up or down
    depending on the territory), and the « Salariés de l'ESS » chart draws ESS jobs."""
    from ess import indicateurs
    from ess.fiche.comparaisons import annee_debut
    from ess.format import nombre

    annee = 2022
    courbes = []
    monkeypatch.setattr(mise_en_page.graphiques, "courbe",
                        lambda x, y, *a, **k: courbes.append((list(x), list(y))) or b"png")
    f = fiche.fiche(con, code, annee)
    doc = mise_en_page.document(f, con)
    serie = {ligne[0]: ligne[1:] for ligne in f.tableau("evolution").lignes}
    debut = annee_debut(list(serie), annee)
    cles = {a: indicateurs.chiffres_cles(con, code, a) for a in serie}
    for a in (debut, annee):
        c = cles[a]
        assert serie[a] == [c["etablissements_employeurs_ess"], c["effectifs_ess"], c["effectifs_prive"],
                            round(c["part_ess_emploi_prive"] / 100, 4)], a
    ecart = 100 * (cles[annee]["effectifs_ess"] / cles[debut]["effectifs_ess"] - 1)
    signe = "+" if ecart > 0 else "\u2212"
    emplois = next(c for c in doc.chiffres if c.libelle == "Effectifs salariés de l'ESS")
    assert emplois.tendance == f"{signe}{nombre(abs(ecart), 1)}\u202f% depuis {debut}"
    assert courbes[0] == (list(serie), [cles[a]["effectifs_ess"] for a in serie])
