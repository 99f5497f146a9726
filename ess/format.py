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


def date_heure(moment) -> str:
    """« 29/11/2026 à 02 h 21 », in Paris time whatever the server's zone (naive = UTC)."""
    from datetime import UTC
    from zoneinfo import ZoneInfo

    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        moment = moment.astimezone(ZoneInfo("Europe/Paris"))
    except Exception:  # no time-zone database: the server's local time is still a date
        moment = moment.astimezone()
    return f"{moment:%d/%m/%Y}\u00a0à\u00a0{moment:%H}\u00a0h\u00a0{moment:%M}"  # never split
