"""The attacker: what can be learnt about hidden cells from everything the database publishes.

Works only from the published table (values of published cells, number of establishments of
every cell, which cells are hidden) and public knowledge (every cell is the sum of commune ×
famille × A38 rows; rows are ≥ 0 and ≥ the size-band minimum of their listed establishments).
The true micro-data serve only to say what each interval must contain (a primary cell of
value v must stay uncertain between 0,9·v — or its a-priori floor — and 1,1·v).

Three checks, each independent of how the cells were chosen:
1. `rang`: no hidden cell is determined by the published equalities — a random vector of the
   null space of the published rows (computed by least squares, well conditioned on this 0/1
   system) moves every hidden cell; a cell it leaves still is determined, up to measure zero.
2. `bornes`: for each primary cell, the attacker's LP (max and min of the cell subject to
   everything published) — the definitive interval. Solved on the cell's EPCI with the other
   rows fixed first; a table found that way is checked against the whole published system,
   and only when it falls short is the LP solved on the whole table.
3. the published values are exactly the sums of the micro-data (the model is the table).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.sparse.linalg import lsqr

from etl.secret import lp
from etl.secret.tableau import Tableau

TOLERANCE = 1e-6


@dataclass
class Constat:
    """What the attacker obtained on one year and measure."""

    determinees: list[int] = field(default_factory=list)  # hidden cells known exactly
    sous_protegees: list[tuple[int, float, float, float]] = field(default_factory=list)  # (cell, v, min, max)
    incoherentes: int = 0  # published cells that are not the sum of their micro-data
    bornes_calculees: int = 0
    temoins: int = 0  # primary cells shown protected by a verified witness
    lp_complets: int = 0

    @property
    def sur(self) -> bool:
        return not (self.determinees or self.sous_protegees or self.incoherentes)


def rang(t: Tableau, cache: np.ndarray, graine: int = 0) -> list[int]:
    """Hidden cells that every null-space vector of the published rows leaves unchanged."""
    if not cache.any():
        return []
    publie = t.A[~cache]
    r = np.random.default_rng(graine).standard_normal(t.A.shape[1])
    if publie.shape[0]:
        u = lsqr(publie.T.tocsr(), r, atol=1e-14, btol=1e-14, iter_lim=20 * publie.shape[0])[0]
        d = r - publie.T @ u
    else:
        d = r
    mouvement = np.abs(t.A[cache] @ d)
    echelle = np.sqrt(np.asarray(t.A[cache].multiply(t.A[cache]).sum(axis=1)).ravel())
    return list(np.flatnonzero(cache)[mouvement < 1e-6 * np.maximum(echelle, 1.0)])


class Attaquant:
    """LP bounds of a cell over every table consistent with the publication."""

    def __init__(self, t: Tableau, cache: np.ndarray):
        self.t, self.cache = t, cache
        self.A = t.A.tocsr()
        self.Ac = t.A.tocsc()
        v = t.valeur
        # what is published: values of the published cells, floors of the hidden ones
        self.bas = np.where(cache, t.borne_min, v)
        self.haut = np.where(cache, np.inf, v)
        self.lp_complets = 0

    def _lp(self, p: int, N: np.ndarray, maximiser: bool):
        """Bound of cell p when only micro-cells N move (the others keep their true value)."""
        fixe = np.ones(self.A.shape[1], bool)
        fixe[N] = False
        reste = self.A[:, fixe] @ self.t.micro[fixe]
        sous = self.Ac[:, N].tocsr()
        K = np.flatnonzero(np.diff(sous.indptr))
        B = sous[K]
        ip = np.searchsorted(K, p)
        r = lp.resoudre(
            np.asarray(B[ip].todense()).ravel(),
            B,
            self.bas[K] - reste[K],
            self.haut[K] - reste[K],
            self.t.micro_min[N],
            np.full(len(N), np.inf),
            maximiser=maximiser,
        )
        if r is None:
            return None  # infeasible or unbounded: the caller tells which
        x = self.t.micro.copy()
        x[N] = r[0]
        return x

    def fourchette(self, k: int) -> tuple[float, float]:
        """(min, max) of cell k over every table consistent with the publication: what anyone
        can compute from the published figures (max inf when unbounded). Publishing it tells
        nothing new."""
        tout = np.arange(self.A.shape[1])
        bornes = []
        for maximiser in (False, True):
            x = self._lp(k, tout, maximiser)
            bornes.append(float((self.A[k] @ x)[0]) if x is not None else (np.inf if maximiser else 0.0))
        return bornes[0], bornes[1]

    def verifier(self, x: np.ndarray) -> bool:
        """Whether table x agrees with everything published (and the a-priori bounds)."""
        s = self.A @ x
        ech = np.maximum(1.0, np.abs(self.t.valeur))
        return bool(
            np.all(s >= self.bas - TOLERANCE * ech)
            and np.all(s <= self.haut + TOLERANCE * ech)
            and np.all(x >= self.t.micro_min - TOLERANCE)
        )

    def portees(self, temoins: list[np.ndarray]) -> np.ndarray:
        """(2 × cells) how far up and down the given changes of the micro-data move each cell,
        each change scaled to the largest multiple that agrees with the publication and then
        checked against the whole published system (a change that does not is ignored)."""
        out = np.zeros((2, self.A.shape[0]))
        for d in temoins:
            s = self.A @ d
            if np.any(
                np.abs(s[~self.cache]) > TOLERANCE * np.maximum(1.0, np.abs(self.t.valeur[~self.cache]))
            ):
                continue  # moves a published cell: not a witness
            for signe in (1.0, -1.0):  # LP noise (below the tolerance) sets no limit
                limites = [1e6]
                baisse = signe * d < -TOLERANCE
                if baisse.any():
                    limites.append(
                        np.min((self.t.micro[baisse] - self.t.micro_min[baisse]) / np.abs(d[baisse]))
                    )
                baisse = signe * s < -TOLERANCE
                if baisse.any():
                    limites.append(np.min((self.t.valeur[baisse] - self.bas[baisse]) / np.abs(s[baisse])))
                alpha = min(limites) * (1 - 1e-9)
                if alpha <= 0 or not self.verifier(self.t.micro + signe * alpha * d):
                    continue
                out[0] = np.maximum(out[0], signe * alpha * s)
                out[1] = np.maximum(out[1], -signe * alpha * s)
        return out

    def borne(self, p: int, maximiser: bool, cible: float, zones: list[np.ndarray]) -> float:
        """The attacker's bound of p, or a verified witness value past `cible` (enough to know
        the cell is protected on that side). inf when unbounded above."""
        for N in zones:
            x = self._lp(p, N, maximiser)
            if x is None and maximiser and len(N) == self.A.shape[1]:
                return np.inf  # the whole table: no finite maximum
            if x is not None and self.verifier(x):
                valeur = float((self.A[p] @ x)[0])
                if (valeur >= cible) if maximiser else (valeur <= cible):
                    return valeur
        self.lp_complets += 1
        x = self._lp(p, np.arange(self.A.shape[1]), maximiser)
        return np.inf if x is None else float((self.A[p] @ x)[0])


def auditer(
    t: Tableau,
    cache: np.ndarray,
    primaire: np.ndarray,
    valeurs_publiees: np.ndarray | None = None,
    bornes: bool = True,
    temoins: list[np.ndarray] = (),
    arrondi: float = 0.0,
) -> Constat:
    """`temoins`: changes of the micro-data offered as witnesses (e.g. those the protection
    found); each is checked against the publication, and a cell they already show protected
    needs no LP. Without them, every primary cell gets its LP bounds. `arrondi`: how far a
    published value may be from the exact sum (EQTP is published to 0,1)."""
    c = Constat()
    if valeurs_publiees is not None:
        ecart = np.abs(t.valeur - valeurs_publiees)
        tol = arrondi + TOLERANCE * np.maximum(1, np.abs(t.valeur))
        c.incoherentes = int(np.sum(~cache & ~(ecart <= tol)))
    c.determinees = [int(i) for i in rang(t, cache)]
    if not bornes:
        return c
    att = Attaquant(t, cache)
    haut, descente = t.exigences()
    v = t.valeur
    portee = att.portees(list(temoins))
    for p in np.flatnonzero(primaire):
        if cache[p] and portee[0, p] >= haut[p] * (1 - 1e-6) and portee[1, p] >= descente[p] * (1 - 1e-6):
            c.temoins += 1
            continue
        zones = _zones(t, p)
        hi = att.borne(p, True, v[p] + haut[p] * (1 - 1e-9), zones)
        lo = att.borne(p, False, v[p] - descente[p] * (1 - 1e-9), zones) if descente[p] > 0 else v[p]
        c.bornes_calculees += 1
        manque_haut = hi < v[p] + haut[p] * (1 - 1e-6)
        manque_bas = descente[p] > 0 and lo > v[p] - descente[p] * (1 - 1e-6)
        if not cache[p] or manque_haut or manque_bas:
            c.sous_protegees.append((int(p), float(v[p]), float(lo), float(hi)))
    c.lp_complets = att.lp_complets
    return c


def _zones(t: Tableau, p: int) -> list[np.ndarray]:
    micro = t.A.indices[t.A.indptr[p] : t.A.indptr[p + 1]]
    out = []
    for niveau in range(t.zones.shape[1]):
        z = np.unique(t.zones[micro, niveau])
        out.append(np.flatnonzero(np.isin(t.zones[:, niveau], z)))
    return out
