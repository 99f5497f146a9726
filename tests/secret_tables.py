"""Small random hierarchical tables for the secret statistique tests, and an attacker written
independently of etl.secret: it works in cell space, on the additivity equations of the table
(families → ESS in every territory; communes → EPCI → département for every group), the
classical tau-ARGUS formulation, not on the micro-cells the protection uses."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

from etl.secret.tableau import Tableau


@dataclass
class Table:
    """Communes grouped in EPCI, in one département; families (and their ESS total)."""

    epci_de: list[int]  # EPCI of each commune
    valeurs: np.ndarray  # (communes × families) jobs
    nb: np.ndarray  # (communes × families) establishments

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
        k = self.valeurs.shape[1]
        return [(f"f{f}", [f]) for f in range(k)] + [("ess", list(range(k)))]

    def cellules(self) -> list[tuple[str, str, list[int], list[int]]]:
        return [(t, g, cs, fs) for t, cs in self.territoires for g, fs in self.groupes]

    def tableau(self) -> Tableau:
        """The table as the protection sees it: each cell the sum of commune × family cells."""
        n, k = self.valeurs.shape
        lignes, cols = [], []
        for i, (_t, _g, cs, fs) in enumerate(self.cellules()):
            for c in cs:
                for f in fs:
                    lignes.append(i)
                    cols.append(c * k + f)
        A = sp.csr_matrix((np.ones(len(lignes)), (lignes, cols)), shape=(len(self.cellules()), n * k))
        nb = A @ self.nb.ravel().astype(float)
        v = A @ self.valeurs.ravel().astype(float)
        zones = np.column_stack([np.repeat(self.epci_de, k), np.zeros(n * k, int)])
        return Tableau(A=A, micro=self.valeurs.ravel().astype(float), micro_min=np.zeros(n * k), nb=nb,
                       dominante=np.zeros(len(v)), cout=v + 1, zones=zones)


def equations(table: Table) -> sp.csr_matrix:
    """Additivity of the table in cell space: each row sums to zero."""
    index = {(t, g): i for i, (t, g, _c, _f) in enumerate(table.cellules())}
    rows = []
    k = table.valeurs.shape[1]
    for t, _cs in table.territoires:  # families → ESS
        rows.append({index[(t, f"f{f}")]: 1.0 for f in range(k)} | {index[(t, "ess")]: -1.0})
    epcis = [t for t, _ in table.territoires if t.startswith("epci")]
    for g, _fs in table.groupes:
        for e in epcis:  # communes → EPCI
            membres = dict(table.territoires)[e]
            rows.append({index[(f"commune:{c}", g)]: 1.0 for c in membres} | {index[(e, g)]: -1.0})
        rows.append({index[(e, g)]: 1.0 for e in epcis} | {index[("departement", g)]: -1.0})
    M = sp.lil_matrix((len(rows), len(index)))
    for r, coef in enumerate(rows):
        for j, c in coef.items():
            M[r, j] = c
    return M.tocsr()


def intervalle(table: Table, cache: np.ndarray, cellule: int) -> tuple[float, float]:
    """The attacker's interval for a cell: LP over the table's equations, published cells at
    their value, hidden ones ≥ their number of establishments."""
    t = table.tableau()
    v, nb = t.valeur, t.nb
    E = equations(table)
    bornes = [(min(nb[i], v[i]), None) if cache[i] else (v[i], v[i]) for i in range(len(v))]
    c = np.zeros(len(v))
    c[cellule] = 1.0
    bas = linprog(c, A_eq=E, b_eq=np.zeros(E.shape[0]), bounds=bornes, method="highs")
    haut = linprog(-c, A_eq=E, b_eq=np.zeros(E.shape[0]), bounds=bornes, method="highs")
    return bas.fun, (np.inf if haut.status == 3 else -haut.fun)
