"""Values as French text (`55 100`, `11,3 %`, `s`, "—"), for the PDF, DOCX, CSV and the page."""

from __future__ import annotations

from datetime import date, datetime

from ess import format as fr
from ess.document.modele import GENRES_NOMBRE, NON_DIFFUSE, SECRET
from ess.format import vide


def cellule(v, genre: str = "texte") -> str:
    if isinstance(v, str):
        return v
    if vide(v):
        return SECRET if genre in GENRES_NOMBRE else ""
    if genre in GENRES_NOMBRE:
        # text for a reader (page, PDF, DOCX): the typographic minus, « −17 »; CSV and XLSX
        # write their numbers themselves
        return _nombre(v, genre).replace("-", "\u2212", 1)
    return _autre(v, genre)


def _nombre(v, genre: str) -> str:
    if genre == "pourcent":
        return fr.pourcent(100 * float(v))
    if genre == "entier":
        return fr.nombre(round(float(v)))
    if genre == "decimal":
        return fr.nombre(float(v), 0 if float(v).is_integer() else 1)
    if genre == "euros":
        return f"{fr.nombre(round(float(v)))}{fr.ESPACE}€"


def _autre(v, genre: str) -> str:
    if genre == "annee":
        return str(int(v))
    if isinstance(v, datetime | date):
        return f"{v:%d/%m/%Y}"
    if isinstance(v, bool):
        return "oui" if v else "non"
    return str(v)


def chiffre(c) -> str:
    return cellule(c.valeur, c.genre)


def tableau_texte(t):
    """A table as French text, column by column (the page shows exactly what files hold)."""
    import pandas as pd

    return pd.DataFrame({c.nom: [cellule(ligne[j], c.genre) or NON_DIFFUSE for ligne in t.lignes]
                         for j, c in enumerate(t.colonnes)})


def lignes_tronquees(montrees: int, total: int) -> str:
    """The note under a table printed shortened (PDF, DOCX): where the whole table is."""
    return (f"{montrees} premières lignes sur {fr.nombre(total)} : le tableau complet est dans le "
            "classeur XLSX et le CSV de ce document.")
