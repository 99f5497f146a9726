"""Documents opened as their recipients open them: XLSX, DOCX and CSV through LibreOffice
(headless, one call per conversion kind), PDF pages drawn by poppler's pdftoppm, layout facts
read from the PDFs with pdfplumber (characters with their size and position, pictures with
their box, ruled tables). Nothing here reuses the renderers' own arithmetic: a fact either
holds in what LibreOffice and poppler produce, or the test fails.

Skipped locally when LibreOffice or poppler is missing; required in CI (`.ci/run` installs
libreoffice-calc, libreoffice-writer and poppler-utils)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pdfplumber
import pytest
from PIL import Image

from ess.bilan import rapport
from ess.db import connecter
from ess.fiche import fiche, fichiers
from ess.suivi import store

TAILLE_MIN = 7.5  # pt: nothing printed smaller
A4 = (595.3, 841.9)  # pt
CSV_LIBREOFFICE = "CSV:59,34,76,1,,1036"  # `;` only, `"`, UTF-8, from line 1, French


def _outils() -> None:
    manquants = [o for o in ("soffice", "pdftoppm") if shutil.which(o) is None]
    if manquants:
        if os.environ.get("CI"):
            pytest.fail(f"{', '.join(manquants)} absent(s) : .ci/run doit installer LibreOffice et poppler")
        pytest.skip(f"{', '.join(manquants)} absent(s)")


def _soffice(dossier: Path, sortie: str, fichiers: list[Path], *options: str) -> Path:
    cible = dossier / sortie
    profil = dossier / "profil-libreoffice"  # its own profile: no clash with a running instance
    subprocess.run(["soffice", f"-env:UserInstallation={profil.as_uri()}", "--headless", *options,
                    "--convert-to", sortie, "--outdir", str(cible), *map(str, fichiers)],
                   check=True, capture_output=True, timeout=300)
    return cible


@pytest.fixture(scope="module")
def documents(db_demo, tmp_path_factory) -> dict[str, Path]:
    """A commune fiche in every format, a small commune's and Toulouse's PDF, the bilan in its
    three formats; then LibreOffice's PDFs of the XLSX and DOCX, its re-saved XLSX, and the
    CSV files as LibreOffice imports them."""
    _outils()
    d = tmp_path_factory.mktemp("clients")
    con = connecter(db_demo)
    sg = fiche(con, "commune:31483", 2021)  # Saint-Gaudens
    ecrits = {f"fiche.{fmt}": fichiers.generer(sg, fmt, con) for fmt in ("pdf", "xlsx", "docx", "csv")}
    ecrits["petite.pdf"] = fichiers.generer(fiche(con, "commune:31001", 2021), "pdf", con)
    ecrits["toulouse.pdf"] = fichiers.generer(fiche(con, "commune:31555", 2021), "pdf", con)
    with store.ouvrir(d / "suivi.sqlite") as suivi:
        r = rapport.construire(con, suivi, 2025)
    con.close()
    ecrits |= {f"bilan.{fmt}": rapport.ecrire(r, fmt) for fmt in ("pdf", "docx", "xlsx")}
    chemins = {}
    for nom, contenu in ecrits.items():
        base, fmt = nom.split(".")
        chemin = d / (f"{base}-{fmt}.zip" if fmt == "csv" else f"{base}-{fmt}.{fmt}")
        chemin.write_bytes(contenu)
        chemins[nom] = chemin
    with zipfile.ZipFile(chemins["fiche.csv"]) as z:
        z.extractall(d / "csv")
    csvs = sorted((d / "csv").glob("*.csv"))
    bureautique = [chemins[n] for n in ("fiche.xlsx", "fiche.docx", "bilan.xlsx", "bilan.docx")]
    pdfs = _soffice(d, "pdf", bureautique)
    relus = _soffice(d, "xlsx", [chemins["fiche.xlsx"], chemins["bilan.xlsx"]])
    importes = _soffice(d, "xlsx", csvs, f"--infilter={CSV_LIBREOFFICE}")
    for p in bureautique:
        chemins[f"lo:{p.stem}"] = pdfs / f"{p.stem}.pdf"
    chemins |= {f"relu:{p.stem}": relus / f"{p.stem}.xlsx"
                for p in (chemins["fiche.xlsx"], chemins["bilan.xlsx"])}
    chemins |= {f"csv:{p.stem}": importes / f"{p.stem}.xlsx" for p in csvs}
    assert all(p.exists() for p in chemins.values()), [k for k, p in chemins.items() if not p.exists()]
    return chemins


def _pdfs(documents) -> list[Path]:
    return [p for k, p in documents.items() if p.suffix == ".pdf"]


def test_taille_minimale_partout(documents):
    """Ours and LibreOffice's prints of the XLSX and DOCX: no character under 7,5 pt."""
    for chemin in _pdfs(documents):
        with pdfplumber.open(chemin) as pdf:
            for n, page in enumerate(pdf.pages, start=1):
                petits = [c for c in page.chars if c["text"].strip() and c["size"] < TAILLE_MIN - 0.05]
                assert not petits, (chemin.name, n, round(min(c["size"] for c in petits), 2),
                                    "".join(c["text"] for c in petits[:40]))


