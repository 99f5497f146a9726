"""Secret statistique, applied when the marts are built (sources.md §5).

Primary rules on every cell: fewer than 3 contributing establishments (frequency rule), or
one establishment above 85 % of the cell when the source gives the largest contribution
(dominance rule). Secondary suppression then hides more cells wherever a sum relation
(parts + total) holds exactly one hidden cell, since that cell would be its difference.

Relations checked, within a territory and a year: ESS families → ESS; ESS + privé hors
ESS → privé; privé + public → ensemble; A21 sections → all sectors; A38 → their A21
section. Across geographic levels (communes → EPCI): not yet, see the issue notes.
"""

from __future__ import annotations

import pandas as pd

SEUIL_FREQUENCE = 3
SEUIL_DOMINANCE = 0.85
FAMILLES_ESS = ("association", "cooperative", "mutuelle", "fondation", "autre_ess")

# (name, cell filter, keys shared by the cells of one relation instance)
RELATIONS = (
    ("familles ESS", lambda d: d["groupe"].isin((*FAMILLES_ESS, "ess")),
     ["territoire", "annee", "nomenclature", "secteur"]),
    ("privé", lambda d: d["groupe"].isin(("ess", "prive_hors_ess", "prive")),
     ["territoire", "annee", "nomenclature", "secteur"]),
    ("ensemble", lambda d: d["groupe"].isin(("prive", "public", "ensemble")),
     ["territoire", "annee", "nomenclature", "secteur"]),
    ("sections", lambda d: d["nomenclature"].isin(("a21", "ensemble")),
     ["territoire", "annee", "groupe"]),
    ("A38 d'une section", lambda d: d["nomenclature"].isin(("a38", "a21")),
     ["territoire", "annee", "groupe", "section"]),
)


def secret_primaire(cube: pd.DataFrame) -> pd.Series:
    frequence = cube["nb_etablissements"] < SEUIL_FREQUENCE
    dominance = cube["effectif_max"].notna() & (
        cube["effectif_max"] > SEUIL_DOMINANCE * cube["effectifs"]
    )
    return frequence | dominance.fillna(False)


def secret_secondaire(cube: pd.DataFrame, secret: pd.Series, max_tours: int = 50) -> pd.Series:
    """Extend `secret` until no relation has exactly one hidden cell."""
    secret = secret.copy()
    for _ in range(max_tours):
        ajout = pd.Index([])
        for _nom, filtre, cles in RELATIONS:
            cells = cube.loc[filtre(cube), [*cles, "effectifs"]].assign(secret=secret)
            n_caches = cells.groupby(cles)["secret"].transform("sum")
            candidats = cells[(n_caches == 1) & ~cells["secret"]]
            if candidats.empty:
                continue
            # hide the smallest other cell: the least information lost
            ajout = ajout.union(candidats.groupby(cles)["effectifs"].idxmin())
        if ajout.empty:
            return secret
        secret.loc[ajout] = True
    raise RuntimeError("secret statistique : la suppression secondaire ne converge pas")


def appliquer(cube: pd.DataFrame) -> pd.DataFrame:
    """The publishable cube: effectifs and eqtp set to NULL where secret, flag `secret`."""
    secret = secret_secondaire(cube, secret_primaire(cube))
    out = cube.drop(columns=["effectif_max"]).copy()  # a single unit's size: never published
    out["secret"] = secret.to_numpy()
    out.loc[out["secret"], ["effectifs", "eqtp"]] = None
    return out
