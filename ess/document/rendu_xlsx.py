"""A document as an XLSX workbook (openpyxl, write-only: streams the département's thousands
of rows). First sheet "Synthèse" (issuer, territory, year, date, key figures with their
sentence), one sheet per table (title, scope, source, note, then a frozen, filterable header),
a last sheet "Méthodes et sources". Numbers are numbers with French-displayed formats
(`55 100`, `11,3 %`, years without separator), hidden values `s` and "—" as text; every
sheet prints on A4, fitted to the page width, header rows repeated, source and page number
in the footer."""

from __future__ import annotations

import io
import math
import re
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ess import format as fr
from ess.document.modele import LEGENDE, NON_DIFFUSE, SECRET, Document, Tableau
from ess.document.texte import cellule
from ess.exports.securite import cellule_texte
from ess.format import vide

FORMATS = {"entier": "#,##0", "decimal": "#,##0.0", "pourcent": "0.0%", "euros": '#,##0" €"',
           "annee": "0", "date": "dd/mm/yyyy"}
LIGNE_ENTETE = 5
TITRE = Font(bold=True, size=13, color="1F4E79")
GRAS = Font(bold=True)
DISCRET = Font(italic=True, color="555555", size=10)
FOND_ENTETE = PatternFill("solid", fgColor="DDE7F0")
A_DROITE = Alignment(horizontal="right", vertical="top")
HAUT = Alignment(vertical="top")
ENVELOPPE = Alignment(wrap_text=True, vertical="top")
# text right after a right-aligned value (indent needs an explicit horizontal alignment)
RETRAIT = Alignment(horizontal="left", wrap_text=True, vertical="top", indent=1)
ENTETE = Alignment(wrap_text=True, vertical="center")
INTERDITS = re.compile(r"[\[\]:*?/\\]")


def nom_feuille(titre: str, pris: set[str]) -> str:
    """≤ 31 characters (Excel's limit), cut between words, unique in the workbook."""
    nom = " ".join(INTERDITS.sub(" ", titre).split())
    if len(nom) > 31:
        nom = nom[:32].rsplit(" ", 1)[0].rstrip(" -—,;") or nom[:31]
    base, k = nom, 2
    while nom.lower() in {p.lower() for p in pris}:
        suffixe = f" ({k})"
        nom = base[: 31 - len(suffixe)].rstrip() + suffixe
        k += 1
    pris.add(nom)
    return nom


def _c(ws, v, font=None, fill=None, align=None, fmt=None):
    c = WriteOnlyCell(ws, value=v)
    if isinstance(v, str):
        cellule_texte(c)  # never a formula, whatever the text
    if font:
        c.font = font
    if fill:
        c.fill = fill
    if align:
        c.alignment = align
    if fmt:
        c.number_format = fmt
    return c


def _valeur(ws, v, genre: str):
    if genre in FORMATS and not vide(v) and not isinstance(v, str):
        if genre == "annee":
            v = int(v)
        elif isinstance(v, datetime | date) or genre == "date":
            return _c(ws, v, fmt=FORMATS["date"], align=HAUT)
        v = v.item() if hasattr(v, "item") else v
        # a whole number in a decimal column shows as the page writes it (« 161 projets »,
        # never « 161,0 »; ess.document.texte.cellule)
        fmt = FORMATS["entier"] if genre == "decimal" and float(v).is_integer() else FORMATS[genre]
        return _c(ws, v, fmt=fmt, align=HAUT)
    if genre in ("entier", "decimal", "pourcent", "euros"):
        return _c(ws, SECRET if vide(v) else v, align=A_DROITE)
    texte = cellule(v, genre)
    return _c(ws, texte or NON_DIFFUSE, align=ENVELOPPE)


def _mise_en_page(ws, doc: Document, source: str, largeur_totale: float, titres: str | None):
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.orientation = "landscape" if largeur_totale > LARGEUR_PORTRAIT else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages as needed, never shrunk to one
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = False
    ws.page_margins.left = ws.page_margins.right = 0.6
    ws.page_margins.top, ws.page_margins.bottom = 0.7, 0.8
    if titres:
        ws.print_title_rows = titres
    # the footer's left part never runs into the page number on the right (scaled pages too)
    limite = 95 if ws.page_setup.orientation == "landscape" else 62
    court = source if len(source) <= limite else source[: limite - 3].rsplit(" ", 1)[0] + "…"
    ws.oddFooter.left.text = f"Source : {court}".replace("&", "&&")
    ws.oddFooter.left.size = 10
    ws.oddFooter.right.text = "Page &P / &N"
    ws.oddFooter.right.size = 10
    ws.oddHeader.left.text = f"{doc.titre} — {doc.emetteur}".replace("&", "&&")
    ws.oddHeader.left.size = 10


