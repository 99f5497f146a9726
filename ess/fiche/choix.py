"""What the Data ESS page offers to pick a territory: the territories of a level by name, and
the INSEE codes a user pastes."""

from __future__ import annotations

import re

import duckdb

TERRITOIRES_DU_NIVEAU = "SELECT territoire, code, nom FROM territoires WHERE niveau = ? ORDER BY nom, code"


def options_niveau(con: duckdb.DuckDBPyConnection, niveau: str) -> dict[str, str]:
    """Territories of a level for a picker, by name: {"commune:31555": "Toulouse (31555)"}."""
    rows = con.execute(TERRITOIRES_DU_NIVEAU, [niveau]).fetchall()
    return {t: f"{nom} ({code})" if niveau == "commune" else nom for t, code, nom in rows}


def codes_colles(texte: str, connus) -> tuple[list[str], list[str]]:
    """INSEE codes pasted by a user (any separators): (known codes, unknown tokens)."""
    jetons = [j for j in re.split(r"[\s,;]+", texte or "") if j]
    jetons = list(dict.fromkeys(j.upper().zfill(5) if j.isdigit() else j.upper() for j in jetons))
    return [j for j in jetons if j in connus], [j for j in jetons if j not in connus]
