"""The document renderers read back with the libraries' own readers: XLSX (openpyxl), CSV (csv
module with `;`), DOCX (python-docx), PDF (pypdf); formula-injection escaping and file names;
on a hand-built document and on the demo database."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, datetime

import openpyxl
import pypdf
import pytest
from docx import Document as Docx
from docx.oxml.ns import qn

from ess import document
from ess import fiche as fiches
from ess.document import NON_DIFFUSE, Chiffre, Colonne, Document, Graphique, Section, Tableau
from ess.document.rendu_xlsx import nom_feuille
from ess.exports import securite
from ess.fiche import fichiers, mise_en_page

NNBSP = "\u202f"
MECHANTS = ["=HYPERLINK(\"http://x\")", "+33 1 23", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]


def doc_main() -> Document:
    """A document built by hand: hidden, zero and not-published values, hostile texts, shares,
    years, a SIRET with a leading zero, a long title."""
    familles = Tableau("familles", "Familles juridiques", [
        Colonne("Famille juridique"), Colonne("Établissements", "entier"), Colonne("Effectifs", "entier"),
        Colonne("Part", "pourcent"), Colonne("EQTP", "decimal")],
        [["Associations", 12, 1234, 0.855, 1000.5], ["Coopératives", 0, 0, 0.0, 3.25],
         ["Mutuelles", 3, None, None, None], ["Fondations", 1, NON_DIFFUSE, NON_DIFFUSE, NON_DIFFUSE]],
        "établissements au 31/12/2021", "FLORES", note="Une note")
    etab = Tableau("etablissements", "Établissements de l'ESS actifs au 31/12/2021 et leur situation", [
        Colonne("SIRET", "siret"), Colonne("Nom"), Colonne("Effectifs", "entier")],
        [[f"0123456780001{k}", m, k] for k, m in enumerate([*MECHANTS, "Association ordinaire"])],
        "tous", "SIRENE")
    evolution = Tableau("evolution", "Évolution", [Colonne("Année", "annee"), Colonne("Effectifs", "entier")],
                        [[2017, 10], [2018, None]], "chaque année", "FLORES")
    return Document(
        titre="Data ESS — Agassac / ../../etc", sous_titre="Commune", territoire="Agassac", annee=2021,
        genere_le=datetime(2026, 11, 29, 1, 21, tzinfo=UTC), nom_fichier="data-ess_Agassac_2021",
        chiffres=[Chiffre("Effectifs salariés de l'ESS", None, "entier", "Secret.", "", ""),
                  Chiffre("Part de l'ESS", 0.113, "pourcent", "Sur 100 salariés, 11.",
                          "10,3 % dans le département")],
        sections=[Section("Détail", [familles, Graphique("Vide", None, "FLORES", "Rien à montrer.")]),
                  Section("Liste", [etab, evolution])],
        notes=["Note de démonstration"], methodes=[("Terme", "définition")], sources=[("Emploi", "FLORES")],
        avertissement="Données de démonstration")


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


def test_noms_de_feuilles_courts_entiers_uniques():
    pris: set[str] = set()
    long = "Établissements de l'ESS actifs au 31/12/2021 et leur situation"
    a, b = nom_feuille(long, pris), nom_feuille(long, pris)
    assert len(a) <= 31 and len(b) <= 31 and a != b
    assert long.replace("/", " ").startswith(a) and not a.endswith(("Etabl", " ")), a  # cut between words
    assert nom_feuille("Suivi : fiches [1/2]", pris) == "Suivi fiches 1 2"


def test_xlsx_relu():
    wb = openpyxl.load_workbook(io.BytesIO(document.rendre(doc_main(), "xlsx")))
    assert wb.sheetnames[0] == "Synthèse" and wb.sheetnames[-1] == "Méthodes et sources"
    synthese = wb["Synthèse"]
    assert synthese["A1"].value == "Data ESS — Agassac / ../../etc"
    assert "29/11/2026\u00a0à\u00a002\u00a0h\u00a021" in synthese["A4"].value  # Paris time
    valeurs = {r[0].value: r[1] for r in synthese.iter_rows(min_row=7) if r[0].value}
    assert valeurs["Effectifs salariés de l'ESS"].value == "s"
    assert valeurs["Part de l'ESS"].value == pytest.approx(0.113)
    assert valeurs["Part de l'ESS"].number_format == "0.0%"
    fam = wb[wb.sheetnames[1]]
    assert fam["A1"].value.startswith("Tableau 1 — Familles juridiques — Agassac, 2021")
    assert fam["A2"].value.startswith("Champ :") and fam["A3"].value == "Source : FLORES"
    assert [c.value for c in fam[5]] == ["Famille juridique", "Établissements", "Effectifs", "Part", "EQTP"]
    assert fam.freeze_panes == "A6" and fam.auto_filter.ref == "A5:E9"
    assert [c.value for c in fam[6]] == ["Associations", 12, 1234, 0.855, 1000.5]
    assert fam["D6"].number_format == "0.0%" and fam["C6"].number_format == "#,##0"
    assert [c.value for c in fam[7]][1:4] == [0, 0, 0]  # true zeros stay numbers
    assert [c.value for c in fam[8]][2:] == ["s", "s", "s"]
    assert [c.value for c in fam[9]][2:] == [NON_DIFFUSE] * 3
    assert fam.page_setup.paperSize == 9 and fam.page_setup.fitToWidth == 1
    assert fam.page_setup.fitToHeight == 0 and fam.sheet_properties.pageSetUpPr.fitToPage
    assert fam.print_title_rows == "$5:$5"
    assert "FLORES" in fam.oddFooter.left.text and "&P" in fam.oddFooter.right.text
    liste = wb[wb.sheetnames[2]]
    assert len(wb.sheetnames[2]) <= 31
    noms = [liste.cell(row=r, column=2) for r in range(6, 6 + len(MECHANTS))]
    assert [c.value for c in noms] == MECHANTS  # the names as they are, no apostrophe in them
    assert all(c.data_type == "s" and c.quotePrefix for c in noms)  # text, never a formula
    assert liste["A6"].value == "01234567800010" and liste["A6"].data_type == "s"
    ev = wb[wb.sheetnames[3]]
    assert ev["A6"].value == 2017 and ev["A6"].number_format == "0"  # never "2 017"


def test_csv_relu():
    z = zipfile.ZipFile(io.BytesIO(document.rendre(doc_main(), "csv")))
    noms = z.namelist()
    assert {"LISEZ-MOI.txt", "00_synthese.csv", "01_familles.csv", "99_methodes.csv"} <= set(noms)
    brut = z.read("01_familles.csv")
    assert brut.startswith(b"\xef\xbb\xbf")  # BOM: French Excel reads UTF-8
    lignes = list(csv.reader(io.StringIO(brut.decode("utf-8-sig")), delimiter=";"))
    assert lignes[0] == ["Famille juridique", "Établissements", "Effectifs", "Part (%)", "EQTP"]
    assert lignes[1] == ["Associations", "12", "1234", "85,5", "1000,5"]
    assert lignes[2] == ["Coopératives", "0", "0", "0,0", "3,25"]
    assert lignes[3] == ["Mutuelles", "3", "s", "s", "s"]
    assert lignes[4] == ["Fondations", "1", "—", "—", "—"]
    etab = list(csv.reader(io.StringIO(z.read("02_etablissements.csv").decode("utf-8-sig")), delimiter=";"))
    assert etab[1][0] == '="01234567800010"'  # Excel keeps the leading zero
    assert [r[1] for r in etab[1:1 + len(MECHANTS)]] == ["'" + m for m in MECHANTS]
    lisez = z.read("LISEZ-MOI.txt").decode("utf-8-sig")
    assert "LibreOffice" in lisez and "Point-virgule" in lisez


def test_docx_relu():
    d = Docx(io.BytesIO(document.rendre(doc_main(), "docx")))
    s = d.sections[0]
    assert round(s.page_width.cm, 1) == 21.0 and round(s.page_height.cm, 1) == 29.7
    assert round(s.left_margin.cm, 1) == 2.5
    p = d.core_properties
    assert p.author == "Département de la Haute-Garonne — service ESS" and p.language == "fr-FR"
    assert p.created.year == 2026
    defauts = d.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    lang = defauts.find(qn("w:rPr")).find(qn("w:lang"))
    assert lang.get(qn("w:val")) == "fr-FR"
    assert "PAGE" in s.footer._element.xml
    t = d.tables[0]
    assert t.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert all(r._tr.trPr.find(qn("w:cantSplit")) is not None for r in t.rows)
    assert [c.text for c in t.rows[3].cells] == ["Mutuelles", "3", "s", "s", "s"]


def test_pdf_relu():
    contenu = document.rendre(doc_main(), "pdf")
    lecteur = pypdf.PdfReader(io.BytesIO(contenu))
    texte = "\n".join(p.extract_text() for p in lecteur.pages)
    assert "Data ESS — Agassac" in texte and "Données de démonstration" in texte
    assert "Vide : Rien à montrer." in texte  # no empty chart: a sentence
    assert lecteur.metadata.title == "Data ESS — Agassac / ../../etc"
    assert lecteur.trailer["/Root"]["/Lang"] == "fr-FR"
    assert [o.title for o in lecteur.outline if not isinstance(o, list)][:2] == ["1. Détail", "2. Liste"]
    assert lecteur.pages[0].mediabox.width == pytest.approx(595.28, abs=1)


@pytest.fixture(scope="module")
def fiche_epci(db_demo):
    from ess.db import connecter

    con = connecter(db_demo)
    yield fiches.fiche(con, "epci:200073146", 2021), con
    con.close()


def test_demo_xlsx_contient_ce_qui_est_affiche(fiche_epci):
    f, con = fiche_epci
    d = mise_en_page.document(f, con, images=False).numeroter()
    wb = openpyxl.load_workbook(io.BytesIO(fichiers.generer(f, "xlsx", con)), read_only=True)
    assert len(wb.sheetnames) == len(d.tableaux()) + 2
    for nom, t in zip(wb.sheetnames[1:-1], d.tableaux(), strict=True):
        lignes = list(wb[nom].iter_rows(min_row=5, values_only=True))
        assert list(lignes[0][: len(t.colonnes)]) == [c.nom for c in t.colonnes]
        assert len([r for r in lignes[1:] if any(v is not None for v in r)]) == max(1, len(t.lignes))
    comp = list(wb[wb.sheetnames[1 + d.tableaux().index(d.tableau("comparaisons"))]].iter_rows(
        min_row=6, values_only=True))
    assert comp[-3][0] == "Haute-Garonne" and comp[-3][3] == 55100
    assert comp[-1][0] == "France" and comp[-1][1] == "France (SIRENE)"  # issue 26


def test_demo_pdf_texte(fiche_epci):
    f, con = fiche_epci
    lecteur = pypdf.PdfReader(io.BytesIO(fichiers.generer(f, "pdf", con)))
    texte = "\n".join(p.extract_text() for p in lecteur.pages).replace(NNBSP, " ")
    assert "Cagire Garonne Salat" in texte and "Département de la Haute-Garonne" in texte
    assert "4 674" in texte  # the département's establishments
    assert "Secret statistique" in texte and "55 100" in texte
    assert len(lecteur.pages[0].images) >= 1 and sum(len(p.images) for p in lecteur.pages) >= 3  # map, charts
    assert "Grand employeur" not in texte or "50 à 99" in texte or "100 à" in texte


@pytest.mark.parametrize("titre", ["Agassac", "Ωμέγα, Москва, ﬁ, ✓ : hors de la police réduite"])
def test_pdf_polices_preparees_memes_octets(titre, monkeypatch):
    """Fonts parsed once per process (ess.document.polices_pdf) write the same PDF, byte for
    byte, as fpdf2's own `add_font`: from the reduced font, or the whole one when a character
    is outside it."""
    from ess.document import polices_pdf

    d = doc_main()
    d.titre = titre
    prepare = document.rendre(d, "pdf")
    document.rendre(d, "pdf")  # a second document from the same fonts: nothing carried over
    assert document.rendre(d, "pdf") == prepare

    def add_font(pdf, famille, fichiers):
        for style, fichier in fichiers.items():
            pdf.add_font(famille, style, str(polices_pdf.DOSSIER / fichier))

    monkeypatch.setattr(polices_pdf, "ajouter", add_font)
    assert document.rendre(d, "pdf") == prepare


def test_emetteur_configure_dans_les_documents(con, tmp_path, monkeypatch):
    """The service's contact details, set once in data/emetteur.toml, reach every format."""
    from ess.document import modele

    conf = tmp_path / "emetteur.toml"
    conf.write_text(modele.FICHIER_EMETTEUR.read_text(encoding="utf-8").replace(
        'courriel = ""', 'courriel = "ess@exemple.fr"'), encoding="utf-8")
    monkeypatch.setattr(modele, "FICHIER_EMETTEUR", conf)
    modele.identite_emetteur.cache_clear()
    try:
        f = fiches.fiche(con, "commune:31483")
        pdf = pypdf.PdfReader(io.BytesIO(fichiers.generer(f, "pdf", con)))
        assert "ess@exemple.fr" in " ".join(p.extract_text() for p in pdf.pages)
        docx = Docx(io.BytesIO(fichiers.generer(f, "docx", con)))
        assert any("ess@exemple.fr" in p.text for p in docx.paragraphs)
        classeur = openpyxl.load_workbook(io.BytesIO(fichiers.generer(f, "xlsx", con)))
        cellules = [str(c.value) for ws in classeur for row in ws.iter_rows() for c in row if c.value]
        assert any("ess@exemple.fr" in c for c in cellules)
    finally:
        modele.identite_emetteur.cache_clear()
