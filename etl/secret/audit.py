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
import scipy.sparse as sp
from scipy.sparse.linalg import lsqr

from etl.secret import lp
from etl.secret.tableau import Tableau, initie_max
from etl.secret.temoins import Chercheur, proprietaires

TOLERANCE = 1e-6


@dataclass
class Constat:
    """What the attacker obtained on one year and measure."""

    determinees: list[int] = field(default_factory=list)  # hidden cells known exactly
    sous_protegees: list[tuple[int, float, float, float]] = field(default_factory=list)  # (cell, v, min, max)
    # (cell, insider's micro-cell, v, min, max): one establishment knowing its own figure
    # narrows a sensitive cell of others below the requirement
    par_initie: list[tuple[int, int, float, float, float]] = field(default_factory=list)
    incoherentes: int = 0  # published cells that are not the sum of their micro-data
    bornes_calculees: int = 0
    temoins: int = 0  # primary cells shown protected by a verified witness
    lp_complets: int = 0
    initie_lp: int = 0  # (cell, side, insider) bounded by LP: no witness covered them

    @property
    def sur(self) -> bool:
        return not (self.determinees or self.sous_protegees or self.par_initie or self.incoherentes)


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
    """LP bounds of a cell over every table consistent with the publication and the a-priori
    knowledge, the outsider's or one insider's (`k`: an index of `Tableau.initie`)."""

    def __init__(self, t: Tableau, cache: np.ndarray):
        self.t, self.cache = t, cache
        self.A = t.A.tocsr()
        v = t.valeur
        # what is published: values of the published cells, a-priori bounds of the hidden ones
        self.bas = np.where(cache, t.borne_min, v)
        self.haut = np.where(cache, t.borne_max, v)
        self.chercheur = Chercheur(t)
        self.lp_complets = 0
        self._tout: lp.Repete | None = None  # for `fourchette`

    def _lp(self, p: int, N: np.ndarray, maximiser: bool, k: int | None = None,
            arret: float | None = None) -> np.ndarray | None:
        """Bound of cell p when only micro-cells N move (the others keep their true value).
        `arret`: a value of p past which the answer does not matter (the LP stops there, so it
        is bounded and its solution is a witness)."""
        fixe = np.ones(self.A.shape[1], bool)
        fixe[N] = False
        reste = self.A[:, fixe] @ self.t.micro[fixe]
        K, B = self.t.restreint(N)
        ip = np.searchsorted(K, p)
        bas, haut = self.bas[K] - reste[K], self.haut[K] - reste[K]
        if arret is not None:
            if maximiser:
                haut[ip] = min(haut[ip], arret - reste[p])
            else:
                bas[ip] = max(bas[ip], arret - reste[p])
        lo, hi = self.t.bornes_micro(k)
        r = lp.resoudre(np.asarray(B[ip].todense()).ravel(), B, bas, haut, lo[N], hi[N], maximiser=maximiser)
        if r is None:
            return None  # infeasible or unbounded: the caller tells which
        x = self.t.micro.copy()
        x[N] = r[0]
        return x

    def fourchette(self, k: int) -> tuple[float, float]:
        """(min, max) of cell k over every table consistent with the publication: what anyone
        can compute from the published figures (max inf when unbounded). Publishing it tells
        nothing new."""
        if self._tout is None:  # one model over the whole table, each solve from the last basis
            self._tout = lp.Repete(self.A, self.bas, self.haut, self.t.micro_min, self.t.micro_max)
        micro = self.A.indices[self.A.indptr[k] : self.A.indptr[k + 1]]
        bornes = []
        for signe in (1.0, -1.0):  # min, then max (min of −p)
            r = self._tout.resoudre(micro, np.full(len(micro), signe), self.t.micro_min[micro],
                                    self.t.micro_max[micro])
            bornes.append(signe * r[1] if r is not None else (np.inf if signe < 0 else 0.0))
        return bornes[0], bornes[1]

    def verifier(self, x: np.ndarray, k: int | None = None) -> bool:
        """Whether table x agrees with everything published and the a-priori bounds."""
        s = self.A @ x
        ech = np.maximum(1.0, np.abs(self.t.valeur))
        lo, hi = self.t.bornes_micro(k)
        return bool(
            np.all(s >= self.bas - TOLERANCE * ech)
            and np.all(s <= self.haut + TOLERANCE * ech)
            and np.all(x >= lo - TOLERANCE * np.maximum(1.0, np.abs(lo)))
            and np.all(x <= hi + TOLERANCE * np.maximum(1.0, np.abs(hi)))
        )

    def temoin(self, d: np.ndarray) -> tuple[np.ndarray, np.ndarray, tuple[float, float]] | None:
        """(d, A·d, (α+, α−)) when d moves no published cell: a change of the micro-data the
        publication cannot tell from the truth once scaled by up to α+ (or reversed, by up to
        α−), the largest multiples the a-priori bounds allow, each checked against the whole
        publication; else None."""
        s = self.A @ d
        if np.any(np.abs(s[~self.cache]) > TOLERANCE * np.maximum(1.0, np.abs(self.t.valeur[~self.cache]))):
            return None
        alphas = []
        for signe in (1.0, -1.0):
            alpha = self.t.echelle_max(signe * d, signe * s) * (1 - 1e-9)
            ok = alpha > 0 and self.verifier(self.t.micro + signe * alpha * d)
            alphas.append(alpha if ok else 0.0)
        return d, s, (alphas[0], alphas[1])

    def temoin_pour(self, p: int, cible: float, k=None):
        """A witness moving p by `cible` (signed) within the knowledge of insider k (or of each
        insider of a list), checked against the whole publication: (d, A·d, scales) or None."""
        d = self.chercheur.trouver(self.cache, p, cible * (1 - 1e-9), k)
        if d is None:
            return None
        w = self.temoin(d)
        if w is None or self.t.portee(*w, p, np.sign(cible), k) < abs(cible) * (1 - 1e-6):
            return None
        return w

    def borne(self, p: int, maximiser: bool, cible: float, zones: list[np.ndarray],
              k: int | None = None) -> tuple[float, np.ndarray | None]:
        """The attacker's bound of p (inf when unbounded above), or `cible` itself when p can
        reach it — enough to know the cell is protected on that side; with the table reaching
        it (a witness), when one was found."""
        for N in zones:
            x = self._lp(p, N, maximiser, k, arret=cible)
            if x is not None and self.verifier(x, k):
                valeur = float((self.A[p] @ x)[0])
                if (valeur >= cible * (1 - 1e-12) - 1e-9) if maximiser else (valeur <= cible + 1e-9):
                    return valeur, x
        self.lp_complets += 1
        tout = np.arange(self.A.shape[1])
        x = self._lp(p, tout, maximiser, k, arret=cible)
        if x is None:
            return (np.inf if maximiser else -np.inf), None
        return float((self.A[p] @ x)[0]), x


