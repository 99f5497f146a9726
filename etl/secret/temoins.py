"""Witnesses: changes of the micro-data that the publication cannot tell from the truth.

A witness for cell p moves p by its protection requirement while every published cell stays
still, every hidden cell within its a-priori bounds and every micro-cell within what the
attacker knows. Many changes do that; an insider whose micro-cell a witness moves cannot use
it, so the witnesses sought are changes of least total move (L1): they leave most insiders
alone, and those need no LP of their own. The LPs that weigh hiding costs return whatever
optimal change comes first: theirs are reduced the same way, within the micro-cells they move.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from etl.secret import lp
from etl.secret.tableau import Tableau

TOLERANCE = 1e-7


class Chercheur:
    """The least-move witness LP (d = u − w, cost u + w), on p's neighbourhoods from the finest
    (its EPCI's communes…) to the whole table: one LP per neighbourhood, built once, each search
    only changing bounds (which cells are hidden, p's move, the insiders' knowledge)."""

    def __init__(self, t: Tableau):
        self.t = t
        self.v = t.valeur
        self.nb_lp = 0
        self._lps: dict[tuple, tuple[np.ndarray, np.ndarray, lp.Bornes]] = {}  # built when first used

    def _lp(self, cle: tuple | None, N: np.ndarray) -> tuple[np.ndarray, np.ndarray, lp.Bornes]:
        """(micro-cells, cells they lie in, the LP over them) of one neighbourhood (kept), or of
        a witness's own micro-cells (cle None: used once)."""
        if cle not in self._lps:
            K, B = self.t.restreint(N)
            n = len(N)
            modele = (N, K, lp.Bornes(np.ones(2 * n), sp.hstack([B, -B]), np.zeros(len(K)),
                                      np.zeros(len(K)), np.zeros(2 * n), np.zeros(2 * n)))
            if cle is None:
                return modele
            self._lps[cle] = modele
        return self._lps[cle]

    def trouver(self, cache: np.ndarray, p: int, cible: float, k=None, niveaux: slice = slice(None),
                taille_max: int | None = None) -> np.ndarray | None:
        """The least change moving cell p by `cible` (signed), moving no published cell, hidden
        cells within their a-priori bounds and micro-cells within theirs (as insider k knows
        them, or each insider of a list k: `Tableau.bornes_micro`), from the smallest
        neighbourhood of p that has one (`niveaux`: which of p's neighbourhoods, the whole table
        last, to try; none of more than `taille_max` micro-cells); None when none has."""
        micro_p = self.t.A.indices[self.t.A.indptr[p] : self.t.A.indptr[p + 1]]
        voisinages = [((niveau, *np.unique(self.t.zones[micro_p, niveau])), N)
                      for niveau, N in enumerate(self.t.voisinages(p))]
        voisinages = [*voisinages, (("tout",), np.arange(len(self.t.micro)))][niveaux]
        vu = np.zeros(0, dtype=np.int64)
        for cle, N in voisinages:
            # the same micro-cells as the last one searched (a département without PETR nor
            # métropole is one neighbourhood for three levels): no second search
            if not np.array_equal(N, vu) and (not taille_max or len(N) <= taille_max):
                vu = N
                d = self._chercher(cle, N, cache, p, cible, k)
                if d is not None:
                    return d
        return None

    def reduire(self, d: np.ndarray, cache: np.ndarray, p: int, cible: float, k=None) -> np.ndarray:
        """Witness d reduced to the least change within the micro-cells it moves (d itself when
        the LP fails: it is valid). Its own LP over them: a neighbourhood's holding them all
        (often the whole table) with the rest fixed cost several times more."""
        S = np.flatnonzero(np.abs(d) > TOLERANCE)
        if len(S) <= 1:
            return d
        r = self._chercher(None, S, cache, p, cible, k)
        return d if r is None else r

    def _chercher(self, cle: tuple | None, N: np.ndarray, cache: np.ndarray, p: int, cible: float,
                  k) -> np.ndarray | None:
        """The least change over micro-cells N (a neighbourhood, or a witness's own: cle None)."""
        t = self.t
        lo, hi = t.bornes_micro(k)
        N, K, modele = self._lp(cle, N)
        ip = np.searchsorted(K, p)
        if ip == len(K) or K[ip] != p:  # none of p's micro-cells among them: p cannot move
            return None
        ligne_min = np.where(cache[K], t.borne_min[K] - self.v[K], 0.0)
        ligne_max = np.where(cache[K], t.borne_max[K] - self.v[K], 0.0)
        ligne_min[ip] = ligne_max[ip] = cible
        self.nb_lp += 1
        x = modele.resoudre(ligne_min, ligne_max, np.zeros(2 * len(N)),
                            np.r_[np.maximum(0.0, hi[N] - t.micro[N]), np.maximum(0.0, t.micro[N] - lo[N])])
        if x is None:
            return None
        d = np.zeros(len(t.micro))
        d[N] = x[: len(N)] - x[len(N) :]
        d[np.abs(d) < TOLERANCE] = 0.0
        return d


def proprietaires(t: Tableau, p: int, ks: list[int]) -> tuple[list[int], list[int]]:
    """Insiders `ks` split into those whose micro-cell lies in cell p (each knows part of p:
    their requirement is their own) and the others (who all face p's whole requirement: one
    witness leaving all their micro-cells alone holds against every one of them)."""
    micro = t.A.indices[t.A.indptr[p] : t.A.indptr[p + 1]]
    dans = np.isin(t.initie[ks], micro) if ks else np.zeros(0, bool)
    return ([k for k, x in zip(ks, dans, strict=True) if x],
            [k for k, x in zip(ks, dans, strict=True) if not x])
