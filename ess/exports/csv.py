"""A plain data frame as CSV for French Excel (UTF-8 with BOM, `;`, decimal comma, formula-like
text neutralised): for ad-hoc downloads such as rejected rows. Documents (fiches, bilans) have
their own writer, `ess.document.rendu_csv`."""

from __future__ import annotations

import csv
import io
import math

from ess.exports.securite import neutraliser


def _texte(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, float):
        return repr(v).replace(".", ",")  # no thousands separator: Excel reads it as a number
    return str(neutraliser(v if isinstance(v, str) else str(v)))


def table_csv(df) -> bytes:
    tampon = io.StringIO()
    w = csv.writer(tampon, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow([_texte(c) for c in df.columns])
    for ligne in df.itertuples(index=False, name=None):
        w.writerow([_texte(v.item() if hasattr(v, "item") else v) for v in ligne])
    return ("\ufeff" + tampon.getvalue()).encode("utf-8")
