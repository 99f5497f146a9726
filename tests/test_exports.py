"""Exports read back: XLSX (openpyxl), CSV (csv module with `;`), PDF (pypdf text);
formula-injection escaping and file names, on a hand-built fiche and on the demo database."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import datetime

import openpyxl
import pandas as pd
import pypdf
import pytest

from ess import exports
from ess import fiche as fiches
from ess.exports import securite
from ess.territoire import Territoire

NNBSP = "\u202f"
MECHANTS = ["=HYPERLINK(\"http://x\")", "+33 1 23", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]


def fiche_main() -> fiches.Fiche:
    """A fiche built by hand: one hidden value, hostile texts, a percentage, a decimal."""
    chiffres = pd.DataFrame({"Indicateur": ["Établissements", "Effectifs", "Part (%)"],
                             "Valeur": [12, None, 11.3], "Source": ["SIRENE", "FLORES", "FLORES"]})
    etab = pd.DataFrame({"Nom": [*MECHANTS, "Association ordinaire"],
                         "Effectifs": [1, 2, 3, 4, 5, 6, 55100]})
    familles = pd.DataFrame({"Famille juridique": ["Associations", "Fondations"],
                             "Effectifs salariés": [1234, None], "Part (%)": [85.5, None],
                             "EQTP": [1000.5, 3.25]})
    return fiches.Fiche(
        territoire=Territoire("commune:31001", "Agassac / ../../etc", ("31001",), "commune"),
        annee=2021, perimetre="statistique", unite="etablissements",
        genere_le=datetime(2026, 1, 2, 3, 4), demo=True,
        chiffres={"etablissements_employeurs_ess": 12, "effectifs_ess": None, "part_ess_emploi_prive": None},
        tableaux=[fiches.Tableau("chiffres_cles", "Chiffres clés", chiffres, "SIRENE ; FLORES"),
                  fiches.Tableau("etablissements", "Établissements", etab, "SIRENE"),
                  fiches.Tableau("familles", "Familles juridiques", familles, "FLORES", ("Part (%)",)),
                  fiches.Tableau("comparaisons", "Comparaisons", pd.DataFrame(
                      {"Territoire": ["Agassac"], "Effectifs salariés de l'ESS": [None],
                       "Part de l'ESS dans l'emploi privé (%)": [None]}), "FLORES"),
                  fiches.Tableau("evolution", "Évolution", pd.DataFrame(
                      {"Année": [2020, 2021], "Effectifs salariés de l'ESS": [10, None]}), "FLORES")],
        notes=["Note de démonstration"], definitions=[("s", "valeur masquée")],
        sources=pd.DataFrame({"source": ["emploi"], "description": ["FLORES"], "millesime": ["2021"],
                              "demo": [True]}),
        millesimes={"Année": "2021"},
    )


@pytest.mark.parametrize("texte", MECHANTS)
def test_neutraliser_formules(texte):
    assert securite.neutraliser(texte) == "'" + texte


@pytest.mark.parametrize("valeur", ["Association", "", 5, -3, 2.5, None, "s"])
def test_neutraliser_laisse_le_reste(valeur):
    assert securite.neutraliser(valeur) == valeur


@pytest.mark.parametrize(("texte", "attendu"), [
    ("Cœur de Garonne / 2021", "Coeur-de-Garonne-2021.xlsx"),
    ("../../etc/passwd", "etc-passwd.xlsx"),
    (".cache", "cache.xlsx"),
    ("\x00\n", "fiche.xlsx"),
    ("L'Isle-en-Dodon", "L-Isle-en-Dodon.xlsx"),
])
def test_nom_fichier(texte, attendu):
    assert securite.nom_fichier(texte, "xlsx") == attendu


def test_xlsx_relu():
    wb = openpyxl.load_workbook(io.BytesIO(exports.generer(fiche_main(), "xlsx")))
    assert wb.sheetnames == ["Chiffres clés", "Établissements", "Familles juridiques", "Comparaisons",
                             "Évolution", "Sources et définitions"]
    ws = wb["Établissements"]
    assert ws["A1"].value.startswith("Établissements — Agassac")
    assert [c.value for c in ws[4]] == ["Nom", "Effectifs"]
    noms = [ws.cell(row=r, column=1) for r in range(5, 5 + len(MECHANTS))]
    assert [c.value for c in noms] == ["'" + m for m in MECHANTS]
    assert all(c.data_type == "s" for c in noms)  # text, never a formula
    assert ws["B11"].value == 55100 and ws["B11"].number_format == "#,##0"
    assert ws.freeze_panes == "A5"
    fam = wb["Familles juridiques"]
    assert fam["B5"].value == 1234 and fam["B6"].value == "s"
    assert fam["C5"].value == pytest.approx(0.855) and fam["C5"].number_format == "0.0%"
    assert fam["C6"].value == "s"
    assert fam["D5"].number_format == "#,##0.0"
    sources = [c.value for c in wb["Sources et définitions"]["B"]]
    assert "Note de démonstration" in sources


def test_csv_relu():
    z = zipfile.ZipFile(io.BytesIO(exports.generer(fiche_main(), "csv")))
    noms = z.namelist()
    assert "00_sources_et_definitions.csv" in noms and "03_familles.csv" in noms
    brut = z.read("03_familles.csv")
    assert brut.startswith(b"\xef\xbb\xbf")  # BOM: French Excel reads UTF-8
    lignes = list(csv.reader(io.StringIO(brut.decode("utf-8-sig")), delimiter=";"))
    assert lignes[0] == ["Famille juridique", "Effectifs salariés", "Part (%)", "EQTP"]
    assert lignes[1] == ["Associations", "1234", "85,5", "1000,5"]
    assert lignes[2] == ["Fondations", "s", "s", "3,25"]
    etab = list(csv.reader(io.StringIO(z.read("02_etablissements.csv").decode("utf-8-sig")), delimiter=";"))
    assert [r[0] for r in etab[1:1 + len(MECHANTS)]] == ["'" + m for m in MECHANTS]
    assert etab[-1] == ["Association ordinaire", "55100"]


def test_pdf_relu_sans_carte():
    texte = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(
        exports.pdf.generer(_fiche_complete_minimale()))).pages)
    assert "Data ESS — Agassac" in texte
    assert "Données de démonstration" in texte


def _fiche_complete_minimale():
    """The PDF lays out every table of a real fiche: complete the hand-built one."""
    f = fiche_main()
    vides = {"definitions_comparees": ["Définition"], "categories_juridiques": ["Code"],
             "secteurs": ["Niveau", "Section", "Code", "Secteur d'activité", "Effectifs salariés"],
             "pepites": ["Catégorie"]}
    f.tableaux += [fiches.Tableau(k, k, pd.DataFrame(columns=c), "test") for k, c in vides.items()]
    etab = f.tableau("etablissements")
    etab.donnees = pd.DataFrame({"SIRET": ["1"], "Nom": ["=1+1"], "Forme juridique": ["Association"],
                                 "Activité (NAF)": ["88.10A"], "Tranche d'effectifs": ["1 ou 2"],
                                 "Adresse": ["1 rue"], "Commune": ["Agassac"], "Siège": ["oui"]})
    return f


@pytest.fixture(scope="module")
def fiche_epci(db_demo):
    from ess.db import connecter

    con = connecter(db_demo)
    yield fiches.fiche(con, "epci:200073146", 2021), con
    con.close()


def test_demo_xlsx_contient_ce_qui_est_affiche(fiche_epci):
    f, con = fiche_epci
    wb = openpyxl.load_workbook(io.BytesIO(exports.generer(f, "xlsx", con)), read_only=True)
    for t in f.tableaux:
        lignes = list(wb[t.titre].iter_rows(min_row=4, values_only=True))
        assert list(lignes[0][: len(t.donnees.columns)]) == list(t.donnees.columns)
        assert len([r for r in lignes[1:] if any(v is not None for v in r)]) == len(t.donnees)
    comp = list(wb["Comparaisons"].iter_rows(min_row=5, values_only=True))
    assert comp[-1][0] == "Haute-Garonne" and comp[-1][3] == 55100


def test_demo_pdf_texte(fiche_epci):
    f, con = fiche_epci
    contenu = exports.generer(f, "pdf", con)
    lecteur = pypdf.PdfReader(io.BytesIO(contenu))
    texte = "\n".join(p.extract_text() for p in lecteur.pages)
    assert lecteur.pages[0].mediabox.width == pytest.approx(595.28, abs=1)  # A4 portrait
    assert "Cagire Garonne Salat" in texte
    assert f"4{NNBSP}674" in texte or "4 674" in texte  # the département's establishments
    assert "Secret statistique" in texte
    assert "55 100" in texte.replace(NNBSP, " ")
    assert len(lecteur.pages[0].images) >= 2  # the map and the charts
