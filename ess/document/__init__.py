"""One document, several renderers: a fiche or a bilan is built once as plain content blocks
(`ess.document.modele`) and the PDF, DOCX, XLSX and CSV writers only render those blocks, so a
fix to a table or a note lands in every format."""

from ess.document.modele import (  # noqa: F401 (the package's vocabulary)
    LEGENDE,
    NON_DIFFUSE,
    SECRET,
    Chiffre,
    Colonne,
    Document,
    Graphique,
    Paragraphe,
    Section,
    Tableau,
)

FORMATS = {  # format → (extension, MIME type)
    "pdf": ("pdf", "application/pdf"),
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "docx": ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "csv": ("zip", "application/zip"),
}


def rendre(doc: Document, format: str) -> bytes:
    """The document in one format; only the writer asked for is imported."""
    from importlib import import_module

    if format not in FORMATS:
        raise ValueError(f"Format inconnu : « {format} » (pdf, xlsx, docx ou csv).")
    return import_module(f"ess.document.rendu_{format}").generer(doc.numeroter())
