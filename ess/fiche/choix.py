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
    """INSEE codes pasted by a user (any separators): (known codes, unknown tokens as typed,
    so the message quotes the user's own « abc », not « ABC »)."""
    jetons = list(dict.fromkeys(j for j in re.split(r"[\s,;]+", texte or "") if j))
    codes = {j: j.zfill(5) if j.isdigit() else j.upper() for j in jetons}  # « 1001 », « 2a004 »
    return (list(dict.fromkeys(c for c in codes.values() if c in connus)),
            [j for j, c in codes.items() if c not in connus])


def message_codes_inconnus(inconnus: list[str]) -> str:
    """« Code INSEE non reconnu, ignoré : abc. », « Codes INSEE non reconnus, ignorés : … »."""
    if len(inconnus) == 1:
        return f"Code INSEE non reconnu, ignoré : « {inconnus[0]} »."
    return f"Codes INSEE non reconnus, ignorés : {', '.join(f'« {c} »' for c in inconnus)}."
