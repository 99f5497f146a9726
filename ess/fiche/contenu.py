"""What a "Data ESS" fiche holds, as data: key figures and typed tables (document `Tableau`
blocks: hidden values None → "s", not published at this level "—", true zeros 0), notes,
definitions and sources. `ess.fiche.mise_en_page` lays it out as one document that the page
shows and every export (PDF, XLSX, DOCX, CSV) renders."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd

from ess.codes_territoire import Territoire
from ess.document.modele import Tableau


@dataclass
class Fiche:
    territoire: Territoire
    annee: int
    perimetre: str
    unite: str
    genere_le: datetime
    demo: bool
    chiffres: dict  # the key figures of the chosen definition and unit
    tableaux: list[Tableau]
    notes: list[str] = field(default_factory=list)
    alertes: list[str] = field(default_factory=list)  # the notes specific to this territory
    definitions: list[tuple[str, str]] = field(default_factory=list)
    sources: pd.DataFrame = field(default_factory=pd.DataFrame)
    millesimes: dict = field(default_factory=dict)
    titre: str = ""  # "Saint-Gaudens", "Aspet, Encausse-les-Thermes et Izaut-de-l'Hôtel" (a group)
    parents: list[tuple[str, str, str]] = field(default_factory=list)
    contexte: dict = field(default_factory=dict)  # figures for sentences: trend, population…

    def tableau(self, cle: str) -> Tableau:
        return next(t for t in self.tableaux if t.cle == cle)
