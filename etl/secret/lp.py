"""One LP through HiGHS (highspy), without scipy's per-call conversions: the protection and
the audit solve thousands of small LPs."""

from __future__ import annotations

import os
import sys
import time

import highspy
import numpy as np
import scipy.sparse as sp

INF = highspy.kHighsInf
_banniere_passee = False
# Seconds spent inside HiGHS in this process (build report, benches): the part of the
# protection's and the audit's time that no change outside the solver removes
secondes = 0.0


def _highs() -> highspy.Highs:
    """A silent solver; HiGHS prints its banner on stdout at the first one of a process, which
    would mix into the build's progress lines: that one is made with stdout closed."""
    global _banniere_passee
    if _banniere_passee:
        return highspy.Highs()
    sys.stdout.flush()
    sauvegarde = os.dup(1)
    with open(os.devnull, "w") as nul:
        os.dup2(nul.fileno(), 1)
        try:
            h = highspy.Highs()
        finally:
            os.dup2(sauvegarde, 1)
            os.close(sauvegarde)
    _banniere_passee = True
    return h


def _lancer(h: highspy.Highs) -> None:
    global secondes
    debut = time.perf_counter()
    h.run()
    secondes += time.perf_counter() - debut


def _fini(x) -> np.ndarray:
    return np.nan_to_num(np.asarray(x, dtype=float), neginf=-INF, posinf=INF)


def _modele(c, M: sp.spmatrix, ligne_min, ligne_max, col_min, col_max) -> highspy.HighsLp:
    M = sp.csc_matrix(M)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = M.shape[1], M.shape[0]
    lp.col_cost_ = np.asarray(c, dtype=float)
    lp.col_lower_, lp.col_upper_ = _fini(col_min), _fini(col_max)
    lp.row_lower_, lp.row_upper_ = _fini(ligne_min), _fini(ligne_max)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = M.indptr
    lp.a_matrix_.index_ = M.indices
    lp.a_matrix_.value_ = M.data.astype(float)
    return lp


def resoudre(c, M: sp.spmatrix, ligne_min, ligne_max, col_min, col_max, maximiser: bool = False,
             entiers: bool = False):
    """min (or max) c·x subject to ligne_min ≤ M x ≤ ligne_max, col_min ≤ x ≤ col_max (x integer
    when `entiers`). Returns (x, objective) or None when infeasible or unbounded."""
    lp = _modele(c, M, ligne_min, ligne_max, col_min, col_max)
    if entiers:
        lp.integrality_ = [highspy.HighsVarType.kInteger] * M.shape[1]
    if maximiser:
        lp.sense_ = highspy.ObjSense.kMaximize
    h = _highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.passModel(lp)
    _lancer(h)
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    return np.asarray(h.getSolution().col_value), h.getInfo().objective_function_value


class Repete:
    """One LP solved again and again with other costs and bounds on some columns, each solve
    starting from the previous basis (primal simplex without presolve: on the protection LPs
    of the demo, 9 ms against 110 ms for a cold solve)."""

    def __init__(self, M: sp.spmatrix, ligne_min, ligne_max, col_min, col_max):
        self.n = M.shape[1]
        self.h = _highs()
        self.h.setOptionValue("output_flag", False)
        self.h.setOptionValue("threads", 1)
        self.h.setOptionValue("presolve", "off")
        self.h.setOptionValue("simplex_strategy", 4)  # primal
        self.h.passModel(_modele(np.zeros(self.n), M, ligne_min, ligne_max, col_min, col_max))

    def resoudre(self, colonnes: np.ndarray, c, col_min, col_max, autres=None):
        """min c·x after setting the cost and bounds of `colonnes` (the other costs are 0);
        `autres`: (columns, min, max, min after, max after), bounds of other columns for this
        solve only. (x, objective, reduced costs) or None."""
        colonnes = np.asarray(colonnes, dtype=np.int32)
        cout = np.zeros(self.n)
        cout[colonnes] = c
        self.h.changeColsCost(self.n, np.arange(self.n, dtype=np.int32), cout)
        self.h.changeColsBounds(len(colonnes), colonnes, _fini(col_min), _fini(col_max))
        if autres is not None:
            cols = np.asarray(autres[0], dtype=np.int32)
            self.h.changeColsBounds(len(cols), cols, _fini(autres[1]), _fini(autres[2]))
        try:
            return self._resoudre()
        finally:
            if autres is not None:
                self.h.changeColsBounds(len(cols), cols, _fini(autres[3]), _fini(autres[4]))

    def _resoudre(self):
        _lancer(self.h)
        if self.h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            self.h.clearSolver()  # a warm start gone wrong: once more from scratch
            _lancer(self.h)
            if self.h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                return None
        s = self.h.getSolution()
        return np.asarray(s.col_value), self.h.getInfo().objective_function_value, np.asarray(s.col_dual)


class Bornes:
    """One LP with fixed costs solved again and again with other bounds on its rows and
    columns: the model is built once, each solve starts afresh (dual simplex from the slack
    basis, no presolve). On the witness searches of the demo (1 585 searches replayed, 2017)
    15,8 s, against 18,9 s from the previous basis and about 60 s rebuilding each LP."""

    def __init__(self, c, M: sp.spmatrix, ligne_min, ligne_max, col_min, col_max):
        self.m, self.n = M.shape
        self.lignes = np.arange(self.m, dtype=np.int32)
        self.colonnes = np.arange(self.n, dtype=np.int32)
        self.h = _highs()
        self.h.setOptionValue("output_flag", False)
        self.h.setOptionValue("threads", 1)
        self.h.setOptionValue("simplex_strategy", 1)  # dual
        self.h.setOptionValue("presolve", "off")
        self.h.passModel(_modele(c, M, ligne_min, ligne_max, col_min, col_max))

    def resoudre(self, ligne_min, ligne_max, col_min, col_max) -> np.ndarray | None:
        """The optimal x under these bounds, or None when infeasible."""
        self.h.changeRowsBounds(self.m, self.lignes, _fini(ligne_min), _fini(ligne_max))
        self.h.changeColsBounds(self.n, self.colonnes, _fini(col_min), _fini(col_max))
        self.h.clearSolver()
        _lancer(self.h)
        if self.h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        return np.asarray(self.h.getSolution().col_value)
