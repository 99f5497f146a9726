"""A published table as linear forms over micro-cells: the model an attacker works with.

Every published cell (a territory × group × sector) is the sum of micro-cells (commune ×
famille × A38 rows of the FLORES-style input). Writing each cell as that sum captures every
linear relation between published cells at once — families → ESS → privé, A38 → A21 → all
sectors, communes → EPCI → PETR → département, density classes, métropole and hors-métropole,
and every mix of them (e.g. département = Σ PETR + Σ EPCI outside any PETR) — without listing
relations one by one.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import scipy.sparse as sp

SEUIL_FREQUENCE = 3  # fewer contributing establishments: primary-sensitive
SEUIL_DOMINANCE = 0.85  # one establishment above this share: primary-sensitive
PROTECTION = 0.10  # the attacker's interval must reach v·(1 ± this), a-priori bounds permitting
PROTECTION_MIN = 0.5  # and move by at least half a job, so a zero or tiny cell is not pinned


@dataclass
class Tableau:
    """One year and one measure.

    `A` (cells × micro-cells, 0/1): which micro-cells make up each published cell. Cells with
    the same micro-cells (an EPCI and its métropole, a partial EPCI and its only commune) are
    one row: they are hidden or published together.
    """

    A: sp.csr_matrix
    micro: np.ndarray  # true micro-cell values
    micro_min: np.ndarray  # a-priori lower bound of each micro-cell (≥ 0, size bands)
    nb: np.ndarray  # contributing establishments per cell (published)
    dominante: np.ndarray  # a lower bound of the largest single contribution per cell
    cout: np.ndarray  # cost of hiding the cell (jobs, headline figures weighted)
    zones: np.ndarray  # (micro-cells × levels) nested neighbourhood ids, finest first

    @property
    def valeur(self) -> np.ndarray:
        return self.A @ self.micro

    @property
    def borne_min(self) -> np.ndarray:
        """What the attacker knows before any LP: a cell is at least its number of
        establishments (each employs someone) and at least the sum of its micro-cells' bounds;
        never above the true value (a bound the data contradicts protects nothing)."""
        return np.minimum(self.valeur, np.maximum(self.nb, self.A @ self.micro_min))

    def primaire(self, frequence: bool = True) -> np.ndarray:
        v = self.valeur
        sensible = (self.nb < SEUIL_FREQUENCE) & (self.nb > 0) if frequence else np.zeros(len(v), bool)
        return sensible | (self.dominante > SEUIL_DOMINANCE * v)

    @cached_property
    def plancher(self) -> np.ndarray:
        """What the attacker knows of each sensitive cell before anything is published: the
        least value it can take with its micro-cells at their minimum and every cell made of
        its micro-cells only (a commune's, an EPCI's part of a PETR…) at its own floor. Its
        own floor alone can be lower: a requirement below this bound cannot be met by any
        suppression, and is not the attacker's doing."""
        from etl.secret import lp  # the model does not need the solver otherwise

        A = self.A.tocsr()
        taille = np.diff(A.indptr)
        commun = (A @ A.T).tocsr()  # |S_p ∩ S_k|
        out = self.borne_min.copy()
        for p in np.flatnonzero(self.primaire() & (taille > 1)):
            ligne = commun.getrow(p)
            sous = ligne.indices[ligne.data == taille[ligne.indices]]  # cells inside p, p included
            if len(sous) < 2:
                continue
            micro = A.indices[A.indptr[p] : A.indptr[p + 1]]
            r = lp.resoudre(np.ones(len(micro)), A[sous][:, micro], self.borne_min[sous],
                            np.full(len(sous), np.inf), self.micro_min[micro], np.full(len(micro), np.inf))
            if r is not None:
                out[p] = min(self.valeur[p], max(out[p], r[1]))
        return out

    def echelle_max(self, d: np.ndarray, s: np.ndarray | None = None) -> float:
        """The largest α (at most 10⁶) such that α·d keeps every micro-cell above its a-priori
        bound and every cell above its floor (`s`: A·d, when already computed). Moves below
        10⁻⁶ are LP noise and set no limit."""
        s = self.A @ d if s is None else s
        limites = [1e6]
        baisse = d < -1e-6
        if baisse.any():
            limites.append(np.min((self.micro[baisse] - self.micro_min[baisse]) / -d[baisse]))
        baisse = s < -1e-6
        if baisse.any():
            limites.append(np.min((self.valeur[baisse] - self.borne_min[baisse]) / -s[baisse]))
        return max(0.0, float(min(limites)))

    def exigences(self) -> tuple[np.ndarray, np.ndarray]:
        """(up, down): how far above and below its value the attacker's interval must reach."""
        v, bas = self.valeur, self.plancher
        haut = np.maximum(PROTECTION * v, PROTECTION_MIN)
        descente = np.maximum(0.0, v - np.maximum((1 - PROTECTION) * v, bas))
        return haut, descente


def dominante_par_cellule(A: sp.csr_matrix, dominante_micro: np.ndarray) -> np.ndarray:
    """Largest known single contribution in each cell (0 when none is known)."""
    M = A.multiply(dominante_micro[None, :]).tocsr()
    return np.asarray(M.max(axis=1).todense()).ravel() if M.shape[1] else np.zeros(M.shape[0])


def dominante_micro(effectifs, nb, effectif_max) -> np.ndarray:
    """A lower bound of the largest establishment of each micro-cell: the source's figure when
    given; else the whole row for a single establishment; else the mean (some establishment is
    at least the mean). So a cell mixing rows with and without the figure keeps its dominance
    test (a published commune privé MB of 73 jobs with one establishment of 71 was the bug)."""
    effectifs = np.asarray(effectifs, dtype=float)
    nb = np.asarray(nb, dtype=float)
    connu = np.asarray(effectif_max, dtype=float)
    moyenne = np.where(nb > 0, np.ceil(effectifs / np.maximum(nb, 1)), 0.0)
    seul = np.where(nb == 1, effectifs, moyenne)
    return np.where(np.isnan(connu), seul, np.maximum(connu, seul))


def signatures(M: sp.csr_matrix | sp.csc_matrix) -> tuple[np.ndarray, np.ndarray]:
    """Rows (csr) or columns (csc) with the same non-zero positions, numbered in order of first
    appearance: (group of each, first member of each group)."""
    M.sort_indices()
    ids: dict[bytes, int] = {}
    groupe = np.array([ids.setdefault(M.indices[M.indptr[i] : M.indptr[i + 1]].tobytes(), len(ids))
                       for i in range(len(M.indptr) - 1)], dtype=np.int64)
    premier = np.full(len(ids), -1)
    premier[groupe[::-1]] = np.arange(len(groupe))[::-1]
    return groupe, premier


def fusionner_micro(A: sp.csc_matrix, *colonnes: np.ndarray, zones: np.ndarray):
    """Merge micro-cells that lie in exactly the same published cells: the attacker only ever
    sees their sum, so one variable for them is exact and makes every LP smaller.

    Returns (A, summed columns..., zones) with one micro-cell per distinct signature."""
    A = sp.csc_matrix(A)
    groupe, premier = signatures(A)
    n = len(premier)
    fusion = sp.csr_matrix((np.ones(len(groupe)), (np.arange(len(groupe)), groupe)), shape=(len(groupe), n))
    sommes = [np.asarray(fusion.T @ np.asarray(c, dtype=float)).ravel() for c in colonnes]
    A2 = sp.csr_matrix(A @ fusion)
    A2.data[:] = 1.0  # a cell holds the merged group once (the product counts its members)
    return (A2, *sommes, zones[premier])
