"""`python -m etl audit-secret`: play the attacker against a built database.

Rebuilds the micro-data in memory from the same sources as the build (the demo, or the
files given), reads what the database publishes, and for every year and measure runs the
rank test and the LP bounds of every primary-sensitive cell, from outside (everything
published, SIRENE counts and size bands of every micro-cell) and for every establishment
alone in its micro-cell knowing its own figure — without the witnesses the protection found,
so nothing of the protection is taken on trust."""

from __future__ import annotations

import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from ess.format import nombre
from etl.build import Progression, preparer
from etl.secret import audit, emploi
from etl.sources.chargement import Fichiers
from geo.perimetre import Perimetre


def auditer_base(
    db: Path, fichiers: Fichiers, perimetre: Perimetre | str = "31", annees: list[int] | None = None,
    afficher=print,
    graine: int | None = None,
) -> bool:
    prep = preparer(perimetre, fichiers, Progression(lambda _m: None), graine=graine)
    try:
        modele = emploi.annees(prep.con)
    finally:
        prep.con.close()
    con = duckdb.connect(str(db), read_only=True)
    try:
        publie = con.execute(
            "SELECT territoire, annee, groupe, nomenclature, secteur, effectifs, eqtp, "
            "nb_etablissements, secret FROM emploi"
        ).df()
        intervalles = _fourchettes(con)
    finally:
        con.close()
    cle = emploi.CLE
    sur = True
    for an, a in modele.items():
        if annees and an not in annees:
            continue
        lignes = a.cellules[cle].merge(publie, on=cle, how="left", indicator=True)
        if (lignes["_merge"] != "both").any() or len(publie[publie["annee"] == an]) != len(a.cellules):
            afficher(
                f"{an} : la base ne publie pas les cellules que donnent ces sources "
                "(base construite à partir d'autres fichiers ?)"
            )
            return False
        cache = np.zeros(a.tableaux["effectifs"].A.shape[0], bool)
        cache[a.classe[lignes["secret"].to_numpy(bool)]] = True
        for mesure, t in a.tableaux.items():
            debut = time.perf_counter()
            valeurs = np.zeros(len(cache))
            visibles = ~lignes["secret"].to_numpy(bool)
            valeurs[a.classe[visibles]] = lignes.loc[visibles, mesure].to_numpy(float)
            c = audit.auditer(
                t,
                cache,
                t.primaire() if mesure == "effectifs" else a.tableaux["effectifs"].primaire(),
                valeurs_publiees=valeurs,
                arrondi=emploi.ARRONDI[mesure],
            )
            etat = "aucune divulgation" if c.sur else "DIVULGATION"
            afficher(
                f"{an} {mesure:9} : {int(cache.sum())} cellules masquées, {c.bornes_calculees} "
                f"cellules sensibles bornées par programmation linéaire ({c.lp_complets} sur tout le "
                f"tableau), {c.initie_lp} fois pour un établissement seul dans sa ligne ; "
                f"{len(c.determinees)} recalculable(s) exactement, {len(c.sous_protegees)} "
                f"insuffisamment protégée(s), {len(c.par_initie)} encadrée(s) de trop près par un "
                f"établissement connaissant son propre chiffre, {c.incoherentes} incohérente(s) : {etat} "
                f"({nombre(time.perf_counter() - debut, 1)} s)"
            )
            for i in c.determinees[:5]:
                afficher(f"    recalculable : {_nom(a, i)}")
            for i, v, lo, hi in c.sous_protegees[:5]:
                afficher(
                    f"    sous-protégée : {_nom(a, i)} = {v:g}, l'attaquant l'encadre entre {lo:g} et {hi:g}"
                )
            for i, m, v, lo, hi in c.par_initie[:5]:
                afficher(f"    divulguée à un initié : {_nom(a, i)} = {v:g}, {a.micro_noms[m]} l'encadre "
                         f"entre {lo:g} et {hi:g}")
            sur &= c.sur
        sur &= _verifier_fourchettes(a, intervalles[intervalles["annee"] == an], cache, afficher)
    return sur


def _fourchettes(con: duckdb.DuckDBPyConnection):
    try:
        return con.execute("SELECT * FROM emploi_fourchettes").df()
    except duckdb.CatalogException:  # a database built before the intervals
        return pd.DataFrame(columns=[*emploi.CLE, "effectifs_min", "effectifs_max"])


def _verifier_fourchettes(a: emploi.Annee, publiees, cache: np.ndarray, afficher) -> bool:
    """A published interval must tell nothing new: it contains the attacker's own LP interval
    for that hidden cell (else it narrows what the published figures allow)."""
    if publiees.empty:
        return True
    lignes = a.cellules.reset_index().merge(publiees, on=emploi.CLE)
    attaquant = audit.Attaquant(a.tableaux["effectifs"], cache)
    etroites = []
    for r in lignes.itertuples():
        k = a.classe[r.index]
        lo, hi = attaquant.fourchette(k)
        haut = np.inf if pd.isna(r.effectifs_max) else r.effectifs_max
        if not cache[k] or r.effectifs_min > lo + 1e-6 or haut < hi - 1e-6:
            etroites.append(f"{r.territoire} {r.groupe} publiée entre {r.effectifs_min} et "
                            f"{r.effectifs_max}, l'attaquant l'encadre entre {lo:g} et {hi:g}")
    afficher(f"{a.cellules['annee'].iloc[0]} fourchettes : {len(lignes)} publiée(s), "
             f"{len(etroites)} plus étroite(s) que ce que donnent les chiffres publiés : "
             + ("aucune divulgation" if not etroites and len(lignes) == len(publiees) else "DIVULGATION"))
    for e in etroites[:5]:
        afficher(f"    fourchette trop étroite : {e}")
    return not etroites and len(lignes) == len(publiees)


def _nom(a: emploi.Annee, classe: int) -> str:
    r = a.cellules.iloc[int(np.flatnonzero(a.classe == classe)[0])]
    return f"{r['territoire']} {r['groupe']} {r['nomenclature']} {r['secteur']}"
