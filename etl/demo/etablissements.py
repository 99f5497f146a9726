"""Establishment-level micro data for the ESS (the part of the demo that FLORES would hide).

Every ESS employer establishment of the reference year is drawn here with its commune,
family, A38 sector and yearly jobs; FLORES-style rows are then *aggregated* from these
rows, so the establishment list and the employment table agree by construction.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from etl.demo.arrondi import repartir
from etl.demo.emploi import FAMILLES_ESS

HERE = Path(__file__).resolve().parent
TAILLE_MOYENNE = {"association": 11.0, "cooperative": 13.0, "mutuelle": 14.0,
                  "fondation": 25.0, "autre_ess": 8.0}
RATIO_EQTP = {"association": 0.74, "cooperative": 0.9, "mutuelle": 0.9, "fondation": 0.84,
              "autre_ess": 0.8}


def secteurs() -> pd.DataFrame:
    return pd.read_csv(HERE / "secteurs.csv")


def _probas(famille: str, table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    sub = table[table["famille"] == famille]
    return sub["a38"].to_numpy(), (sub["poids"] / sub["poids"].sum()).to_numpy()


def cellules_ess(emploi: pd.DataFrame) -> pd.DataFrame:
    """ESS jobs of the reference year by commune × famille (non-empty cells only)."""
    cells = emploi.melt(id_vars="commune", value_vars=FAMILLES_ESS, var_name="famille",
                        value_name="effectifs")
    return cells[cells["effectifs"] > 0].reset_index(drop=True)


def _nombre_par_cellule(cells: pd.DataFrame, total: int) -> np.ndarray:
    """Establishments per cell (1 ≤ n ≤ jobs), summing exactly to `total`."""
    jobs = cells["effectifs"].to_numpy()
    moyenne = cells["famille"].map(TAILLE_MOYENNE).to_numpy()

    def compter(facteur: float) -> np.ndarray:
        return np.clip(np.round(jobs / moyenne * facteur), 1, jobs).astype(np.int64)

    lo, hi = 0.01, 100.0
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if compter(mid).sum() < total else (lo, mid)
    n = compter(lo)
    while n.sum() != total:  # last units: where the cell's establishments are biggest/smallest
        manque = n.sum() < total
        possible = n < jobs if manque else n > 1
        taille = jobs / n
        i = int(np.argmax(np.where(possible, taille, -np.inf)) if manque
                else np.argmin(np.where(possible, taille, np.inf)))
        n[i] += 1 if manque else -1
    return n


def etablissements_reference(cells: pd.DataFrame, total: int, rng: np.random.Generator):
    """One row per ESS employer establishment of the reference year, with its jobs."""
    n = _nombre_par_cellule(cells, total)
    idx = np.repeat(np.arange(len(cells)), n)
    etab = cells.iloc[idx][["commune", "famille"]].reset_index(drop=True)
    table = secteurs()
    etab["a38"] = ""
    for famille, rows in etab.groupby("famille").groups.items():
        codes, p = _probas(famille, table)
        etab.loc[rows, "a38"] = rng.choice(codes, len(rows), p=p)
    effectifs = np.empty(len(idx), dtype=np.int64)
    start = 0
    for jobs, k in zip(cells["effectifs"].to_numpy(), n, strict=True):
        # everyone has at least 1 job, the rest goes to a heavy-tailed size distribution
        effectifs[start:start + k] = 1 + repartir(int(jobs - k), rng.lognormal(0, 1.2, k))
        start += k
    etab["effectifs_ref"] = effectifs
    return etab


def dynamique(
    etab: pd.DataFrame, communes: pd.DataFrame, annees: list[int], annee_ref: int,
    rng: np.random.Generator,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Creation/closure dates and yearly jobs, plus establishments closed before or created
    after the reference year. Returns (establishments, jobs per establishment and year)."""
    n = len(etab)
    etab = etab.copy()
    recent = rng.random(n) < 0.12
    etab["annee_creation"] = np.where(
        recent, rng.integers(annees[0] + 1, annee_ref + 1, n), rng.integers(1950, annees[0], n)
    )
    ferme = rng.random(n) < 0.07
    etab["annee_fermeture"] = np.where(ferme, rng.integers(annee_ref + 1, annees[-1] + 1, n), 0)

    def autres(k: int, creation, fermeture) -> pd.DataFrame:
        src = etab.iloc[rng.integers(0, n, k)][["commune", "famille", "a38"]]
        src = src.reset_index(drop=True)
        src["effectifs_ref"] = np.maximum(
            1, np.round(src["famille"].map(TAILLE_MOYENNE) * rng.lognormal(-0.6, 1.0, k))
        ).astype(np.int64)
        src["annee_creation"] = creation
        src["annee_fermeture"] = fermeture
        return src

    k1, k2 = int(n * 0.09), int(n * 0.07)
    fermes = autres(k1, rng.integers(1960, annees[0], k1), rng.integers(annees[0] + 1, annee_ref + 1, k1))
    crees = autres(k2, rng.integers(annee_ref + 1, annees[-1] + 1, k2), np.zeros(k2, dtype=int))
    etab = pd.concat([etab, fermes, crees], ignore_index=True)
    etab["present_ref"] = np.arange(len(etab)) < n

    # gentle, uneven trends per EPCI × family, then per establishment
    epci = etab["commune"].map(communes.set_index("commune")["epci"])
    cle = epci + "|" + etab["famille"]
    tendance = {k: rng.normal(0.012, 0.015) for k in sorted(cle.unique())}
    croissance = cle.map(tendance).to_numpy() + rng.normal(0, 0.03, len(etab))
    etab["ratio_eqtp"] = np.clip(
        etab["famille"].map(RATIO_EQTP).to_numpy() + rng.normal(0, 0.08, len(etab)), 0.3, 1.0
    )
    lignes = []
    for annee in annees:
        actif = (etab["annee_creation"] <= annee) & (
            (etab["annee_fermeture"] == 0) | (etab["annee_fermeture"] > annee)
        )
        eff = etab["effectifs_ref"] * (1 + croissance) ** (annee - annee_ref)
        eff = eff * rng.lognormal(0, 0.03, len(etab)) if annee != annee_ref else eff
        lignes.append(pd.DataFrame({"etab": np.flatnonzero(actif), "annee": annee,
                                    "effectifs": np.maximum(1, np.round(eff[actif])).astype(np.int64)}))
    annuel = pd.concat(lignes, ignore_index=True)
    return etab, annuel


def caler_part_epci(
    annuel: pd.DataFrame, etab: pd.DataFrame, communes: pd.DataFrame, prive: pd.DataFrame,
    cibles: dict[str, float], annee: int,
) -> pd.DataFrame:
    """Adjust one year's ESS jobs of some EPCI so their ESS share of private employment is
    exactly the published one (given non-ESS private jobs of that year)."""
    annuel = annuel.copy()
    epci_etab = etab["commune"].map(communes.set_index("commune")["epci"])
    prive_epci = prive[prive["annee"] == annee].merge(communes[["commune", "epci"]])
    for epci, part in cibles.items():
        hors_ess = int(prive_epci.loc[prive_epci["epci"] == epci, "effectifs"].sum())
        cible = round(part / (1 - part) * hors_ess)
        rows = annuel.index[(annuel["annee"] == annee) & annuel["etab"].map(epci_etab).eq(epci)]
        ecart = cible - int(annuel.loc[rows, "effectifs"].sum())
        poids = annuel.loc[rows, "effectifs"].to_numpy() - (1 if ecart < 0 else 0)
        annuel.loc[rows, "effectifs"] += np.sign(ecart) * repartir(abs(ecart), poids)
    return annuel
