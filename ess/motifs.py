"""Why a figure reads « s »: the true reason of each hidden cell, as the build recorded it
(emploi.motif_secret) — too few establishments or one dominating (« sensible »), hidden so that
another cell cannot be deduced by difference (« complement ») — and, for a group of communes,
which of its communes are hidden (a group is a sum of communes: one hidden commune hides it).
Plain data and French sentences; the pages, the fiche and the map say the same thing."""

from __future__ import annotations

import duckdb

from ess import format as fr
from ess.codes_territoire import Territoire
from ess.noms import de
from ess.provenance import REGLE_INCONNUE, regle_sensible

SENSIBLE, COMPLEMENT, COMMUNES = "sensible", "complement", "communes"

# The hidden cells of a territory's parts (itself, or a group's communes), with their reason.
CELLULES_MASQUEES = """
SELECT t.nom, e.motif_secret
FROM emploi e JOIN territoires t USING (territoire)
WHERE list_contains(?, e.territoire) AND e.annee = ? AND e.groupe = ? AND e.nomenclature = ?
  AND e.secteur = ? AND e.secret
ORDER BY t.nom
"""
# A database built before the reasons were recorded: hidden, reason unknown.
CELLULES_MASQUEES_SANS_MOTIF = CELLULES_MASQUEES.replace("e.motif_secret", "NULL")


def motif(con: duckdb.DuckDBPyConnection, territoire: Territoire, annee: int, groupe: str = "ess",
          nomenclature: str = "ensemble", secteur: str = "_") -> dict | None:
    """Why the cell is hidden, None when it is published: {"motif": "sensible" | "complement" |
    None (unknown)} for a territory, {"motif": "communes", "communes": [names]} for a group of
    communes, naming those of its communes whose cell is hidden."""
    params = [territoire.identifiants(), annee, groupe, nomenclature, secteur]
    try:
        lignes = con.execute(CELLULES_MASQUEES, params).fetchall()
    except duckdb.BinderException:
        lignes = con.execute(CELLULES_MASQUEES_SANS_MOTIF, params).fetchall()
    if not lignes:
        return None
    if territoire.niveau == "communes" and len(territoire.communes) > 1:
        return {"motif": COMMUNES, "communes": [nom for nom, _m in lignes]}
    if lignes[0][1] == SENSIBLE:  # the rule as the database was protected with it
        return {"motif": SENSIBLE, "regle": regle_sensible(con)}
    return {"motif": lignes[0][1]}


def phrase(m: dict | None) -> str:
    """Why the ESS jobs of a territory read « s », in one sentence."""
    genre = (m or {}).get("motif")
    if genre == SENSIBLE:
        regle = m.get("regle", REGLE_INCONNUE)
        return f"Effectifs salariés de l'ESS couverts par le secret statistique : {regle}."
    if genre == COMPLEMENT:
        return ("Effectifs salariés de l'ESS masqués pour protéger une autre valeur, qui sinon se "
                "déduirait par différence (secret secondaire).")
    if genre == COMMUNES:
        communes = fr.liste(de(c) for c in m["communes"])
        return (f"Effectifs salariés de l'ESS du groupe masqués : ceux {communes} sont couverts par "
                "le secret statistique, et un groupe de communes n'est publié que si chacune de ses "
                "communes l'est.")
    return "Effectifs salariés de l'ESS couverts par le secret statistique."


def court(m: dict | None) -> str:
    """The reason in a few words, for a map's tooltip: « trop peu d'établissements ou un
    établissement dominant », « pour protéger une autre valeur »."""
    genre = (m or {}).get("motif")
    if genre == COMPLEMENT:
        return "masqué pour protéger une autre valeur"
    if genre == SENSIBLE:
        return "trop peu d'établissements ou un établissement dominant"
    return ""