class Temoins:
    """Changes of the micro-data offered as witnesses, checked against the whole publication
    and scaled both ways to the largest multiples the outsider's bounds allow (all at once, as
    sparse matrices: the protection hands over thousands): how far each moves each cell."""

    def __init__(self, att: Attaquant, changes: list[np.ndarray] | sp.spmatrix):
        self.att = att
        t = att.t
        n = att.A.shape[0]
        D = empiler(changes, att.A.shape[1])
        D.data[np.abs(D.data) < 1e-12] = 0.0
        D.eliminate_zeros()
        S = sp.csr_matrix(D @ att.A.T)
        publie = ~att.cache
        ech = TOLERANCE * np.maximum(1.0, np.abs(t.valeur))
        bouge = S.multiply(publie[None, :]).tocsr()
        bouge.data = np.abs(bouge.data) > ech[bouge.indices]
        valide = np.asarray(bouge.sum(axis=1)).ravel() == 0
        alphas = [_echelles(t, att, D, S, signe) for signe in (1.0, -1.0)]
        garde = np.flatnonzero(valide)
        self.changes = [(D[i].toarray().ravel(), S[i].toarray().ravel(), (alphas[0][i], alphas[1][i]))
                        for i in garde]
        if not len(garde):
            self.portee = {cote: sp.csc_matrix((0, n)) for cote in (1.0, -1.0)}
            return
        Sg = S[garde]
        plus, moins = alphas[0][garde], alphas[1][garde]
        self.portee = {}
        for cote in (1.0, -1.0):  # how far each moves each cell that way, scaled either way
            a, b = Sg.multiply(cote * plus[:, None]).tocsr(), Sg.multiply(-cote * moins[:, None]).tocsr()
            self.portee[cote] = a.maximum(b).maximum(0.0).tocsc()

    def atteignant(self, p: int, cote: float, besoin: float) -> list[tuple]:
        col = self.portee[cote][:, [p]].tocoo()
        return [self.changes[i] for i in col.row[col.data >= besoin * (1 - 1e-6)]]


