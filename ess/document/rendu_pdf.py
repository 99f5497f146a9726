"""A document as an A4 PDF with fpdf2 (pure Python, fast): left-aligned titles, body 8 pt and
nothing under 7,5 pt, tables whose columns are never narrower than their longest word (no
word split mid-word) with the header repeated on each page, pictures placed in their own
box (never over text), and the accessibility fpdf2 offers: document language fr-FR, title
shown by viewers, outline of numbered sections tagged as headings, alternative text on
every picture (fpdf2 2.8 does not tag tables and body text: not a full PDF/UA document).
The font is matplotlib's DejaVu Sans (accents, « », €, narrow spaces)."""

from __future__ import annotations

import io

from fpdf import FPDF
from fpdf.enums import Align
from fpdf.fonts import FontFace, TextStyle
from PIL import Image

from ess import format as fr
from ess.document import polices_pdf
from ess.document.modele import LEGENDE, Chiffre, Document, Graphique, Paragraphe, Tableau
from ess.document.texte import cellule, chiffre, lignes_tronquees

BLEU = (31, 78, 121)
ORANGE = (160, 75, 0)
GRIS = (85, 85, 85)
CORPS = 8.5  # body text, pt
TABLE = 8  # table cells, pt
PETIT = 7.5  # sources and footers: the smallest type of the document
MARGE = 15  # mm
PADDING = 1.2  # mm, inside table cells


