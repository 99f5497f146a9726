"""Exact secondary suppression: the mixed-integer model of Fischetti and Salazar (2001),
solved by cuts (Benders), over every cell that is not primary.

Why not the LP heuristic (`suppression`) alone: it protects one primary cell at a time, and
in the EPCI × A21 table, where a third of the cells are sensitive, each choice ignores the
next ones (2021 demo: 29 complements among the EPCI sections, 19 with this model).

Model: one binary x per free cell (hide it or not), costing its weight (`emploi._cout`);
every other cell keeps its state. A primary cell p is protected upward when some change of
the micro-data raises p by its protection level while no published cell moves, every hidden
cell stays within its a-priori bounds and every free cell moves by at most U·x (U = 10
protection levels: a restriction that keeps the cuts finite; the audit knows no such bound).
Insiders likewise, within what each knows. The master
MIP minimises the cost subject to the cuts found so far; for each primary cell its pattern
leaves unprotected, the LP maximum of p gives by duality an inequality every protecting x
satisfies (coefficients capped at its right-hand side, valid for binaries). Repeat until the
master's pattern protects every primary cell: it is then optimal for the restricted model.

Each LP runs on the whole table from the previous one's basis (`lp.Repete`), so a cut holds
for every way of protecting p; in a région, on the départements p lies in (`_Coupes`): its cuts
then hold for the ways within them, a little stronger, and a région's LPs stay a département's.
Each LP that finds p protected yields a witness (its change of the micro-data), reused while
the cells it moves stay hidden, and handed to the audit. A hidden cell the published
equalities still determine is published at the end: it tells nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from etl.secret import audit, lp
from etl.secret.tableau import Tableau, initie_max
from etl.secret.temoins import Chercheur, proprietaires

TOLERANCE = 1e-7
CAPACITE = 10.0  # how far a free cell may move in a certificate, in protection levels
DUAL_TOLERANCE = 1e-7  # HiGHS' dual feasibility tolerance: smaller reduced costs are noise
MAX_TOURS = 400  # master problems before giving the cells back to the heuristic


@dataclass
class Resultat:
    cache: np.ndarray
    certificats: list[np.ndarray]
    nb_lp: int
    hors_modele: list[int]  # primary cells no pattern of the free cells protects (left to the heuristic)


class _Temoins:
    """Changes of the micro-data known to move a primary cell far enough, by (cell, side), and
    by (cell, side, insider) for those found within an insider's knowledge: valid while every
    cell they move is hidden (`fixer` says which are, under a hiding pattern)."""

    def __init__(self, t: Tableau, exigence: dict[float, np.ndarray]):
        self.A = t.A.tocsr()
        self.t, self.exigence = t, exigence
        self.v = t.valeur
        self.par_cellule: dict[tuple, list[int]] = {}
        self.changes: list[tuple[np.ndarray, np.ndarray]] = []  # (d, A·d)
        self.alphas: list[tuple[float, float]] = []  # how far each may be scaled, either way
        self.deplacees: list[np.ndarray] = []  # the cells each moves
        self.supports: list[np.ndarray] = []  # the micro-cells each moves
        self.valide = np.zeros(0, dtype=bool)

    def fixer(self, cache: np.ndarray) -> None:
        """The witnesses valid under this pattern: every cell they move is hidden."""
        n = len(self.deplacees)
        if not n:
            self.valide = np.zeros(0, dtype=bool)
            return
        lignes = np.repeat(np.arange(n), [len(x) for x in self.deplacees])
        M = sp.csr_matrix((np.ones(len(lignes)), (lignes, np.concatenate(self.deplacees))),
                          shape=(n, len(cache)))
        self.valide = (M @ (~cache).astype(float)) == 0

    def ajouter(self, d: np.ndarray, primaires: np.ndarray, initie: tuple | None = None) -> None:
        """Keep d for every primary cell it moves far enough, in either direction, once scaled
        to the largest multiple the a-priori bounds allow; `initie`: the (cell, side, insider)
        it was found for. Found under the current pattern, it is valid under it."""
        s = self.A @ d
        i = len(self.changes)
        self.changes.append((d, s))
        self.supports.append(np.flatnonzero(np.abs(d) > 1e-9))
        self.deplacees.append(np.flatnonzero(np.abs(s) > 1e-6 * np.maximum(1.0, np.abs(self.v))))
        self.valide = np.r_[self.valide, True]
        self.alphas.append((self.t.echelle_max(d, s), self.t.echelle_max(-d, -s)))
        portee = {cote: np.zeros(len(primaires)) for cote in (1.0, -1.0)}
        for signe, alpha in zip((1.0, -1.0), self.alphas[i], strict=True):
            for cote in (1.0, -1.0):
                portee[cote] = np.maximum(portee[cote], cote * signe * alpha * s[primaires])
        for cote in (1.0, -1.0):
            besoin, r = self.exigence[cote][primaires], portee[cote]
            assez = (besoin > 0) & (r >= besoin * (1 - 1e-9))
            for p in primaires[assez]:
                self.par_cellule.setdefault((int(p), cote), []).append(i)
            # enough against an insider only
            for p in primaires[(besoin > 0) & ~assez & (r >= initie_max(besoin) * (1 - 1e-9))]:
                self.par_cellule.setdefault((int(p), cote, "initie"), []).append(i)
        if initie is not None:
            self.par_cellule.setdefault(initie, []).append(i)

    def valides(self, cle: tuple) -> np.ndarray:
        i = np.asarray(self.par_cellule.get(cle, ()), dtype=np.int64)
        return i[self.valide[i]]

    def protege(self, p: int, cote: float) -> bool:
        return bool(len(self.valides((p, cote))))

    def pour_initie(self, p: int, cote: float) -> np.ndarray:
        """Valid witnesses of (p, side) that may hold against insiders: the outsider's, and
        those reaching only an insider's requirement."""
        return np.r_[self.valides((p, cote)), self.valides((p, cote, "initie"))].astype(np.int64)

    def initie_a_verifier(self, p: int, cote: float, initie_de: np.ndarray) -> list[int]:
        """Insiders whose micro-cell every such witness moves."""
        temoins = self.pour_initie(p, cote)
        commun = self.supports[temoins[0]] if len(temoins) else np.arange(self.A.shape[1])
        for i in temoins[1:]:
            commun = commun[np.abs(self.changes[i][0][commun]) > 1e-9]
            if not len(commun):
                return []
        k = initie_de[commun]
        return k[k >= 0].tolist()

    def protege_initie(self, p: int, cote: float, k: int, besoin: float) -> bool:
        if len(self.valides((p, cote, k))):
            return True
        return any(self.t.portee(*self.changes[i], self.alphas[i], p, cote, k) >= besoin * (1 - 1e-9)
                   for i in self.pour_initie(p, cote))


