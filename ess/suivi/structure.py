"""The plan's structure, read from the versioned file data/plan_2025_2028.toml."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from data import DATA

FICHIER = DATA / "plan_2025_2028.toml"
STATUTS = ["à lancer", "en cours", "réalisé"]


@dataclass(frozen=True)
class Fiche:
    code: str
    enjeu: str
    titre: str
    activites: tuple[str, ...]
    publics: str
    liens: tuple[str, ...] = ()

    @property
    def libelle(self) -> str:
        prefixe = "Pilotage" if self.code == "pilotage" else f"Fiche {self.code}"
        return f"{prefixe} — {self.titre}"


@dataclass(frozen=True)
class Plan:
    departement: str
    version: str
    titre: str
    source: str
    leviers: tuple[dict, ...]
    enjeux: tuple[dict, ...]
    thematiques: tuple[dict, ...]
    fiches: tuple[Fiche, ...]

    def fiche(self, code: str) -> Fiche:
        for f in self.fiches:
            if f.code == code:
                return f
        raise KeyError(f"fiche action « {code} » inconnue")

    @property
    def fiches_actions(self) -> tuple[Fiche, ...]:
        """The 13 numbered fiches (without the steering action)."""
        return tuple(f for f in self.fiches if f.code != "pilotage")


@cache
def charger_plan(path: Path = FICHIER) -> Plan:
    d = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    fiches = tuple(
        Fiche(f["code"], f.get("enjeu", ""), f["titre"], tuple(f["activites"]),
              f.get("publics", ""), tuple(f.get("liens", ())))
        for f in d["fiches"]
    )
    return Plan(str(d["departement"]), d["version"], d["titre"], d["source"], tuple(d["leviers"]),
                tuple(d["enjeux"]), tuple(d["thematiques"]), fiches)


def plan_du_departement(departement: str) -> Plan | None:
    """The plan of a département among the plan files of data/ (plan_*.toml), or None: the
    plan pages of a département without one say so."""
    for path in sorted(DATA.glob("plan_*.toml")):
        plan = charger_plan(path)
        if plan.departement == departement:
            return plan
    return None
