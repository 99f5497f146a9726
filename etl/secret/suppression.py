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
all together by the exact model of `exact`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from etl.secret import lp, temoins
from etl.secret.tableau import Tableau, initie_max

TOLERANCE = 1e-7


@dataclass
class Resultat:
    cache: np.ndarray  # hidden cells
    impossibles: list[int] = field(default_factory=list)  # cells no suppression can protect
    nb_lp: int = 0
    certificats: list[np.ndarray] = field(default_factory=list)  # the changes found
    # (cell, insider) pairs no suppression protects: the insider's own figure decides the cell
    impossibles_initie: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class _Certificat:
    changes: list[np.ndarray]  # micro-cell changes moving p by each requirement
    cibles: list[float]  # by how much each moves p (signed)
    cout: float
    nouveaux: np.ndarray  # cells it hides
    courts: bool = False  # its changes are already of least total move


class _Protection:
    def __init__(self, t: Tableau, cache: np.ndarray):
        self.t = t
        self.A = t.A.tocsr()
        self.v = t.valeur
        self.bas_cellule = t.borne_min - self.v  # how far each cell may go down
        self.haut_cellule = t.borne_max - self.v  # and up
        self.cache = cache
        self.haut, self.descente = t.exigences()
        self.chercheur = temoins.Chercheur(t)
        self.nb_lp = 0  # cost LPs (the witness searches count theirs)

    def marges_micro(self, k) -> tuple[np.ndarray, np.ndarray]:
        """How far each micro-cell may go down and up, for the outsider or insider(s) k."""
        lo, hi = self.t.bornes_micro(k)
        return lo - self.t.micro, hi - self.t.micro

    def resoudre(self, p: int, N: np.ndarray, cibles: dict[float, float], k=None) -> _Certificat | None:
        """The cheapest changes of the micro-cells N moving p by each of `cibles` (side →
        requirement), within insider k's knowledge when given, or None.

        Columns: per side, the micro-cell changes d and the cell moves s = B d; then one
        cost t ≥ |s| per published cell, shared by the sides. Each cell's a-priori bounds
        are bounds of its s column, so B appears once per side."""
        K, B = self.t.restreint(N)
        n, k_ = len(N), len(K)
        P = np.flatnonzero(~self.cache[K])
        ip = int(np.searchsorted(K, p))
        sens = list(cibles)
        m = len(sens)
        I_k = sp.identity(k_, format="csr")
        E_p = sp.csr_matrix((np.ones(len(P)), (np.arange(len(P)), P)), shape=(len(P), k_))
        I_p = sp.identity(len(P), format="csr")
        d_bas, d_haut = (x[N] for x in self.marges_micro(k))
        blocs, lo, hi = [], [], []
        col_min, col_max = [], []
        for i, signe in enumerate(sens):
            avant, apres = i * (n + k_), (m - i - 1) * (n + k_)
            vide_avant, vide_apres = sp.csr_matrix((k_, avant)), sp.csr_matrix((k_, apres + len(P)))
            blocs.append(sp.hstack([vide_avant, B, -I_k, vide_apres]))
            lo.append(np.zeros(k_))
            hi.append(np.zeros(k_))
            for cote in (1.0, -1.0):  # t ≥ ±s for the published cells
                blocs.append(sp.hstack([sp.csr_matrix((len(P), avant + n)), cote * E_p,
                                        sp.csr_matrix((len(P), apres)), -I_p]))
                lo.append(np.full(len(P), -np.inf))
                hi.append(np.zeros(len(P)))
            bas_s, haut_s = self.bas_cellule[K].copy(), self.haut_cellule[K].copy()
            bas_s[ip] = haut_s[ip] = signe * cibles[signe]
            col_min += [d_bas, bas_s]
            col_max += [d_haut, haut_s]
        M = sp.vstack(blocs).tocsr()
        c = np.r_[np.zeros(m * (n + k_)), self.t.cout[K[P]]]
        self.nb_lp += 1
        r = lp.resoudre(c, M, np.concatenate(lo), np.concatenate(hi),
                        np.concatenate([*col_min, np.zeros(len(P))]),
                        np.concatenate([*col_max, np.full(len(P), np.inf)]))
        if r is None:
            return None
        x, objectif = r
        changes = []
        for i in range(m):
            d = np.zeros(self.A.shape[1])
            d[N] = x[i * (n + k_) : i * (n + k_) + n]
            d[np.abs(d) < TOLERANCE] = 0.0
            changes.append(d)
        t = x[m * (n + k_) :]
        echelle = max(*cibles.values(), 1.0)
        return _Certificat(changes, [sg * cibles[sg] for sg in sens], float(objectif),
                           K[P[t > TOLERANCE * echelle]])


