"""Formula injection: names that anyone can register in SIRENE (an association named
`=HYPERLINK(…)`), project names from the register, rejected lines of a loaded file, comments
typed by staff — through every download button of every page (AppTest) and every export of
the CLI. No spreadsheet cell may start like a formula (= + - @ tab CR) unless it is a number
or our SIRET formula, or (in a workbook) a text cell with the quote prefix; no workbook cell may
be a formula. Word runs no formula: there a name is
written as it is (no spreadsheet apostrophe) and never becomes a field."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile

import docx
import duckdb
import openpyxl
import pytest
import streamlit.elements.widgets.button as bouton
from streamlit.testing.v1 import AppTest

from ess.exports.securite import DEBUTS_DANGEREUX
from ess.suivi import saisies as ind
from ess.suivi import store
from tests.conftest import RACINE

MECHANTS = ['=HYPERLINK("http://exemple.invalid","clic")', "+33 1 23 45", "-2+3+cmd", "@SUM(A1)",
            "\tTabulation", "\rRetour"]
# a vertical tab and a form feed, as a name pasted from Word brings them: XML (XLSX, DOCX) cannot
# hold them, a workbook or Word file with one could not be written at all
CONTROLE = "Entraide\x0bsolidaire\x0cdu quartier"
PIEGES = [*MECHANTS, CONTROLE]
EPCI = "epci:200068815"  # Cœur de Garonne: a mid-sized EPCI, quick fiches
# a figure, or the formula that keeps a SIRET's leading zero: allowed to start with - or =
LICITE = re.compile(r'-?\d+(,\d+)?|="\d+"')


@pytest.fixture(scope="module")
def piege(db_demo, tmp_path_factory):
    """A copy of the demo database and a staff store where hostile texts stand in every field
    a download may carry: establishments (names, a commune), territories (an EPCI, a PETR),
    projects (name, holder, theme, funding scheme), rejected lines, plan indicators; and a name,
    a project, a rejected line and an indicator with control characters."""
    dossier = tmp_path_factory.mktemp("piege")
    db, suivi = dossier / "ess.duckdb", dossier / "suivi.sqlite"
    shutil.copy(db_demo, db)
    with duckdb.connect(str(db)) as con:
        sirets = [s for (s,) in con.execute(
            "SELECT e.siret FROM etablissements e JOIN appartenance a USING (commune) "
            "WHERE a.territoire = ? AND e.employeur AND e.diffusible AND e.famille_ess IS NOT NULL "
            "AND e.lon IS NOT NULL AND e.date_fermeture IS NULL AND e.date_creation < DATE '2015-01-01' "
            "ORDER BY e.siret LIMIT ?", [EPCI, len(PIEGES)]).fetchall()]
        for siret, nom in zip(sirets, PIEGES, strict=True):
            con.execute("UPDATE etablissements SET nom = ? WHERE siret = ?", [nom, siret])
        (commune,) = con.execute("SELECT min(commune) FROM appartenance WHERE territoire = ?",
                                 [EPCI]).fetchone()
        renommer = "UPDATE territoires SET nom = ? WHERE territoire = ?"
        con.execute("UPDATE communes SET nom = ? WHERE commune = ?", [MECHANTS[2], commune])
        con.execute(renommer, [MECHANTS[2], f"commune:{commune}"])
        con.execute(renommer, [MECHANTS[0], EPCI])
        petr = con.execute("SELECT min(territoire) FROM territoires WHERE niveau = 'petr'").fetchone()[0]
        con.execute(renommer, [MECHANTS[3], petr])
        projets = [p for (p,) in con.execute("SELECT id_projet FROM projets ORDER BY id_projet LIMIT 4")
                   .fetchall()]
        for p, (nom, porteur) in zip(projets, [MECHANTS[:2], MECHANTS[2:4], MECHANTS[4:], [CONTROLE] * 2],
                                     strict=True):
            con.execute("UPDATE projets SET nom_projet = ?, porteur = ?, theme = ?, dispositif = ? "
                        "WHERE id_projet = ?", [nom, porteur, MECHANTS[3], MECHANTS[1], p])
        con.executemany("INSERT INTO rejets_lignes VALUES ('flores', 'flores.csv', ?, 'effectifs', ?, ?)",
                        [[k + 2, m, m] for k, m in enumerate(PIEGES)])
    with store.ouvrir(suivi) as con:
        i = ind.creer_indicateur(con, "1", MECHANTS[0], MECHANTS[3], "marie")
        ind.enregistrer_valeur(con, i, 2025, "12", "7", MECHANTS[0], MECHANTS[2], 0, "marie")
        j = ind.creer_indicateur(con, "2", CONTROLE, "projets", "marie")
        ind.enregistrer_valeur(con, j, 2025, "3", "2", CONTROLE, "", 0, "marie")
    return db, suivi


def _paragraphes_docx(contenu: bytes) -> list[str]:
    """Every paragraph of a Word file (body, table cells, headers, footers), after checking that
    its only fields are the footer's page numbers."""
    with zipfile.ZipFile(io.BytesIO(contenu)) as z:
        xml = b"".join(z.read(n) for n in z.namelist() if n.startswith("word/") and n.endswith(".xml"))
    champs = re.findall(rb"<w:instrText[^>]*>([^<]*)<", xml) + re.findall(rb'w:instr="([^"]*)"', xml)
    assert {c.strip() for c in champs} <= {b"PAGE", b"NUMPAGES"}, champs
    doc = docx.Document(io.BytesIO(contenu))
    cellules = [c for t in doc.tables for r in t.rows for c in r.cells]
    pieds = [p for s in doc.sections for part in (s.header, s.footer) for p in part.paragraphs]
    return [p.text for p in [*doc.paragraphs, *(p for c in cellules for p in c.paragraphs), *pieds]]


