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
PROTECTION_MIN = 1.0  # and move by at least one job each side, so a small cell is not pinned
# Against an insider (an establishment alone in its micro-cell, knowing its own figure): at
# least this many jobs each side, a-priori bounds permitting; None: the full 10 %.
PROTECTION_INITIE: float | None = PROTECTION_MIN


@dataclass
class Tableau:
    """One year and one measure.

    `A` (cells × micro-cells, 0/1): which micro-cells make up each published cell. Cells with
    the same micro-cells (an EPCI and its métropole, a partial EPCI and its only commune) are
    one row: they are hidden or published together. Micro-cells lying in the same cells are
    one column (`fusionner_micro`).

    What the attacker knows a priori (`etl.secret.connaissance`): each micro-cell lies within
    [micro_min, micro_max]; each insider k knows its micro-cell `initie[k]` lies within
    [initie_min[k], initie_max[k]] (one insider at a time).
    """

    A: sp.csr_matrix
    micro: np.ndarray  # true micro-cell values
    micro_min: np.ndarray  # a-priori lower bound of each micro-cell
    nb: np.ndarray  # contributing establishments per cell (published)
    dominante: np.ndarray  # a lower bound of the largest single contribution per cell
    cout: np.ndarray  # cost of hiding the cell (jobs, headline figures weighted)
    zones: np.ndarray  # (micro-cells × levels) nested neighbourhood ids, finest first
    # the level of `zones` whose neighbourhoods bound the exact model's LPs (a région's
    # départements, `etl.secret.exact`); None: the whole table
    bloc: int | None = None
    micro_max: np.ndarray | None = None  # a-priori upper bound (inf: none); None: none at all
    initie: np.ndarray | None = None  # micro-cells an insider knows
    initie_min: np.ndarray | None = None
    initie_max: np.ndarray | None = None

    def __post_init__(self):
        if self.micro_max is None:
            self.micro_max = np.full(len(self.micro), np.inf)
        if self.initie is None:
            self.initie = np.zeros(0, dtype=np.int64)
            self.initie_min = self.initie_max = np.zeros(0)

    @cached_property
    def valeur(self) -> np.ndarray:
        return self.A @ self.micro

    @cached_property
    def borne_min(self) -> np.ndarray:
        """What the attacker knows of each cell before any LP: at least its number of
        establishments (each employs someone; not where the data say otherwise) and the sum of
        its micro-cells' bounds."""
        v = self.valeur
        return np.maximum(np.where(self.nb <= v, self.nb, 0.0), self.A @ self.micro_min)

    @cached_property
    def borne_max(self) -> np.ndarray:
        """At most the sum of its micro-cells' ceilings (inf where one has none)."""
        fini = np.isfinite(self.micro_max)
        out = self.A @ np.where(fini, self.micro_max, 0.0)
        return np.where(self.A @ (~fini).astype(float) > 0, np.inf, out)

    def bornes_micro(self, k=None) -> tuple[np.ndarray, np.ndarray]:
        """(min, max) of every micro-cell as the outsider knows them, or as insider k does (k
        a list: each of those insiders' own micro-cell as it knows it — what a witness must
        respect to hold against every one of them)."""
        if k is None:
            return self.micro_min, self.micro_max
        k = np.atleast_1d(np.asarray(k, dtype=np.int64))
        lo, hi = self.micro_min.copy(), self.micro_max.copy()
        m = self.initie[k]
        lo[m], hi[m] = self.initie_min[k], self.initie_max[k]
        return lo, hi

    @cached_property
    def par_colonnes(self) -> sp.csc_matrix:
        """A by columns: the cells each micro-cell lies in."""
        return self.A.tocsc()

    def restreint(self, N: np.ndarray) -> tuple[np.ndarray, sp.csr_matrix]:
        """The sub-table of micro-cells N, what every LP over a neighbourhood works on: (the
        cells they lie in, A restricted to those cells and to N)."""
        B = self.par_colonnes[:, N].tocsr()
        K = np.flatnonzero(np.diff(B.indptr))
        return K, B[K]

    def voisinages(self, p: int) -> list[np.ndarray]:
        """The micro-cells of p's nested neighbourhoods (its EPCI's communes, its PETR's, the
        métropole or the rest…), finest first, where changes are sought before the whole table."""
        micro = self.A.indices[self.A.indptr[p] : self.A.indptr[p + 1]]
        out = []
        for niveau in range(self.zones.shape[1]):
            z = np.unique(self.zones[micro, niveau])
            cle = (niveau, z.tobytes())
            if cle not in self._voisinages:  # the same few neighbourhoods, asked thousands of times
                self._voisinages[cle] = np.flatnonzero(np.isin(self.zones[:, niveau], z))
                self._voisinages[cle].flags.writeable = False
            out.append(self._voisinages[cle])
        return out

    @cached_property
    def _voisinages(self) -> dict[tuple, np.ndarray]:
        return {}

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
                            np.full(len(sous), np.inf), self.micro_min[micro], self.micro_max[micro])
            if r is not None:
                out[p] = min(self.valeur[p], max(out[p], r[1]))
        return out

    def echelle_max(self, d: np.ndarray, s: np.ndarray | None = None, k: int | None = None) -> float:
        """The largest α (at most 10⁶) such that α·d keeps every micro-cell within its a-priori
        bounds (insider k's, when given) and every cell above its floor (`s`: A·d, when already
        computed). Moves below 10⁻⁶ are LP noise and set no limit."""
        s = self.A @ d if s is None else s
        lo, hi = self.bornes_micro(k)
        limites = [1e6]
        for mask, marge in ((d < -1e-6, self.micro - lo), (d > 1e-6, hi - self.micro)):
            if mask.any():
                limites.append(np.min(marge[mask] / np.abs(d[mask])))
        baisse = s < -1e-6
        if baisse.any():
            limites.append(np.min((self.valeur[baisse] - self.borne_min[baisse]) / -s[baisse]))
        return max(0.0, float(min(limites)))

    def portee(self, d: np.ndarray, s: np.ndarray, alphas: tuple[float, float], p: int, cote: float,
               k=None) -> float:
        """How far change d (s = A·d), scaled either way up to `alphas` (the largest multiples
        the outsider's bounds allow), moves cell p on side `cote` — within the knowledge of
        insider k (or of each insider of a list) when given: only their micro-cells' bounds
        are narrower, so the limit is the outsider's or the one those set, whichever is less."""
        out = 0.0
        ks = None if k is None else np.atleast_1d(np.asarray(k, dtype=np.int64))
        for signe, alpha in zip((1.0, -1.0), alphas, strict=True):
            if cote * signe * s[p] <= 0 or alpha <= 0:
                continue
            if ks is not None:
                m = self.initie[ks]
                dm = signe * d[m]
                baisse, hausse = dm < -1e-9, dm > 1e-9
                limites = np.r_[(self.micro[m] - self.initie_min[ks])[baisse] / -dm[baisse],
                                (self.initie_max[ks] - self.micro[m])[hausse] / dm[hausse]]
                alpha = min(alpha, limites.min(initial=np.inf))
            out = max(out, cote * signe * s[p] * max(alpha, 0.0))
        return out

    def exigences(self) -> tuple[np.ndarray, np.ndarray]:
        """(up, down): how far above and below its value the attacker's interval must reach —
        10 % and at least one job, within what the attacker knows a priori: a requirement that
        knowledge already defeats is capped at it."""
        return self._exigences

    @cached_property
    def _exigences(self) -> tuple[np.ndarray, np.ndarray]:
        v = self.valeur
        cible = np.maximum(PROTECTION * v, PROTECTION_MIN)
        return (np.minimum(cible, np.clip(self.borne_max - v, 0.0, None)),
                np.minimum(cible, np.clip(v - self.plancher, 0.0, None)))

    def exigence_initie(self, p: int, k: int) -> tuple[float, float]:
        """The same requirement for cell p against insider k: when p holds the insider's
        micro-cell, what the insider knows of it narrows p's a-priori interval (its own cell
        alone: nothing left to protect from it)."""
        haut, bas = (initie_max(float(x[p])) for x in self.exigences())
        m = self.initie[k]
        micro = self.A.indices[self.A.indptr[p] : self.A.indptr[p + 1]]
        if m not in micro:
            return haut, bas
        v = float(self.valeur[p])
        autres = micro[micro != m]
        plancher = max(float(self.plancher[p]), float(self.micro_min[autres].sum()) + self.initie_min[k])
        plafond = float(self.micro_max[autres].sum()) + self.initie_max[k]
        return min(haut, max(0.0, plafond - v)), min(bas, max(0.0, v - plancher))