class _Registre:
    """The changes found so far, each scaled both ways to the largest multiple the outsider's
    bounds allow, and how far each moves each cell (valid for good: they move hidden cells
    only, and cells are never published again)."""

    def __init__(self, pr: _Protection):
        self.pr = pr
        self.changes: list[tuple[np.ndarray, np.ndarray]] = []
        self.alphas: list[tuple[float, float]] = []  # how far each may be scaled, either way
        self.par_cellule: dict[int, list[tuple[int, float, float]]] = {}  # cell → (change, up, down)

    def ajouter(self, d: np.ndarray) -> int:
        s = self.pr.A @ d
        i = len(self.changes)
        self.changes.append((d, s))
        portee = np.zeros((2, len(s)))
        # a change reversed may fit too (EQTP has no floor but 0)
        self.alphas.append((_echelle_max(self.pr, d, s), _echelle_max(self.pr, -d, -s)))
        for signe, alpha in zip((1.0, -1.0), self.alphas[i], strict=True):
            if alpha > 0:
                portee[0] = np.maximum(portee[0], signe * alpha * s)
                portee[1] = np.maximum(portee[1], -signe * alpha * s)
        for cellule in np.flatnonzero(portee.max(axis=0) > 0):
            self.par_cellule.setdefault(int(cellule), []).append((i, portee[0, cellule], portee[1, cellule]))
        return i

    def atteignant(self, p: int, cote: float, besoin: float) -> list[int]:
        j = 1 if cote > 0 else 2
        return [e[0] for e in self.par_cellule.get(int(p), ()) if e[j] >= besoin * (1 - 1e-9)]

    def portee_initie(self, i: int, p: int, cote: float, k: int) -> float:
        """How far change i moves p on side `cote` within insider k's knowledge."""
        return self.pr.t.portee(*self.changes[i], self.alphas[i], p, cote, k)


def proteger(
    t: Tableau, cache: np.ndarray, ordre: np.ndarray, certificats: list[np.ndarray] = ()
) -> Resultat:
    """Hide the cells of `ordre` (primary-sensitive, in the order to protect them) and the
    complements that protect them, against the outsider and against every insider;
    deterministic for the same table. `certificats`: changes found for another measure of the
    same cells (effectifs → EQTP), tried first, rescaled."""
    pr = _Protection(t, cache.copy())
    registre = _Registre(pr)
    for d in certificats:
        registre.ajouter(d)
    impossibles, impossibles_initie = [], []
    for p in ordre:
        besoins = {1.0: pr.haut[p], -1.0: pr.descente[p]}
        manque = {c: b for c, b in besoins.items() if b > 0 and not registre.atteignant(p, c, b)}
        if manque:
            cert = _chercher(pr, p, manque)
            if cert is None:
                impossibles.append(int(p))
                continue
            _retenir(pr, registre, p, cert)
        for cote, besoin in besoins.items():
            if besoin > 0:
                impossibles_initie += _initie(pr, registre, p, cote)
    trouves = [d for d, _s in registre.changes]
    return Resultat(pr.cache, impossibles, pr.nb_lp + pr.chercheur.nb_lp, trouves, impossibles_initie)


def _chercher(pr: _Protection, p: int, cibles: dict[float, float], k=None,
              sans_cout_seul: bool = False) -> _Certificat | None:
    """Changes protecting p (`k`: within the knowledge of insider k, or of each insider of a
    list), from the smallest neighbourhood that does it without hiding a cell of a wider one:
    in each, changes that hide nothing more when there are, else the cheapest
    (`sans_cout_seul`: only the former, in any neighbourhood)."""
    meilleur = None
    for niveau, N in enumerate([*pr.t.voisinages(p), np.arange(pr.A.shape[1])]):
        cert = _sans_cout(pr, p, cibles, niveau, k)
        if cert is not None:
            return cert
        if sans_cout_seul:
            continue
        cert = pr.resoudre(p, N, cibles, k)
        if cert is not None and (meilleur is None or cert.cout < meilleur.cout - 1e-9):
            meilleur = cert
        if meilleur is not None and _local(pr, p, meilleur, niveau):
            break
    return meilleur


