"""Class breaks of a map (quantiles, Fisher-Jenks, equal intervals) and their colours: a
colour-blind-safe sequential palette whose every class stands out against the white page."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import mapclassify
import numpy as np
import pandas as pd
import plotly.express as px

PALETTE = px.colors.sequential.Viridis_r  # colour-blind safe, sequential (light = low)

METHODES_CLASSES = {
    "quantiles": "Quantiles (autant de territoires par classe)",
    "jenks": "Seuils naturels (Jenks)",
    "egales": "Intervalles égaux",
}


@dataclass(frozen=True)
class Classes:
    bornes: list[float]  # upper bound of each class, increasing
    indices: pd.Series  # class of each value (0 = lowest), <NA> for a missing value


def classer(valeurs: pd.Series, methode: str = "quantiles", k: int = 5) -> Classes:
    """Class breaks with mapclassify (Fisher-Jenks is the optimal form of Jenks' breaks)."""
    if methode not in METHODES_CLASSES:
        raise ValueError(f"Méthode de classes inconnue : « {methode} ».")
    presentes = valeurs.dropna().astype(float)
    indices = pd.Series(pd.NA, index=valeurs.index, dtype="Int64")
    if presentes.empty:
        return Classes([], indices)
    k = max(1, min(int(k), presentes.nunique()))
    if k == 1:
        indices[presentes.index] = 0
        return Classes([float(presentes.max())], indices)
    classe = {"quantiles": mapclassify.Quantiles, "jenks": mapclassify.FisherJenks,
              "egales": mapclassify.EqualInterval}[methode]
    with warnings.catch_warnings():  # "Numba not installed", "not enough unique values"
        warnings.simplefilter("ignore")
        resultat = classe(presentes.to_numpy(), k=k)
    indices[presentes.index] = resultat.yb
    return Classes([float(b) for b in resultat.bins], indices)


def placer_fourchettes(classes: Classes, bas: pd.Series, haut: pd.Series) -> Classes:
    """The classes with each territory known only within [bas, haut] (a hidden value published
    as an interval) placed in the class holding the whole interval, the lowest class open
    below and the highest above; left out when the interval straddles a break or is not
    bounded."""
    if not classes.bornes:
        return classes
    indices = classes.indices.copy()
    coupures = np.asarray(classes.bornes[:-1])  # a value ≤ its class's upper bound
    for i in bas.index[bas.notna() & np.isfinite(haut.astype(float))]:
        k_bas, k_haut = np.searchsorted(coupures, [float(bas[i]), float(haut[i])], side="left")
        if k_bas == k_haut:
            indices[i] = int(k_bas)
    return Classes(classes.bornes, indices)


# Viridis from its darkest end to 0.58: every class is ≥ 3:1 against white (WCAG 1.4.11);
# the paler yellows and greens are left out. Light = low.
VIRIDIS_CONTRASTE = 0.58


def couleurs(n: int) -> list[str]:
    """`n` colours of a colour-blind-safe sequential palette (viridis, light = low), each with
    at least 3:1 contrast against the white page."""
    if n <= 1:
        return [px.colors.sequential.Viridis[2]]
    return px.colors.sample_colorscale(px.colors.sequential.Viridis,
                                       [VIRIDIS_CONTRASTE * (1 - i / (n - 1)) for i in range(n)])


def libelles_classes(bornes: list[float], minimum: float, formater) -> list[str]:
    """« 2,1 à 5,3 » for each class, from the lowest value to each upper bound."""
    bas = [minimum, *bornes[:-1]]
    return [f"{formater(b)} à {formater(h)}" for b, h in zip(bas, bornes, strict=True)]
