"""The bilan report as Word (python-docx), editable by SIES before the steering committee."""

from __future__ import annotations

import io

from docx import Document
from docx.shared import Cm, Pt, RGBColor

from ess.bilan.rapport import Rapport, cellule


def ecrire(rapport: Rapport) -> bytes:
    doc = Document()
    doc.core_properties.title = rapport.titre
    doc.core_properties.language = "fr-FR"
    style = doc.styles["Normal"]
    style.font.name = "Calibri"
    style.font.size = Pt(10)
    doc.add_heading(rapport.titre, level=0)
    if rapport.avertissement:
        p = doc.add_paragraph()
        r = p.add_run(rapport.avertissement)
        r.bold = True
        r.font.color.rgb = RGBColor(0xA0, 0x50, 0x00)
    doc.add_heading("Synthèse du 1er plan (2020-2025)", level=1)
    t = doc.add_table(rows=0, cols=2)
    t.style = "Light List Accent 1"
    for libelle, valeur in rapport.chiffres:
        cells = t.add_row().cells
        cells[0].text, cells[1].text = libelle, valeur
    for s in rapport.sections:
        doc.add_heading(s.titre, level=1)
        if s.texte:
            doc.add_paragraph(s.texte)
        if s.image:
            doc.add_picture(io.BytesIO(s.image), width=Cm(15 if "EPCI" not in s.titre else 11))
        if s.tableau is not None and not s.tableau.empty:
            tab = doc.add_table(rows=1, cols=len(s.tableau.columns))
            tab.style = "Light Grid Accent 1"
            for c, nom in zip(tab.rows[0].cells, s.tableau.columns, strict=True):
                c.text = str(nom)
            for r in s.tableau.itertuples(index=False):
                for c, v in zip(tab.add_row().cells, r, strict=True):
                    c.text = cellule(v)
        if s.source:
            p = doc.add_paragraph()
            run = p.add_run(f"Source : {s.source}")
            run.italic = True
            run.font.size = Pt(8)
    doc.add_paragraph(f"Rapport généré le {rapport.genere_le[:16].replace('T', ' à ')} (UTC).")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
