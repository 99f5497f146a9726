"""A document as Word (python-docx), editable before it is sent: A4 with French margins,
language fr-FR (spell-check in French), page numbers, tables with widths by content, header
row repeated on each page and rows that never break across pages, core properties naming
the Département and the real creation date."""

from __future__ import annotations

import functools
import io
from datetime import UTC

from docx import Document as Docx
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from ess import format as fr
from ess.document.modele import LEGENDE, Document, Graphique, Paragraphe, Tableau
from ess.document.texte import cellule, chiffre, lignes_tronquees

BLEU = RGBColor(0x1F, 0x4E, 0x79)
GRIS = RGBColor(0x55, 0x55, 0x55)
LARGEUR_CM = 16.0  # A4 21 cm minus 2,5 cm margins each side


def _langue(doc) -> None:
    """fr-FR on the document defaults, so every run is spell-checked in French."""
    rpr = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    for attr in ("w:val", "w:eastAsia", "w:bidi"):
        lang.set(qn(attr), "fr-FR")
    for style in doc.styles:
        if style.element.rPr is not None:
            for el in style.element.rPr.findall(qn("w:lang")):
                el.set(qn("w:val"), "fr-FR")


def _champ(paragraphe, code: str) -> None:
    run = paragraphe.add_run()
    for typ, texte in (("begin", None), (None, code), ("separate", None), (None, "1"), ("end", None)):
        if typ:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), typ)
        elif texte == code:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = f" {code} "
        else:
            el = OxmlElement("w:t")
            el.text = texte
        run._r.append(el)


def _page(doc, d: Document) -> None:
    s = doc.sections[0]
    s.orientation = WD_ORIENT.PORTRAIT
    s.page_width, s.page_height = Cm(21), Cm(29.7)
    s.left_margin = s.right_margin = Cm(2.5)
    s.top_margin, s.bottom_margin = Cm(2), Cm(2)
    p = s.footer.paragraphs[0]
    p.text = f"{d.auteur} · {d.titre} · page "
    _champ(p, "PAGE")
    p.add_run(" / ")
    _champ(p, "NUMPAGES")
    for r in p.runs:
        r.font.size = Pt(8)


def _propriete_ligne(row, nom: str) -> None:
    trpr = row._tr.get_or_add_trPr()
    el = OxmlElement(nom)
    el.set(qn("w:val"), "true")
    trpr.append(el)


def _petit(doc, texte: str, italique=True, suivant: bool = False) -> None:
    p = doc.add_paragraph()
    r = p.add_run(texte)
    r.italic, r.font.size, r.font.color.rgb = italique, Pt(8), GRIS
    p.paragraph_format.space_after = Pt(2)
    p.paragraph_format.keep_with_next = suivant


TAILLE_TABLEAU = 8.5  # pt
MARGE_CELLULE_CM = 0.1  # each side (Word's default 0,19 cm took 3 cm of an 8-column table)


@functools.cache
def _police(gras: bool):
    """DejaVu Sans (matplotlib's copy, always there) to measure words: LibreOffice draws Calibri
    with it when Calibri is absent, and it is wider than Calibri, so a width that holds a word
    in DejaVu holds it in Word too."""
    from matplotlib import font_manager
    from PIL import ImageFont

    nom = "DejaVu Sans:bold" if gras else "DejaVu Sans"
    # the basic layout: raqm's failed on some runs, and these words need no shaping
    return ImageFont.truetype(font_manager.findfont(nom, fallback_to_default=True), 100,
                              layout_engine=ImageFont.Layout.BASIC)


def _cm(texte: str, gras: bool) -> float:
    """Printed width of `texte` at TAILLE_TABLEAU, in cm."""
    return _police(gras).getlength(texte) / 100 * TAILLE_TABLEAU / 72 * 2.54


def _largeurs(t: Tableau, textes: list[list[str]]) -> list[float]:
    """Column widths (cm) holding the longest word of each column whole (« financés » was cut
    « financé/s »), measured with the font's metrics; the width left shared by need."""
    marges = 2 * MARGE_CELLULE_CM + 0.05
    minis, pleins = [], []
    for j, c in enumerate(t.colonnes):
        # numbers never wrap: "1 084 500 €" is one word here
        mots = ([ligne[j] for ligne in textes] if c.nombre
                else [m for ligne in textes for m in ligne[j].split()])
        mot = max([_cm(m, True) for m in c.nom.split()] + [_cm(m, False) for m in mots])
        plein = max([_cm(c.nom, True) if len(c.nom) <= 20 else mot]
                    + [min(_cm(ligne[j], False), 9.0) for ligne in textes[:200]])
        minis.append(mot + marges)
        pleins.append(max(mot, plein) + marges)
    if sum(pleins) <= LARGEUR_CM:
        return [w * LARGEUR_CM / sum(pleins) for w in pleins]
    if sum(minis) >= LARGEUR_CM:
        return [w * LARGEUR_CM / sum(minis) for w in minis]
    f = (LARGEUR_CM - sum(minis)) / (sum(pleins) - sum(minis))
    return [m + (p - m) * f for m, p in zip(minis, pleins, strict=True)]


def _marges_cellules(tab) -> None:
    tblpr = tab._tbl.tblPr
    marges = OxmlElement("w:tblCellMar")
    for cote in ("left", "right"):
        el = OxmlElement(f"w:{cote}")
        el.set(qn("w:w"), str(round(MARGE_CELLULE_CM / 2.54 * 1440)))
        el.set(qn("w:type"), "dxa")
        marges.append(el)
    tblpr.append(marges)


