"""Integer allocation that keeps totals exact (largest remainder method)."""

from __future__ import annotations

import numpy as np


def repartir(total: int, poids: np.ndarray) -> np.ndarray:
    """Split an integer total proportionally to weights; the parts sum exactly to total."""
    poids = np.asarray(poids, dtype=float)
    if total == 0 or poids.sum() <= 0:
        return np.zeros(len(poids), dtype=np.int64)
    brut = poids / poids.sum() * total
    parts = np.floor(brut).astype(np.int64)
    reste = int(total - parts.sum())
    if reste:
        parts[np.argsort(-(brut - parts), kind="stable")[:reste]] += 1
    return parts


def arrondi_controle(
    matrice: np.ndarray, lignes: np.ndarray, colonnes: np.ndarray, iterations: int = 50
) -> np.ndarray:
    """Integer matrix close to `matrice` whose row and column sums are exactly given.

    Iterative proportional fitting on floats, then floor and hand out the remaining units
    to the cells with the largest fractional parts whose row and column still lack some.
    """
    lignes = np.asarray(lignes, dtype=np.int64)
    colonnes = np.asarray(colonnes, dtype=np.int64)
    assert lignes.sum() == colonnes.sum(), "row and column totals differ"
    m = np.asarray(matrice, dtype=float) + 1e-9
    for _ in range(iterations):
        m *= _ratio(lignes, m.sum(axis=1))[:, None]
        m *= _ratio(colonnes, m.sum(axis=0))[None, :]
    entier = np.floor(m).astype(np.int64)
    r = lignes - entier.sum(axis=1)
    c = colonnes - entier.sum(axis=0)
    if (r < 0).any() or (c < 0).any():
        raise ValueError("proportional fitting did not converge")
    ordre = np.argsort(-(m - entier), axis=None, kind="stable")
    while r.any():  # a pass gives at most one unit per cell; a second one is rarely needed
        for flat in ordre:
            i, j = divmod(int(flat), m.shape[1])
            if r[i] > 0 and c[j] > 0:
                entier[i, j] += 1
                r[i] -= 1
                c[j] -= 1
    return entier


def _ratio(cible: np.ndarray, actuel: np.ndarray) -> np.ndarray:
    return np.divide(cible, actuel, out=np.zeros_like(actuel), where=actuel > 0)


def repartir_lignes(totaux: np.ndarray, poids: np.ndarray) -> np.ndarray:
    """`repartir` applied to every row of a weight matrix at once."""
    totaux = np.asarray(totaux, dtype=np.int64)
    p = poids / poids.sum(axis=1, keepdims=True)
    brut = p * totaux[:, None]
    parts = np.floor(brut).astype(np.int64)
    reste = totaux - parts.sum(axis=1)
    rang = np.argsort(np.argsort(-(brut - parts), axis=1, kind="stable"), axis=1)
    return parts + (rang < reste[:, None])