def _cellules(nom: str, contenu: bytes) -> list:
    """Every cell of a downloaded spreadsheet (CSV, zip of CSV, XLSX); [] for PDF and DOCX."""
    if nom.endswith(".csv"):  # French spreadsheets' CSV (BOM, `;`) or open data (comma)
        separateur = ";" if contenu.startswith(b"\xef\xbb\xbf") else ","
        return [c for ligne in csv.reader(io.StringIO(contenu.decode("utf-8-sig"), newline=""),
                                          delimiter=separateur) for c in ligne]
    if nom.endswith(".zip"):
        with zipfile.ZipFile(io.BytesIO(contenu)) as z:
            return [c for m in z.namelist() if m.endswith(".csv") for c in _cellules(m, z.read(m))]
    if nom.endswith(".xlsx"):
        wb = openpyxl.load_workbook(io.BytesIO(contenu))
        cellules = [c for ws in wb.worksheets for ligne in ws.iter_rows() for c in ligne]
        formules = [c.coordinate for c in cellules if c.data_type == "f"]
        assert not formules, f"{nom} : cellules formules {formules[:5]}"
        # a text starting like a formula is kept as it is, with Excel's quote prefix (what
        # typing '=… stores): returned with the apostrophe the spreadsheet shows it behind
        return ["'" + c.value if isinstance(c.value, str) and c.quotePrefix else c.value for c in cellules]
    return []


def _verifier(nom: str, contenu: bytes) -> list[str]:
    """The cells of a download that carry a hostile text (neutralised, or the test fails); in a
    Word file, the paragraphs (written as they are, or the test fails)."""
    if nom.endswith(".docx"):
        textes = _paragraphes_docx(contenu)
        deformes = [t for t in textes if t.startswith("'") and t[1:].startswith(DEBUTS_DANGEREUX)]
        assert not deformes, f"{nom} : noms déformés {deformes[:5]}"
        return [t for t in textes if any(m.strip() in t for m in MECHANTS)]
    cellules = [c for c in _cellules(nom, contenu) if isinstance(c, str)]
    dangereuses = [c for c in cellules if c.startswith(DEBUTS_DANGEREUX) and not LICITE.fullmatch(c)]
    assert not dangereuses, f"{nom} : {dangereuses[:5]}"
    return [c for c in cellules if any(m.strip() in c for m in MECHANTS)]


# Every page with a download button, in the states that show each of its buttons, and the
# buttons expected there.
ETATS = [
    ("pages/carte.py", {}, {"donnees_carte": True}, ["Télécharger le tableau (CSV)"]),
    ("pages/carte.py", {"vue": "etablissements"}, {"liste_etablissements": True},
     ["Télécharger la liste (CSV)"]),
    ("pages/territoires.py", {"vue": "typologies"}, {}, ["Télécharger (CSV)"]),
    ("pages/territoires.py", {"territoire": EPCI}, {"tableau_chiffres": True}, ["Télécharger (CSV)"] * 5),
    ("pages/bilan.py", {}, {}, ["Télécharger le modèle de registre (CSV)", "Rapport PDF",
                                "Rapport Word (DOCX)", "Rapport Tableaux (XLSX)"]),
    ("pages/suivi.py", {}, {}, ["Télécharger les indicateurs (XLSX)"]),
    ("pages/data_ess.py", {"territoire": EPCI}, {}, ["Fiche PDF A4", "Classeur XLSX", "Document Word",
                                                      "CSV (zip, Excel FR)"]),
    ("pages/sources.py", {}, {}, ["Télécharger les lignes écartées (CSV)",
                                  "Télécharger les données ouvertes (zip : CSV, schémas, métadonnées)"]),
    ("pages/donnees.py", {}, {"editeur": {"identifiant": "marie", "nom": "Marie"}},
     ["Télécharger le registre des projets en service (CSV)"]),
]
# pages whose downloads carry no hostile text (a template, documents of figures)
SANS_TEXTE_LIBRE = {"Télécharger le modèle de registre (CSV)"}