def empiler(changes: list[np.ndarray] | sp.spmatrix, n: int) -> sp.csr_matrix:
    """Changes of the n micro-cells as the rows of a sparse matrix (dense ones, or already a
    matrix). Never stacked dense: a région's thousands of witnesses over 15 000
    micro-cells are 700 MB so, and stacking them took 7 s."""
    if sp.issparse(changes):
        return sp.csr_matrix(changes)
    changes = list(changes)
    if not changes:
        return sp.csr_matrix((0, n))
    colonnes = [np.flatnonzero(d) for d in changes]
    indptr = np.r_[0, np.cumsum([len(c) for c in colonnes])].astype(np.int64)
    valeurs = np.concatenate([np.asarray(d, dtype=float)[c] for d, c in zip(changes, colonnes, strict=True)])
    return sp.csr_matrix((valeurs, np.concatenate(colonnes), indptr), shape=(len(colonnes), n))


def _echelles(t: Tableau, att: Attaquant, D: sp.csr_matrix, S: sp.csr_matrix, signe: float) -> np.ndarray:
    """Per witness (row of D), the largest α (at most 10⁶) such that signe·α·d keeps every
    micro-cell within its a-priori bounds and every hidden cell within the published floor and
    ceiling; 0 where the scaled table fails the check against the whole publication."""
    lo, hi = t.bornes_micro()
    d = signe * D.data
    j = D.indices
    marge = np.where(d < 0, (t.micro[j] - lo[j]) / np.where(d < 0, -d, 1.0),
                     (hi[j] - t.micro[j]) / np.where(d > 0, d, 1.0))
    marge = np.where(np.abs(d) > 1e-6, marge, np.inf)
    alpha = np.minimum(1e6, _min_par_ligne(marge, D.indptr))
    s = signe * S.data
    k = S.indices
    marge_c = np.where(s < -1e-6, (t.valeur[k] - att.bas[k]) / np.where(s < 0, -s, 1.0), np.inf)
    alpha = np.minimum(alpha, _min_par_ligne(marge_c, S.indptr)) * (1 - 1e-9)
    alpha = np.maximum(alpha, 0.0)
    # the check, as a reader would: each scaled table within everything published and known
    ligne = np.repeat(np.arange(S.shape[0]), np.diff(S.indptr))
    x = t.valeur[k] + alpha[ligne] * s
    ech = TOLERANCE * np.maximum(1.0, np.abs(t.valeur[k]))
    faux_c = (x < att.bas[k] - ech) | (x > att.haut[k] + ech)
    ligne_d = np.repeat(np.arange(D.shape[0]), np.diff(D.indptr))
    m = t.micro[j] + alpha[ligne_d] * d
    faux_m = (m < lo[j] - TOLERANCE * np.maximum(1.0, np.abs(lo[j]))) | (
        m > hi[j] + TOLERANCE * np.maximum(1.0, np.abs(hi[j])))
    faux = np.zeros(S.shape[0], bool)
    faux[ligne[faux_c]] = True
    faux[ligne_d[faux_m]] = True
    return np.where(faux, 0.0, alpha)


def _min_par_ligne(valeurs: np.ndarray, indptr: np.ndarray) -> np.ndarray:
    """Minimum of each row's stored values (inf for an empty row)."""
    out = np.full(len(indptr) - 1, np.inf)
    pleines = np.flatnonzero(np.diff(indptr) > 0)
    if len(pleines):
        out[pleines] = np.minimum.reduceat(valeurs, indptr[pleines])
    return out


