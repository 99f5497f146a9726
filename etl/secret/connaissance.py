"""What the attacker knows before anything is published (sources.md §5), row by row of the
FLORES-style input (a micro-cell: commune × famille × A38).

Public SIRENE lists the employer establishments of every commune × catégorie juridique × APE,
each with its size band. So, for every micro-cell:
- its number of establishments, each employing someone at 31/12: the row is at least that
  number;
- where the establishments listed with a size band of that year are in it: at least the sum of
  the bands' minimums; when all of its establishments are listed so, at most the sum of their
  maximums.
A bound the row contradicts (fewer jobs than establishments: some had none on 31/12; a row
beyond its bands) is not known to anyone and is dropped, never clipped to the true value.

And one insider at a time: an establishment alone in its micro-cell knows that micro-cell
exactly (tau-ARGUS' singleton). Rows the protection merges (they lie in the same published
cells) are one variable; an insider knows its own row inside it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Bornes:
    """A-priori interval of each row, and for each row with an insider, what it knows."""

    min: np.ndarray
    max: np.ndarray  # inf where unbounded
    singleton: np.ndarray  # bool: one establishment, which knows the row


def effectifs(valeur, nb, bande_min, bande_max, bande_nb) -> Bornes:
    """Jobs at 31/12: establishment counts and size bands (`bande_nb`: establishments listed
    with a band of that year; `bande_max` inf when one band has no ceiling)."""
    valeur = np.asarray(valeur, dtype=float)
    nb = np.asarray(nb, dtype=float)
    candidats = [np.zeros(len(valeur)), nb, np.asarray(bande_min, dtype=float)]
    bas = np.max([np.where(c <= valeur, c, 0.0) for c in candidats], axis=0)
    bande_max = np.asarray(bande_max, dtype=float)
    complet = (np.asarray(bande_nb, dtype=float) == nb) & (nb > 0) & (bande_max >= valeur)
    haut = np.where(complet, bande_max, np.inf)
    return Bornes(bas, haut, nb == 1)


def eqtp(valeur, nb) -> Bornes:
    """Full-time equivalents: no public bound but 0 (a part-time post is a small fraction)."""
    valeur = np.asarray(valeur, dtype=float)
    return Bornes(np.zeros(len(valeur)), np.full(len(valeur), np.inf), np.asarray(nb) == 1)


def initie(valeur: np.ndarray, b: Bornes, groupe: np.ndarray, n: int) -> tuple[np.ndarray, ...]:
    """Per merged variable (rows grouped by `groupe`, n groups): the interval its insiders know.

    An insider alone in row r of group g knows x_r exactly, so g lies in [v_r + Σ_{r'≠r} min,
    v_r + Σ_{r'≠r} max]. Several insiders of one group are taken together (the intersection of
    their intervals): a protection that holds against that holds against each of them.
    Returns (groups with an insider, their min, their max)."""
    valeur = np.asarray(valeur, dtype=float)
    fini = np.isfinite(b.max)
    somme_min = np.bincount(groupe, weights=b.min, minlength=n)
    somme_max = np.bincount(groupe, weights=np.where(fini, b.max, 0.0), minlength=n)
    infinis = np.bincount(groupe, weights=~fini, minlength=n)
    s = np.flatnonzero(b.singleton)
    g = groupe[s]
    bas_r = somme_min[g] - b.min[s] + valeur[s]
    autres_infinis = infinis[g] - ~fini[s]
    haut_r = np.where(autres_infinis > 0, np.inf, somme_max[g] - np.where(fini[s], b.max[s], 0.0) + valeur[s])
    bas = np.full(n, -np.inf)
    np.maximum.at(bas, g, bas_r)
    haut = np.full(n, np.inf)
    np.minimum.at(haut, g, haut_r)
    avec = np.unique(g)
    return avec, bas[avec], haut[avec]
