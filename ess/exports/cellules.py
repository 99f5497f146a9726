"""Cell values shared by the writers: which columns are numbers, and "s" for hidden ones."""

from __future__ import annotations

import math
import numbers

import pandas as pd

from ess.format import SECRET


def _nombre(v) -> bool:
    return isinstance(v, numbers.Number) and not isinstance(v, bool)


def colonnes_numeriques(df: pd.DataFrame) -> set[str]:
    """Columns whose non-empty values are all numbers: an empty cell there is a secret."""
    out = set()
    for c in df.columns:
        valeurs = [v for v in df[c] if v is not None and not (isinstance(v, float) and math.isnan(v))]
        if valeurs and all(_nombre(v) for v in valeurs):
            out.add(c)
    return out


def valeur(v, numerique: bool):
    """A Python value for a cell: int, float, str; "s" for a hidden number; "" for no text."""
    vide = v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA or v is pd.NaT
    if vide:
        return SECRET if numerique else ""
    if _nombre(v):
        f = float(v)
        return int(f) if f.is_integer() else f
    if isinstance(v, pd.Timestamp):
        return v.date()
    return v if isinstance(v, str) else str(v)


def lignes(df: pd.DataFrame):
    """Rows of cell values (iterables), column by column typed as above."""
    num = colonnes_numeriques(df)
    flags = [c in num for c in df.columns]
    for row in df.itertuples(index=False, name=None):
        yield [valeur(v, f) for v, f in zip(row, flags, strict=True)]


COLONNES_CODES = ("Année",)  # numbers that are labels: no thousands separator


def en_texte(df: pd.DataFrame, pourcents=()) -> pd.DataFrame:
    """The table as French text (`55 100`, `11,3 %`, `s`), for the page and the PDF."""
    from ess import format as fr

    num = colonnes_numeriques(df)
    out = {}
    for c in df.columns:
        vals = [valeur(v, c in num) for v in df[c]]
        if c in num and c not in COLONNES_CODES:
            vals = [v if isinstance(v, str) else (fr.pourcent(v) if c in pourcents else
                                                  fr.nombre(v, 0 if float(v).is_integer() else 1))
                    for v in vals]
        out[c] = [str(v) for v in vals]
    return pd.DataFrame(out, index=df.index)
