"""Fonts of the PDF documents (fpdf2), prepared once per process: a batch writes hundreds of
PDFs, and `FPDF.add_font` parses the TrueType file each time (a tenth of a fiche's time).

- The parsed font (metrics, character map) is kept; each document gets a copy with its own
  subset map and its own fontTools font, since writing the PDF subsets that one in place.
- Writing the PDF subsets the fontTools font (decoding its 6 000 glyphs, cmap and names was a
  third of a fiche's time): it starts from a copy of the font reduced once to the Latin and
  punctuation glyphs, when the document uses no other (else from the whole font), both
  without the tables (GSUB, GPOS, kern…) that fpdf2's subsetter drops anyway. The subset
  embedded is the same either way.
- Widths are summed in C and remembered: fpdf2 2.8 measures the current line again at every
  character it adds (quadratic), so this sum is the hottest loop of a table, and the same
  texts (methods, sources, headers) come back in every fiche. Same integers, same sum.

The PDF bytes are those `add_font` gives (tests/test_exports.py compares them)."""

from __future__ import annotations

import copy
import io
from pathlib import Path

import matplotlib
from fontTools import subset, ttLib
from fpdf import FPDF
from fpdf.fonts import SubsetMap, TTFFont

DOSSIER = Path(matplotlib.get_data_path()) / "fonts" / "ttf"  # DejaVu: accents, « », €, narrow spaces
# tables fpdf2 2.8's subsetter drops from every embedded font (fpdf/output.py)
TABLES_ECARTEES = ("FFTM", "GDEF", "GPOS", "GSUB", "MATH", "hdmx", "meta", "sbix", "CBDT", "CBLC",
                   "EBDT", "EBLC", "EBSC", "SVG ", "CPAL", "COLR")
# what French documents use: Latin-1 and Latin Extended-A (Œ), punctuation (‑ – — ’ « » …
# narrow no-break space), currency (€), arrows, − ≠ ≤ ≥, blocks and geometric shapes (▇ ▸)
COURANTS = (range(0x20, 0x180), range(0x2000, 0x2070), range(0x20A0, 0x20C0), range(0x2190, 0x219A),
            (0x2212, 0x2260, 0x2264, 0x2265), range(0x2580, 0x25A0), range(0x25A0, 0x2600))


class _Police(TTFFont):
    __slots__ = ()

    def get_text_width(self, text, font_size_pt, text_shaping_params):
        if text_shaping_params or self.is_symbol:
            return super().get_text_width(text, font_size_pt, text_shaping_params)
        if font_size_pt > self.biggest_size_pt:
            self.biggest_size_pt = font_size_pt
        memoire = _MODELES[self.fontkey].largeurs
        unites = memoire.get(text)
        if unites is None:
            unites = sum(map(self.cw.__getitem__, map(ord, text)))
            if len(memoire) >= LARGEURS_RETENUES:
                memoire.clear()
            memoire[text] = unites
        return len(text), unites * font_size_pt * 0.001


LARGEURS_RETENUES = 200_000  # widths of strings already measured (a few tens of MB at most)


class _Modele:
    """A font parsed once: fpdf2's metrics, widths already measured, and the two starting
    points of the subsetting."""

    def __init__(self, pdf: FPDF, chemin: Path, cle: str, style: str):
        self.police = TTFFont(pdf, chemin, cle, style)
        self.largeurs: dict[str, int] = {}
        tt = ttLib.TTFont(chemin, recalcTimestamp=False)
        # the subsetter also drops the legacy 'kern' table of a font that has GPOS
        for table in TABLES_ECARTEES + (("kern",) if "GPOS" in tt else ()):
            if table in tt:
                del tt[table]
        self.entiere = _octets(tt)
        # requested by glyph (not by character), as fpdf2 does: every character of a glyph stays
        cmap = self.police.cmap
        self.glyphes = {".notdef"} | {cmap[c] for plage in COURANTS for c in plage if c in cmap}
        options = subset.Options(notdef_outline=True, recommended_glyphs=True, glyph_names=True,
                                 name_IDs=["*"], name_languages=["*"], name_legacy=True,
                                 recalc_timestamp=False)
        decoupe = subset.Subsetter(options)
        decoupe.populate(glyphs=sorted(self.glyphes))
        decoupe.subset(tt)
        self.courante = _octets(tt)

    def ttfont(self, glyphes) -> ttLib.TTFont:
        octets = self.courante if set(glyphes) <= self.glyphes else self.entiere
        return ttLib.TTFont(io.BytesIO(octets), recalcTimestamp=False, lazy=True)


def _octets(tt: ttLib.TTFont) -> bytes:
    out = io.BytesIO()
    tt.save(out)
    return out.getvalue()


_MODELES: dict[str, _Modele] = {}


def ajouter(pdf: FPDF, famille: str, fichiers: dict[str, str]) -> None:
    """`pdf.add_font(famille, style, DOSSIER / fichier)` for each style, from the fonts parsed
    once per process."""
    for style, fichier in fichiers.items():
        cle = f"{famille.lower()}{style}"
        if cle not in _MODELES:
            _MODELES[cle] = _Modele(pdf, DOSSIER / fichier, cle, style)
        police = copy.copy(_MODELES[cle].police)
        police.__class__ = _Police
        police.i = len(pdf.fonts) + 1
        police.ttfont = None  # chosen by `avant_sortie`, once the glyphs used are known
        police.missing_glyphs = []
        police.biggest_size_pt = 0
        police.subset = SubsetMap(police)
        pdf.fonts[cle] = police


def avant_sortie(pdf: FPDF) -> None:
    """Give each font its fontTools font, from the glyphs the document uses (just before
    `pdf.output()`: rendering does not read it, the subsetting does)."""
    for cle, police in pdf.fonts.items():
        if isinstance(police, _Police) and police.ttfont is None:
            police.ttfont = _MODELES[cle].ttfont(police.subset.get_all_glyph_names())