# Column widths in characters (~2,5 mm each when printed): fitted to the A4 width, the 11 pt body
# never prints under 8 pt and the 10 pt notes and footers never under 7,5 pt.
LARGEUR_MAX = 140
LARGEUR_PORTRAIT = 95


def _largeurs(t: Tableau) -> list[float]:
    """Column widths (characters): by content, at least the longest word, and all together
    narrow enough that fitting the page width never shrinks the type under 8 pt (long texts
    wrap instead)."""
    minis, voulues = [], []
    for j, col in enumerate(t.colonnes):
        textes = [col.nom] + [cellule(ligne[j], col.genre) for ligne in t.lignes[:300]]
        mot = max(len(m) for x in textes for m in (x.split() or [""]))
        minis.append(min(max(mot + 2, 7), 28))
        voulues.append(min(max(max(len(x) for x in textes[1:] or [""]) + 2, minis[-1], 8), 45))
    if sum(voulues) <= LARGEUR_MAX:
        return voulues
    f = max(0.0, (LARGEUR_MAX - sum(minis)) / (sum(voulues) - sum(minis)))
    return [m + (v - m) * f for m, v in zip(minis, voulues, strict=True)]


def _nb_lignes(texte: str, largeur: float, taille: float = 11) -> int:
    """Lines a wrapped cell takes (greedy word wrap, ~1 character per width unit)."""
    capacite = max(1.0, (largeur - 1.5) * 1.1 * 11 / taille)  # text is narrower than "0"
    n, courant = 1, 0.0
    for mot in str(texte).split():
        if courant and courant + 1 + len(mot) > capacite:
            n, courant = n + 1, len(mot)
        else:
            courant += (1 if courant else 0) + len(mot)
        while courant > capacite:  # a word longer than the column
            n, courant = n + 1, courant - capacite
    return n


def _hauteur(ws, rang: int, textes: list[str], largeurs: list[float], taille: float = 11) -> None:
    """Spreadsheets do not grow rows for wrapped text on opening: set the height."""
    n = max((_nb_lignes(t, w, taille) for t, w in zip(textes, largeurs, strict=False)), default=1)
    if n > 1:
        ws.row_dimensions[rang].height = round(n * taille * 1.3 + 2, 1)


def _large(ws, rang: int, texte: str, largeurs: list[float], font=None) -> None:
    """A text row spanning the table's columns, wrapped and tall enough: a long title or
    scope line never widens the printed page (LibreOffice prints overflowing text)."""
    if len(largeurs) > 1:
        ws.merged_cells.add(f"A{rang}:{get_column_letter(len(largeurs))}{rang}")
    taille = (font.sz if font is not None and font.sz else 11)
    lignes = max(1, math.ceil(len(texte) * taille / 11 / (0.9 * sum(largeurs))))
    ws.row_dimensions[rang].height = round(lignes * taille * 1.4, 1)
    ws.append([_c(ws, texte, font=font, align=ENVELOPPE)])


