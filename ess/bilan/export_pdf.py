"""The bilan report as PDF (fpdf2: pure Python, tables and images, Unicode TrueType fonts).

The font is matplotlib's bundled DejaVu Sans (already a dependency): fpdf2's core fonts are
Latin-1 only and would not print « € », the narrow no-break space of French numbers, or « œ »."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib
from fpdf import FPDF
from fpdf.fonts import FontFace

from ess.bilan.rapport import Rapport, cellule

POLICES = Path(matplotlib.get_data_path()) / "fonts" / "ttf"


class _Pdf(FPDF):
    def __init__(self, rapport: Rapport):
        super().__init__(format="A4")
        self.rapport = rapport
        self.add_font("DejaVu", "", POLICES / "DejaVuSans.ttf")
        self.add_font("DejaVu", "B", POLICES / "DejaVuSans-Bold.ttf")
        self.set_auto_page_break(True, margin=15)
        self.set_title(rapport.titre)
        self.set_lang("fr")

    def footer(self):
        self.set_y(-12)
        self.set_font("DejaVu", "", 7)
        note = "Données de démonstration · " if self.rapport.demo else ""
        self.cell(0, 5, f"{note}{self.rapport.titre} · page {self.page_no()}/{{nb}}", align="C")


def _tableau(pdf: _Pdf, df) -> None:
    pdf.set_font("DejaVu", "", 7)
    entete = FontFace(emphasis="BOLD", fill_color=(225, 235, 245))
    with pdf.table(headings_style=entete, line_height=4, text_align="LEFT",
                   first_row_as_headings=True) as t:
        t.row([str(c) for c in df.columns])
        for r in df.itertuples(index=False):
            t.row([cellule(v) for v in r])


def ecrire(rapport: Rapport) -> bytes:
    pdf = _Pdf(rapport)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 15)
    pdf.multi_cell(0, 8, rapport.titre, new_x="LMARGIN", new_y="NEXT")
    if rapport.avertissement:
        pdf.set_font("DejaVu", "B", 9)
        pdf.set_text_color(160, 80, 0)
        pdf.multi_cell(0, 5, rapport.avertissement, new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
    pdf.ln(2)
    pdf.set_font("DejaVu", "B", 11)
    pdf.cell(0, 7, "Synthèse du 1er plan (2020-2025)", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
    with pdf.table(col_widths=(60, 40), text_align=("LEFT", "RIGHT"), first_row_as_headings=False,
                   line_height=5) as t:
        for libelle, valeur in rapport.chiffres:
            t.row([libelle, valeur])
    for s in rapport.sections:
        pdf.ln(3)
        if pdf.will_page_break(60):
            pdf.add_page()
        pdf.set_font("DejaVu", "B", 11)
        pdf.multi_cell(0, 6, s.titre, new_x="LMARGIN", new_y="NEXT")
        if s.texte:
            pdf.set_font("DejaVu", "", 8)
            pdf.multi_cell(0, 4, s.texte, new_x="LMARGIN", new_y="NEXT")
        if s.image:
            pdf.image(io.BytesIO(s.image), w=150 if "EPCI" not in s.titre else 110)
        if s.tableau is not None and not s.tableau.empty:
            _tableau(pdf, s.tableau)
        if s.source:
            pdf.set_font("DejaVu", "", 6.5)
            pdf.multi_cell(0, 3.5, f"Source : {s.source}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 7)
    pdf.ln(3)
    quand = rapport.genere_le[:16].replace("T", " à ")
    pdf.multi_cell(0, 4, f"Rapport généré le {quand} (UTC).", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