def test_aucun_texte_sous_une_image(documents):
    for chemin in _pdfs(documents):
        with pdfplumber.open(chemin) as pdf:
            for n, page in enumerate(pdf.pages, start=1):
                for img in page.images:
                    dessous = [c["text"] for c in page.chars if c["text"].strip()
                               and img["x0"] + 0.5 < (c["x0"] + c["x1"]) / 2 < img["x1"] - 0.5
                               and img["top"] + 0.5 < (c["top"] + c["bottom"]) / 2 < img["bottom"] - 0.5]
                    assert not dessous, (chemin.name, n, "".join(dessous)[:60])


def test_fiche_commune_en_quatre_pages_au_plus(documents):
    for nom in ("fiche.pdf", "petite.pdf", "toulouse.pdf"):
        with pdfplumber.open(documents[nom]) as pdf:
            assert len(pdf.pages) <= 4, (nom, len(pdf.pages))
            assert (round(pdf.pages[0].width, 1), round(pdf.pages[0].height, 1)) == A4


def test_pages_a4(documents):
    """LibreOffice prints every sheet and the Word documents on A4 (either orientation), and
    the commune's workbook no longer runs to dozens of pages."""
    for cle in ("lo:fiche-xlsx", "lo:bilan-xlsx", "lo:fiche-docx", "lo:bilan-docx"):
        with pdfplumber.open(documents[cle]) as pdf:
            for page in pdf.pages:
                assert sorted((round(page.width), round(page.height))) == [595, 842], cle
            if cle == "lo:fiche-xlsx":
                assert len(pdf.pages) <= 20


def test_chaque_cellule_de_donnees_remplie_dans_les_pdf(documents):
    """Ruled tables of our PDFs: every cell of every data row holds a value (`s`, 0 or "—"
    included), never a blank."""
    for nom in ("fiche.pdf", "bilan.pdf", "toulouse.pdf"):
        with pdfplumber.open(documents[nom]) as pdf:
            lignes = [r for page in pdf.pages for t in page.extract_tables() for r in t[1:]]
        assert lignes, nom
        vides = [r for r in lignes if any(c is None or not c.strip() for c in r)]
        assert not vides, (nom, vides[:3])


def test_chaque_cellule_de_donnees_remplie_dans_les_classeurs(documents):
    """The workbooks as LibreOffice reads and saves them again: under each table's header row,
    every cell of every data row holds a value."""
    for cle in ("relu:fiche-xlsx", "relu:bilan-xlsx"):
        wb = openpyxl.load_workbook(documents[cle], data_only=True)
        for ws in wb.worksheets[1:-1]:  # the tables (not the synthesis nor the methods)
            lignes = list(ws.iter_rows(min_row=5, values_only=True))
            largeur = len([v for v in lignes[0] if v is not None])
            for r in lignes[1:]:
                if any(v is not None for v in r) and not str(r[0]).startswith("Aucun"):  # said empty
                    assert all(v is not None and str(v).strip() for v in r[:largeur]), (cle, ws.title, r)