def _feuille_tableau(wb, doc: Document, t: Tableau, pris: set[str]):
    ws = wb.create_sheet(nom_feuille(t.titre, pris))
    largeurs = _largeurs(t)
    for j, w in enumerate(largeurs, start=1):
        ws.column_dimensions[get_column_letter(j)].width = w
    n = len(t.lignes)
    ws.freeze_panes = f"A{LIGNE_ENTETE + 1}"
    if n:
        ws.auto_filter.ref = f"A{LIGNE_ENTETE}:{get_column_letter(len(t.colonnes))}{LIGNE_ENTETE + n}"
    _mise_en_page(ws, doc, t.source, sum(largeurs), f"{LIGNE_ENTETE}:{LIGNE_ENTETE}")
    _large(ws, 1, f"{t.libelle} — {doc.territoire}, {doc.annee}", largeurs, TITRE)
    _large(ws, 2, f"Champ : {t.champ}", largeurs, DISCRET)
    _large(ws, 3, f"Source : {t.source}", largeurs, DISCRET)
    if t.note:
        _large(ws, 4, t.note, largeurs, DISCRET)
    else:
        ws.append([])
    _hauteur(ws, LIGNE_ENTETE, [c.nom for c in t.colonnes], largeurs)
    ws.append([_c(ws, c.nom, font=GRAS, fill=FOND_ENTETE, align=ENTETE) for c in t.colonnes])
    genres = [c.genre for c in t.colonnes]
    for rang, ligne in enumerate(t.lignes, start=LIGNE_ENTETE + 1):
        textes = [cellule(v, g) if g == "texte" else "" for v, g in zip(ligne, genres, strict=True)]
        _hauteur(ws, rang, textes, largeurs)
        ws.append([_valeur(ws, v, g) for v, g in zip(ligne, genres, strict=True)])
    if not n:
        ws.append([_c(ws, t.vide)])


def _synthese(wb, doc: Document):
    ws = wb.create_sheet("Synthèse")
    largeurs = [34, 14, 58, 34]
    for col, w in zip("ABCD", largeurs, strict=True):
        ws.column_dimensions[col].width = w
    _mise_en_page(ws, doc, doc.source_pied or doc.emetteur, sum(largeurs), None)
    rang = 1
    for texte, font in ((doc.titre, TITRE), (f"{doc.emetteur} — {doc.service}", None), (doc.sous_titre, None),
                        (f"Document établi le {fr.date_heure(doc.genere_le)} (heure de Paris)", None),
                        (doc.avertissement, Font(bold=True, color="A04B00"))):
        _large(ws, rang, texte, largeurs, font)
        rang += 1
    ws.append([_c(ws, h, font=GRAS, fill=FOND_ENTETE) for h in
               ("Chiffre clé", "Valeur", "En une phrase", "Comparaison et tendance")])
    rang += 1
    for c in doc.chiffres:
        comp = " · ".join(x for x in (c.comparaison, c.tendance) if x)
        _hauteur(ws, rang, [c.libelle, "", c.phrase, comp], largeurs)
        ws.append([_c(ws, c.libelle, align=ENVELOPPE), _valeur(ws, c.valeur, c.genre),
                   _c(ws, c.phrase, align=RETRAIT), _c(ws, comp or NON_DIFFUSE, align=ENVELOPPE)])
        rang += 1
    for m in ("", *doc.messages, "", "Tableaux du document (un onglet chacun)"):
        _large(ws, rang, m, largeurs, GRAS if m.startswith("Tableaux") else None)
        rang += 1
    for s in doc.sections:
        ws.append([_c(ws, s.libelle, font=GRAS)])
        for b in s.blocs:
            if isinstance(b, Tableau):
                ws.append([_c(ws, f"   {b.libelle}")])


def _methodes(wb, doc: Document, pris: set[str]):
    ws = wb.create_sheet(nom_feuille("Méthodes et sources", pris))
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 95
    _mise_en_page(ws, doc, doc.source_pied or doc.emetteur, 125, None)
    _large(ws, 1, "Méthodes, définitions et sources", [30, 95], TITRE)
    lignes = [("Lire les tableaux", t) for t in LEGENDE]
    lignes += [("Note", n) for n in doc.notes]
    lignes += [(f"Définition : {terme}", texte) for terme, texte in doc.methodes]
    lignes += [(f"Source : {nom}", texte) for nom, texte in doc.sources]
    lignes += [("Contact", f"{doc.emetteur} — {doc.contact}")]
    ws.append([_c(ws, h, font=GRAS, fill=FOND_ENTETE) for h in ("Rubrique", "Contenu")])
    for rang, (a, b) in enumerate(lignes, start=3):
        _hauteur(ws, rang, [a, b], [30, 95])
        ws.append([_c(ws, a, align=ENVELOPPE), _c(ws, b, align=ENVELOPPE)])


def generer(doc: Document) -> bytes:
    wb = Workbook(write_only=True)
    _synthese(wb, doc)
    pris = {"Synthèse"}
    for t in doc.tableaux():
        _feuille_tableau(wb, doc, t, pris)
    _methodes(wb, doc, pris)
    tampon = io.BytesIO()
    wb.save(tampon)
    return tampon.getvalue()
