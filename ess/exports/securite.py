"""Safety of exported files: spreadsheet formula injection, characters XML cannot hold, and
file names.

A text cell beginning with = + - @ (or tab, carriage return) is run as a formula by Excel
and LibreOffice when the file is opened (OWASP "CSV injection"). In a CSV such cells get a
leading apostrophe (`neutraliser`, called by ess.exports.csv on every text cell). A workbook
says it without changing the text: every text cell is a string cell, never a formula, and one
that starts like a formula carries Excel's quote prefix (`cellule_texte`, called by the workbook
writers ess.document.rendu_xlsx and ess.suivi.classeur), what Excel itself stores when someone
types '=…: the cell shows the name as it is, and stays text when edited.
A control character XML cannot hold becomes a space (`lisible`) in every document
(ess.document.rendre) and in the plan-indicators workbook. File names keep ASCII letters,
digits and -_.
"""

from __future__ import annotations

import re
import unicodedata

DEBUTS_DANGEREUX = ("=", "+", "-", "@", "\t", "\r")
LONGUEUR_MAX = 120
# Control characters XML 1.0 cannot hold (tab, LF and CR aside): a vertical tab or a form feed
# comes with a name pasted from Word; a workbook or a Word file holding one cannot be written.
ILLISIBLES = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def neutraliser(valeur):
    """The value to write in a cell: text starting like a formula is prefixed with '."""
    if isinstance(valeur, str) and valeur.startswith(DEBUTS_DANGEREUX):
        return "'" + valeur
    return valeur


def cellule_texte(cellule) -> None:
    """An openpyxl cell holding text: a string cell (never a formula), with the quote prefix
    when the text starts like a formula."""
    cellule.data_type = "s"
    if cellule.value.startswith(DEBUTS_DANGEREUX):
        cellule.quotePrefix = True


def lisible(texte: str) -> str:
    """The text with each control character XML cannot hold replaced by a space."""
    return ILLISIBLES.sub(" ", texte)


def retablir(valeur):
    """A cell read back from one of our own files (an edited export imported again): the
    apostrophe `neutraliser` added (a CSV, or a workbook written before the quote prefix) is
    taken off, so a round trip changes nothing."""
    if isinstance(valeur, str) and valeur.startswith("'") and valeur[1:].startswith(DEBUTS_DANGEREUX):
        return valeur[1:]
    return valeur


def nom_fichier(texte: str, extension: str) -> str:
    """`Cœur de Garonne / 2021` → `Coeur-de-Garonne-2021.xlsx`: no path separators, no
    control characters, no leading dot, never empty."""
    ascii_ = unicodedata.normalize("NFKD", texte.replace("œ", "oe").replace("Œ", "OE"))
    ascii_ = ascii_.encode("ascii", "ignore").decode()
    propre = re.sub(r"[^A-Za-z0-9_-]+", "-", ascii_).strip("-_.")[:LONGUEUR_MAX] or "fiche"
    extension = re.sub(r"[^a-z0-9]", "", extension.lower()) or "bin"
    return f"{propre}.{extension}"