def _sans_cout(pr: _Protection, p: int, cibles: dict[float, float], niveau: int, k=None
               ) -> _Certificat | None:
    """Changes of p's neighbourhood of that level protecting p that hide no new cell, when
    there are (of least total move): LPs with no cost to weigh, kept warm."""
    changes = []
    for signe, besoin in cibles.items():
        d = pr.chercheur.trouver(pr.cache, p, signe * besoin, k, niveaux=slice(niveau, niveau + 1))
        if d is None:
            return None
        changes.append(d)
    return _Certificat(changes, [sg * b for sg, b in cibles.items()], 0.0, np.zeros(0, dtype=np.int64),
                       courts=True)


def _initie(pr: _Protection, registre: _Registre, p: int, cote: float) -> list[tuple[int, int]]:
    """Protect p on one side against every insider. One whose micro-cell some change leaves
    alone (or moves within what it knows) is covered. The others outside p are first covered
    together by one change leaving all their micro-cells alone, hiding nothing more, when
    there is one; each that remains gets changes within its knowledge, hiding more cells if
    needed. Returns the (cell, insider) pairs no change protects."""
    t = pr.t
    besoin = pr.haut[p] if cote > 0 else pr.descente[p]
    prouves = registre.atteignant(p, cote, initie_max(besoin))
    initie_de = _initie_de(t)
    vus: set[int] = set()
    echecs = []
    ensemble = True  # try one change for all the insiders outside p
    while True:
        commun = _support_commun([registre.changes[i][0] for i in prouves], t.A.shape[1])
        restants = []
        for k in initie_de[commun]:
            k = int(k)
            if k < 0 or k in vus:
                continue
            besoin_k = t.exigence_initie(p, k)[0 if cote > 0 else 1]
            if besoin_k > 0 and not any(registre.portee_initie(i, p, cote, k) >= besoin_k * (1 - 1e-9)
                                        for i in prouves):
                restants.append((k, besoin_k))
            else:
                vus.add(k)
        if not restants:
            return echecs
        _dans_p, hors_p = temoins.proprietaires(t, p, [k for k, _b in restants])
        if ensemble and len(hors_p) > 1:
            ensemble = False
            cert = _chercher(pr, p, {cote: initie_max(besoin)}, hors_p, sans_cout_seul=True)
            if cert is not None:
                prouves = [*prouves, *_retenir(pr, registre, p, cert, hors_p)]
                continue
        k, besoin_k = restants[0]
        vus.add(k)
        cert = _chercher(pr, p, {cote: besoin_k}, k)
        if cert is None:
            echecs.append((int(p), k))
            continue
        ensemble = bool(len(cert.nouveaux))  # more cells hidden: one change for all may exist now
        prouves = [*prouves, *_retenir(pr, registre, p, cert, k)]


def _retenir(pr: _Protection, registre: _Registre, p: int, cert: _Certificat, k=None) -> list[int]:
    """Hide the cells a certificate needs and register its changes, each first reduced to the
    least change doing its job (an insider it leaves alone needs nothing more)."""
    pr.cache[cert.nouveaux] = True
    return [registre.ajouter(d if cert.courts else pr.chercheur.reduire(d, pr.cache, p, cible, k))
            for d, cible in zip(cert.changes, cert.cibles, strict=True)]


def _initie_de(t: Tableau) -> np.ndarray:
    out = np.full(t.A.shape[1], -1)
    out[t.initie] = np.arange(len(t.initie))
    return out


def _support_commun(changes: list[np.ndarray], n: int) -> np.ndarray:
    """Micro-cells every change moves (all n of them when there is none)."""
    commun = np.arange(n)
    for d in changes:
        commun = commun[np.abs(d[commun]) > 1e-9]
        if not len(commun):
            break
    return commun


def _echelle_max(pr: _Protection, d: np.ndarray, s: np.ndarray | None = None) -> float:
    """The largest α such that α·d keeps every micro-cell and hidden cell within its a-priori
    bounds (published cells do not move: d was found with them fixed, or hidden since)."""
    s = pr.A @ d if s is None else s
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
