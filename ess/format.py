"""French number formatting: `55 100`, `11,3 %`, `188 ETP` (narrow no-break spaces)."""

from __future__ import annotations

import math

ESPACE = "\u202f"  # espace fine insécable, as the French typographic convention wants
SECRET = "s"  # INSEE's mark for a cell hidden by the secret statistique


def _vide(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def nombre(x, decimales: int = 0) -> str:
    if _vide(x):
        return SECRET
    texte = f"{x:,.{decimales}f}"
    return texte.replace(",", ESPACE).replace(".", ",")


def pourcent(x, decimales: int = 1) -> str:
    """`x` in percent already (11.3 → « 11,3 % »)."""
    if _vide(x):
        return SECRET
    return f"{nombre(x, decimales)}{ESPACE}%"
