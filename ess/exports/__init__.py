"""Writers of the "Data ESS" fiche: the fiche is laid out once as a document
(`ess.fiche_document`) and rendered as PDF, XLSX, DOCX or CSV (zip of one file per table) by
`ess.document`. Each writer returns bytes, so the page (download button) and the CLI (files)
share them."""

from __future__ import annotations

from ess import document as doc

FORMATS = {f: doc.FORMATS[f] for f in ("xlsx", "csv", "pdf", "docx")}
SANS_IMAGES = ("xlsx", "csv")  # spreadsheets do not show charts: skip drawing them


def document(fiche, con=None, images: bool = True):
    """The fiche laid out as a document (imported here: ess.fiche_document uses ess.exports)."""
    from ess.fiche_document import document as mise_en_page

    return mise_en_page(fiche, con, images)


def generer(fiche, format: str, con=None) -> bytes:
    """The file's bytes. `con` (read-only connection) gives the PDF and DOCX their map."""
    if format not in FORMATS:
        raise ValueError(f"Format inconnu : « {format} » (xlsx, csv, pdf ou docx).")
    return doc.rendre(document(fiche, con, images=format not in SANS_IMAGES), format)


def nom(fiche, format: str) -> str:
    """File name of an extract: `data-ess_<territoire>_<annee>.<ext>`, sanitised, unique per
    group of communes."""
    from ess.fiche_document import nom_document

    return f"{nom_document(fiche)}.{FORMATS[format][0]}"
