"""Secondary suppression at least cost: the LP heuristic of Fischetti and Salazar (2000).

For each primary-sensitive cell p still unprotected, one LP looks for two changes of the
micro-data — one raising p by its upper protection, one lowering it by its lower protection —
that leave every published cell unchanged except the ones it pays to hide (cost by value,
headline figures costlier), and keep every cell within what the attacker knows (≥ its number
of establishments, micro-cells ≥ their size-band minimum). The cells the changes touch are
hidden. Each change is a certificate: a table identical to the published one in everything
published, where p takes another value; hiding more cells later never invalidates it.

Why not tau-ARGUS' modular method (HiTaS): it protects each hierarchical sub-table on its
own and is known to leave disclosures across sub-tables, which the audit would then find;
the certificates here hold against the whole published system by construction, and the
audit (`etl.secret.audit`) checks them independently.

The LP is solved on a neighbourhood (the communes of p's EPCI, then of its PETR, then the
whole département), growing when the small one can only protect p by hiding a cell of a
higher level: every solution is feasible for the full table, since the micro-cells outside
the neighbourhood simply do not move.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from etl.secret import lp
from etl.secret.tableau import Tableau

TOLERANCE = 1e-7


@dataclass
class Resultat:
    cache: np.ndarray  # hidden cells
    impossibles: list[int] = field(default_factory=list)  # cells no suppression can protect
    nb_lp: int = 0
    certificats: list[np.ndarray] = field(default_factory=list)  # the changes found


@dataclass
class _Certificat:
    haut: np.ndarray | None  # micro-cell change raising p (None when p needs no rise)
    bas: np.ndarray | None
    cout: float
    nouveaux: np.ndarray  # cells it hides


class _Protection:
    def __init__(self, t: Tableau, cache: np.ndarray):
        self.t = t
        self.A = t.A.tocsr()
        self.Ac = t.A.tocsc()
        self.v = t.valeur
        self.bas_cellule = t.borne_min - self.v  # how far each cell may go down
        self.bas_micro = t.micro_min - t.micro
        self.cache = cache
        self.haut, self.descente = t.exigences()
        self.nb_lp = 0

    def voisinage(self, p: int, niveau: int) -> np.ndarray:
        micro = self.A.indices[self.A.indptr[p] : self.A.indptr[p + 1]]
        if niveau >= self.t.zones.shape[1]:
            return np.arange(self.A.shape[1])
        zones = np.unique(self.t.zones[micro, niveau])
        return np.flatnonzero(np.isin(self.t.zones[:, niveau], zones))

    def resoudre(self, p: int, N: np.ndarray) -> _Certificat | None:
        """The cheapest pair of changes of the micro-cells N protecting p, or None."""
        sous = self.Ac[:, N].tocsr()
        K = np.flatnonzero(np.diff(sous.indptr))
        B = sous[K]
        n, k = len(N), len(K)
        publie = ~self.cache[K]
        P = np.flatnonzero(publie)
        ip = int(np.searchsorted(K, p))
        sens = [s for s, besoin in ((1.0, self.haut[p]), (-1.0, self.descente[p])) if besoin > 0]
        nv = len(sens) * n + len(P)
        blocs, lo, hi = [], [], []
        for i, s in enumerate(sens):
            gauche = sp.csr_matrix((k, i * n))
            droite = sp.csr_matrix((k, (len(sens) - i - 1) * n + len(P)))
            blocs.append(sp.hstack([gauche, B, droite]))  # each cell stays within its bounds
            lo.append(self.bas_cellule[K])
            hi.append(np.full(k, np.inf))
            T = sp.csr_matrix(
                (np.ones(len(P)), (np.arange(len(P)), np.arange(len(P)))), shape=(len(P), len(P))
            )
            Bp = B[P]
            g2 = sp.csr_matrix((len(P), i * n))
            d2 = sp.csr_matrix((len(P), (len(sens) - i - 1) * n))
            blocs.append(sp.hstack([g2, Bp, d2, -T]))  # a published cell that moves by |s|
            lo.append(np.full(len(P), -np.inf))  # costs t ≥ |s|
            hi.append(np.zeros(len(P)))
            blocs.append(sp.hstack([g2, Bp, d2, T]))
            lo.append(np.zeros(len(P)))
            hi.append(np.full(len(P), np.inf))
            cible = s * (self.haut[p] if s > 0 else self.descente[p])
            ligne = sp.hstack(
                [sp.csr_matrix((1, i * n)), B[ip], sp.csr_matrix((1, (len(sens) - i - 1) * n + len(P)))]
            )
            blocs.append(ligne)
            lo.append(np.array([cible]))
            hi.append(np.array([cible]))
        M = sp.vstack(blocs).tocsr()
        c = np.r_[np.zeros(len(sens) * n), self.t.cout[K[P]]]
        self.nb_lp += 1
        r = lp.resoudre(
            c,
            M,
            np.concatenate(lo),
            np.concatenate(hi),
            np.r_[np.tile(self.bas_micro[N], len(sens)), np.zeros(len(P))],
            np.full(nv, np.inf),
        )
        if r is None:
            return None
        x, objectif = r
        changes = {}
        for i, s in enumerate(sens):
            d = np.zeros(self.A.shape[1])
            d[N] = x[i * n : (i + 1) * n]
            d[np.abs(d) < TOLERANCE] = 0.0
            changes[s] = d
        t = x[len(sens) * n :]
        echelle = max(self.haut[p], self.descente[p], 1.0)
        nouveaux = K[P[t > TOLERANCE * echelle]]
        return _Certificat(changes.get(1.0), changes.get(-1.0), float(objectif), nouveaux)


def proteger(
    t: Tableau, cache: np.ndarray, ordre: np.ndarray, certificats: list[np.ndarray] = ()
) -> Resultat:
    """Hide the cells of `ordre` (primary-sensitive, in the order to protect them) and the
    complements that protect them; deterministic for the same table. `certificats`: changes
    found for another measure of the same cells (effectifs → EQTP), tried first, rescaled."""
    pr = _Protection(t, cache.copy())
    atteint = np.zeros((2, len(pr.v)))  # how far up / down some known change moves each cell
    trouves: list[np.ndarray] = []

    def retenir(d: np.ndarray) -> None:
        for signe in (1.0, -1.0):  # a change reversed may fit too (EQTP has no floor but 0)
            alpha = signe * _echelle_max(pr, signe * d)
            if alpha != 0:
                s = alpha * (pr.A @ d)
                atteint[0] = np.maximum(atteint[0], np.where(pr.cache, s, 0))
                atteint[1] = np.maximum(atteint[1], np.where(pr.cache, -s, 0))
        trouves.append(d)

    for d in certificats:
        retenir(d)
    impossibles = []
    n_niveaux = t.zones.shape[1] + 1
    for p in ordre:
        if atteint[0, p] >= pr.haut[p] * (1 - 1e-9) and atteint[1, p] >= pr.descente[p] * (1 - 1e-9):
            continue
        meilleur = None
        for niveau in range(n_niveaux):
            cert = pr.resoudre(p, pr.voisinage(p, niveau))
            if cert is not None and (meilleur is None or cert.cout < meilleur.cout - 1e-9):
                meilleur = cert
            if meilleur is not None and _local(pr, p, meilleur, niveau):
                break
        if meilleur is None:
            impossibles.append(int(p))
            continue
        pr.cache[meilleur.nouveaux] = True
        for d in (meilleur.haut, meilleur.bas):
            if d is not None:
                retenir(d)
    return Resultat(pr.cache, impossibles, pr.nb_lp, trouves)


def _echelle_max(pr: _Protection, d: np.ndarray) -> float:
    """The largest α such that α·d keeps every micro-cell and hidden cell within its a-priori
    bounds (published cells do not move: d was found with them fixed, or hidden since)."""
    s = pr.A @ d
    if np.any(np.abs(s[~pr.cache]) > 1e-6 * np.maximum(1.0, np.abs(pr.v[~pr.cache]))):
        return 0.0
    limites = [np.inf]
    baisse = d < -1e-6  # LP noise below the audit's tolerance sets no limit
    if baisse.any():
        limites.append(np.min((pr.t.micro[baisse] - pr.t.micro_min[baisse]) / -d[baisse]))
    baisse = s < -1e-6
    if baisse.any():
        limites.append(np.min(-pr.bas_cellule[baisse] / -s[baisse]))
    return max(0.0, min(float(min(limites)), 1e6))


def _local(pr: _Protection, p: int, cert: _Certificat, niveau: int) -> bool:
    """Whether a solution found at this neighbourhood is good enough not to look wider: it
    hides no cell reaching beyond the neighbourhood (those are the costly higher levels)."""
    if niveau >= pr.t.zones.shape[1]:
        return True
    if not len(cert.nouveaux):
        return True
    zones_p = np.unique(pr.t.zones[pr.A.indices[pr.A.indptr[p] : pr.A.indptr[p + 1]], niveau])
    for k in cert.nouveaux:
        mk = pr.A.indices[pr.A.indptr[k] : pr.A.indptr[k + 1]]
        if not np.isin(pr.t.zones[mk, niveau], zones_p).all():
            return False
    return True
