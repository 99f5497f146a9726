"""The one CSV writer of every download, pages, documents and the open dataset. Two
conventions:

- French spreadsheets (the default): UTF-8 with BOM, `;`, decimal comma, no thousands
  separator, for French Excel and LibreOffice (tick `;` only);
- open data (`ouvert=True`, the dataset of ess.donnees_ouvertes): UTF-8 without BOM, `,`,
  decimal point, booleans `true`/`false`, dates in ISO 8601, CRLF (RFC 4180), as
  data.gouv.fr and Table Schema readers expect.

Every text cell goes through `neutraliser` here, in both conventions, so that no caller can
forget it (a name starting with = + - @, tab or CR would run as a formula when the file is
opened). For open data this was weighed against writing every value exactly: an open CSV is
opened in spreadsheets as often as it is read by programs, and a live formula in a file the
Département publishes is worse than an apostrophe a program can strip (the rule is stated in
the dataset's LISEZ-MOI and schemas; `ess.exports.securite.retablir` undoes it). Official
names and codes never start so: in practice no value of the dataset is touched. Numbers are
written as numbers (`-3` is a number, never neutralised).

Two doors: `table_csv(df)`, a data frame as the pages offer it (numbers written by the writer:
`11,3`); `lignes_csv(entete, lignes)`, rows whose figures a document renderer has already
written in French (`ess.document.rendu_csv`), passed as `Brut`."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re

from ess.exports.securite import neutraliser

FIN_DE_LIGNE = "\r\n"  # RFC 4180, as Excel writes: documents, the register, rejected lines, open data
FIN_DE_LIGNE_TABLEAUX = "\n"  # the tables of the Carte and Territoires pages (as pandas wrote them)


class Brut(str):
    """Text written as is, never neutralised nor quoted: a figure already written in French
    (« 11,3 », « -17 ») or the formula that keeps a SIRET's leading zero (`="01234567800019"`).
    Only the renderers make these, from numbers: never from what a user typed."""


def texte(v, ouvert: bool = False) -> str:
    """A cell as text: nothing for a missing value, numbers with a decimal comma (a point for
    open data), text neutralised."""
    if isinstance(v, Brut):
        return v
    if v is None or type(v).__name__ in ("NAType", "NaTType") or (isinstance(v, float) and math.isnan(v)):
        return ""
    if hasattr(v, "item"):  # numpy scalars
        v = v.item()
    if isinstance(v, float):
        # no thousands separator: Excel reads it as a number; repr: the shortest exact writing
        return repr(v) if ouvert else repr(v).replace(".", ",")
    if isinstance(v, bool):
        return ("true" if v else "false") if ouvert else str(v)
    if isinstance(v, int):
        return str(v)
    if ouvert and isinstance(v, dt.date):
        return v.isoformat()
    return str(neutraliser(str(v)))


_BRUT = re.compile("\x1f(\\d+)\x1f")  # a Brut's place while the csv module quotes the rest


def lignes_csv(entete: list, lignes, fin_de_ligne: str = FIN_DE_LIGNE, ouvert: bool = False) -> bytes:
    bruts: list[str] = []

    def cellule(v) -> str:
        if isinstance(v, Brut):
            bruts.append(v)
            return f"\x1f{len(bruts) - 1}\x1f"
        return texte(v, ouvert)

    tampon = io.StringIO()
    w = csv.writer(tampon, delimiter="," if ouvert else ";", lineterminator=fin_de_ligne,
                   quoting=csv.QUOTE_MINIMAL)
    w.writerow([cellule(c) for c in entete])
    w.writerows([cellule(v) for v in ligne] for ligne in lignes)
    corps = _BRUT.sub(lambda m: bruts[int(m.group(1))], tampon.getvalue())
    return (corps if ouvert else "\ufeff" + corps).encode("utf-8")


def table_csv(df, fin_de_ligne: str = FIN_DE_LIGNE, ouvert: bool = False) -> bytes:
    """A data frame, its columns as header."""
    return lignes_csv(list(df.columns), df.itertuples(index=False, name=None), fin_de_ligne, ouvert)
