"""Small random hierarchical tables for the secret statistique tests, and an attacker written
independently of etl.secret: it works in cell space, on the additivity equations of the table
(families → ESS → privé in every territory; communes → EPCI → département for every group),
the classical tau-ARGUS formulation, not on the micro-cells the protection uses. What it knows
a priori it works out itself from the table: every commune × family cell is at least its
number of establishments (each employs someone, where the cell has that many jobs) and at most
its size bands' ceiling; an insider is an establishment alone in its commune × family cell,
which it then knows exactly."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

from etl.secret.tableau import Tableau


@dataclass
class Table:
    """Communes grouped in EPCI, in one département; ESS families (and their ESS total), and
    when `hors` the last column is private employment outside the ESS: never published, it
    makes the published `prive` group (ESS + outside)."""

    epci_de: list[int]  # EPCI of each commune
    valeurs: np.ndarray  # (communes × families) jobs
    nb: np.ndarray  # (communes × families) establishments
    hors: bool = False
    plafonds: np.ndarray | None = None  # (communes × families) size bands' ceilings (inf: none)
    ess: list[int] = field(init=False)

    def __post_init__(self):
        k = self.valeurs.shape[1]
        self.ess = list(range(k - 1 if self.hors else k))
        if self.plafonds is None:
            self.plafonds = np.full(self.valeurs.shape, np.inf)

    @property
    def territoires(self) -> list[tuple[str, list[int]]]:
        n = len(self.epci_de)
        out = [(f"commune:{c}", [c]) for c in range(n)]
        for e in sorted(set(self.epci_de)):
            out.append((f"epci:{e}", [c for c in range(n) if self.epci_de[c] == e]))
        out.append(("departement", list(range(n))))
        return out

    @property
    def groupes(self) -> list[tuple[str, list[int]]]:
        out = [(f"f{f}", [f]) for f in self.ess] + [("ess", self.ess)]
        if self.hors:
            out.append(("prive", list(range(self.valeurs.shape[1]))))
        return out

    def cellules(self) -> list[tuple[str, str, list[int], list[int]]]:
        return [(t, g, cs, fs) for t, cs in self.territoires for g, fs in self.groupes]

    def tableau(self, initie: bool = True) -> Tableau:
        """The table as the protection sees it: each cell the sum of commune × family cells,
        what the attacker knows of them (`initie`: with the insiders)."""
        n, k = self.valeurs.shape
        lignes, cols = [], []
        for i, (_t, _g, cs, fs) in enumerate(self.cellules()):
            for c in cs:
                for f in fs:
                    lignes.append(i)
                    cols.append(c * k + f)
        A = sp.csr_matrix((np.ones(len(lignes)), (lignes, cols)), shape=(len(self.cellules()), n * k))
        micro, nb = self.valeurs.ravel().astype(float), self.nb.ravel().astype(float)
        v = A @ micro
        zones = np.column_stack([np.repeat(self.epci_de, k), np.zeros(n * k, int)])
        seuls = np.flatnonzero(nb == 1) if initie else np.zeros(0, dtype=np.int64)
        return Tableau(A=A, micro=micro, micro_min=np.where(nb <= micro, nb, 0.0), nb=A @ nb,
                       dominante=np.zeros(len(v)), cout=v + 1, zones=zones,
                       micro_max=self.plafonds.ravel().astype(float), initie=seuls,
                       initie_min=micro[seuls], initie_max=micro[seuls])


def equations(table: Table) -> sp.csr_matrix:
    """Additivity of the table in cell space, over the published cells then one unknown
    'outside the ESS' cell per territory: each row sums to zero."""
    cellules = table.cellules()
    index = {(t, g): i for i, (t, g, _c, _f) in enumerate(cellules)}
    if table.hors:
        for t, _cs in table.territoires:
            index[(t, "hors")] = len(index)
    rows = []
    for t, _cs in table.territoires:  # families → ESS (→ privé)
        rows.append({index[(t, f"f{f}")]: 1.0 for f in table.ess} | {index[(t, "ess")]: -1.0})
        if table.hors:
            rows.append({index[(t, "ess")]: 1.0, index[(t, "hors")]: 1.0, index[(t, "prive")]: -1.0})
    epcis = [t for t, _ in table.territoires if t.startswith("epci")]
    groupes = [g for g, _ in table.groupes] + (["hors"] if table.hors else [])
    for g in groupes:
        for e in epcis:  # communes → EPCI
            membres = dict(table.territoires)[e]
            rows.append({index[(f"commune:{c}", g)]: 1.0 for c in membres} | {index[(e, g)]: -1.0})
        rows.append({index[(e, g)]: 1.0 for e in epcis} | {index[("departement", g)]: -1.0})
    M = sp.lil_matrix((len(rows), len(index)))
    for r, coef in enumerate(rows):
        for j, c in coef.items():
            M[r, j] = c
    return M.tocsr()


def _bornes(table: Table, cache: np.ndarray, initie: tuple[int, int] | None) -> list[tuple]:
    """Each cell's interval for the attacker: a published cell its value; a hidden one what the
    commune × family cells it holds allow (≥ their establishments where they have as many
    jobs, ≤ their bands' ceilings); the insider's own commune × family cell pinned."""
    k = table.valeurs.shape[1]
    plancher = np.where(table.nb <= table.valeurs, table.nb, 0)
    bas, haut = plancher.astype(float), table.plafonds.astype(float).copy()
    if initie is not None:
        bas[initie] = haut[initie] = table.valeurs[initie]
    out = []
    for i, (_t, _g, cs, fs) in enumerate(table.cellules()):
        v = float(table.valeurs[np.ix_(cs, fs)].sum())
        if not cache[i]:
            out.append((v, v))
        else:
            lo, hi = float(bas[np.ix_(cs, fs)].sum()), float(haut[np.ix_(cs, fs)].sum())
            out.append((lo, None if np.isinf(hi) else hi))
    if table.hors:  # the unpublished outside-the-ESS cells
        for _t, cs in table.territoires:
            hi = float(haut[cs, k - 1].sum())
            out.append((float(bas[cs, k - 1].sum()), None if np.isinf(hi) else hi))
    return out


def intervalle(table: Table, cache: np.ndarray, cellule: int,
               initie: tuple[int, int] | None = None) -> tuple[float, float]:
    """The attacker's interval for a cell: LP over the table's equations, published cells at
    their value, hidden ones within the a-priori bounds of their commune × family cells; with
    `initie` = (commune, family), as that insider sees it."""
    E = equations(table)
    bornes = _bornes(table, cache, initie)
    contraintes = [E]
    seconds = [np.zeros(E.shape[0])]
    if initie is not None:
        # the insider's own commune × family cell, pinned: as an equation on the cells that
        # hold it alone (a commune's family cell when published as such, else its ESS / privé)
        contraintes.append(_cellule_de(table, initie, E.shape[1]))
        seconds.append(np.array([float(table.valeurs[initie])]))
    A_eq = sp.vstack(contraintes).tocsr()
    b_eq = np.concatenate(seconds)
    c = np.zeros(E.shape[1])
    c[cellule] = 1.0
    bas = linprog(c, A_eq=A_eq, b_eq=b_eq, bounds=bornes, method="highs")
    haut = linprog(-c, A_eq=A_eq, b_eq=b_eq, bounds=bornes, method="highs")
    return bas.fun, (np.inf if haut.status == 3 else -haut.fun)


def _cellule_de(table: Table, initie: tuple[int, int], n: int) -> sp.csr_matrix:
    """One row: the insider's commune × family cell as a sum of cell-space variables."""
    commune, famille = initie
    cellules = table.cellules()
    index = {(t, g): i for i, (t, g, _c, _f) in enumerate(cellules)}
    if famille in table.ess:
        j = index[(f"commune:{commune}", f"f{famille}")]
    else:  # outside the ESS: the commune's unpublished 'hors' variable
        j = len(cellules) + [t for t, _ in table.territoires].index(f"commune:{commune}")
    return sp.csr_matrix(([1.0], ([0], [j])), shape=(1, n))


def initie_de(table: Table) -> list[tuple[int, int]]:
    """Insiders: commune × family cells with a single establishment."""
    return [tuple(int(x) for x in ij) for ij in np.argwhere(table.nb == 1)]


def divulgations(table: Table, cache: np.ndarray, protection: float = 0.10, minimum: float = 1.0,
                 contre_initie: float = 1.0) -> list[str]:
    """Every way this attacker narrows a sensitive cell below the requirement, worked out on its
    own: from outside, ±10 % (at least `minimum` job) within what the a-priori bounds allow;
    for each insider, at least `contre_initie` job each side within what it knows a priori."""
    t = table.tableau()
    primaire = t.primaire()
    out = [f"{table.cellules()[i][:2]} sensible publiée" for i in np.flatnonzero(primaire & ~cache)]
    tout = np.ones(len(cache), bool)
    for i in np.flatnonzero(cache & primaire):
        lo, hi = intervalle(table, cache, i)
        v = t.valeur[i]
        a_lo, a_hi = intervalle(table, tout, i)  # what the a-priori bounds alone allow
        besoin = max(protection * v, minimum)
        if hi < min(v + besoin, a_hi) - 1e-6 or lo > max(v - besoin, a_lo) + 1e-6:
            out.append(f"{table.cellules()[i][:2]} = {v:g} encadrée entre {lo:g} et {hi:g}")
        for ins in initie_de(table):
            ilo, ihi = intervalle(table, cache, i, ins)
            a_lo, a_hi = intervalle(table, tout, i, ins)
            b = min(besoin, contre_initie)
            if ihi < min(v + b, a_hi) - 1e-6 or ilo > max(v - b, a_lo) + 1e-6:
                out.append(f"{table.cellules()[i][:2]} = {v:g} encadrée entre {ilo:g} et {ihi:g} par "
                           f"l'établissement seul de la commune {ins[0]}, famille {ins[1]}")
    return out
