"""The bilan's tables as XLSX (openpyxl): synthesis, every breakdown with raw numbers, and all
the plan indicators (every year) and activity statuses."""

from __future__ import annotations

import io
import re

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from ess.bilan.rapport import Rapport


def _nom_feuille(titre: str, pris: set[str]) -> str:
    nom = re.sub(r"[\[\]:*?/\\]", "", titre)[:31]  # Excel's limits on sheet names
    k = 2
    while nom in pris:
        nom = f"{nom[:28]} {k}"
        k += 1
    pris.add(nom)
    return nom


def _feuille(wb: Workbook, nom: str, df: pd.DataFrame, avant: list[str]) -> None:
    ws = wb.create_sheet(nom)
    for ligne in avant:
        ws.append([ligne])
    ws.append(list(df.columns))
    for c in ws[ws.max_row]:
        c.font = Font(bold=True)
    for r in df.itertuples(index=False):
        ws.append([None if (isinstance(v, float) and pd.isna(v)) else
                   (v.item() if hasattr(v, "item") else v) for v in r])
    for k, col in enumerate(df.columns, start=1):
        largeur = max([len(str(col))] + [len(str(v)) for v in df[col].head(100)])
        ws.column_dimensions[get_column_letter(k)].width = min(60, largeur + 2)


def ecrire(rapport: Rapport) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Synthèse"
    ws.append([rapport.titre])
    ws["A1"].font = Font(bold=True, size=13)
    if rapport.avertissement:
        ws.append([rapport.avertissement])
    ws.append([])
    for libelle, valeur in rapport.chiffres:
        ws.append([libelle, valeur])
    ws.column_dimensions["A"].width = 45
    ws.column_dimensions["B"].width = 60
    pris = {"Synthèse"}
    for s in rapport.sections:
        if s.tableau is not None:
            _feuille(wb, _nom_feuille(s.titre, pris), s.tableau, [s.titre, f"Source : {s.source}", ""])
    if rapport.indicateurs is not None:
        _feuille(wb, _nom_feuille("Indicateurs 2025-2028", pris), rapport.indicateurs,
                 ["Tous les indicateurs du plan 2025-2028, toutes années (base de suivi SIES)", ""])
    if rapport.activites is not None:
        _feuille(wb, _nom_feuille("Activités 2025-2028", pris), rapport.activites, [])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
