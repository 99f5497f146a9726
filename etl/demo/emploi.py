"""Territorial allocation of salaried jobs for the reference year (2021).

Produces, per commune, private non-ESS jobs, public jobs and ESS jobs by family, calibrated
on the published figures (cibles.toml): totals are exact, territorial shares are aimed at
by construction (métropole vs rest, ESS share by EPCI, rural communes higher). A département
without published figures has no territorial target (etl/demo/structure.py): its jobs follow
population and density only, so there is nothing to miss.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from data import familles_ess
from etl.demo.arrondi import arrondi_controle, repartir

FAMILLES_ESS = list(familles_ess())
FACTEUR_DENSITE_EMPLOI = {"urbain-dense": 1.4, "urbain-intermediaire": 1.0, "rural": 0.55}
PRIME_RURALE = 1.6  # uncalibrated demo: rural ESS weighs more, as in every published panorama
POPULATION_ESS_CERTAINE = 1500  # uncalibrated demo: a commune this large always has ESS employers


class CalibrationImpossible(ValueError):
    """Published figures the demo generator cannot reach: a message for the user, in French."""


def _split_metropole(total: int, part_metro: float | None, metro: np.ndarray, poids: np.ndarray):
    """Allocate `total` to communes: `part_metro` of it inside the métropole, by weights
    (no target: by weights alone)."""
    if part_metro is None:
        return repartir(total, poids)
    out = np.zeros(len(poids), dtype=np.int64)
    dans = round(total * part_metro)
    out[metro] = repartir(dans, poids[metro])
    out[~metro] = repartir(total - dans, poids[~metro])
    return out


def emploi_reference(communes: pd.DataFrame, cibles: dict, rng: np.random.Generator) -> pd.DataFrame:
    """Jobs per commune for the reference year: prive_hors_ess, public and the ESS families."""
    c = cibles["emploi_2021"]
    pop = communes["population"].to_numpy(dtype=float) + 1.0
    metro = communes["metropole"].ne("hors-metropole").to_numpy()
    rural = communes["densite"].eq("rural").to_numpy()
    densite = communes["densite"].map(FACTEUR_DENSITE_EMPLOI).to_numpy()

    poids_prive = pop**1.1 * densite * rng.lognormal(0, 0.35, len(pop))
    prive = _split_metropole(
        c["effectifs_prive_hors_ess"], c.get("part_metropole_prive_hors_ess"), metro, poids_prive
    )
    public = _split_metropole(
        c["effectifs_public"], c.get("part_metropole_public"), metro,
        pop * densite * rng.lognormal(0, 0.3, len(pop)),
    )
    ess = _ess_par_commune(communes, prive, metro, rural, pop, cibles, rng)

    # Families: each commune's ESS jobs split around the département's mix, exact totals.
    parts = cibles["familles_2021"]
    part_assoc = c["part_associations"]
    mix = np.array([part_assoc] + [parts[f] for f in FAMILLES_ESS[1:]])
    mix[1:] *= (1 - part_assoc) / mix[1:].sum()
    totaux_familles = repartir(c["effectifs_ess"], mix)
    bruit = rng.dirichlet(mix * 40, size=len(pop))
    familles = arrondi_controle(bruit * ess[:, None], ess, totaux_familles)

    out = pd.DataFrame(familles, columns=FAMILLES_ESS)
    out.insert(0, "commune", communes["commune"].to_numpy())
    out["prive_hors_ess"] = prive
    out["public"] = public
    return out


def _ess_par_commune(communes, prive, metro, rural, pop, cibles, rng) -> np.ndarray:
    """ESS jobs per commune: métropole by population, elsewhere by EPCI share targets."""
    c = cibles["emploi_2021"]
    total = c["effectifs_ess"]
    if "part_ess_epci_2021" not in cibles:  # no published figure: population, rural premium
        # most villages have no ESS employer at all (the smaller, the likelier)
        presente = rng.random(len(pop)) < np.clip(pop / POPULATION_ESS_CERTAINE, 0.05, 1.0)
        poids = pop**0.9 * rng.lognormal(0, 0.4, len(pop)) * np.where(rural, PRIME_RURALE, 1.0)
        return repartir(total, poids * presente)
    dans_metro = round(total * c["part_metropole_ess"])
    ess = np.zeros(len(pop), dtype=np.int64)
    ess[metro] = repartir(dans_metro, pop[metro] * rng.lognormal(0, 0.4, metro.sum()))

    # Outside the métropole: EPCI totals from the ESS share anchors, then communes, with a
    # rural premium raised until rural communes pass the published "plus de 20 %".
    epci = communes["epci"].to_numpy()
    parts = {str(k): v for k, v in cibles["part_ess_epci_2021"].items()}
    hors = ~metro
    bruit = rng.lognormal(0, 0.3, len(pop))
    for prime in np.arange(1.0, 6.0, 0.1):
        poids_epci = {
            e: parts[e] / (1 - parts[e]) * prive[hors & (epci == e)].sum()
            for e in np.unique(epci[hors])
        }
        totaux = repartir(total - dans_metro, np.array(list(poids_epci.values())))
        for e, t in zip(poids_epci, totaux, strict=True):
            idx = hors & (epci == e)
            ess[idx] = repartir(int(t), pop[idx] ** 0.9 * bruit[idx] * np.where(rural[idx], prime, 1))
        if ess[rural].sum() / (ess[rural].sum() + prive[rural].sum()) >= c["part_ess_rural_min"]:
            return ess
    part = f"{100 * c['part_ess_rural_min']:.1f}".replace(".", ",")
    raise CalibrationImpossible(
        f"La démonstration ne peut pas atteindre la part de l'ESS publiée pour les communes rurales "
        f"({part} %) : vérifiez les cibles de etl/demo/cibles.toml.")