def auditer(
    t: Tableau,
    cache: np.ndarray,
    primaire: np.ndarray,
    valeurs_publiees: np.ndarray | None = None,
    bornes: bool = True,
    temoins: list[np.ndarray] | sp.spmatrix = (),
    arrondi: float = 0.0,
    exclus_initie: frozenset[tuple[int, int]] = frozenset(),
    determinees: list[int] | None = None,
) -> Constat:
    """`temoins`: changes of the micro-data offered as witnesses (e.g. those the protection
    found); each is checked against the publication, and a cell they already show protected
    needs no LP. Without them, every primary cell gets its LP bounds. Then every insider whose
    micro-cell all those witnesses move is checked on its own. `arrondi`: how far a published
    value may be from the exact sum (EQTP is published to 0,1); `exclus_initie`: (cell, insider's
    micro-cell) pairs no suppression protects, reported by the protection; `determinees`: the
    rank test's answer for this publication when already known (it depends on the cells and
    which are hidden only: the same for every measure of a table)."""
    c = Constat()
    if valeurs_publiees is not None:
        ecart = np.abs(t.valeur - valeurs_publiees)
        tol = arrondi + TOLERANCE * np.maximum(1, np.abs(t.valeur))
        c.incoherentes = int(np.sum(~cache & ~(ecart <= tol)))
    c.determinees = [int(i) for i in (rang(t, cache) if determinees is None else determinees)]
    if not bornes:
        return c
    att = Attaquant(t, cache)
    haut, descente = t.exigences()
    v = t.valeur
    connus = Temoins(att, temoins)
    initie_de = np.full(t.A.shape[1], -1)
    initie_de[t.initie] = np.arange(len(t.initie))
    for p in np.flatnonzero(primaire):
        if not cache[p]:
            c.sous_protegees.append((int(p), float(v[p]), float(v[p]), float(v[p])))
            continue
        zones = t.voisinages(p)
        atteint = {1.0: v[p], -1.0: v[p]}
        trouves: dict[float, list] = {}
        calcule = False
        for cote, besoin in ((1.0, haut[p]), (-1.0, descente[p])):
            if besoin <= 0:
                continue
            trouves[cote] = connus.atteignant(p, cote, initie_max(besoin))  # enough against insiders
            if connus.atteignant(p, cote, besoin):
                atteint[cote] = v[p] + cote * besoin
                continue
            calcule = True
            w = att.temoin_pour(p, cote * besoin)
            if w is not None:
                atteint[cote], trouves[cote] = v[p] + cote * besoin, [*trouves[cote], w]
                continue
            atteint[cote], _x = att.borne(p, cote > 0, v[p] + cote * besoin * (1 - 1e-9), zones)
        c.bornes_calculees += calcule
        if atteint[1.0] < v[p] + haut[p] * (1 - 1e-6) or atteint[-1.0] > v[p] - descente[p] * (1 - 1e-6):
            c.sous_protegees.append((int(p), float(v[p]), float(atteint[-1.0]), float(atteint[1.0])))
            continue
        c.temoins += not calcule
        for cote, w in trouves.items():
            _initie(t, att, connus, p, cote, w, zones, initie_de, c, exclus_initie)
    c.lp_complets = att.lp_complets
    return c


def _initie(t: Tableau, att: Attaquant, connus: Temoins, p: int, cote: float, w: list, zones,
            initie_de: np.ndarray, c: Constat, exclus: frozenset) -> None:
    """Every insider against cell p on one side: a witness that leaves its micro-cell alone
    (or moves it within what it knows) holds for it. The insiders outside p that every
    witness moves are first tried together (one witness leaving all their micro-cells alone);
    each that remains gets a witness within its own knowledge, or its LP bound."""
    v = float(t.valeur[p])
    vus: set[int] = set()
    ensemble = True
    while True:
        commun = _support_commun(w, t.A.shape[1])
        restants = [int(k) for k in initie_de[commun] if k >= 0 and int(k) not in vus
                    and (p, int(t.initie[k])) not in exclus]
        if not restants:
            return
        _dans_p, hors_p = proprietaires(t, p, restants)
        if ensemble and len(hors_p) > 1:
            ensemble = False
            besoin = initie_max((t.exigences()[0] if cote > 0 else t.exigences()[1])[p])
            if (temoin := att.temoin_pour(p, cote * besoin, hors_p)) is not None:
                w = [*w, temoin]
                continue
        k = restants[0]
        vus.add(k)
        besoin = t.exigence_initie(p, k)[0 if cote > 0 else 1]
        candidats = [*w, *connus.atteignant(p, cote, besoin)]  # those found for this insider too
        if besoin <= 0 or any(t.portee(d, s, a, p, cote, k) >= besoin * (1 - 1e-6) for d, s, a in candidats):
            continue
        c.initie_lp += 1
        if (temoin := att.temoin_pour(p, cote * besoin, k)) is not None:
            w = [*w, temoin]
            continue
        cible = v + cote * besoin * (1 - 1e-9)
        valeur, _x = att.borne(p, cote > 0, cible, zones, k)
        lo, hi = (v, valeur) if cote > 0 else (valeur, v)
        c.par_initie.append((int(p), int(t.initie[k]), v, float(lo), float(hi)))


def _support_commun(w: list, n: int) -> np.ndarray:
    """Micro-cells every witness moves (all n of them when there is no witness)."""
    commun = np.arange(n) if not w else None
    for d, _s, _a in w:
        supp = np.flatnonzero(np.abs(d) > 1e-9)
        commun = supp if commun is None else np.intersect1d(commun, supp, assume_unique=True)
        if not len(commun):
            break
    return commun