class _Pdf(FPDF):
    def __init__(self, doc: Document):
        super().__init__(format="A4")
        self.doc = doc
        polices_pdf.ajouter(self, "DejaVu", {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"})
        self.set_margins(MARGE, MARGE, MARGE)
        self.set_auto_page_break(True, margin=16)
        self.set_lang("fr-FR")
        self.set_title(doc.titre)
        self.set_author(doc.auteur)
        self.set_subject(doc.sous_titre)
        self.set_creator(f"Tableau de bord ESS — {doc.emetteur}")
        self.set_creation_date(doc.genere_le)
        self.set_display_mode("fullwidth")
        self.viewer_preferences = _preferences()
        # numbered sections: outline entries and heading tags, drawn left-aligned
        self.set_section_title_styles(
            TextStyle("DejaVu", "B", 12, BLEU, t_margin=3, b_margin=1, l_margin=Align.L),
            TextStyle("DejaVu", "B", 9.5, BLEU, t_margin=3, b_margin=1, l_margin=Align.L))

    def output(self, *args, **kwargs):
        polices_pdf.avant_sortie(self)
        return super().output(*args, **kwargs)

    def footer(self):
        self.set_y(-12)
        self.set_font("DejaVu", "", PETIT)
        self.set_text_color(*GRIS)
        place = self.epw - 25
        gauche = next((t for t in (f"{self.doc.auteur} · {self.doc.titre}", self.doc.titre)
                       if self.get_string_width(t) <= place), self.doc.auteur)
        self.cell(place, 4, gauche, align="L")
        self.cell(25, 4, f"page {self.page_no()}/{{nb}}", align="R")
        self.set_text_color(0, 0, 0)


def _preferences():
    from fpdf.prefs import ViewerPreferences

    return ViewerPreferences(display_doc_title=True)  # the title, not the file name


def _texte(pdf: _Pdf, texte: str, taille=CORPS, style="", couleur=(0, 0, 0), h=None):
    pdf.set_font("DejaVu", style, taille)
    pdf.set_text_color(*couleur)
    pdf.multi_cell(0, h or taille * 0.5, texte, new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.set_text_color(0, 0, 0)


def _entete(pdf: _Pdf, doc: Document):
    _texte(pdf, f"{doc.emetteur} · {doc.service}", CORPS, "B", GRIS)
    pdf.ln(1)
    pdf.set_font("DejaVu", "B", 17)
    pdf.set_text_color(*BLEU)
    pdf.multi_cell(0, 8, doc.titre, new_x="LMARGIN", new_y="NEXT", align="L")
    _texte(pdf, f"{doc.sous_titre} · document établi le {fr.date_heure(doc.genere_le)}", 9, "", GRIS)
    if doc.avertissement:
        pdf.ln(1)
        _texte(pdf, doc.avertissement, CORPS, "B", ORANGE)
    pdf.ln(2)


def _hauteur_png(png: bytes, largeur_mm: float) -> float:
    with Image.open(io.BytesIO(png)) as im:
        return largeur_mm * im.height / im.width


def _chiffres(pdf: _Pdf, chiffres: list[Chiffre], x: float, largeur: float, colonnes: int = 1):
    """The key figures: label, value with its comparison, computed sentence. Returns the bottom."""
    haut = pdf.get_y()
    larg = (largeur - 4 * (colonnes - 1)) / colonnes
    bas = [haut] * colonnes
    for c in chiffres:
        k = bas.index(min(bas)) if colonnes > 1 else 0
        xx = x + k * (larg + 4)
        pdf.set_xy(xx, bas[k])
        pdf.set_font("DejaVu", "B", CORPS)
        pdf.set_text_color(*GRIS)
        pdf.multi_cell(larg, 4, c.libelle, new_x="LEFT", new_y="NEXT", align="L")
        pdf.set_x(xx)
        pdf.set_font("DejaVu", "B", 15)
        pdf.set_text_color(*BLEU)
        valeur = chiffre(c)
        y_valeur = pdf.get_y()
        largeur_valeur = pdf.get_string_width(valeur) + 3
        pdf.cell(largeur_valeur, 7, valeur)
        if c.comparaison or c.tendance:
            pdf.set_font("DejaVu", "", CORPS)
            pdf.set_text_color(*GRIS)
            reste = larg - largeur_valeur
            pdf.set_y(y_valeur + 0.3)
            pdf.set_x(xx + larg - reste)
            pdf.multi_cell(reste, 3.4, " · ".join(t for t in (c.comparaison, c.tendance) if t),
                           new_x="LEFT", new_y="NEXT", align="L")
        pdf.set_y(max(pdf.get_y(), y_valeur + 7.5))
        pdf.set_x(xx)
        pdf.set_font("DejaVu", "", CORPS)
        pdf.set_text_color(0, 0, 0)
        pdf.multi_cell(larg, 3.9, c.phrase, new_x="LEFT", new_y="NEXT", align="L")
        bas[k] = pdf.get_y() + 3
    pdf.set_text_color(0, 0, 0)
    return max(bas)


def _premiere_page(pdf: _Pdf, doc: Document):
    haut = pdf.get_y()
    carte = doc.carte
    if carte is not None and carte.png:
        largeur_carte = 62
        x_carte = pdf.w - MARGE - largeur_carte
        bas_chiffres = _chiffres(pdf, doc.chiffres, MARGE, x_carte - MARGE - 6)
        h = _hauteur_png(carte.png, largeur_carte)
        pdf.image(io.BytesIO(carte.png), x=x_carte, y=haut, w=largeur_carte, alt_text=carte.texte,
                  title=carte.titre)
        pdf.set_xy(x_carte, haut + h + 1)
        pdf.set_font("DejaVu", "", PETIT)
        pdf.set_text_color(*GRIS)
        pdf.multi_cell(largeur_carte, 3.4, f"{carte.titre}. Source : {carte.source}",
                       new_x="LEFT", new_y="NEXT", align="L")
        bas = max(bas_chiffres, pdf.get_y() + 2)
    else:
        bas = _chiffres(pdf, doc.chiffres, MARGE, pdf.epw, colonnes=2 if len(doc.chiffres) > 3 else 1)
    pdf.set_xy(MARGE, bas)
    for m in doc.messages:
        _texte(pdf, f"▸ {m}", CORPS, "", (0, 0, 0), 4)
        pdf.ln(0.5)


def _largeurs(pdf: _Pdf, t: Tableau, entete: list[str], lignes: list[list[str]]) -> list[float]:
    """Each column at least as wide as its longest word (never split mid-word), the rest of
    the page width shared by need."""
    minis, naturels = [], []
    for j, col in enumerate(t.colonnes):
        pdf.set_font("DejaVu", "B", TABLE)
        mots = [pdf.get_string_width(m) for m in entete[j].split()] or [0]
        mini, naturel = max(mots), pdf.get_string_width(entete[j]) / 2
        pdf.set_font("DejaVu", "", TABLE)
        for ligne in lignes:
            v = ligne[j]
            if col.nombre or col.genre in ("annee", "siret", "date"):
                w = pdf.get_string_width(v)
                mini = max(mini, w)
                naturel = max(naturel, w)
            else:
                mini = max([mini] + [pdf.get_string_width(m) for m in v.split()])
                naturel = max(naturel, min(pdf.get_string_width(v), 75))
        minis.append(mini + 2 * PADDING + 0.6)
        naturels.append(max(mini, naturel) + 2 * PADDING + 0.6)
    dispo = pdf.epw - 0.05  # fpdf2 refuses a table a hair wider than the page
    if sum(naturels) <= dispo:  # spare room goes to text columns
        texte = ([j for j, c in enumerate(t.colonnes) if not c.nombre and c.genre != "annee"]
                 or list(range(len(naturels))))
        bonus = (dispo - sum(naturels)) / len(texte)
        return [w + (bonus if j in texte else 0) for j, w in enumerate(naturels)]
    if sum(minis) >= dispo:
        return [w * dispo / sum(minis) for w in minis]
    f = (dispo - sum(minis)) / (sum(naturels) - sum(minis))
    return [m + (n - m) * f for m, n in zip(minis, naturels, strict=True)]


def _source(pdf: _Pdf, texte: str):
    _texte(pdf, texte, PETIT, "", GRIS, 3.4)


def _tableau(pdf: _Pdf, t: Tableau):
    if pdf.will_page_break(34):  # a title never alone at the foot of a page
        pdf.add_page()
    pdf.start_section(t.libelle, level=1)
    _texte(pdf, f"Champ : {t.champ}", PETIT + 0.5, "", GRIS, 3.6)
    pdf.ln(1)
    if not t.lignes:
        _texte(pdf, t.vide, CORPS)
        _source(pdf, f"Source : {t.source}")
        return
    total = len(t.lignes)
    t = t.imprimee()
    lignes = t.lignes
    entete = [c.nom for c in t.colonnes]
    textes = [[cellule(v, c.genre) or "—" for v, c in zip(ligne, t.colonnes, strict=True)]
              for ligne in lignes]
    largeurs = _largeurs(pdf, t, entete, textes)
    alignements = tuple("RIGHT" if c.nombre or c.genre == "annee" else "LEFT" for c in t.colonnes)
    pdf.set_font("DejaVu", "", TABLE)
    with pdf.table(col_widths=tuple(largeurs), width=sum(largeurs), align="LEFT",
                   text_align=alignements, line_height=TABLE * 0.42, padding=(0.45, PADDING),
                   headings_style=FontFace(emphasis="BOLD", fill_color=(221, 231, 240)),
                   cell_fill_color=(246, 248, 250), cell_fill_mode="ROWS",
                   first_row_as_headings=True, repeat_headings=1) as table:
        table.row(entete)
        for ligne in textes:
            table.row(ligne)
    pdf.ln(0.8)
    if len(lignes) < total:
        _source(pdf, lignes_tronquees(len(lignes), total))
    if t.note:
        _source(pdf, t.note)
    _source(pdf, f"Source : {t.source}")
    pdf.ln(1.5)


def _graphiques(pdf: _Pdf, rangee: list[Graphique]):
    """Charts side by side in their own boxes; a chart with nothing to show is a sentence."""
    dessinables = [g for g in rangee if g.png]
    for g in rangee:
        if not g.png:
            _texte(pdf, f"{g.titre} : {g.texte}", CORPS, "", GRIS, 4)
    if not dessinables:
        return
    ecart = 6
    largeurs = [g.largeur_mm for g in dessinables]
    echelle = min(1, (pdf.epw - ecart * (len(largeurs) - 1)) / sum(largeurs))
    largeurs = [w * echelle for w in largeurs]
    hauteurs = [_hauteur_png(g.png, w) for g, w in zip(dessinables, largeurs, strict=True)]
    pdf.set_font("DejaVu", "", PETIT)
    legendes = max(len(pdf.multi_cell(w, 3.4, f"Source : {g.source}", dry_run=True, output="LINES"))
                   for g, w in zip(dessinables, largeurs, strict=True))
    if pdf.will_page_break(max(hauteurs) + legendes * 3.4 + 8):
        pdf.add_page()
    haut, x = pdf.get_y() + 1, MARGE
    bas = haut
    for g, w, h in zip(dessinables, largeurs, hauteurs, strict=True):
        pdf.set_xy(x, haut)
        pdf.set_font("DejaVu", "B", CORPS)
        pdf.multi_cell(w, 4, g.titre, new_x="LEFT", new_y="NEXT", align="L")
        y_img = pdf.get_y() + 0.5
        pdf.image(io.BytesIO(g.png), x=x, y=y_img, w=w, alt_text=g.texte, title=g.titre)
        pdf.set_xy(x, y_img + h + 0.8)
        pdf.set_font("DejaVu", "", PETIT)
        pdf.set_text_color(*GRIS)
        pdf.multi_cell(w, 3.4, f"Source : {g.source}", new_x="LEFT", new_y="NEXT", align="L")
        pdf.set_text_color(0, 0, 0)
        bas = max(bas, pdf.get_y())
        x += w + ecart
    pdf.set_xy(MARGE, bas + 2)


def hauteur_tete(pdf: _Pdf, blocs: list) -> float:
    """Room the start of a section needs so its heading never stands alone at a page foot."""
    premier = blocs[0] if blocs else None
    if isinstance(premier, Graphique) and premier.png:
        largeur = min(premier.largeur_mm, pdf.epw)
        return 20 + _hauteur_png(premier.png, largeur)
    return 45


def _blocs(pdf: _Pdf, blocs: list):
    rangee: list[Graphique] = []
    for b in [*blocs, None]:
        if isinstance(b, Graphique):
            rangee.append(b)
            continue
        if rangee:
            _graphiques(pdf, rangee)
            rangee = []
        if isinstance(b, Tableau):
            _tableau(pdf, b)
        elif isinstance(b, Paragraphe):
            style, couleur = {"alerte": ("B", ORANGE), "note": ("", GRIS)}.get(b.genre, ("", (0, 0, 0)))
            _texte(pdf, b.texte, CORPS if b.genre != "note" else PETIT + 0.5, style, couleur, 4)
            pdf.ln(1)


def _methodes(pdf: _Pdf, doc: Document):
    if pdf.will_page_break(60):
        pdf.add_page()
    pdf.start_section("Méthodes, définitions et sources", level=0)
    pdf.start_section("Lire les tableaux", level=1)
    for ligne in LEGENDE:
        _texte(pdf, f"• {ligne}", 8, "", (0, 0, 0), 3.6)
    for n in doc.notes:
        _texte(pdf, f"• {n}", 8, "", (0, 0, 0), 3.6)
    for titre, termes, interligne in (("Définitions", doc.methodes, 0.5), ("Sources", doc.sources, 0)):
        if termes:
            pdf.start_section(titre, level=1)
        for terme, texte in termes:
            pdf.set_font("DejaVu", "", 8)
            pdf.multi_cell(0, 3.6, f"**{terme}** : {texte}", markdown=True, new_x="LMARGIN",
                           new_y="NEXT", align="L")
            pdf.ln(interligne)
    pdf.ln(1)
    _texte(pdf, f"Contact : {doc.emetteur}, {doc.contact}. Document établi le "
           f"{fr.date_heure(doc.genere_le)} (heure de Paris).", 8, "", (0, 0, 0), 3.6)


def generer(doc: Document) -> bytes:
    """The PDF; when its last page would hold only the tail of the methods, the longest
    shortened listing prints fewer rows (the spreadsheets keep them all) so that page goes."""
    doc = doc.imprimable()
    pdf = _rendre(doc)
    for court in _plus_courts(doc):
        if pdf.page_no() == 1 or pdf.get_y() - MARGE >= BOUT_DE_PAGE:
            break
        essai = _rendre(court)
        if essai.page_no() < pdf.page_no():
            pdf = essai
            break
    return bytes(pdf.output())


BOUT_DE_PAGE = 90  # mm: a last page holding less (the sources alone fill 60) is a stub worth saving
MIN_LIGNES = 6  # a shortened listing never prints fewer rows than this


def _plus_courts(doc: Document):
    """The document with its longest shortened listing cut by 3, 6, 9… rows."""
    from dataclasses import replace

    longs = [t for t in doc.tableaux() if t.max_lignes_pdf and len(t.lignes) > t.max_lignes_pdf]
    if not longs:
        return
    cible = max(longs, key=lambda t: t.max_lignes_pdf)
    for n in range(cible.max_lignes_pdf - 3, MIN_LIGNES - 1, -3):
        court = replace(cible, max_lignes_pdf=n)
        yield replace(doc, sections=[replace(s, blocs=[court if b is cible else b for b in s.blocs])
                                     for s in doc.sections])


def _rendre(doc: Document) -> _Pdf:
    pdf = _Pdf(doc)
    pdf.add_page()
    _entete(pdf, doc)
    _premiere_page(pdf, doc)
    for s in doc.sections:
        if s.nouvelle_page or pdf.will_page_break(hauteur_tete(pdf, s.blocs)):
            pdf.add_page()
        pdf.start_section(s.libelle, level=0)
        _blocs(pdf, s.blocs)
    _methodes(pdf, doc)
    return pdf