# A table this short is kept on one page with its title, scope and source (« keep with next »
# on every line); a longer one keeps its title with its first rows.
LIGNES_ENSEMBLE = 25


def _tableau(doc, t: Tableau) -> None:
    _titre(doc.add_heading(t.libelle, level=2))
    _petit(doc, f"Champ : {t.champ}", suivant=True)
    if not t.lignes:
        doc.add_paragraph(t.vide)
    else:
        total = len(t.lignes)
        t = t.imprimee()
        lignes = t.lignes
        textes = [[cellule(v, c.genre) or "—" for v, c in zip(ligne, t.colonnes, strict=True)]
                  for ligne in lignes]
        largeurs = _largeurs(t, textes)
        tab = doc.add_table(rows=1, cols=len(t.colonnes))
        tab.style = "Table Grid"
        tab.alignment = WD_TABLE_ALIGNMENT.LEFT
        tab.autofit = False
        _marges_cellules(tab)
        for colonne, largeur in zip(tab.columns, largeurs, strict=True):
            colonne.width = Cm(largeur)  # the grid: LibreOffice lays columns out from it
        droite = [c.nombre or c.genre == "annee" for c in t.colonnes]
        ensemble = len(lignes) <= LIGNES_ENSEMBLE
        for i, (ligne_textes, entete) in enumerate(
                [([c.nom for c in t.colonnes], True), *((x, False) for x in textes)]):
            row = tab.rows[0] if entete else tab.add_row()
            _propriete_ligne(row, "w:cantSplit")
            if entete:
                _propriete_ligne(row, "w:tblHeader")
            for k, (cell, texte) in enumerate(zip(row.cells, ligne_textes, strict=True)):
                cell.width = Cm(largeurs[k])
                p = cell.paragraphs[0]
                p.paragraph_format.keep_with_next = ensemble or i < 3
                run = p.add_run(texte)
                run.font.size = Pt(TAILLE_TABLEAU)
                run.bold = entete
                if droite[k] and not entete:
                    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        if len(lignes) < total:
            _petit(doc, lignes_tronquees(len(lignes), total))
    if t.note:
        _petit(doc, t.note)
    _petit(doc, f"Source : {t.source}")


def _titre(paragraphe):
    """A title never ends a page: it stays with what follows (Word and LibreOffice)."""
    paragraphe.paragraph_format.keep_with_next = True
    return paragraphe


def _graphique(doc, g: Graphique) -> None:
    if not g.png:
        _petit(doc, f"{g.titre} : {g.texte}", italique=False)
        return
    # title and picture in one paragraph kept whole: LibreOffice let a title end a page and its
    # chart start the next one, keep-with-next notwithstanding
    p = _titre(doc.add_paragraph())  # and with its source line
    p.paragraph_format.keep_together = True
    r = p.add_run(g.titre)
    r.bold = True
    r.add_break()
    p.add_run().add_picture(io.BytesIO(g.png), width=Cm(min(LARGEUR_CM, g.largeur_mm / 10)))
    _petit(doc, f"Source : {g.source}")


def generer(d: Document) -> bytes:
    d = d.imprimable()
    doc = Docx()
    _langue(doc)
    _page(doc, d)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = "Calibri", Pt(10)
    props = doc.core_properties
    props.title, props.subject = d.titre, d.sous_titre
    props.author = props.last_modified_by = d.auteur
    props.language = "fr-FR"
    props.keywords = "; ".join(m for m in ("économie sociale et solidaire", d.departement) if m)
    moment = d.genere_le.astimezone(UTC).replace(tzinfo=None)  # core properties are UTC
    props.created = props.modified = moment
    props.revision = 1

    p = doc.add_paragraph()
    r = p.add_run(f"{d.emetteur} · {d.service}")
    r.bold, r.font.color.rgb = True, GRIS
    doc.add_heading(d.titre, level=0)
    doc.add_paragraph(f"{d.sous_titre} · document établi le {fr.date_heure(d.genere_le)}")
    if d.avertissement:
        r = doc.add_paragraph().add_run(d.avertissement)
        r.bold, r.font.color.rgb = True, RGBColor(0xA0, 0x4B, 0x00)
    if d.carte is not None:
        _graphique(doc, d.carte)
    for c in d.chiffres:
        p = doc.add_paragraph()
        r = p.add_run(f"{c.libelle} : ")
        r.bold = True
        r = p.add_run(chiffre(c))
        r.bold, r.font.size, r.font.color.rgb = True, Pt(13), BLEU
        comp = " · ".join(x for x in (c.comparaison, c.tendance) if x)
        if comp:
            p.add_run(f" ({comp})")
        doc.add_paragraph(c.phrase)
    for m in d.messages:
        doc.add_paragraph(m, style="List Bullet")
    for s in d.sections:
        _titre(doc.add_heading(s.libelle, level=1))
        for b in s.blocs:
            if isinstance(b, Tableau):
                _tableau(doc, b)
            elif isinstance(b, Graphique):
                _graphique(doc, b)
            elif isinstance(b, Paragraphe):  # an introduction stays with what it introduces
                doc.add_paragraph(b.texte).paragraph_format.keep_with_next = b is not s.blocs[-1]
    doc.add_heading("Méthodes, définitions et sources", level=1)
    for ligne in (*LEGENDE, *d.notes):
        doc.add_paragraph(ligne, style="List Bullet")
    for terme, texte in [*d.methodes, *d.sources]:
        p = doc.add_paragraph()
        p.add_run(f"{terme} : ").bold = True
        p.add_run(texte)
    doc.add_paragraph(f"Contact : {d.emetteur} — {d.contact}.")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
