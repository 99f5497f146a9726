"""One LP through HiGHS (highspy), without scipy's per-call conversions: the protection and
the audit solve thousands of small LPs."""

from __future__ import annotations

import os
import sys

import highspy
import numpy as np
import scipy.sparse as sp

INF = highspy.kHighsInf
_banniere_passee = False


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


def resoudre(c, M: sp.spmatrix, ligne_min, ligne_max, col_min, col_max, maximiser: bool = False):
    """min (or max) c·x subject to ligne_min ≤ M x ≤ ligne_max, col_min ≤ x ≤ col_max.
    Returns (x, objective) or None when infeasible or unbounded."""
    M = sp.csc_matrix(M)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = M.shape[1], M.shape[0]
    lp.col_cost_ = np.asarray(c, dtype=float)
    lp.col_lower_ = np.nan_to_num(np.asarray(col_min, dtype=float), neginf=-INF, posinf=INF)
    lp.col_upper_ = np.nan_to_num(np.asarray(col_max, dtype=float), neginf=-INF, posinf=INF)
    lp.row_lower_ = np.nan_to_num(np.asarray(ligne_min, dtype=float), neginf=-INF, posinf=INF)
    lp.row_upper_ = np.nan_to_num(np.asarray(ligne_max, dtype=float), neginf=-INF, posinf=INF)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = M.indptr
    lp.a_matrix_.index_ = M.indices
    lp.a_matrix_.value_ = M.data.astype(float)
    if maximiser:
        lp.sense_ = highspy.ObjSense.kMaximize
    h = _highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.passModel(lp)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    return np.asarray(h.getSolution().col_value), h.getInfo().objective_function_value