def test_csv_tel_que_libreoffice_l_importe(documents):
    """`;` only: decimal commas stay in one cell and read as numbers; SIRET stays text with its
    leading zeros; hidden and not-published values read `s` and "—"."""
    etab = next(v for k, v in documents.items() if k.startswith("csv:") and k.endswith("etablissements"))
    ws = openpyxl.load_workbook(etab, data_only=True).active
    lignes = list(ws.iter_rows(values_only=True))
    assert lignes[0][0] == "SIRET" and len(lignes) > 1
    assert all(isinstance(r[0], str) and len(r[0]) == 14 and r[0].isdigit() for r in lignes[1:])
    fam = openpyxl.load_workbook(next(v for k, v in documents.items() if k.endswith("_familles_epci")),
                                 data_only=True).active
    valeurs = [v for r in list(fam.iter_rows(values_only=True))[1:] for v in r[1:]]
    assert all(isinstance(v, int | float) or v in ("s", "—") for v in valeurs), valeurs
    assert any(isinstance(v, float) and not v.is_integer() for v in valeurs)  # 80,7 → 80.7


def test_pages_dessinees(documents, tmp_path):
    """poppler draws the first page of every PDF: a picture, not a blank page."""
    for chemin in _pdfs(documents):
        base = tmp_path / chemin.stem
        subprocess.run(["pdftoppm", "-r", "30", "-png", "-f", "1", "-l", "1", str(chemin), str(base)],
                       check=True, capture_output=True, timeout=120)
        png = next(tmp_path.glob(f"{chemin.stem}*.png"))
        with Image.open(png) as im:
            assert im.convert("L").getextrema()[0] < 128, chemin.name  # something dark is drawn


def _chevauchements(page) -> list[tuple[str, str]]:
    """Pairs of words drawn over each other (boxes sharing over a third of the smaller one)."""
    mots = page.extract_words(keep_blank_chars=False, use_text_flow=False)
    paires = []
    mots.sort(key=lambda m: m["top"])
    for i, a in enumerate(mots):
        for b in mots[i + 1:]:
            if b["top"] >= a["bottom"]:
                break  # sorted by top: no later word reaches a's lines
            dx = min(a["x1"], b["x1"]) - max(a["x0"], b["x0"])
            dy = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
            petite = min((a["x1"] - a["x0"]) * (a["bottom"] - a["top"]),
                         (b["x1"] - b["x0"]) * (b["bottom"] - b["top"]))
            if dx > 0 and dy > 0 and dx * dy > petite / 3:
                paires.append((a["text"], b["text"]))
    return paires


def test_aucun_texte_sur_un_autre_texte(documents):
    """In our PDFs and in LibreOffice's prints of the workbooks and Word files, no word is drawn
    over another (a row too low for its wrapped text, a key figure over its comment…)."""
    for chemin in _pdfs(documents):
        with pdfplumber.open(chemin) as pdf:
            for n, page in enumerate(pdf.pages, start=1):
                paires = _chevauchements(page)
                assert not paires, (chemin.name, n, paires[:5])


def test_docx_du_bilan_aucun_mot_coupe(documents):
    """LibreOffice's print of the bilan's Word file: every word of every table cell is printed
    whole on one line (fixed column widths cut « financé/s », « monta/nt »); a compound may
    wrap after its own hyphen (« Hauts-/Tolosans »), as typography allows."""
    import docx

    def morceaux(texte: str) -> set[str]:
        return {p.strip(".,;:()«»") for m in texte.split() for p in m.split("-")}

    mots = {m for t in docx.Document(documents["bilan.docx"]).tables
            for r in t.rows for c in r.cells for m in morceaux(c.text)}
    mots = {m for m in mots if len(m) >= 4 and not any(ch.isdigit() for ch in m)}
    with pdfplumber.open(documents["lo:bilan-docx"]) as pdf:
        imprimes = {m for page in pdf.pages for w in page.extract_words() for m in morceaux(w["text"])}
    assert mots and not sorted(mots - imprimes), sorted(mots - imprimes)[:20]


def test_docx_du_bilan_aucun_titre_en_bas_de_page(documents):
    """No page of LibreOffice's print of the bilan ends on a title or a table's scope line: each
    stays with what follows (« keep with next »)."""
    with pdfplumber.open(documents["lo:bilan-docx"]) as pdf:
        for n, page in enumerate(pdf.pages[:-1], start=1):
            lignes = [ligne for ligne in (page.extract_text() or "").splitlines() if ligne.strip()]
            corps = [ligne for ligne in lignes if not ligne.startswith(("Département", "page "))]
            derniere = corps[-1] if corps else ""
            assert not re.match(r"(Tableau \d+ — |Champ : |\d+\. [A-ZÉ])", derniere), (n, derniere)
