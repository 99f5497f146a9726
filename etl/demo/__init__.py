"""Deterministic demo dataset over the real territories (fixed seed, built by code)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from data import DATA
from etl.demo import etablissements, flores, projets, sirene, structure
from etl.demo.emploi import emploi_reference
from geo.territoires import Referentiel

CIBLES = Path(__file__).resolve().parent / "cibles.toml"


@dataclass(frozen=True)
class Demo:
    sirene_etablissements: pd.DataFrame  # StockEtablissement layout
    sirene_unites_legales: pd.DataFrame  # StockUniteLegale layout
    flores: pd.DataFrame  # FLORES-style layout
    projets: pd.DataFrame  # register of the first plan
    accompagnements: pd.DataFrame
    micro: pd.DataFrame  # ESS establishments with yearly jobs: never written to the database
    cibles: dict


def cibles() -> dict:
    with CIBLES.open("rb") as fh:
        return tomllib.load(fh)


def generer(ref: Referentiel, cib: dict | None = None) -> Demo:
    """The demo of the referentiel's départements: calibrated where cibles.toml describes it,
    else scaled from that structure with no target to miss (etl/demo/structure.py)."""
    cib = cib or cibles()
    if structure.calee(cib, set(ref.communes["departement"])):
        cib = cib | {"calibre": True}
    else:
        cib = structure.sans_calage(cib, ref.communes)
    rng = np.random.default_rng(cib["seed"])
    annees, annee_ref = cib["annees"], cib["annee_reference"]
    communes = ref.communes

    emploi = emploi_reference(communes, cib, rng)
    cells = etablissements.cellules_ess(emploi)
    total = cib["emploi_2021"]["etablissements_employeurs_ess"]
    if not cib["calibre"]:  # small communes: at least one establishment per non-empty cell
        total = max(total, len(cells))
    etab = etablissements.etablissements_reference(cells, total, rng)
    etab, annuel = etablissements.dynamique(etab, communes, annees, annee_ref, rng)
    hors = flores.hors_ess(emploi, communes, annees, annee_ref, rng)
    prive = hors[hors["famille"] == "prive_hors_ess"]
    parts_2017 = {str(k): v for k, v in cib["part_ess_epci_2017"].items()}
    annuel = etablissements.caler_part_epci(annuel, etab, communes, prive, parts_2017, 2017)

    table_flores = flores.format_flores(pd.concat([flores.ess(etab, annuel), hors]))
    stock_etab, stock_ul = sirene.stocks(etab, annuel, emploi, ref.frame, annee_ref, rng)
    micro = annuel.merge(etab, left_on="etab", right_index=True)
    if "plan1" in cib:  # the first plan's register: only the département whose plan it is
        initiatives = pd.read_csv(DATA / "initiatives.csv", dtype=str, keep_default_na=False)
        registre = projets.registre(communes, initiatives, cib, rng)
        accompagnements = projets.accompagnements(communes, cib, rng)
    else:
        registre, accompagnements = projets.registre_vide(), projets.accompagnements_vides()
    return Demo(
        sirene_etablissements=stock_etab,
        sirene_unites_legales=stock_ul,
        flores=table_flores,
        projets=registre,
        accompagnements=accompagnements,
        micro=micro,
        cibles=cib,
    )
