"""The one CSV writer of every download, pages and documents: UTF-8 with BOM, `;`, decimal
comma, no thousands separator, for French Excel and LibreOffice (tick `;` only). Every text
cell goes through `neutraliser` here, so that no caller can forget it (a name starting with
= + - @, tab or CR would run as a formula when the file is opened).

Two doors: `table_csv(df)`, a data frame as the pages offer it (numbers written by the writer:
`11,3`); `lignes_csv(entete, lignes)`, rows whose figures a document renderer has already
written in French (`ess.document.rendu_csv`), passed as `Brut`."""

from __future__ import annotations

import csv
import io
import math
import re

from ess.exports.securite import neutraliser

FIN_DE_LIGNE = "\r\n"  # RFC 4180, as Excel writes: documents, the register, rejected lines
FIN_DE_LIGNE_TABLEAUX = "\n"  # the tables of the Carte and Territoires pages (as pandas wrote them)


class Brut(str):
    """Text written as is, never neutralised nor quoted: a figure already written in French
    (« 11,3 », « -17 ») or the formula that keeps a SIRET's leading zero (`="01234567800019"`).
    Only the renderers make these, from numbers: never from what a user typed."""


def texte(v) -> str:
    """A cell as text: nothing for a missing value, numbers with a decimal comma, text
    neutralised."""
    if isinstance(v, Brut):
        return v
    if v is None or type(v).__name__ in ("NAType", "NaTType") or (isinstance(v, float) and math.isnan(v)):
        return ""
    if hasattr(v, "item"):  # numpy scalars
        v = v.item()
    if isinstance(v, float):
        return repr(v).replace(".", ",")  # no thousands separator: Excel reads it as a number
    if isinstance(v, bool | int):
        return str(v)
    return str(neutraliser(str(v)))


_BRUT = re.compile("\x1f(\\d+)\x1f")  # a Brut's place while the csv module quotes the rest


def lignes_csv(entete: list, lignes, fin_de_ligne: str = FIN_DE_LIGNE) -> bytes:
    bruts: list[str] = []

    def cellule(v) -> str:
        if isinstance(v, Brut):
            bruts.append(v)
            return f"\x1f{len(bruts) - 1}\x1f"
        return texte(v)

    tampon = io.StringIO()
    w = csv.writer(tampon, delimiter=";", lineterminator=fin_de_ligne, quoting=csv.QUOTE_MINIMAL)
    w.writerow([cellule(c) for c in entete])
    w.writerows([cellule(v) for v in ligne] for ligne in lignes)
    return ("\ufeff" + _BRUT.sub(lambda m: bruts[int(m.group(1))], tampon.getvalue())).encode("utf-8")


def table_csv(df, fin_de_ligne: str = FIN_DE_LIGNE) -> bytes:
    """A data frame, its columns as header."""
    return lignes_csv(list(df.columns), df.itertuples(index=False, name=None), fin_de_ligne)
