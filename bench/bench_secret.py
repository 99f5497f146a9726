"""Banc d'essai du secret statistique (`make bench`) : pour chaque année, la protection (masquage
secondaire) et l'audit, à froid (sans le cache des protections déjà calculées), sur les deux
processus de la construction ; puis la part de cellules masquées par échelon, face à la part des
seules cellules sensibles (les cibles de l'issue 11).

Lancer depuis la racine du dépôt : `.venv/bin/python bench/bench_secret.py [ANNEE ...]`.
"""

from __future__ import annotations

import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
if str(RACINE) not in sys.path:  # bench/ n'est pas un paquet
    sys.path.insert(0, str(RACINE))

import pandas as pd  # noqa: E402

from etl.build import Progression, preparer  # noqa: E402
from etl.secret import emploi  # noqa: E402
from etl.sources.chargement import Fichiers  # noqa: E402

# (échelon, groupes, nomenclature) suivis par l'issue 11, avec l'écart visé en points
CIBLES = [
    ("privé des communes", "commune", ["prive"], "ensemble", 3.0),
    ("ESS × A21 des EPCI", "epci", ["ess"], "a21", 6.0),
    ("familles des EPCI", "epci", ["association", "cooperative", "mutuelle", "fondation"], "ensemble", 4.0),
    ("ESS des EPCI", "epci", ["ess"], "ensemble", None),
    ("ESS × A21 des PETR", "petr", ["ess"], "a21", None),
]


def fr(x: float, d: int = 1) -> str:
    return f"{x:,.{d}f}".replace(",", "\u202f").replace(".", ",")


def main(annees: list[int]) -> None:
    os.environ["ESS_CACHE_SECRET"] = ""  # à froid
    t = time.perf_counter()
    prep = preparer("31", Fichiers(), Progression(lambda _m: None))
    try:
        modele = emploi.annees(prep.con)
    finally:
        prep.con.close()
    print(f"Modèle (cellules publiées en sommes de lignes sources) : {fr(time.perf_counter() - t)} s")
    modele = {a: m for a, m in modele.items() if not annees or a in annees}
    debut = time.perf_counter()
    with ProcessPoolExecutor(2, mp_context=get_context("spawn")) as pool:
        resultats = dict(zip(modele, pool.map(emploi.proteger, modele.values()), strict=True))
    total = time.perf_counter() - debut
    lignes = []
    for an, (cache, r) in resultats.items():
        a = modele[an]
        audit = "réussi" if all(r[f"audit_{m}"].sur for m in emploi.MESURES) else "ÉCHEC"
        print(f"{an} : protection {fr(r['duree_protection'])} s ({r['lp']} programmes linéaires), audit "
              f"{fr(r['duree_audit'])} s — {r['primaires']} sensibles, {int(cache.sum())} masquées sur "
              f"{len(cache)} ; audit : {audit}")
        c = a.cellules.assign(cache=cache, primaire=a.tableaux["effectifs"].primaire()[a.classe], annee=an)
        lignes.append(c)
    print(f"Secret statistique, {len(modele)} années sur 2 processus : {fr(total)} s")
    c = pd.concat(lignes)
    for libelle, niveau, groupes, nomenclature, ecart in CIBLES:
        sel = c[(c["niveau"] == niveau) & c["groupe"].isin(groupes) & (c["nomenclature"] == nomenclature)]
        masque, prim = 100 * sel["cache"].mean(), 100 * sel["primaire"].mean()
        cible = f" (cible ≤ +{fr(ecart)})" if ecart is not None else ""
        print(f"  {libelle} : {fr(masque)} % masquées, {fr(prim)} % sensibles, "
              f"+{fr(masque - prim)} points{cible}")
    ess = c[(c["niveau"] == "epci") & (c["groupe"] == "ess") & (c["nomenclature"] == "ensemble")]
    complements = ess[ess["cache"] & ~ess["primaire"]].groupby("annee")["territoire"].apply(list)
    print("  compléments parmi les totaux ESS des EPCI, par année : "
          + "; ".join(f"{an} : {', '.join(v) or 'aucun'}" for an, v in complements.items()))
    print(f"  toutes cellules : {fr(100 * c['cache'].mean())} % masquées, "
          f"{fr(100 * c['primaire'].mean())} % sensibles")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]])
