"""Bilan computations on a small hand-built register, the report exports (opened with their
own libraries) and the `python -m ess bilan` command."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import duckdb
import pandas as pd
import pytest
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from ess.bilan import calculs, rapport
from ess.plan import synthese_plan1
from ess.suivi import saisies as ind
from ess.suivi import store
from tests.conftest import RACINE

CARRE = json.dumps({"type": "Polygon", "coordinates": [[[1, 43], [1.1, 43], [1.1, 43.1], [1, 43]]]})


@pytest.fixture
def petit():
    """Three communes (two EPCI, one in the métropole), five projects, two collectivités."""
    con = duckdb.connect()
    con.execute("""CREATE TABLE communes AS SELECT * FROM (VALUES
        ('31555', 'Toulouse', 'E1', 'Toulouse Métropole', 'toulouse-metropole', 'Toulouse Métropole',
         'urbain-dense', 'Urbain dense'),
        ('31451', 'Revel', 'E2', 'CC Lauragais', 'hors-metropole', 'Hors métropole', 'rural', 'Rural'),
        ('31001', 'Agassac', 'E2', 'CC Lauragais', 'hors-metropole', 'Hors métropole', 'rural', 'Rural'))
        t(commune, nom, epci, epci_nom, metropole, metropole_nom, densite, densite_nom)""")
    projets = pd.DataFrame({
        "id_projet": ["P1", "P2", "P3", "P4", "P5"],
        "nom_projet": ["A", "B", "C", "D", "Épicerie E"], "porteur": ["x"] * 5, "forme_juridique": [""] * 5,
        "commune": ["31555", "31451", "31451", "31001", "31555"],
        "theme": ["Inclusion", "Inclusion", "Alimentation", "", "Alimentation"],
        "annee_accueil": [2020, 2020, 2021, 2022, 2023],
        "finance": ["oui", "oui", "non", "oui", "oui"],
        "dispositif": ["Fonds", "Tiers-lieux", "", "Fonds", "SCIC"],
        "montant_eur": [10_000, 30_000, 0, 15_000, 5_000],
        "etp_projetes": [2.0, 3.5, 0.0, 1.0, 1.5],
        "tiers_lieu": ["non", "oui", "non", "non", "non"],
        "statut": ["active", "dissoute", "", "active", "active"],
        "fictif": ["oui"] * 5, "description": [""] * 5, "source": ["test"] * 5,
    })
    con.register("projets_df", projets)
    con.execute("CREATE TABLE projets AS SELECT * FROM projets_df")
    con.execute("""CREATE TABLE accompagnements AS SELECT * FROM (VALUES
        ('epci:E2', 'CC Lauragais', 2021), ('commune:31001', 'Agassac', 2024)) t(territoire, nom, annee)""")
    con.execute("""CREATE TABLE ref_plan1_livrables AS SELECT * FROM (VALUES
        ('2020', 'Étude', 'CRESS'), ('2023', 'Dépliant', 'CRESS')) t(annee, titre, partenaire)""")
    con.execute("""CREATE TABLE territoires AS SELECT * FROM (VALUES
        ('epci:E1', 'epci', 'Toulouse Métropole'), ('epci:E2', 'epci', 'CC Lauragais'),
        ('epci:E3', 'epci', 'CC Sans projet')) t(territoire, niveau, nom)""")
    con.execute("CREATE TABLE geometries AS SELECT territoire, ? AS geojson FROM territoires", [CARRE])
    yield con
    con.close()


def test_synthese_petit_registre(petit):
    s = calculs.synthese(petit)
    assert (s["projets_accueillis"], s["projets_finances"], s["tiers_lieux_finances"]) == (5, 4, 1)
    assert s["etp_projetes"] == 8.0 and s["montant_total_eur"] == 60_000
    assert s["structures_dissoutes"] == 1 and s["taux_perennisation"] == 75.0
    assert (s["collectivites_accompagnees"], s["epci_accompagnes"]) == (2, 1)
    assert s["noms_epci_accompagnes"] == ["CC Lauragais"]
    assert s == synthese_plan1(petit)  # the CLI contract, same figures


def test_synthese_a_une_annee_ne_compte_que_le_passe(petit):
    s = calculs.synthese(petit, 2021)
    assert (s["projets_accueillis"], s["projets_finances"], s["etp_projetes"]) == (3, 2, 5.5)
    assert s["collectivites_accompagnees"] == 1
    assert [x["titre"] for x in s["livrables"]] == ["Étude"]
    assert calculs.annees(petit) == [2020, 2021, 2022, 2023]


def test_repartitions(petit):
    an = calculs.par_annee(petit).set_index("annee")
    assert an.loc[2020, "projets_accueillis"] == 2 and an.loc[2021, "projets_finances"] == 0
    th = calculs.par_theme(petit).set_index("theme")
    assert th.loc["Non renseigné", "projets_accueillis"] == 1
    assert th.loc["Alimentation", "montant_eur"] == 5_000  # the unfinanced project brings nothing
    di = calculs.par_dispositif(petit)
    assert di["dispositif"].tolist() == ["Tiers-lieux", "Fonds", "SCIC"]  # by amount
    assert di.set_index("dispositif").loc["Fonds", "projets_finances"] == 2
    zo = calculs.par_zone(petit).set_index("zone")
    assert zo.loc["Hors métropole", "montant_eur"] == 45_000
    assert zo.loc["Hors métropole", "part_montant"] == 75.0
    assert zo.loc["Toulouse Métropole", "part_projets_finances"] == 50.0
    ep = calculs.par_epci(petit).set_index("territoire")
    assert ep.loc["epci:E2", "projets_finances"] == 2 and ep.loc["epci:E2", "projets_accueillis"] == 3
    assert ep.loc["epci:E3", "projets_accueillis"] == 0  # blank EPCI still on the map


def test_filtres_de_la_liste(petit):
    liste = calculs.projets(petit)
    assert len(calculs.filtrer_projets(liste)) == 5
    assert calculs.filtrer_projets(liste, finance="non")["id_projet"].tolist() == ["P3"]
    assert calculs.filtrer_projets(liste, zone="Toulouse Métropole", themes=["Alimentation"])[
        "id_projet"].tolist() == ["P5"]
    assert calculs.filtrer_projets(liste, texte="revel")["id_projet"].tolist() == ["P2", "P3"]
    assert calculs.filtrer_projets(liste, texte="épicerie")["id_projet"].tolist() == ["P5"]


def test_demo_chiffres_du_plan(con):
    s = calculs.synthese(con)
    assert (s["projets_accueillis"], s["projets_finances"], s["etp_projetes"]) == (161, 56, 188.0)
    assert (s["tiers_lieux_finances"], s["structures_dissoutes"], s["taux_perennisation"]) == (20, 3, 94.6)
    assert calculs.par_zone(con)["projets_accueillis"].sum() == 161
    assert calculs.par_epci(con)["projets_accueillis"].sum() == 161


@pytest.fixture
def suivi(tmp_path):
    with store.ouvrir(tmp_path / "suivi.sqlite") as c:
        i = ind.creer_indicateur(c, "6", "Fiches Data ESS produites", "fiches", "marie")
        ind.enregistrer_valeur(c, i, 2025, 12, 7, "premier bilan", "SIES", 0, "marie")
        ind.changer_statut(c, "6", 3, "réalisé", 0, "marie")
        yield c


@pytest.fixture
def rapport_2025(con, suivi):
    return rapport.construire(con, suivi, 2025)


def test_rapport_pdf(rapport_2025):
    pages = PdfReader(io.BytesIO(rapport.ecrire(rapport_2025, "pdf"))).pages
    texte = " ".join(p.extract_text() for p in pages).replace("\n", " ")
    for attendu in ("Données de démonstration", "Projets ESS accueillis 161", "94,6\u202f%",
                    "Positionner l'ESS", "Fiches Data ESS produites : 7 / cible 12 fiches",
                    "Toulouse Métropole", "Source :", "Département de la Haute-Garonne"):
        assert attendu in texte, attendu
    assert "UTC" not in texte and "T0" not in texte  # Paris time, no ISO timestamps


def test_rapport_docx(rapport_2025):
    doc = Document(io.BytesIO(rapport.ecrire(rapport_2025, "docx")))
    texte = "\n".join(p.text for p in doc.paragraphs)
    cellules = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    assert "Données de démonstration" in texte and "Rapport de bilan" in texte
    assert "161" in cellules and "94,6" in cellules
    assert any("Fiches Data ESS produites : 7 / cible 12 fiches" in c for c in cellules)
    assert len(doc.inline_shapes) == 4  # year, theme, funding scheme charts and the EPCI map
    assert doc.core_properties.author == "Département de la Haute-Garonne — service ESS"
    assert doc.core_properties.created.year >= 2026 and doc.core_properties.language == "fr-FR"
    assert round(doc.sections[0].page_width.cm, 1) == 21.0


def test_rapport_xlsx_tous_les_indicateurs(rapport_2025):
    wb = load_workbook(io.BytesIO(rapport.ecrire(rapport_2025, "xlsx")))
    assert wb.sheetnames[0] == "Synthèse" and all(len(n) <= 31 for n in wb.sheetnames)
    synthese = {r[0]: r[1] for r in wb["Synthèse"].iter_rows(values_only=True) if r and len(r) > 1}
    assert synthese["Projets ESS accueillis"] == 161  # a number, not text
    assert synthese["Taux de pérennisation"] == pytest.approx(0.946)
    assert synthese["Montant accordé"] == 1_929_000
    indicateurs = next(n for n in wb.sheetnames if n.startswith("Indicateurs du plan"))
    lignes = list(wb[indicateurs].iter_rows(values_only=True))
    entete = lignes.index(next(r for r in lignes if r[0] == "Fiche"))
    assert not {"fiche", "titre_fiche", "modifie_le"} & set(lignes[entete])  # no raw database dump
    donnees = [dict(zip(lignes[entete], r, strict=True)) for r in lignes[entete + 1:]]
    assert donnees[0]["Indicateur"] == "Fiches Data ESS produites" and donnees[0]["Valeur"] == 7
    par_annee = next(n for n in wb.sheetnames if n.startswith("Projets par année"))
    ws = wb[par_annee]
    assert ws.freeze_panes == "A6" and ws.auto_filter.ref and ws.page_setup.fitToWidth == 1
    valeurs = [r for r in ws.iter_rows(values_only=True) if r and isinstance(r[0], int)]
    assert sum(r[1] for r in valeurs) == 161  # raw numbers, not text


def test_rapport_xlsx_entiers_sans_decimale(rapport_2025):
    """« 161 projets », « 2 EPCI »: a whole number never shows « ,0 » (the synthesis wrote every
    value with #,##0.0); a decimal keeps its decimal."""
    wb = load_workbook(io.BytesIO(rapport.ecrire(rapport_2025, "xlsx")))
    table = wb[next(n for n in wb.sheetnames if n.startswith("Synthèse du 1er plan"))]
    formats = {r[0].value: (r[1].value, r[1].number_format) for r in table.iter_rows(min_row=6)
               if r[0].value and len(r) > 1}
    assert formats["Projets ESS accueillis"] == (161, "#,##0")
    assert formats["dont EPCI"] == (2, "#,##0")
    assert formats["Taux de pérennisation"][1] == "#,##0.0"  # 94,6
    premiere = {r[0].value: r[1].number_format for r in wb["Synthèse"].iter_rows() if len(r) > 1}
    assert premiere["Emplois projetés (ETP)"] == "#,##0"  # 188, not « 188,0 »


def test_cli_bilan(db_demo, tmp_path):
    env_suivi = tmp_path / "suivi.sqlite"
    for fmt in ("pdf", "docx", "xlsx"):
        r = subprocess.run([sys.executable, "-m", "ess", "bilan", "--annee", "2023", "--format", fmt,
                            "--out", str(tmp_path / "out"), "--db", str(db_demo), "--suivi", str(env_suivi)],
                           cwd=RACINE, capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr
        assert (tmp_path / "out" / f"rapport_bilan_ess_2023.{fmt}").stat().st_size > 1000
    pages = PdfReader(tmp_path / "out" / "rapport_bilan_ess_2023.pdf").pages
    assert "2023" in pages[0].extract_text()


def test_cli_bilan_annee_absente(db_demo, tmp_path):
    r = subprocess.run([sys.executable, "-m", "ess", "bilan", "--annee", "1999", "--out", str(tmp_path),
                        "--db", str(db_demo), "--suivi", str(tmp_path / "s.sqlite")],
                       cwd=RACINE, capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    assert "année 1999 absente du registre" in r.stderr and "Traceback" not in r.stderr


def test_rapport_situe_le_departement(con, rapport_2025):
    """The bilan situates the département in its région and France (issue 26): the last
    SIRENE year up to the bilan's, the département's row equal to its own key figure, the
    région and France larger, the rank said in the PDF."""
    from ess import indicateurs

    (annee,) = con.execute("SELECT max(annee) FROM reperes WHERE annee <= 2025").fetchone()
    t = rapport_2025.document.tableau("situation").donnees
    assert list(t["Territoire"]) == ["Haute-Garonne", "Occitanie", "France"]
    ess = t["Établissements employeurs de l'ESS"]
    propre = indicateurs.chiffres_cles(con, "departement:31", annee)["etablissements_employeurs_ess"]
    assert ess.iloc[0] == propre and ess.iloc[0] < ess.iloc[1] < ess.iloc[2]
    evo = rapport_2025.document.tableau("situation_evolution").donnees
    assert evo["Année"].max() == annee and list(evo.columns[1:]) == list(t["Territoire"])
    pdf = PdfReader(io.BytesIO(rapport.ecrire(rapport_2025, "pdf")))
    texte = " ".join(p.extract_text() for p in pdf.pages)
    assert f"En {annee}, l'ESS compte" in texte and "département sur 100" in texte.replace("\n", " ")


def test_rapport_docx_titres_avec_ce_qu_ils_annoncent(rapport_2025):
    """LibreOffice ended a page with a chart's title (its chart on the next page) and with a
    section's introduction (its table on the next): a chart shares its title's paragraph, kept
    whole and with its source; an introduction keeps with what follows."""
    doc = Document(io.BytesIO(rapport.ecrire(rapport_2025, "docx")))
    images = [p for p in doc.paragraphs if p._p.xpath(".//pic:pic")]
    assert len(images) == 4
    for p in images:
        assert p.runs[0].bold and p.runs[0].text and p.paragraph_format.keep_together
        assert p.paragraph_format.keep_with_next
    intro = next(p for p in doc.paragraphs if p.text.startswith("Densité approchée"))
    assert intro.paragraph_format.keep_with_next
