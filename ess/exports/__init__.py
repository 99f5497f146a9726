"""Writers of the "Data ESS" fiche: XLSX, CSV (zip of one file per table), PDF.

Each writer takes an `ess.fiche.Fiche` and returns bytes, so the page (download button)
and the CLI (files) share them.
"""

from __future__ import annotations

from ess.exports import csv, pdf, xlsx
from ess.exports.securite import nom_fichier

FORMATS = {  # format → (extension, MIME type)
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "csv": ("zip", "application/zip"),
    "pdf": ("pdf", "application/pdf"),
}


def generer(fiche, format: str, con=None) -> bytes:
    """The file's bytes. `con` (read-only connection) gives the PDF its map."""
    if format == "xlsx":
        return xlsx.generer(fiche)
    if format == "csv":
        return csv.generer(fiche)
    if format == "pdf":
        return pdf.generer(fiche, pdf.geometries(con, fiche) if con is not None else None)
    raise ValueError(f"Format inconnu : « {format} » (xlsx, csv ou pdf).")


def nom(fiche, format: str) -> str:
    """File name of an extract: `data-ess_<territoire>_<annee>.<ext>`, sanitised."""
    return nom_fichier(f"data-ess_{fiche.territoire.nom}_{fiche.annee}", FORMATS[format][0])
