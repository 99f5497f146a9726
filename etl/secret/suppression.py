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
the neighbourhood simply do not move. Before the cost LP of a wider neighbourhood (and for
EQTP, which reuses the cells hidden for effectifs), a feasibility LP asks whether p is
protected with no new hidden cell: the cost LP's optimum then, for a fraction of its time.

The sector cells (A21, A38), where one choice at a time falls short, are then chosen again
all together by the exact model of `secteurs`.
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
        """The cheapest pair of changes of the micro-cells N protecting p, or None.

        Columns: per direction, the micro-cell changes d and the cell moves s = B d; then one
        cost t ≥ |s| per published cell, shared by both directions. Each cell's a-priori bound
        is a bound of its s column, so B appears once per direction."""
        sous = self.Ac[:, N].tocsr()
        K = np.flatnonzero(np.diff(sous.indptr))
        B = sous[K]
        n, k = len(N), len(K)
        P = np.flatnonzero(~self.cache[K])
        ip = int(np.searchsorted(K, p))
        sens = [s for s, besoin in ((1.0, self.haut[p]), (-1.0, self.descente[p])) if besoin > 0]
        m = len(sens)
        largeur = m * (n + k) + len(P)  # [d_1, s_1, d_2, s_2, t]
        I_k = sp.identity(k, format="csr")
        E_p = sp.csr_matrix((np.ones(len(P)), (np.arange(len(P)), P)), shape=(len(P), k))
        I_p = sp.identity(len(P), format="csr")
        blocs, lo, hi = [], [], []
        col_min, col_max = [], []
        for i, signe in enumerate(sens):
            avant, apres = i * (n + k), (m - i - 1) * (n + k)
            blocs.append(sp.hstack([sp.csr_matrix((k, avant)), B, -I_k, sp.csr_matrix((k, apres + len(P)))]))
            lo.append(np.zeros(k))
            hi.append(np.zeros(k))
            for cote in (1.0, -1.0):  # t ≥ ±s for the published cells
                blocs.append(sp.hstack([sp.csr_matrix((len(P), avant + n)), cote * E_p,
                                        sp.csr_matrix((len(P), apres)), -I_p]))
                lo.append(np.full(len(P), -np.inf))
                hi.append(np.zeros(len(P)))
            bas_s = self.bas_cellule[K].copy()
            haut_s = np.full(k, np.inf)
            cible = self.haut[p] if signe > 0 else -self.descente[p]
            bas_s[ip] = haut_s[ip] = cible
            col_min += [self.bas_micro[N], bas_s]
            col_max += [np.full(n, np.inf), haut_s]
        M = sp.vstack(blocs).tocsr()
        c = np.r_[np.zeros(m * (n + k)), self.t.cout[K[P]]]
        self.nb_lp += 1
        r = lp.resoudre(c, M, np.concatenate(lo), np.concatenate(hi),
                        np.concatenate([*col_min, np.zeros(len(P))]),
                        np.concatenate([*col_max, np.full(len(P), np.inf)]))
        if r is None:
            return None
        x, objectif = r
        assert len(x) == largeur
        changes = {}
        for i, signe in enumerate(sens):
            d = np.zeros(self.A.shape[1])
            d[N] = x[i * (n + k) : i * (n + k) + n]
            d[np.abs(d) < TOLERANCE] = 0.0
            changes[signe] = d
        t = x[m * (n + k) :]
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
            N = pr.voisinage(p, niveau)
            if niveau > 0 or len(certificats):
                cert = _sans_cout(pr, p, N)
                if cert is not None:
                    meilleur = cert
                    break
            cert = pr.resoudre(p, N)
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


def _sans_cout(pr: _Protection, p: int, N: np.ndarray) -> _Certificat | None:
    """Changes of N protecting p that hide no new cell, when there are: two small LPs with
    no cost to weigh, much faster than the cost LP on a large neighbourhood (which would
    find the same zero-cost optimum)."""
    changes = []
    for cible in (pr.haut[p], -pr.descente[p]):
        if cible == 0:
            changes.append(None)
            continue
        d = _changement(pr, p, cible, N)
        if d is None:
            return None
        changes.append(d)
    return _Certificat(changes[0], changes[1], 0.0, np.zeros(0, dtype=np.int64))


def _echelle_max(pr: _Protection, d: np.ndarray) -> float:
    """The largest α such that α·d keeps every micro-cell and hidden cell within its a-priori
    bounds (published cells do not move: d was found with them fixed, or hidden since)."""
    s = pr.A @ d
    if np.any(np.abs(s[~pr.cache]) > 1e-6 * np.maximum(1.0, np.abs(pr.v[~pr.cache]))):
        return 0.0
    return pr.t.echelle_max(d, s)


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


def _changement(pr: _Protection, p: int, cible: float, N: np.ndarray) -> np.ndarray | None:
    """A change of the micro-cells N moving cell p by `cible` while every published cell
    stays still and every hidden one within its a-priori bounds: no new cell hidden."""
    sous = pr.Ac[:, N].tocsr()
    K = np.flatnonzero(np.diff(sous.indptr))
    lo = np.where(pr.cache[K], pr.bas_cellule[K], 0.0)
    hi = np.where(pr.cache[K], np.inf, 0.0)
    ip = np.searchsorted(K, p)
    lo[ip] = hi[ip] = cible
    pr.nb_lp += 1
    r = lp.resoudre(np.zeros(len(N)), sous[K], lo, hi, pr.bas_micro[N], np.full(len(N), np.inf))
    if r is None:
        return None
    d = np.zeros(pr.A.shape[1])
    d[N] = r[0]
    d[np.abs(d) < TOLERANCE] = 0.0
    return d

