"""Print-ready A4 fiche, made server-side without a browser: fpdf2 (pure Python, fast,
Unicode TrueType fonts, tables) for the layout, matplotlib (Agg) for the static map of the
territory and the charts, embedded as PNG. The font is matplotlib's DejaVu Sans, shipped
with it: accents, « », ’ and the narrow no-break space of French numbers all render.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display on a server
import matplotlib.pyplot as plt
import pandas as pd
from fpdf import FPDF
from fpdf.fonts import FontFace
from matplotlib.collections import PatchCollection
from matplotlib.patches import Polygon as PolygonePatch

from ess import format as fr
from ess.exports import cellules

POLICES = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
BLEU = (31, 78, 121)
ORANGE = (180, 95, 6)
GRIS = (90, 90, 90)
LIGNES_ETABLISSEMENTS = 40
DPI = 150


class _Document(FPDF):
    pied = ""

    def footer(self):
        self.set_y(-12)
        self.set_font("DejaVu", size=7)
        self.set_text_color(*GRIS)
        self.cell(0, 5, f"{self.pied} — page {self.page_no()}/{{nb}}", align="C")


COLONNES_CODES = ("Année",)  # numbers that are labels: no thousands separator


def _texte(v, colonne: str, pourcent: bool) -> str:
    if isinstance(v, int | float) and not isinstance(v, bool) and colonne not in COLONNES_CODES:
        return fr.pourcent(v) if pourcent else fr.nombre(v, 0 if float(v).is_integer() else 1)
    return str(v)


def _table(pdf: FPDF, df: pd.DataFrame, pourcents=(), largeurs=None, taille=7.5, max_lignes=None):
    if df.empty:
        pdf.set_font("DejaVu", size=8)
        pdf.cell(0, 6, "Aucune donnée pour ce territoire.", new_x="LMARGIN", new_y="NEXT")
        return
    num = cellules.colonnes_numeriques(df)
    pdf.set_font("DejaVu", size=taille)
    alignements = tuple("RIGHT" if c in num else "LEFT" for c in df.columns)
    with pdf.table(col_widths=largeurs, text_align=alignements, line_height=pdf.font_size * 1.6,
                   headings_style=FontFace(emphasis="BOLD", fill_color=(221, 231, 240)),
                   first_row_as_headings=True) as table:
        table.row([str(c) for c in df.columns])
        lignes = list(cellules.lignes(df))
        for ligne in lignes[:max_lignes]:
            table.row([_texte(v, c, c in pourcents) for v, c in zip(ligne, df.columns, strict=True)])


def _titre(pdf: FPDF, texte: str):
    pdf.ln(2)
    pdf.set_font("DejaVu", "B", 11)
    pdf.set_text_color(*BLEU)
    pdf.cell(0, 7, texte, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)


def _source(pdf: FPDF, texte: str):
    pdf.set_font("DejaVu", size=6.5)
    pdf.set_text_color(*GRIS)
    pdf.multi_cell(0, 3.5, f"Source : {texte}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)


def _png(fig) -> io.BytesIO:
    tampon = io.BytesIO()
    fig.savefig(tampon, format="png", dpi=DPI, bbox_inches="tight")
    plt.close(fig)
    tampon.seek(0)
    return tampon


def _anneaux(geojson: str):
    g = json.loads(geojson)
    polys = g["coordinates"] if g["type"] == "MultiPolygon" else [g["coordinates"]]
    return [p[0] for p in polys]  # outer rings are enough for a small map


def carte(geo: pd.DataFrame, cible: set[str]) -> io.BytesIO:
    """The département (light), its EPCI outlines, the territory filled."""
    fig, ax = plt.subplots(figsize=(3.2, 3.2))
    for fond, cibles in ((True, False), (False, True)):
        patches = [PolygonePatch(anneau, closed=True) for r in geo.itertuples()
                   if (r.territoire in cible) == cibles and (r.niveau != "departement" or fond)
                   for anneau in _anneaux(r.geojson)]
        style = (dict(facecolor="#eef2f6", edgecolor="#9aa9b8", linewidth=0.4) if fond
                 else dict(facecolor="#1f4e79", edgecolor="#1f4e79", linewidth=0.6))
        ax.add_collection(PatchCollection(patches, **style))
    ax.autoscale_view()
    ax.set_aspect(1.4)  # ~1/cos(latitude 43.5°): shapes as on a map
    ax.axis("off")
    return _png(fig)


def graphique_familles(df: pd.DataFrame) -> io.BytesIO:
    d = df[[v is not None for v in df["Effectifs salariés"]]]
    fig, ax = plt.subplots(figsize=(3.6, 2.0))
    ax.barh(d["Famille juridique"], d["Effectifs salariés"].astype(float), color="#1f4e79")
    ax.invert_yaxis()
    ax.set_title("Effectifs salariés par famille", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.xaxis.set_major_formatter(lambda x, _p: fr.nombre(x))
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def graphique_evolution(df: pd.DataFrame) -> io.BytesIO:
    fig, ax = plt.subplots(figsize=(3.6, 2.0))
    y = [float("nan") if v is None else float(v) for v in df["Effectifs salariés de l'ESS"]]
    ax.plot(df["Année"], y, marker="o", color="#1f4e79", linewidth=1.5, markersize=3)
    ax.set_title("Effectifs salariés de l'ESS", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.yaxis.set_major_formatter(lambda x, _p: fr.nombre(x))
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def _chiffres(pdf: FPDF, fiche, x: float, y: float, largeur: float):
    c = fiche.chiffres
    unite = "sièges sociaux" if fiche.unite == "sieges" else "établissements"
    blocs = [("Établissements employeurs de l'ESS", fr.nombre(c["etablissements_employeurs_ess"]), unite),
             ("Effectifs salariés de l'ESS", fr.nombre(c["effectifs_ess"]),
              "estimation SIRENE" if fiche.perimetre == "sirene" else "au 31 décembre"),
             ("Part de l'ESS dans l'emploi privé", fr.pourcent(c["part_ess_emploi_prive"])
              if c["part_ess_emploi_prive"] is not None or fiche.perimetre == "statistique"
              else "n. d.", "")]
    for libelle, valeur, detail in blocs:
        pdf.set_xy(x, y)
        pdf.set_font("DejaVu", size=8)
        pdf.set_text_color(*GRIS)
        pdf.cell(largeur, 4, libelle)
        pdf.set_xy(x, y + 4)
        pdf.set_font("DejaVu", "B", 18)
        pdf.set_text_color(*BLEU)
        pdf.cell(largeur, 9, valeur)
        pdf.set_xy(x, y + 13)
        pdf.set_font("DejaVu", size=7)
        pdf.set_text_color(*GRIS)
        pdf.cell(largeur, 3.5, detail)
        y += 19
    pdf.set_text_color(0, 0, 0)


def generer(fiche, geo: pd.DataFrame | None = None) -> bytes:
    """`geo`: territoire, niveau, geojson of the département, its EPCI and the territory
    (`ess.exports.pdf.geometries(con, fiche)`); without it the fiche has no map."""
    pdf = _Document(format="A4")
    pdf.add_font("DejaVu", "", str(POLICES / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(POLICES / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(True, margin=15)
    pdf.set_margins(12, 12, 12)
    pdf.pied = (f"Data ESS — {fiche.territoire.nom} — généré le "
                f"{fiche.genere_le:%d/%m/%Y à %H:%M}")
    pdf.set_title(f"Data ESS — {fiche.territoire.nom}")
    pdf.set_author("Département de la Haute-Garonne — service ESS")
    pdf.add_page()

    pdf.set_font("DejaVu", "B", 17)
    pdf.set_text_color(*BLEU)
    pdf.multi_cell(0, 8, f"Data ESS — {fiche.territoire.nom}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", size=8.5)
    pdf.set_text_color(*GRIS)
    definition = "périmètre statistique" if fiche.perimetre == "statistique" else "marqueur ESS de SIRENE"
    pdf.multi_cell(0, 4.5, f"L'économie sociale et solidaire en {fiche.annee} · {definition} · "
                   f"{len(fiche.territoire.communes)} commune(s)", new_x="LMARGIN", new_y="NEXT")
    if fiche.demo:
        pdf.set_text_color(*ORANGE)
        pdf.set_font("DejaVu", "B", 8.5)
        pdf.multi_cell(0, 4.5, "Données de démonstration : établissements, emplois par commune et "
                       "projets fictifs.", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)

    haut = pdf.get_y() + 2
    if geo is not None and not geo.empty:
        pdf.image(carte(geo, set(geo.loc[geo["cible"], "territoire"])), x=12, y=haut, w=75)
    _chiffres(pdf, fiche, 95, haut + 4, 100)
    pdf.set_y(haut + 66)

    _titre(pdf, "Comparaisons")
    comp = fiche.tableau("comparaisons")
    _table(pdf, comp.donnees, comp.pourcents, largeurs=(70, 22, 32, 32, 30))
    _source(pdf, comp.source)

    y = pdf.get_y() + 3
    familles = fiche.tableau("familles")
    evolution = fiche.tableau("evolution")
    if pdf.will_page_break(60):
        pdf.add_page()
        y = pdf.get_y()
    pdf.image(graphique_familles(familles.donnees), x=12, y=y, w=90)
    pdf.image(graphique_evolution(evolution.donnees), x=106, y=y, w=90)
    pdf.set_y(y + 52)

    for cle, largeurs, taille, max_lignes in (
        ("familles", (70, 40, 40, 36), 7.5, None),
        ("evolution", (18, 42, 42, 42, 42), 7.5, None),
        ("secteurs", (24, 14, 12, 68, 24, 22, 22), 6.5, None),
        ("categories_juridiques", (14, 110, 30, 32), 7, 15),
        ("definitions_comparees", (62, 44, 30, 30, 20), 7, None),
        ("pepites", (34, 44, 64, 26, 18), 6.5, None),
        ("etablissements", (44, 26, 42, 20, 36, 18), 5.5, LIGNES_ETABLISSEMENTS),
    ):
        t = fiche.tableau(cle)
        df = t.donnees
        if cle == "etablissements":
            df = df.drop(columns=["SIRET", "Siège"])
        if cle == "secteurs":
            df = df[df["Niveau"] == "Section (A21)"].drop(columns=["Niveau", "Section"])
            largeurs = (12, 92, 30, 26, 26)
        if pdf.will_page_break(30):
            pdf.add_page()
        _titre(pdf, t.titre)
        _table(pdf, df, t.pourcents, largeurs=largeurs, taille=taille, max_lignes=max_lignes)
        if max_lignes and len(df) > max_lignes:
            _source(pdf, f"{max_lignes} premières lignes sur {len(df)} : liste complète dans le "
                    "fichier XLSX.")
        _source(pdf, t.source + (f" — {t.note}" if t.note else ""))

    _titre(pdf, "Notes, définitions et sources")
    pdf.set_font("DejaVu", size=7)
    for n in fiche.notes:
        pdf.multi_cell(0, 3.8, f"• {n}", new_x="LMARGIN", new_y="NEXT")
    for terme, texte in fiche.definitions:
        pdf.multi_cell(0, 3.8, f"• {terme} : {texte}", new_x="LMARGIN", new_y="NEXT")
    for r in fiche.sources.itertuples():
        pdf.multi_cell(0, 3.8, f"• {r.source} : {r.description} ({r.millesime})",
                       new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 3.8, "• " + " · ".join(f"{k} : {v}" for k, v in fiche.millesimes.items()),
                   new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


GEOMETRIES = """
SELECT g.territoire, t.niveau, g.geojson, list_contains(?, g.territoire) AS cible
FROM geometries g JOIN territoires t USING (territoire)
WHERE t.niveau IN ('departement', 'epci') OR list_contains(?, g.territoire)
"""


def geometries(con, fiche) -> pd.DataFrame:
    t = fiche.territoire
    cibles = [f"commune:{c}" for c in t.communes] if t.niveau == "communes" else [t.code]
    return con.execute(GEOMETRIES, [cibles, cibles]).df()
