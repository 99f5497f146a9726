"""The files of a "Data ESS" fiche: the fiche laid out once as a document
(ess.fiche.mise_en_page) and rendered as PDF, XLSX, DOCX or CSV (zip of one file per table)
by ess.document. Bytes, so that the page (download buttons) and the CLI (files) share them."""

from __future__ import annotations

from ess import document as doc
from ess.fiche.contenu import Fiche
from ess.fiche.mise_en_page import document, nom_document

FORMATS = {f: doc.FORMATS[f] for f in ("xlsx", "csv", "pdf", "docx")}
SANS_IMAGES = ("xlsx", "csv")  # spreadsheets do not show charts: skip drawing them


def generer(fiche: Fiche, format: str, con=None) -> bytes:
    """The file's bytes. `con` (read-only connection) gives the PDF and DOCX their map."""
    if format not in FORMATS:
        raise ValueError(f"Format inconnu : « {format} » (xlsx, csv, pdf ou docx).")
    return doc.rendre(document(fiche, con, images=format not in SANS_IMAGES), format)


def nom(fiche: Fiche, format: str) -> str:
    """File name of an extract: `data-ess_<territoire>_<annee>.<ext>`, sanitised, unique per
    group of communes."""
    return f"{nom_document(fiche)}.{FORMATS[format][0]}"
