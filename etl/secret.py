"""Secret statistique, applied when the marts are built (sources.md §5).

Primary rules on every cell: fewer than 3 contributing establishments (frequency rule), or
one establishment above 85 % of the cell when the source gives the largest contribution
(dominance rule). Secondary suppression then hides more cells wherever a sum relation
(parts + total) holds exactly one hidden cell, since that cell would be its difference.

Relations checked, within a territory and a year: ESS families → ESS; ESS + privé hors
ESS → privé; privé + public → ensemble; A21 sections → all sectors; A38 → their A21
section. Across geographic levels, when a hierarchy is given: every territory that is
exactly covered by the territories of another level is their sum, for each group and
sector (communes → EPCI, EPCI → PETR, EPCI → département, densité → département,
métropole + hors métropole → département...).

Every relation instance is one row set of a (instance, cell) membership table, so the
fixpoint runs on numpy arrays (a few hundred thousand cells, a few million memberships).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SEUIL_FREQUENCE = 3
SEUIL_DOMINANCE = 0.85
FAMILLES_ESS = ("association", "cooperative", "mutuelle", "fondation", "autre_ess")
CLES_CELLULE = ["annee", "groupe", "nomenclature", "secteur"]

# (name, cell filter, keys shared by the cells of one relation instance, total filter)
RELATIONS = (
    ("familles ESS", lambda d: d["groupe"].isin((*FAMILLES_ESS, "ess")),
     ["territoire", "annee", "nomenclature", "secteur"], lambda d: d["groupe"] == "ess"),
    ("privé", lambda d: d["groupe"].isin(("ess", "prive_hors_ess", "prive")),
     ["territoire", "annee", "nomenclature", "secteur"], lambda d: d["groupe"] == "prive"),
    ("ensemble", lambda d: d["groupe"].isin(("prive", "public", "ensemble")),
     ["territoire", "annee", "nomenclature", "secteur"], lambda d: d["groupe"] == "ensemble"),
    ("sections", lambda d: d["nomenclature"].isin(("a21", "ensemble")),
     ["territoire", "annee", "groupe"], lambda d: d["nomenclature"] == "ensemble"),
    ("A38 d'une section", lambda d: d["nomenclature"].isin(("a38", "a21")),
     ["territoire", "annee", "groupe", "section"], lambda d: d["nomenclature"] == "a21"),
)


def secret_primaire(cube: pd.DataFrame) -> pd.Series:
    frequence = cube["nb_etablissements"] < SEUIL_FREQUENCE
    dominance = cube["effectif_max"].notna() & (
        cube["effectif_max"] > SEUIL_DOMINANCE * cube["effectifs"]
    )
    return frequence | dominance.fillna(False)


def decoupages(hierarchie: pd.DataFrame) -> pd.DataFrame:
    """Sum relations between territories, from their communes.

    `hierarchie`: one row per (commune, territoire), with a `niveau` column or territory
    ids `niveau:code`. A territory P equals the sum of the territories of another level
    when those contained in P cover all its communes (territories of one level never
    overlap). Returns (relation, territoire, parent): one row per member.
    """
    a = hierarchie[["commune", "territoire"]].drop_duplicates().copy()
    a["niveau"] = (hierarchie["niveau"] if "niveau" in hierarchie
                   else a["territoire"].str.split(":").str[0])
    taille = a.groupby("territoire").size()
    paires = a.merge(a, on="commune", suffixes=("_p", "_e"))
    paires = paires[paires["niveau_p"] != paires["niveau_e"]]
    communes = paires.groupby(["territoire_p", "niveau_e", "territoire_e"]).size().rename("n")
    communes = communes.reset_index()
    communes["inclus"] = communes["n"] == communes["territoire_e"].map(taille)
    # a level decomposes P when all its territories meeting P lie inside P and cover it
    par_niveau = communes.groupby(["territoire_p", "niveau_e"]).agg(
        inclus=("inclus", "all"), n=("n", "sum")).reset_index()
    couvre = par_niveau["n"] == par_niveau["territoire_p"].map(taille)
    ok = pd.MultiIndex.from_frame(
        par_niveau.loc[par_niveau["inclus"] & couvre, ["territoire_p", "niveau_e"]])
    enfants = communes.set_index(["territoire_p", "niveau_e"]).loc[ok].reset_index()
    lignes, vus = [], set()
    for (parent, _niveau), g in enfants.groupby(["territoire_p", "niveau_e"], sort=True):
        membres = frozenset([parent, *g["territoire_e"]])
        if membres in vus:  # e.g. epci:X = metropole:X seen from both sides
            continue
        vus.add(membres)
        rid = len(vus) - 1
        lignes.append((rid, parent, True))
        lignes += [(rid, t, False) for t in g["territoire_e"]]
    return pd.DataFrame(lignes, columns=["relation", "territoire", "parent"])


def _appartenances(cube: pd.DataFrame, hierarchie: pd.DataFrame | None):
    """(instance, cell, priority, geographic) arrays: the cells of every relation instance.
    A lower priority is hidden first: parts before totals, so the figures of EPCI and
    département stay published whenever a commune can be hidden instead."""
    instances, cellules, priorites, geo = [], [], [], []
    decalage = 0
    for _nom, filtre, cles, total in RELATIONS:
        masque = filtre(cube).to_numpy()
        ids = cube.loc[masque].groupby(cles, sort=False).ngroup().to_numpy()
        instances.append(ids + decalage)
        cellules.append(np.flatnonzero(masque))
        priorites.append(total(cube.loc[masque]).to_numpy().astype(np.int8))
        geo.append(np.zeros(len(ids), dtype=bool))
        decalage += int(ids.max()) + 1 if len(ids) else 0
    if hierarchie is not None and len(hierarchie):
        rel = decoupages(hierarchie)
        cells = cube[["territoire", *CLES_CELLULE]].assign(_cellule=np.arange(len(cube)))
        m = rel.merge(cells, on="territoire")
        ids = m.groupby(["relation", *CLES_CELLULE], sort=False).ngroup().to_numpy()
        instances.append(ids + decalage)
        cellules.append(m["_cellule"].to_numpy())
        priorites.append(m["parent"].to_numpy().astype(np.int8))
        geo.append(np.ones(len(ids), dtype=bool))
    return (np.concatenate(instances), np.concatenate(cellules), np.concatenate(priorites),
            np.concatenate(geo))


def secret_secondaire(
    cube: pd.DataFrame, secret: pd.Series, max_tours: int = 200,
    hierarchie: pd.DataFrame | None = None,
) -> pd.Series:
    """Extend `secret` until no relation instance has exactly one hidden cell."""
    instance, cellule, priorite, geo = _appartenances(cube, hierarchie)
    cache = secret.to_numpy(dtype=bool).copy()
    effectifs = cube["effectifs"].to_numpy(dtype=float)
    n = int(instance.max()) + 1 if len(instance) else 0
    for _ in range(max_tours):
        caches = np.bincount(instance, weights=cache[cellule], minlength=n)
        candidat = (caches[instance] == 1) & ~cache[cellule]
        if not candidat.any():
            return pd.Series(cache, index=secret.index)
        # cost of hiding a cell: the geographic sums it would open (none of their cells
        # hidden yet), each one a new chain of suppressions in other territories (an EPCI
        # outside any PETR costs less than one inside)
        neuves = np.bincount(cellule, weights=geo & (caches[instance] == 0), minlength=len(cache))
        i, c, p = instance[candidat], cellule[candidat], priorite[candidat]
        # per instance: a part before the total, then the fewest new geographic sums, then
        # the fewest jobs: the least information lost
        ordre = np.lexsort((effectifs[c], neuves[c], p, i))
        i, c = i[ordre], c[ordre]
        premier = np.r_[True, i[1:] != i[:-1]]
        cache[c[premier]] = True
    raise RuntimeError("secret statistique : la suppression secondaire ne converge pas")


def appliquer(cube: pd.DataFrame, hierarchie: pd.DataFrame | None = None) -> pd.DataFrame:
    """The publishable cube: effectifs and eqtp set to NULL where secret, flag `secret`.

    `hierarchie` (commune, territoire[, niveau]), e.g. the `appartenance` table, adds the
    sums across geographic levels to the secondary suppression."""
    cube = cube.reset_index(drop=True)
    secret = secret_secondaire(cube, secret_primaire(cube), hierarchie=hierarchie)
    out = cube.drop(columns=["effectif_max"]).copy()  # a single unit's size: never published
    out["secret"] = secret.to_numpy()
    out.loc[out["secret"], ["effectifs", "eqtp"]] = None
    return out
