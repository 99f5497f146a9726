"""The blocks of a document. Plain data: no formatting, no file writing.

Values in a number column are numbers, `None` for a value hidden by the secret statistique
(printed `s`) or `NON_DIFFUSE` for a value that is not applicable or not published at this
geographic level (printed "—"); a true zero stays 0. Shares are fractions (0.113 = 11,3 %)."""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass, field
from datetime import datetime

from data import DATA
from ess.format import NON_DIFFUSE, SECRET  # the marks, defined once

FICHIER_EMETTEUR = DATA / "emetteur.toml"


@functools.cache
def identite_emetteur() -> dict[str, str]:
    """Who issues the documents, as configured in data/emetteur.toml; `contact` gathers the
    service with the address, e-mail and telephone given there."""
    e = tomllib.loads(FICHIER_EMETTEUR.read_text(encoding="utf-8"))
    details = (e["contact"], e.get("adresse"), e.get("courriel"), e.get("telephone"))
    return {**e, "contact": ", ".join(x for x in details if x)}
GENRES_NOMBRE = ("entier", "decimal", "pourcent", "euros")
GENRES = ("texte", "annee", "siret", "date", *GENRES_NOMBRE)

# Explained once per document, wherever the mark appears.
LEGENDE = (
    f"« {SECRET} » : valeur masquée par le secret statistique.",
    "0 : aucun établissement ou aucun emploi (vrai zéro).",
    f"« {NON_DIFFUSE} » : sans objet, ou non diffusé à cet échelon géographique.",
)


@dataclass
class Colonne:
    nom: str
    genre: str = "texte"
    largeur: float = 1.0  # relative width in PDF and DOCX tables

    def __post_init__(self):
        if self.genre not in GENRES:
            raise ValueError(f"genre de colonne inconnu : {self.genre}")

    @property
    def nombre(self) -> bool:
        return self.genre in GENRES_NOMBRE


@dataclass
class Tableau:
    cle: str  # stable identifier: CSV file name
    titre: str
    colonnes: list[Colonne]
    lignes: list[list]
    champ: str  # scope line: what is counted, where, when
    source: str
    note: str = ""
    max_lignes_pdf: int | None = None  # PDF and DOCX show the first rows, XLSX and CSV all
    colonnes_pdf: tuple[str, ...] | None = None  # the PDF's columns (None: all)
    imprime: bool = True  # False: spreadsheets only (XLSX, CSV), named in the printed methods
    vide: str = "Aucune ligne pour ce territoire."  # said instead of an empty table
    numero: int = 0  # set by Document.numeroter

    @property
    def libelle(self) -> str:
        return f"Tableau {self.numero} — {self.titre}" if self.numero else self.titre

    def imprimee(self) -> Tableau:
        """The table as printed (PDF, DOCX): its print columns only, the first rows only."""
        from dataclasses import replace

        garder = [j for j, c in enumerate(self.colonnes)
                  if not self.colonnes_pdf or c.nom in self.colonnes_pdf]
        lignes = self.lignes[: self.max_lignes_pdf] if self.max_lignes_pdf else self.lignes
        return replace(self, colonnes=[self.colonnes[j] for j in garder],
                       lignes=[[r[j] for j in garder] for r in lignes])

    @property
    def donnees(self):
        """The raw values as a DataFrame (French headers), for tests and quick reads."""
        import pandas as pd

        return pd.DataFrame(self.lignes, columns=[c.nom for c in self.colonnes])


@dataclass
class Chiffre:
    """A key figure of the first page with its computed plain-French sentence."""
    libelle: str
    valeur: object  # number, None (secret) or NON_DIFFUSE
    genre: str
    phrase: str
    comparaison: str = ""
    tendance: str = ""


@dataclass
class Graphique:
    titre: str
    png: bytes | None  # None: nothing publishable, the sentence stands instead
    source: str
    texte: str  # alternative text, and the sentence printed when there is no chart
    largeur_mm: float = 170


@dataclass
class Paragraphe:
    texte: str
    genre: str = "normal"  # normal | note | alerte


@dataclass
class Section:
    titre: str
    blocs: list = field(default_factory=list)
    numero: int = 0
    nouvelle_page: bool = False

    @property
    def libelle(self) -> str:
        return f"{self.numero}. {self.titre}" if self.numero else self.titre


@dataclass
class Document:
    titre: str
    sous_titre: str
    territoire: str
    annee: int
    genere_le: datetime
    nom_fichier: str  # without extension
    chiffres: list[Chiffre] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)  # first-page sentences (alerts, scope)
    carte: Graphique | None = None
    sections: list[Section] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    methodes: list[tuple[str, str]] = field(default_factory=list)
    sources: list[tuple[str, str]] = field(default_factory=list)
    avertissement: str = ""  # demo data
    emetteur: str = field(default_factory=lambda: identite_emetteur()["emetteur"])
    service: str = field(default_factory=lambda: identite_emetteur()["service"])
    contact: str = field(default_factory=lambda: identite_emetteur()["contact"])
    auteur: str = field(default_factory=lambda: identite_emetteur()["auteur"])
    source_pied: str = ""  # short source line of page footers
    departement: str = ""  # the département's name (document keywords)

    def numeroter(self) -> Document:
        n = 0
        for i, s in enumerate(self.sections, start=1):
            s.numero = i
            for b in s.blocs:
                if isinstance(b, Tableau):
                    n += 1
                    b.numero = n
        return self

    def tableaux(self) -> list[Tableau]:
        return [b for s in self.sections for b in s.blocs if isinstance(b, Tableau)]

    def imprimable(self) -> Document:
        """The document as printed (PDF, DOCX): spreadsheet-only tables and sections left out."""
        from dataclasses import replace

        sections = [replace(s, blocs=[b for b in s.blocs if not isinstance(b, Tableau) or b.imprime])
                    for s in self.sections]
        seuls = [b.libelle for b in self.tableaux() if not b.imprime]
        notes = self.notes + ([f"Le classeur XLSX et les CSV ajoutent : {', '.join(seuls)}."]
                              if seuls else [])
        return replace(self, sections=[s for s in sections if s.blocs], notes=notes)

    def tableau(self, cle: str) -> Tableau:
        return next(t for t in self.tableaux() if t.cle == cle)
