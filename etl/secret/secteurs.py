"""Exact secondary suppression of the sector cells (A21 sections, A38 divisions): the
mixed-integer model of Fischetti and Salazar (2001), solved by cuts (Benders).

Why not the LP heuristic (`suppression`) there: it protects one primary cell at a time, and
in the EPCI × A21 table, where a third of the cells are sensitive, each choice ignores the
next ones (2021 demo: 29 complements among the EPCI sections, 19 with this model).

Model: one binary x per sector cell that is not primary (hide it or not), costing its
weight (`emploi._cout`); every other cell keeps what the heuristic decided for the other
primary cells. A primary cell p is protected upward when some change of the micro-data
raises p by its protection level while no published cell moves, every hidden cell stays
above its a-priori floor and every sector cell moves by at most U·x (U = 10 protection
levels: a restriction that keeps the cuts finite; the audit knows no such bound). The master
MIP minimises the cost subject to the cuts found so far; for each primary cell its pattern
leaves unprotected, the LP maximum of p gives by duality an inequality every protecting x
satisfies (coefficients capped at its right-hand side, valid for binaries). Repeat until the
master's pattern protects every primary cell: it is then optimal for the restricted model.

Each LP runs on the whole table from the previous one's basis (`lp.Repete`), so a cut holds
for every way of protecting p. Each LP that finds p protected yields a witness (its change of
the micro-data), reused while the cells it moves stay hidden, and handed to the audit. A
hidden cell the published equalities still determine is published at the end: it tells
nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from etl.secret import audit, lp
from etl.secret.tableau import Tableau

TOLERANCE = 1e-7
CAPACITE = 10.0  # how far a sector cell may move in a certificate, in protection levels
DUAL_TOLERANCE = 1e-7  # HiGHS' dual feasibility tolerance: smaller reduced costs are noise
MAX_TOURS = 400  # master problems before giving the cells back to the heuristic


@dataclass
class Resultat:
    cache: np.ndarray
    certificats: list[np.ndarray]
    nb_lp: int
    hors_modele: list[int]  # primary cells no pattern of the free cells protects (left to the heuristic)


class _Temoins:
    """Changes of the micro-data known to move a primary cell far enough, by (cell, side):
    valid while every cell they move is hidden."""

    def __init__(self, t: Tableau, exigence: dict[float, np.ndarray]):
        self.A = t.A.tocsr()
        self.t, self.exigence = t, exigence
        self.v = t.valeur
        self.par_cellule: dict[tuple[int, float], list[np.ndarray]] = {}
        self.changes: list[np.ndarray] = []

    def ajouter(self, d: np.ndarray, primaires: np.ndarray) -> None:
        """Keep d for every primary cell it moves far enough, in either direction, once scaled
        to the largest multiple the a-priori bounds allow."""
        s = self.A @ d
        sup = np.flatnonzero(np.abs(s) > 1e-6 * np.maximum(1.0, np.abs(self.v)))  # cells it moves
        for signe in (1.0, -1.0):
            alpha = self.t.echelle_max(signe * d, signe * s)
            portee = signe * alpha * s
            for cote in (1.0, -1.0):
                besoin = self.exigence[cote][primaires]
                ok = primaires[(besoin > 0) & (cote * portee[primaires] >= besoin * (1 - 1e-9))]
                for p in ok:
                    self.par_cellule.setdefault((int(p), cote), []).append(sup)
        self.changes.append(d)

    def protege(self, p: int, cote: float, cache: np.ndarray) -> bool:
        return any(cache[sup].all() for sup in self.par_cellule.get((p, cote), ()))


class _Echec(Exception):
    """The solver failed where a solution exists: the caller keeps the heuristic's cells."""