def exigences_en_clair() -> str:
    """The protection requirement, in French, from the parameters above."""
    def emplois(n: float) -> str:
        return f"{n:g} emploi{'s' if n >= 2 else ''}"

    initie = ("la même protection" if PROTECTION_INITIE is None else
              f"au moins {emplois(PROTECTION_INITIE)} de part et d'autre")
    return (f"aucune cellule masquée recalculable, chaque cellule sensible encadrée à ±"
            f"{100 * PROTECTION:g} % (au moins {emplois(PROTECTION_MIN)}) de l'extérieur, et {initie} "
            "face à chaque établissement seul dans sa ligne qui connaît son propre chiffre")


def initie_max(besoin):
    """An outsider's requirement (a number or an array) as it applies against an insider
    (PROTECTION_INITIE)."""
    if PROTECTION_INITIE is None:
        return besoin
    if isinstance(besoin, np.ndarray):
        return np.minimum(besoin, PROTECTION_INITIE)
    return min(besoin, PROTECTION_INITIE)


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


def fusionner_micro(A: sp.csc_matrix) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
    """Merge micro-cells that lie in exactly the same published cells: the attacker only ever
    sees their sum, so one variable for them is exact and makes every LP smaller.

    Returns (A with one column per distinct signature, group of each micro-cell, first member
    of each group); `sommer` adds a column of values up by group."""
    A = sp.csc_matrix(A)
    groupe, premier = signatures(A)
    fusion = sp.csr_matrix((np.ones(len(groupe)), (np.arange(len(groupe)), groupe)),
                           shape=(len(groupe), len(premier)))
    A2 = sp.csr_matrix(A @ fusion)
    A2.data[:] = 1.0  # a cell holds the merged group once (the product counts its members)
    return A2, groupe, premier


def sommer(groupe: np.ndarray, n: int, valeurs) -> np.ndarray:
    """Sum per group; inf when one member is inf (an unbounded ceiling stays unbounded)."""
    valeurs = np.asarray(valeurs, dtype=float)
    fini = np.isfinite(valeurs)
    out = np.bincount(groupe, weights=np.where(fini, valeurs, 0.0), minlength=n)
    return np.where(np.bincount(groupe, weights=~fini, minlength=n) > 0, np.inf, out)
