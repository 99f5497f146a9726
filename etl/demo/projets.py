"""Demo register of the first plan (2020-2025): one row per project received by SIES.

Figures of the plan's synthesis (161 received, 56 financed, 188 projected ETP, 20
tiers-lieux, 3 dissolved, 20 collectivités of which 2 EPCI) are the calibration targets;
the app recomputes them from these rows. The initiatives the plan names come from
data/initiatives.csv; every other row is fictitious (names say "DÉMO").
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from etl.demo.arrondi import repartir

THEMES = ["Alimentation durable et digne", "Bifurcation écologique", "Inclusion (handicap)",
          "Inclusion (bien vieillir)", "Insertion socio-professionnelle",
          "Solidarité territoriale et revitalisation rurale", "Culture et lien social"]
DISPOSITIFS = {"fonds": "Fonds départemental d'innovation sociale",
               "tiers_lieux": "Appel à projets tiers-lieux",
               "scic": "Prise de participation au capital de SCIC"}
FORMES = ["Association", "Association", "Association", "SCIC", "SCOP", "Collectif citoyen"]
ACTIVITES = ["Épicerie solidaire", "Garage solidaire", "Recyclerie", "Café associatif",
             "Habitat partagé", "Jardin d'insertion", "Mobilité solidaire", "Atelier vélo",
             "Cantine solidaire", "Tiers-lieu rural", "Conciergerie solidaire", "Repair café"]


def registre(communes: pd.DataFrame, initiatives: pd.DataFrame, cibles: dict, rng) -> pd.DataFrame:
    c = cibles["plan1"]
    n, n_fin = c["projets_accueillis"], c["projets_finances"]
    reels = initiatives.assign(fictif="non")
    k = n - len(reels)
    metro = communes["metropole"].ne("hors-metropole").to_numpy()
    poids = np.where(metro, communes["population"] ** 0.5, communes["population"] ** 0.6 * 2)
    fictifs = pd.DataFrame({
        "nom_projet": [f"Projet DÉMO n° {i + 1:03d} – {rng.choice(ACTIVITES)}" for i in range(k)],
        "porteur": [f"Porteur DÉMO {i + 1:03d}" for i in range(k)],
        "forme_juridique": rng.choice(FORMES, k),
        "commune": rng.choice(communes["commune"].to_numpy(), k, p=poids / poids.sum()),
        "theme": rng.choice(THEMES, k),
        "description": "Projet fictif (données de démonstration)",
        "source": "Données de démonstration",
        "fictif": "oui",
    })
    df = pd.concat([reels, fictifs], ignore_index=True)
    df.insert(0, "id_projet", [f"P{i + 1:03d}" for i in range(n)])
    df["annee_accueil"] = rng.integers(2020, 2026, n)
    # the named initiatives were supported; the other financed projects are drawn at random
    finance = np.zeros(n, dtype=bool)
    finance[: len(reels)] = True
    finance[rng.choice(np.arange(len(reels), n), n_fin - len(reels), replace=False)] = True
    df["finance"] = np.where(finance, "oui", "non")
    idx = np.flatnonzero(finance)
    tiers = np.zeros(n, dtype=bool)
    tiers[df.index[df["nom_projet"] == "Équipollence"]] = True
    autres = [i for i in idx if not tiers[i]]
    tiers[rng.choice(autres, c["tiers_lieux_finances"] - tiers.sum(), replace=False)] = True
    df["tiers_lieu"] = np.where(tiers, "oui", "non")
    dispositif = np.where(tiers, DISPOSITIFS["tiers_lieux"], DISPOSITIFS["fonds"])
    scic = finance & ~tiers & (df["forme_juridique"] == "SCIC").to_numpy()
    df["dispositif"] = np.where(finance, np.where(scic, DISPOSITIFS["scic"], dispositif), "")
    df["montant_eur"] = np.where(finance, rng.integers(10, 121, n) * 500, 0)
    etp = np.zeros(n)
    etp[idx] = 1 + repartir(c["etp_projetes"] - len(idx), rng.lognormal(0, 0.7, len(idx)))
    df["etp_projetes"] = etp
    dissous = rng.choice([i for i in idx if df.at[i, "fictif"] == "oui"],
                         c["structures_dissoutes"], replace=False)
    df["statut"] = np.where(finance, "active", "")
    df.loc[dissous, "statut"] = "dissoute"
    return df[COLONNES_REGISTRE]


COLONNES_REGISTRE = ["id_projet", "nom_projet", "porteur", "forme_juridique", "commune", "theme",
                     "annee_accueil", "finance", "dispositif", "montant_eur", "etp_projetes",
                     "tiers_lieu", "statut", "fictif", "description", "source"]


def registre_vide() -> pd.DataFrame:
    """No plan register (a département whose plan the demo does not hold), same columns and types."""
    types = {"annee_accueil": "int64", "montant_eur": "int64", "etp_projetes": "float64"}
    return pd.DataFrame({c: pd.Series(dtype=types.get(c, "object")) for c in COLONNES_REGISTRE})


def accompagnements_vides() -> pd.DataFrame:
    types = {"territoire": "object", "nom": "object", "annee": "int64", "nature": "object",
             "fictif": "object"}
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in types.items()})


def accompagnements(communes: pd.DataFrame, cibles: dict, rng) -> pd.DataFrame:
    """Collectivités given engineering support (communes and the EPCI the plan names)."""
    c = cibles["plan1"]
    noms_epci = communes.drop_duplicates("epci").set_index("epci")["epci_nom"]
    epci = [(f"epci:{e}", noms_epci[e]) for e in c["epci_accompagnes"]]
    hors_metro = communes[communes["metropole"] == "hors-metropole"]
    k = c["collectivites_accompagnees"] - len(epci)
    choix = hors_metro.iloc[np.sort(rng.choice(len(hors_metro), k, replace=False))]
    lignes = epci + [(f"commune:{r.commune}", r.nom) for r in choix.itertuples()]
    return pd.DataFrame({
        "territoire": [t for t, _ in lignes],
        "nom": [nom for _, nom in lignes],
        "annee": rng.integers(2021, 2025, len(lignes)),
        "nature": "Appui/conseil en ingénierie ESS",
        "fictif": ["non"] * len(epci) + ["oui"] * k,
    })
