"""French number formatting: `55 100`, `11,3 %`, `188 ETP` (narrow no-break spaces)."""

from __future__ import annotations

import math
import re

ESPACE = "\u202f"  # espace fine insécable, as the French typographic convention wants
SECRET = "s"  # INSEE's mark for a cell hidden by the secret statistique
NON_DIFFUSE = "—"  # not applicable, or not published at this level (nothing is hidden)


def vide(x) -> bool:
    """None, NaN, and pandas' NA / NaT (checked by name: no pandas import here)."""
    return x is None or (isinstance(x, float) and math.isnan(x)) or type(x).__name__ in ("NAType", "NaTType")


def nombre(x, decimales: int = 0) -> str:
    if vide(x):
        return SECRET
    texte = f"{x:,.{decimales}f}"
    return texte.replace(",", ESPACE).replace(".", ",")


def fourchette(bornes, decimales: int = 0, unite: str = "") -> str:
    """[min, max] of a hidden value, as its readers say it: « entre 801 et 815 »,
    « entre 5,7 % et 5,9 % » (unite="%"), « au moins 801 »."""
    bas, haut = (nombre(b, decimales) + (f"{ESPACE}{unite}" if unite else "") if b is not None else None
                 for b in bornes)
    return f"au moins {bas}" if haut is None else f"entre {bas} et {haut}"


def part_privee(part) -> str:
    """The interval of a hidden ESS share: « entre 5,7 % et 5,9 % de l'emploi privé »."""
    return f"{fourchette(part, 1, '%')} de l'emploi privé"


def note_fourchette(bornes, part=None) -> str | None:
    """Why a hidden ESS total still says something, when it does (bornes None: it does not);
    `part`: the interval of its share of private jobs, when known."""
    if bornes is None:
        return None
    soit = f", soit {part_privee(part)}" if part else ""
    return (f"Effectifs salariés de l'ESS masqués pour protéger un territoire voisin : "
            f"{fourchette(bornes)} d'après les seuls chiffres publiés{soit}.")


def euros_axe(x: float) -> str:
    """An amount on a chart's axis: « 200 000 € », « 1 M€ », « 1,5 M€ » (never plotly's « 0,2M »)."""
    if abs(x) >= 1_000_000:
        m = x / 1_000_000
        return f"{nombre(m, 0 if float(m).is_integer() else 1)}{ESPACE}M€"
    return f"{nombre(x)}{ESPACE}€"


def graduations(maximum: float, n: int = 5) -> list[float]:
    """Round ticks from 0 to past `maximum` (1, 2, 2,5 or 5 × 10^k apart), about `n` of them."""
    if not maximum or maximum <= 0:
        return [0.0]
    brut = maximum / max(n - 1, 1)
    puissance = 10 ** math.floor(math.log10(brut))
    pas = next(k * puissance for k in (1, 2, 2.5, 5, 10) if k * puissance >= brut)
    return [i * pas for i in range(math.ceil(maximum / pas) + 1)]


def liste(mots) -> str:
    """« a », « a et b », « a, b et c »."""
    mots = list(mots)
    return mots[0] if len(mots) == 1 else f"{', '.join(mots[:-1])} et {mots[-1]}" if mots else ""


def pluriel(n: int, singulier: str, pluriel: str | None = None) -> str:
    """« 0 projet », « 1 projet », « 3 projets », « 2 indicateurs créés »: never « projet(s) »."""
    return f"{nombre(n)} {singulier if abs(n) < 2 else (pluriel or singulier + 's')}"


def ou_non_disponible(formater, x) -> str:
    """`formater(x)`, or « non disponible » where there is no value (None, NaN)."""
    return "non disponible" if x is None or x != x else formater(x)


def pourcent(x, decimales: int = 1) -> str:
    """`x` in percent already (11.3 → « 11,3 % »)."""
    if vide(x):
        return SECRET
    return f"{nombre(x, decimales)}{ESPACE}%"


def date_heure(horodatage) -> str:
    """A datetime or an ISO timestamp (naive = UTC) in Paris time, « 29/11/2026 à 02 h 21 »,
    with non-breaking spaces so that it never splits across lines."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    if vide(horodatage) or horodatage == "":
        return ""
    t = horodatage if isinstance(horodatage, datetime) else datetime.fromisoformat(str(horodatage))
    if t.tzinfo is None:
        t = t.replace(tzinfo=UTC)
    try:
        t = t.astimezone(ZoneInfo("Europe/Paris"))
    except Exception:  # no time-zone database: the server's local time is still a date
        t = t.astimezone()
    return f"{t:%d/%m/%Y}\u00a0à\u00a0{t:%H}\u00a0h\u00a0{t:%M}"


def decimal(x, decimales: int = 2) -> str:
    """A measured value as typed by people: « 87,5 », « 120 » (no trailing zeros)."""
    if vide(x):
        return ""
    texte = nombre(x, decimales)
    return texte.rstrip("0").rstrip(",") if "," in texte else texte


def tableau(df, decimales: dict | None = None):
    """A copy of `df` with its numbers written in French (« 426 500 », « 16,1 »), for tables
    shown as text (st.table, print). Integers without decimals; others with 1 unless told."""
    import pandas as pd

    decimales = decimales or {}
    sortie = df.copy()
    for col in sortie.columns:
        serie = sortie[col]
        if (pd.api.types.is_bool_dtype(serie) or not pd.api.types.is_numeric_dtype(serie)
                or "année" in str(col).lower() or str(col).lower() == "annee"):
            continue  # a year is not a quantity: « 2021 », never « 2 021 »
        d = decimales.get(col)
        if d is None:
            entiers = serie.dropna()
            d = 0 if entiers.empty or (entiers == entiers.round()).all() else 1
        sortie[col] = [nombre(x, d) if not vide(x) else "" for x in serie]
    return sortie


# A figure as the tables write it: « 2 697 », « −165 », « 11,3 % », « 1 200 € »
_CHIFFRE = re.compile(r"[−+-]?\d[\d\u202f\u00a0 ]*(,\d+)?([\u202f\u00a0 ]?[%€])?")
# Marks that stand for a figure: secret, not published, empty
_MARQUES = {"", SECRET, NON_DIFFUSE, "-"}


def colonne_chiffree(nom, valeurs) -> bool:
    """A column of figures (quantities, shares, amounts), right-aligned as statistical tables
    are; a year or a code is a label, not a quantity, even when it is made of digits."""
    if any(m in str(nom).lower() for m in ("année", "annee", "code", "siret", "siren")):
        return False
    textes = [str(v) for v in valeurs if not vide(v) and str(v) not in _MARQUES]
    return bool(textes) and all(_CHIFFRE.fullmatch(t) for t in textes)
