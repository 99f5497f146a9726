"""One document, several renderers: a fiche or a bilan is built once as plain content blocks
(`ess.document.modele`) and the PDF, DOCX, XLSX and CSV writers only render those blocks, so a
fix to a table or a note lands in every format."""

from dataclasses import fields, is_dataclass, replace

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
from ess.exports.securite import lisible

FORMATS = {  # format → (extension, MIME type)
    "pdf": ("pdf", "application/pdf"),
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "docx": ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "csv": ("zip", "application/zip"),
}


def rendre(doc: Document, format: str) -> bytes:
    """The document in one format; only the writer asked for is imported. Its texts are made
    `lisible` first: one name holding a control character would stop a workbook or Word file."""
    from importlib import import_module

    if format not in FORMATS:
        raise ValueError(f"Format inconnu : « {format} » (pdf, xlsx, docx ou csv).")
    return import_module(f"ess.document.rendu_{format}").generer(_lisible(doc.numeroter()))


def _lisible(x):
    """A copy of a document's blocks (dataclasses, lists, tuples) with every text `lisible`."""
    if isinstance(x, str):
        return lisible(x)
    if isinstance(x, list | tuple):
        return type(x)(_lisible(v) for v in x)
    if is_dataclass(x) and not isinstance(x, type):
        return replace(x, **{f.name: _lisible(getattr(x, f.name)) for f in fields(x) if f.init})
    return x