class _Echec(Exception):
    """The solver failed where a solution exists: the caller keeps the heuristic's cells."""


class _Coupes:
    """The protection LP of one primary cell under a hiding pattern: a witness when the pattern
    protects it, else a cut over the free cells. One model per block (columns [d, s], rows
    A d − s = 0), solved again for each cell, side and insider with other bounds.

    A block is the whole table, or in a région the départements p's micro-cells lie in
    (`Tableau.bloc`): the change is then sought within them, every cell they touch (région,
    cross-border EPCI…) still bound by its state. A witness found there is one of the whole
    table; a cut is valid for changes within the block only, so it may ask more than the whole
    table needs (some over-hiding), but the LPs are a département's, not 13 times larger."""

    def __init__(self, t: Tableau, libres: np.ndarray):
        self.t = t
        self.nm, self.nk = t.A.shape[1], t.A.shape[0]
        self.marge = t.valeur - t.borne_min  # how far each cell may go down
        self.monte = t.borne_max - t.valeur  # and up (inf: no ceiling)
        self.dmin, self.dmax = t.micro_min - t.micro, t.micro_max - t.micro
        self.libre = np.zeros(self.nk, dtype=bool)
        self.libre[libres] = True
        self.libres = libres
        self._blocs: dict[tuple, tuple[np.ndarray, np.ndarray, lp.Repete]] = {}  # built when first used
        self.chercheur = Chercheur(t)
        self.nb_lp = 0

    def _bloc(self, p: int) -> tuple[np.ndarray, np.ndarray, lp.Repete]:
        """(micro-cells, cells they lie in, the LP over them) of p's block."""
        t = self.t
        if t.bloc is None:
            cle: tuple = ()
            N = np.arange(self.nm)
        else:
            zones = t.zones[:, t.bloc]
            cle = tuple(np.unique(zones[t.A.indices[t.A.indptr[p] : t.A.indptr[p + 1]]]))
            N = np.flatnonzero(np.isin(zones, cle))
        if cle not in self._blocs:
            K, B = t.restreint(N)
            zero = np.zeros(len(K))
            M = sp.hstack([B, -sp.identity(len(K))])
            self._blocs[cle] = N, K, lp.Repete(M, zero, zero, np.r_[self.dmin[N], zero],
                                               np.r_[self.dmax[N], zero])
        return self._blocs[cle]

    def resoudre(self, p: int, cote: float, cible: float, cache: np.ndarray, k: int | None = None):
        """max cote·s_p, s_p capped at the requirement `cible` so the LP is bounded, within
        insider k's knowledge when given: ('temoin', d), or ('coupe', (coefficients over the free
        cells, right-hand side)), or None when hiding every free cell would not protect p."""
        U = CAPACITE * max(cible, 1.0)
        plafond = np.where(self.libre, np.minimum(U, self.monte), self.monte)
        bas = np.where(cache, -self.marge, 0.0)
        haut = np.where(cache, plafond, 0.0)
        if cote > 0:
            bas[p], haut[p] = -self.marge[p], cible
        else:
            bas[p], haut[p] = -cible, self.monte[p]
        N, K, modele = self._bloc(p)
        ip = int(np.searchsorted(K, p))
        c = np.zeros(len(K))
        c[ip] = -cote
        dmin, dmax = self.dmin[N], self.dmax[N]
        autres = None
        m = -1 if k is None else int(self.t.initie[k])
        j = int(np.searchsorted(N, m))
        if k is not None and j < len(N) and N[j] == m:  # the insider's micro-cell lies in the block
            dmin, dmax = dmin.copy(), dmax.copy()
            dmin[j] = self.t.initie_min[k] - self.t.micro[m]
            dmax[j] = self.t.initie_max[k] - self.t.micro[m]
            autres = (np.array([j]), dmin[[j]], dmax[[j]], self.dmin[[m]], self.dmax[[m]])
        # A witness of least move in p's neighbourhoods finer than the block (up to half the
        # table), else the block's LP, which gives the cut too. The whole table's LP costs more
        # than those searches: they come first. A block's, warm, costs less, and most calls end
        # in a cut: it comes first, the searches only once p is known to be protected.
        recherche_avant = self.t.bloc is None
        fins = slice(-1) if recherche_avant else slice(self.t.bloc)

        def local() -> np.ndarray | None:
            return self.chercheur.trouver(cache, p, cote * cible, k, niveaux=fins, taille_max=self.nm // 2)

        if recherche_avant and (d := local()) is not None:
            return "temoin", d
        self.nb_lp += 1
        r = modele.resoudre(len(N) + np.arange(len(K)), c, bas[K], haut[K], autres=autres)
        if r is None:  # the zero change is always feasible: only a solver failure
            raise _Echec
        x, objectif, reduits = r
        if -objectif >= cible * (1 - 1e-7):
            if not recherche_avant and (d := local()) is not None:
                return "temoin", d
            d = np.zeros(self.nm)
            d[N] = x[: len(N)]
            d[np.abs(d) < TOLERANCE] = 0.0
            return "temoin", self.chercheur.reduire(d, cache, p, cote * cible, k)
        # Weak duality: for any bounds, max cote·s_p ≤ Σ_j −max(r_j,0)·min_j − min(r_j,0)·max_j
        # (r: reduced costs). Free cells' bounds are −marge·x and U·x; the rest is a constant.
        r = np.where(np.abs(reduits) < DUAL_TOLERANCE, 0.0, reduits)
        r_d = r[: len(N)]
        r_s = np.zeros(self.nk)  # cells outside the block do not move: no reduced cost
        r_s[K] = r[len(N) :]
        borne = np.isfinite(dmax)  # an unbounded column has no negative reduced cost at the optimum
        constante = float(-np.maximum(r_d, 0) @ dmin - np.minimum(r_d[borne], 0) @ dmax[borne])
        fixes = ~self.libre
        fixes[p] = True
        termes = np.zeros(self.nk)
        termes[r_s > 0] = -r_s[r_s > 0] * bas[r_s > 0]
        termes[r_s < 0] = -r_s[r_s < 0] * haut[r_s < 0]  # +inf: p cannot fail that way (no cut)
        constante += float(termes[fixes].sum())
        rl = r_s[self.libres]
        coef = np.maximum(rl, 0) * self.marge[self.libres] + np.maximum(-rl, 0) * plafond[self.libres]
        rhs = cible - constante
        if not coef.sum() >= rhs:
            return None
        return "coupe", (np.minimum(coef, rhs), rhs - 1e-6 * max(1.0, abs(rhs)))


def proteger(
    t: Tableau, cache: np.ndarray, primaire: np.ndarray, libres: np.ndarray, certificats: list[np.ndarray],
) -> Resultat | None:
    """Hide the fewest-cost cells among `libres` (indices) so that every primary cell is
    protected, against the outsider and every insider, every other cell keeping its state in
    `cache`; `certificats`: changes already found (the heuristic's), reused as witnesses. A
    primary cell no pattern of the free cells protects (it needs another kind of complement)
    is left out and listed. None when the model cannot conclude (inexact duals, too many
    rounds): the caller falls back."""
    haut, descente = t.exigences()
    exigence = {1.0: haut, -1.0: descente}
    primaires = np.flatnonzero(primaire)
    fixe = cache.copy()
    fixe[libres] = False
    temoins = _Temoins(t, exigence)
    for d in certificats:
        temoins.ajouter(d, primaires)
    coupes = _Coupes(t, libres)
    initie_de = np.full(t.A.shape[1], -1)
    initie_de[t.initie] = np.arange(len(t.initie))
    maitre = _Maitre(t.cout[libres])
    hors_modele: set[int] = set()
    for tour in range(MAX_TOURS):
        x = maitre.resoudre()
        if x is None:
            return None
        courant = fixe.copy()
        courant[libres[x]] = True
        temoins.fixer(courant)
        nouvelles = 0

        def examiner(p: int, cote: float, besoin: float, k: int | None, courant=courant, x=x) -> int:
            """LP of (p, side, insider) under the pattern: a witness, or a new cut (returns 1)."""
            r = coupes.resoudre(p, cote, besoin, courant, k)
            if r is None:
                hors_modele.add(p)
            elif r[0] == "temoin":
                temoins.ajouter(r[1], primaires, None if k is None else (p, cote, k))
            elif r[1][0][x].sum() >= r[1][1]:
                raise _Echec  # a cut the pattern already meets: the duals were not exact
            else:
                maitre.couper(*r[1])
                return 1
            return 0

        try:
            for p in map(int, primaires):
                for cote in (1.0, -1.0):
                    if exigence[cote][p] <= 0 or p in hors_modele:
                        continue
                    if not temoins.protege(p, cote):
                        nouvelles += examiner(p, cote, float(exigence[cote][p]), None)
                        if not temoins.protege(p, cote):
                            continue  # a cut (or out of the model): insiders next round
                    if not tour and maitre.coupes:
                        continue  # the first pattern hides primary cells only: insiders next round
                    for k, besoin in _initie_a_couvrir(t, temoins, coupes.chercheur, courant, p, cote,
                                                       initie_de):
                        if p not in hors_modele and not temoins.protege_initie(p, cote, k, besoin):
                            nouvelles += examiner(p, cote, besoin, k)
        except _Echec:
            return None
        if not nouvelles:
            # a hidden cell the published equalities determine tells nothing once published
            determinees = np.array(audit.rang(t, courant), dtype=np.int64)
            courant[determinees[np.isin(determinees, libres)]] = False
            changes = [d for d, _s in temoins.changes]
            return Resultat(courant, changes, coupes.nb_lp + coupes.chercheur.nb_lp, sorted(hors_modele))
    return None
def _initie_a_couvrir(t: Tableau, temoins: _Temoins, chercheur: Chercheur, courant: np.ndarray, p: int,
                      cote: float, initie_de: np.ndarray) -> list[tuple[int, float]]:
    """(insider, its requirement) for the insiders no valid witness of (p, side) holds against;
    those outside p first covered together, by one witness leaving all their micro-cells
    alone, when there is one."""
    def restants() -> list[tuple[int, float]]:
        out = []
        for k in temoins.initie_a_verifier(p, cote, initie_de):
            besoin = t.exigence_initie(p, k)[0 if cote > 0 else 1]
            if besoin > 0 and not temoins.protege_initie(p, cote, k, besoin):
                out.append((k, besoin))
        return out

    ks = restants()
    _dans_p, hors_p = proprietaires(t, p, [k for k, _b in ks])
    if len(hors_p) > 1:
        besoin = initie_max(temoins.exigence[cote][p])
        d = chercheur.trouver(courant, p, cote * besoin, hors_p, niveaux=slice(-1))
        if d is not None:
            temoins.ajouter(d, np.array([p]))
            ks = restants()
    return ks


class _Maitre:
    """The master problem: min cout·x subject to the cuts found so far, x binary (HiGHS branch
    and bound, one thread: deterministic). It separates: cells no cut links are independent, so
    each connected component of the cuts is solved on its own, and one whose cuts did not change
    since the previous round keeps its solution. Same optimum as the whole MIP; on a région
    (13 départements) the whole MIP, rebuilt dense and solved again at every round, was two
    thirds of the protection's time."""

    def __init__(self, cout: np.ndarray):
        self.cout = cout
        self.coupes: list[sp.csr_matrix] = []  # one sparse row per cut, over the free cells
        self.seconds: list[float] = []
        self.resolus: dict[tuple[int, ...], np.ndarray] = {}  # a component's cuts → its cells hidden

    def couper(self, coefficients: np.ndarray, second: float) -> None:
        self.coupes.append(sp.csr_matrix(coefficients))
        self.seconds.append(second)

    def resoudre(self) -> np.ndarray | None:
        n, m = len(self.cout), len(self.coupes)
        x = np.zeros(n, dtype=bool)
        if not m:
            return x
        C = sp.vstack(self.coupes, format="csr")
        C.eliminate_zeros()
        lien = (C != 0).astype(np.int8)
        graphe = sp.bmat([[None, lien], [lien.T, None]], format="csr")  # cuts, then cells
        _nb, etiquette = connected_components(graphe, directed=False)
        seconds = np.asarray(self.seconds)
        for k in np.unique(etiquette[:m]):
            lignes = np.flatnonzero(etiquette[:m] == k)
            cellules = np.flatnonzero(etiquette[m:] == k)
            cle = tuple(lignes)
            if cle not in self.resolus:
                r = lp.resoudre(self.cout[cellules], C[lignes][:, cellules], seconds[lignes],
                                np.full(len(lignes), np.inf), np.zeros(len(cellules)),
                                np.ones(len(cellules)), entiers=True)
                if r is None:
                    return None
                self.resolus[cle] = cellules[r[0] > 0.5]
            x[self.resolus[cle]] = True
        return x
