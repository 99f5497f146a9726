"""The first plan's synthesis (2020-2025), computed from the project register: the contract
of `python -m ess plan --json`. The computation lives in ess/bilan/calculs.py (which can also
stop at a given year)."""

from __future__ import annotations

import duckdb

from ess.bilan import calculs


def synthese_plan1(con: duckdb.DuckDBPyConnection) -> dict:
    return calculs.synthese(con)
