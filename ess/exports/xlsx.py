"""XLSX with openpyxl: one sheet per table (title, source, note, then the table with a
frozen, filterable header), number formats that French Excel shows as `55 100` and
`11,3 %`, hidden values "s", and a "Sources et définitions" sheet.

Write-only mode streams rows (the département's list of establishments has thousands):
much faster and lighter for the batch of every commune.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ess.exports import cellules
from ess.exports.csv import sources_et_definitions
from ess.exports.securite import neutraliser

FORMAT_ENTIER = "#,##0"
FORMAT_DECIMAL = "#,##0.0"
FORMAT_POURCENT = "0.0%"
LIGNE_ENTETE = 4
GRAS = Font(bold=True)
TITRE = Font(bold=True, size=13)
DISCRET = Font(italic=True, color="555555")
FOND_ENTETE = PatternFill("solid", fgColor="DDE7F0")
A_DROITE = Alignment(horizontal="right")


def _cellule(ws, v, *, pourcent=False, font=None, fill=None):
    c = WriteOnlyCell(ws, value=neutraliser(v) if isinstance(v, str) else v)
    if isinstance(v, str):
        c.data_type = "s"  # never a formula, whatever the text
    if isinstance(v, int | float) and not isinstance(v, bool):
        if pourcent:
            c.value = v / 100
            c.number_format = FORMAT_POURCENT
        else:
            c.number_format = FORMAT_ENTIER if isinstance(v, int) else FORMAT_DECIMAL
    elif v == cellules.SECRET:
        c.alignment = A_DROITE
    if font:
        c.font = font
    if fill:
        c.fill = fill
    return c


def _feuille(wb, titre: str, entete_fiche: str, source: str, note: str, df, pourcents=()):
    ws = wb.create_sheet(titre[:31])
    colonnes = list(df.columns)
    largeurs = [max(10, min(60, len(str(c)) + 2)) for c in colonnes]
    lignes = list(cellules.lignes(df))
    for ligne in lignes[:200]:
        for j, v in enumerate(ligne):
            largeurs[j] = max(largeurs[j], min(60, len(str(v)) + 2))
    for j, w in enumerate(largeurs, start=1):
        ws.column_dimensions[get_column_letter(j)].width = w
    ws.freeze_panes = f"A{LIGNE_ENTETE + 1}"
    if colonnes and lignes:
        ws.auto_filter.ref = f"A{LIGNE_ENTETE}:{get_column_letter(len(colonnes))}{LIGNE_ENTETE + len(lignes)}"
    ws.append([_cellule(ws, f"{titre} — {entete_fiche}", font=TITRE)])
    ws.append([_cellule(ws, f"Source : {source}", font=DISCRET)])
    ws.append([_cellule(ws, note, font=DISCRET)] if note else [])
    ws.append([_cellule(ws, c, font=GRAS, fill=FOND_ENTETE) for c in colonnes])
    flags = [c in pourcents for c in colonnes]
    for ligne in lignes:
        ws.append([_cellule(ws, v, pourcent=p) for v, p in zip(ligne, flags, strict=True)])


def generer(fiche) -> bytes:
    wb = Workbook(write_only=True)
    entete = f"{fiche.territoire.nom}, {fiche.annee}"
    for t in fiche.tableaux:
        _feuille(wb, t.titre, entete, t.source, t.note, t.donnees, t.pourcents)
    _feuille(wb, "Sources et définitions", entete,
             "INSEE (SIRENE, FLORES), CRESS Occitanie, Département de la Haute-Garonne",
             "Données de démonstration" if fiche.demo else "", sources_et_definitions(fiche))
    tampon = io.BytesIO()
    wb.save(tampon)
    return tampon.getvalue()
