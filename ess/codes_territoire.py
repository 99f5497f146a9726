"""Territory codes `niveau:code` (CLI, URL): parsing and validation, never pasted into SQL; and
the territories a page offers and opens on (the most populated, the natural reference)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb

from data import libelles
from ess import format as fr
from ess import noms
from geo.perimetre import Perimetre

NIVEAUX = tuple(n for n in libelles("niveaux") if n != "communes")  # a group is parsed apart
_FORMAT = re.compile(rf"^({'|'.join(NIVEAUX)}):([0-9A-Za-z-]{{1,40}})$")
_GROUPE = re.compile(r"^communes:([0-9AB]{5}(?:,[0-9AB]{5})*)$")

COMMUNES_NOMMEES = "SELECT commune, nom FROM communes WHERE list_contains(?, commune) ORDER BY commune"
TERRITOIRE = "SELECT nom, niveau FROM territoires WHERE territoire = ?"
COMMUNES_DU_TERRITOIRE = "SELECT commune FROM appartenance WHERE territoire = ? ORDER BY commune"
# Territories of some levels, in the order of the levels given, then by name.
TERRITOIRES_NIVEAUX = """
SELECT territoire, nom, niveau FROM territoires
WHERE list_contains(?, niveau)
ORDER BY array_position(?, niveau), nom
"""
PLUS_PEUPLE = """
SELECT territoire FROM territoires WHERE niveau = ?
ORDER BY population DESC NULLS LAST, territoire LIMIT 1
"""
# The PETR holding more than half of some communes, the most of them first.
PETR_MAJORITAIRE = """
SELECT territoire FROM appartenance WHERE list_contains(?, commune) AND territoire LIKE 'petr:%'
GROUP BY territoire HAVING count(*) * 2 > ? ORDER BY count(*) DESC, territoire LIMIT 1
"""
# The département holding more than half of some communes (a région holds several).
DEPARTEMENT_MAJORITAIRE = """
SELECT territoire FROM appartenance WHERE list_contains(?, commune) AND territoire LIKE 'departement:%'
GROUP BY territoire ORDER BY count(*) DESC, territoire LIMIT 1
"""
# What the database was built for: its région when it holds one, else its département.
BASE = """
SELECT niveau, code, nom FROM territoires WHERE niveau IN ('region', 'departement')
ORDER BY niveau = 'region' DESC, code LIMIT 1
"""
DEPARTEMENTS = "SELECT code FROM territoires WHERE niveau = 'departement' ORDER BY code"


class TerritoireInvalide(ValueError):
    """A territory code that is malformed or unknown (message in French)."""


@dataclass(frozen=True)
class Territoire:
    code: str  # as given: "epci:243100518" or "communes:31555,31069"
    nom: str
    communes: tuple[str, ...]  # INSEE codes of its communes
    niveau: str
    noms_communes: tuple[str, ...] = ()  # a group's communes, by name (every one)

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
        rows = con.execute(COMMUNES_NOMMEES, [list(demandees)]).fetchall()
        inconnues = sorted(set(demandees) - {c for c, _ in rows})
        if inconnues:
            quoi = "Commune inconnue" if len(inconnues) == 1 else "Communes inconnues"
            raise TerritoireInvalide(f"{quoi} : {', '.join(inconnues)}.")
        noms = tuple(sorted((n for _c, n in rows), key=cle_alphabetique))
        return Territoire(code, nom_groupe(noms), tuple(c for c, _ in rows), "communes", noms)
    if not _FORMAT.match(code):
        raise TerritoireInvalide(
            f"Territoire « {code} » mal formé. Formats acceptés : departement:31, epci:<siren>, "
            "commune:<code INSEE>, petr:<nom>, communes:<code>,<code>,…"
        )
    row = con.execute(TERRITOIRE, [code]).fetchone()
    if row is None:
        raise TerritoireInvalide(f"Territoire inconnu : « {code} ».")
    communes = con.execute(COMMUNES_DU_TERRITOIRE, [code]).fetchall()
    return Territoire(code, row[0], tuple(c for (c,) in communes), row[1])


# A group is named by its communes, up to this many; beyond, the first ones and how many more.
COMMUNES_NOMMEES_MAX = 4


def nom_groupe(noms: tuple[str, ...]) -> str:
    """A group of communes named by its communes, as a French list: « Aspet et Izaut-de-l'Hôtel »,
    « Aspet, Encausse-les-Thermes, Izaut-de-l'Hôtel et 9 autres communes » (every name is in
    `Territoire.noms_communes`)."""
    if len(noms) <= COMMUNES_NOMMEES_MAX:
        return fr.liste(noms)
    autres = len(noms) - (COMMUNES_NOMMEES_MAX - 1)
    return f"{', '.join(noms[:COMMUNES_NOMMEES_MAX - 1])} et {autres} autres communes"


def cle_alphabetique(nom: str) -> str:
    """Alphabetical order as a reader expects it: accents and case aside (« Écully » with the
    E, not after Z)."""
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFD", nom.casefold()) if not unicodedata.combining(c))


def noms_des_niveaux(con: duckdb.DuckDBPyConnection, niveaux: tuple[str, ...]) -> dict[str, str]:
    """{territory id: name} of the given levels, in the order of the levels, then by name."""
    rows = con.execute(TERRITOIRES_NIVEAUX, [list(niveaux), list(niveaux)]).fetchall()
    return {territoire: nom for territoire, nom, _niveau in rows}


def plus_peuple(con: duckdb.DuckDBPyConnection, niveau: str) -> str | None:
    """The most populated territory of a level: what a page opens on (Toulouse Métropole, not
    the first name of the alphabet, a small territory whose figures are all secret)."""
    row = con.execute(PLUS_PEUPLE, [niveau]).fetchone()
    return row[0] if row else None


def reference_naturelle(con: duckdb.DuckDBPyConnection, code: str) -> str:
    """The territory a portrait is compared with by default: the PETR holding most of its
    communes (Saint-Gaudens → PETR Comminges-Pyrénées), else its département (and the
    database's département against its most populated métropole territory, a région's
    département against the région)."""
    base = territoire_base(con)
    if code == base.territoire:  # the database's own territory against its métropole
        return plus_peuple(con, "metropole") or code
    if code.startswith("departement:"):
        return base.territoire
    communes = (code.split(":", 1)[1].split(",") if code.startswith("communes:") else
                [c for (c,) in con.execute(COMMUNES_DU_TERRITOIRE, [code]).fetchall()])
    row = None if code.startswith("petr:") else con.execute(PETR_MAJORITAIRE,
                                                            [communes, len(communes)]).fetchone()
    return row[0] if row else con.execute(DEPARTEMENT_MAJORITAIRE, [communes]).fetchone()[0]


def territoire_base(con: duckdb.DuckDBPyConnection) -> Perimetre:
    """The département or région the database was built for: every title, document and
    sentence that names it reads it here, never a constant."""
    niveau, code, nom = con.execute(BASE).fetchone()
    departements = tuple(str(d) for (d,) in con.execute(DEPARTEMENTS).fetchall())
    return Perimetre(str(niveau), str(code), str(nom), departements)


NIVEAUX_PRESENTS = "SELECT DISTINCT niveau FROM territoires"


def niveaux_presents(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The geographic levels this database holds (no PETR where data/petr.csv names none of
    the département's EPCI, no métropole where none of its EPCI is one)."""
    return {n for (n,) in con.execute(NIVEAUX_PRESENTS).fetchall()}


def message_petr_absent(con: duckdb.DuckDBPyConnection) -> str | None:
    """What the pages say where the PETR level is absent, None where it is there."""
    if "petr" in niveaux_presents(con):
        return None
    nom = territoire_base(con).nom
    return (f"Aucun PETR n'est défini {noms.dans(nom)} : l'échelon PETR est absent de cette base "
            "(l'appartenance des EPCI aux PETR se déclare dans un fichier CSV petr, nom, epci, donné "
            "à la construction : python -m etl build --petr FICHIER, ou page « Données »).")
