"""`python -m etl audit-secret`: play the attacker against a built database.

Rebuilds the micro-data in memory from the same sources as the build (the demo, or the
files given), reads what the database publishes, and for every year and measure runs the
rank test and the LP bounds of every primary-sensitive cell — without the witnesses
the protection found, so nothing of the protection is taken on trust."""

from __future__ import annotations

import time
from pathlib import Path

import duckdb
import numpy as np

from etl.build import Progression, preparer
from etl.secret import audit, emploi
from etl.sources.chargement import Fichiers


def auditer_base(
    db: Path, fichiers: Fichiers, departement: str = "31", annees: list[int] | None = None, afficher=print
) -> bool:
    prep = preparer(departement, fichiers, Progression(lambda _m: None))
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
    finally:
        con.close()
    cle = ["territoire", "annee", "groupe", "nomenclature", "secteur"]
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
                f"tableau), {len(c.determinees)} recalculable(s) exactement, {len(c.sous_protegees)} "
                f"insuffisamment protégée(s), {c.incoherentes} incohérente(s) : {etat} "
                f"({time.perf_counter() - debut:.1f} s)"
            )
            for i in c.determinees[:5]:
                afficher(f"    recalculable : {_nom(a, i)}")
            for i, v, lo, hi in c.sous_protegees[:5]:
                afficher(
                    f"    sous-protégée : {_nom(a, i)} = {v:g}, l'attaquant l'encadre entre {lo:g} et {hi:g}"
                )
            sur &= c.sur
    return sur


def _nom(a: emploi.Annee, classe: int) -> str:
    r = a.cellules.iloc[int(np.flatnonzero(a.classe == classe)[0])]
    return f"{r['territoire']} {r['groupe']} {r['nomenclature']} {r['secteur']}"
