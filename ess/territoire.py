"""Territory codes `niveau:code` (CLI, URL): parsing and validation, never pasted into SQL."""

from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb

from ess import requetes

NIVEAUX = ("departement", "epci", "commune", "petr", "metropole", "densite")
_FORMAT = re.compile(r"^(departement|epci|commune|petr|metropole|densite):([0-9A-Za-z-]{1,40})$")
_GROUPE = re.compile(r"^communes:([0-9AB]{5}(?:,[0-9AB]{5})*)$")


class TerritoireInvalide(ValueError):
    """A territory code that is malformed or unknown (message in French)."""


@dataclass(frozen=True)
class Territoire:
    code: str  # as given: "epci:243100518" or "communes:31555,31069"
    nom: str
    communes: tuple[str, ...]  # INSEE codes of its communes
    niveau: str

    def identifiants(self) -> list[str]:
        """Territory ids whose emploi cells make up this territory: itself, or for a custom
        group its communes (summed by the queries, a value hidden in any part stays hidden)."""
        if self.niveau == "communes":
            return [f"commune:{c}" for c in self.communes]
        return [self.code]


def resoudre(con: duckdb.DuckDBPyConnection, code: str) -> Territoire:
    code = code.strip()
    if m := _GROUPE.match(code):
        demandees = tuple(dict.fromkeys(m.group(1).split(",")))
        rows = con.execute(
            "SELECT commune, nom FROM communes WHERE list_contains(?, commune) ORDER BY commune",
            [list(demandees)],
        ).fetchall()
        inconnues = sorted(set(demandees) - {c for c, _ in rows})
        if inconnues:
            raise TerritoireInvalide(f"Commune(s) inconnue(s) : {', '.join(inconnues)}.")
        nom = rows[0][1] if len(rows) == 1 else f"Groupe de {len(rows)} communes"
        return Territoire(code, nom, tuple(c for c, _ in rows), "communes")
    if not _FORMAT.match(code):
        raise TerritoireInvalide(
            f"Territoire « {code} » mal formé. Formats acceptés : departement:31, epci:<siren>, "
            "commune:<code INSEE>, petr:<nom>, communes:<code>,<code>,…"
        )
    row = con.execute("SELECT nom, niveau FROM territoires WHERE territoire = ?", [code]).fetchone()
    if row is None:
        raise TerritoireInvalide(f"Territoire inconnu : « {code} ».")
    communes = con.execute(
        "SELECT commune FROM appartenance WHERE territoire = ? ORDER BY commune", [code]
    ).fetchall()
    return Territoire(code, row[0], tuple(c for (c,) in communes), row[1])


def noms_des_niveaux(con: duckdb.DuckDBPyConnection, niveaux: tuple[str, ...]) -> dict[str, str]:
    """{territory id: name} of the given levels, in the order of the levels, then by name."""
    rows = con.execute(requetes.TERRITOIRES_NIVEAUX, [list(niveaux), list(niveaux)]).fetchall()
    return {territoire: nom for territoire, nom, _niveau in rows}