@pytest.mark.parametrize(("page", "parametres", "etat", "boutons"), ETATS,
                         ids=[f"{p.removeprefix('pages/')}-{i}" for i, (p, *_r) in enumerate(ETATS)])
def test_telechargements_des_pages(piege, monkeypatch, page, parametres, etat, boutons):
    db, suivi = piege
    monkeypatch.setenv("ESS_DB", str(db))
    monkeypatch.setenv("ESS_SUIVI_DB", str(suivi))
    telecharges: dict[str, tuple[str, bytes]] = {}
    origine = bouton.marshall_file

    def noter(coordinates, data, proto, mimetype, file_name=None, **kw):
        contenu = data() if callable(data) else data  # what a click on the button gives
        telecharges[coordinates] = (file_name, contenu.encode() if isinstance(contenu, str) else contenu)
        return origine(coordinates, data, proto, mimetype, file_name, **kw)

    monkeypatch.setattr(bouton, "marshall_file", noter)
    at = AppTest.from_file(str(RACINE / "app.py"), default_timeout=300)
    at.run()
    at.switch_page(page)
    for k, v in parametres.items():
        at.query_params[k] = v
    at.run()
    for k, v in etat.items():
        at.session_state[k] = v
    if etat:
        telecharges.clear()
        at.run()
    assert not at.exception
    assert sorted(b.label for b in at.download_button) == sorted(boutons)
    assert len(telecharges) == len(boutons)
    vus = {nom: _verifier(nom, contenu) for nom, contenu in telecharges.values()}
    avec_texte = [b for b in boutons if b not in SANS_TEXTE_LIBRE and "PDF" not in b]
    if avec_texte:  # the hostile texts did reach the files (neutralised: _verifier)
        assert any(vus.values()), f"aucun texte piégé dans {list(vus)}"
    assert all(vus[nom] for nom in vus if nom.endswith(".docx"))  # names in Word, as they are


def _cli(piege, *args) -> str:
    db, suivi = piege
    r = subprocess.run([sys.executable, "-m", "ess", *args], cwd=RACINE, capture_output=True, text=True,
                       env={**os.environ, "ESS_DB": str(db), "ESS_SUIVI_DB": str(suivi)})
    assert r.returncode == 0, r.stderr
    return r.stdout


@pytest.mark.parametrize("commande", [
    ["fiche", "--territoire", EPCI, "--format", "csv", "--format", "xlsx", "--format", "docx"],
    ["fiche", "--tous", "epci", "--format", "csv", "--processus", "1"],
    ["bilan", "--annee", "2025", "--format", "xlsx"],
    ["bilan", "--annee", "2025", "--format", "docx"],
])
def test_exports_de_la_ligne_de_commande(piege, tmp_path, commande):
    _cli(piege, *commande, "--out", str(tmp_path))
    fichiers = [p for p in tmp_path.iterdir() if p.suffix in (".csv", ".zip", ".xlsx", ".docx")]
    assert fichiers
    vus = {p.name: _verifier(p.name, p.read_bytes()) for p in fichiers}
    assert any(vus.values())  # hostile texts, neutralised (spreadsheets) or as they are (Word)
    assert all(vus[nom] for nom in vus if nom.endswith(".docx"))
    if "--territoire" in commande:  # the name with control characters, written and readable
        classeur = next(p for p in fichiers if p.suffix == ".xlsx")
        assert "Entraide solidaire du quartier" in _cellules(classeur.name, classeur.read_bytes())


def test_chiffres_json_garde_les_noms(piege):
    """JSON is no spreadsheet: the name is given as it is."""
    c = json.loads(_cli(piege, "chiffres", "--territoire", EPCI, "--json"))
    assert c["nom"] == MECHANTS[0]