class _Coupes:
    """The protection LP of one primary cell under a hiding pattern, on the whole table: a
    witness when the pattern protects it, else a cut over the free cells. One model, solved
    again for each cell and side with other bounds (columns [d, s], rows A d − s = 0)."""

    def __init__(self, t: Tableau, libres: np.ndarray, exigence: dict[float, np.ndarray]):
        self.nm, self.nk = t.A.shape[1], t.A.shape[0]
        self.marge = t.valeur - t.borne_min  # how far each cell may go down
        self.dmin = t.micro_min - t.micro  # how far each micro-cell may go down
        self.libre = np.zeros(self.nk, dtype=bool)
        self.libre[libres] = True
        self.libres = libres
        self.exigence = exigence
        M = sp.hstack([t.A, -sp.identity(self.nk)])
        zero = np.zeros(self.nk)
        self.lp = lp.Repete(M, zero, zero, np.r_[self.dmin, zero], np.r_[np.full(self.nm, np.inf), zero])
        self.colonnes_s = np.arange(self.nm, self.nm + self.nk)
        self.nb_lp = 0

    def resoudre(self, p: int, cote: float, cache: np.ndarray):
        """max cote·s_p, s_p capped at the requirement so the LP is bounded: ('temoin', d), or
        ('coupe', (coefficients over the free cells, right-hand side)), or None when hiding
        every free cell would not protect p."""
        cible = float(self.exigence[cote][p])
        U = CAPACITE * max(cible, 1.0)
        bas = np.where(cache, -self.marge, 0.0)
        haut = np.where(cache, np.where(self.libre, U, np.inf), 0.0)
        if cote > 0:
            bas[p], haut[p] = -self.marge[p], cible
        else:
            bas[p], haut[p] = -cible, np.inf
        c = np.zeros(self.nk)
        c[p] = -cote
        self.nb_lp += 1
        r = self.lp.resoudre(self.colonnes_s, c, bas, haut)
        if r is None:  # the zero change is always feasible: only a solver failure
            raise _Echec
        x, objectif, reduits = r
        if -objectif >= cible * (1 - 1e-7):
            d = x[: self.nm].copy()
            d[np.abs(d) < TOLERANCE] = 0.0
            return "temoin", d
        # Weak duality: for any bounds, max cote·s_p ≤ Σ_j −max(r_j,0)·min_j − min(r_j,0)·max_j
        # (r: reduced costs). Free cells' bounds are −marge·x and U·x; the rest is a constant.
        r = np.where(np.abs(reduits) < DUAL_TOLERANCE, 0.0, reduits)
        r_d, r_s = r[: self.nm], r[self.nm :]
        constante = float(-np.maximum(r_d, 0) @ self.dmin)
        fixes = ~self.libre
        fixes[p] = True
        termes = np.zeros(self.nk)
        termes[r_s > 0] = -r_s[r_s > 0] * bas[r_s > 0]
        termes[r_s < 0] = -r_s[r_s < 0] * haut[r_s < 0]  # +inf: p cannot fail that way (no cut)
        constante += float(termes[fixes].sum())
        rl = r_s[self.libres]
        coef = np.maximum(rl, 0) * self.marge[self.libres] + np.maximum(-rl, 0) * U
        rhs = cible - constante
        if not coef.sum() >= rhs:
            return None
        return "coupe", (np.minimum(coef, rhs), rhs - 1e-6 * max(1.0, abs(rhs)))


def proteger(
    t: Tableau, cache: np.ndarray, primaire: np.ndarray, libres: np.ndarray, certificats: list[np.ndarray]
) -> Resultat | None:
    """Hide the fewest-cost cells among `libres` (indices) so that every primary cell is
    protected, every other cell keeping its state in `cache`; `certificats`: changes already
    found (the heuristic's), reused as witnesses. A primary cell no pattern of the free cells
    protects (it needs another kind of complement) is left out and listed. None when the
    model cannot conclude (inexact duals, too many rounds): the caller falls back."""
    haut, descente = t.exigences()
    exigence = {1.0: haut, -1.0: descente}
    primaires = np.flatnonzero(primaire)
    fixe = cache.copy()
    fixe[libres] = False
    temoins = _Temoins(t, exigence)
    for d in certificats:
        temoins.ajouter(d, primaires)
    coupes = _Coupes(t, libres, exigence)
    lignes, seconds = [], []
    hors_modele: list[int] = []
    for _ in range(MAX_TOURS):
        x = _maitre(t.cout[libres], lignes, seconds)
        if x is None:
            return None
        courant = fixe.copy()
        courant[libres[x]] = True
        nouvelles = 0
        for p in primaires:
            for cote in (1.0, -1.0):
                if exigence[cote][p] <= 0 or p in hors_modele or temoins.protege(int(p), cote, courant):
                    continue
                try:
                    r = coupes.resoudre(int(p), cote, courant)
                except _Echec:
                    return None
                if r is None:
                    hors_modele.append(int(p))
                elif r[0] == "temoin":
                    temoins.ajouter(r[1], primaires)
                elif r[1][0][x].sum() >= r[1][1]:
                    return None  # a cut the pattern already meets: the duals were not exact
                else:
                    lignes.append(r[1][0])
                    seconds.append(r[1][1])
                    nouvelles += 1
        if not nouvelles:
            # a hidden cell the published equalities determine tells nothing once published
            determinees = np.array(audit.rang(t, courant), dtype=np.int64)
            courant[determinees[np.isin(determinees, libres)]] = False
            return Resultat(courant, temoins.changes, coupes.nb_lp, hors_modele)
    return None


def _maitre(cout: np.ndarray, lignes: list[np.ndarray], seconds: list[float]) -> np.ndarray | None:
    """min cout·x subject to the cuts, x binary (HiGHS branch and bound, one thread:
    deterministic)."""
    n = len(cout)
    if not lignes:
        return np.zeros(n, dtype=bool)
    C = sp.csr_matrix(np.vstack(lignes))
    r = lp.resoudre(cout, C, np.array(seconds), np.full(len(seconds), np.inf), np.zeros(n), np.ones(n),
                    entiers=True)
    return None if r is None else r[0] > 0.5
