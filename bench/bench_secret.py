"""Banc d'essai du secret statistique (`make bench`) : pour chaque tirage de la démonstration
(défaut, graines 7 et 2024) et chaque année, la protection (masquage secondaire, contre
l'attaquant extérieur et chaque établissement seul dans sa ligne) et son audit, à froid (sans
le cache des protections déjà calculées), sur les deux processus de la construction ; puis la
part de cellules masquées par échelon, face à la part des seules cellules sensibles (les
cibles de l'issue 25) ; enfin, sur une année (2017 par défaut), les cellules que la protection
ne peut publier en aucun cas : publiée seule, tout le reste masqué, une cellule laisse déjà une
cellule sensible voisine sans protection (contre l'attaquant extérieur ou un établissement seul
dans sa ligne) ; leur part est l'écart minimal de tout masquage, quel qu'il soit.

Lancer depuis la racine du dépôt :
`.venv/bin/python bench/bench_secret.py [--graine N ...] [--forcees ANNEE | --sans-forcees] [ANNEE ...]`.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
if str(RACINE) not in sys.path:  # bench/ n'est pas un paquet
    sys.path.insert(0, str(RACINE))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from etl.build import Progression, preparer  # noqa: E402
from etl.secret import emploi  # noqa: E402
from etl.secret.tableau import Tableau, initie_max  # noqa: E402
from etl.secret.temoins import Chercheur, proprietaires  # noqa: E402
from etl.sources.chargement import Fichiers  # noqa: E402

# (échelon, niveau, groupes, nomenclature, écart visé en points)
CIBLES = [
    ("privé des communes", "commune", ["prive"], "ensemble", 3.0),
    ("ESS × A21 des EPCI", "epci", ["ess"], "a21", 6.0),
    ("familles des EPCI", "epci", list(emploi.FAMILLES), "ensemble", 4.0),
    ("ESS × A21 des PETR", "petr", ["ess"], "a21", 12.0),
    ("ESS des EPCI", "epci", ["ess"], "ensemble", None),
    ("familles des PETR", "petr", list(emploi.FAMILLES), "ensemble", None),
]
GRAINES = [None, 7, 2024]  # None : la démonstration par défaut


def fr(x: float, d: int = 1) -> str:
    return f"{x:,.{d}f}".replace(",", "\u202f").replace(".", ",")


def _protegee(t: Tableau, ch: Chercheur, cache: np.ndarray, p: int, cote: float, besoin: float) -> bool:
    """A witness for the outsider, then one for the insiders it leaves (those outside p
    together, then each one): p keeps its protection on that side under `cache`."""
    temoins = [ch.trouver(cache, p, cote * besoin)]
    if temoins[0] is None:
        return False
    rang_initie = np.full(t.A.shape[1], -1)
    rang_initie[t.initie] = np.arange(len(t.initie))
    vus, ensemble = set(), True
    while True:
        immobiles = np.arange(t.A.shape[1])
        for w in temoins:
            immobiles = immobiles[np.abs(w[immobiles]) > 1e-9]
        ks = [int(k) for k in rang_initie[immobiles] if k >= 0 and int(k) not in vus]
        ks = [k for k in ks if t.exigence_initie(p, k)[0 if cote > 0 else 1] > 0]
        if not ks:
            return True
        _dedans, dehors = proprietaires(t, p, ks)
        if ensemble and len(dehors) > 1:
            ensemble = False
            w = ch.trouver(cache, p, cote * initie_max(besoin), dehors)
            if w is not None:
                temoins.append(w)
                continue
        vus.add(ks[0])
        w = ch.trouver(cache, p, cote * t.exigence_initie(p, ks[0])[0 if cote > 0 else 1], ks[0])
        if w is None:
            return False
        temoins.append(w)


def forcees(a: emploi.Annee) -> None:
    """Per target, the cells no protection can publish: a lower bound of its gap."""
    t, c = a.tableaux["effectifs"], a.cellules
    primaire = t.primaire()
    haut, bas = t.exigences()
    ch = Chercheur(t)
    voisins = (t.A @ t.A.T).tocsr()  # cells sharing a micro-cell
    debut = time.process_time()
    for libelle, niveau, groupes, nomenclature, _cible in CIBLES:
        sel = (c["niveau"] == niveau) & c["groupe"].isin(groupes) & (c["nomenclature"] == nomenclature)
        cellules = np.unique(a.classe[sel.to_numpy()])
        n = 0
        for k in cellules[~primaire[cellules]]:
            cache = np.ones(len(primaire), bool)
            cache[k] = False
            proches = voisins.getrow(k).indices
            n += any(not _protegee(t, ch, cache, p, cote, b) for p in proches[primaire[proches]]
                     for cote, b in ((1.0, haut[p]), (-1.0, bas[p])) if b > 0)
        print(f"  {libelle} : {n} cellules forcées sur {len(cellules)} ({primaire[cellules].sum()} "
              f"sensibles) -> au moins +{fr(100 * n / len(cellules))} points", flush=True)
    print(f"  (analyse en {fr(time.process_time() - debut)} s de calcul)")


def un_tirage(graine: int | None, annees: list[int], annee_forcees: int | None) -> pd.DataFrame:
    nom = "démonstration par défaut" if graine is None else f"graine {graine}"
    t = time.perf_counter()
    prep = preparer("31", Fichiers(), Progression(lambda _m: None), graine=graine)
    try:
        modele = emploi.annees(prep.con)
    finally:
        prep.con.close()
    modele = {a: m for a, m in modele.items() if not annees or a in annees}
    print(f"\n== {nom} : modèle en {fr(time.perf_counter() - t)} s", flush=True)
    debut = time.perf_counter()
    with ProcessPoolExecutor(2, mp_context=get_context("spawn")) as pool:
        resultats = dict(zip(modele, pool.map(emploi.proteger, modele.values()), strict=True))
    total = time.perf_counter() - debut
    lignes, solveurs = [], []
    for an, (cache, r) in resultats.items():
        a = modele[an]
        constats = [r[f"audit_{m}"] for m in emploi.MESURES]
        audit = "réussi" if all(c.sur for c in constats) else "ÉCHEC"
        initie = sum(c.initie_lp for c in constats)
        duree = r["duree_protection"] + r["duree_audit"]
        solveurs.append(r["duree_solveur"])
        print(f"{an} : protection {fr(r['duree_protection'])} s ({r['lp']} programmes linéaires), audit "
              f"{fr(r['duree_audit'])} s ({initie} initiés bornés à part), dont solveur HiGHS "
              f"{fr(r['duree_solveur'])} s ({fr(100 * r['duree_solveur'] / duree, 0)} %) — "
              f"{r['primaires']} sensibles, "
              f"{int(cache.sum())} masquées sur {len(cache)} ; audit : {audit}", flush=True)
        lignes.append(a.cellules.assign(cache=cache, primaire=a.tableaux["effectifs"].primaire()[a.classe],
                                        annee=an))
    print(f"Secret statistique, {len(modele)} années sur 2 processus : {fr(total)} s, dont au moins "
          f"{fr(sum(solveurs) / 2)} s dans le solveur HiGHS (ses secondes réparties sur les 2 processus) : "
          "ce qu'aucun gain hors du solveur ne retire")
    if annee_forcees in modele:
        print(f"Cellules forcées en {annee_forcees} (tout le reste masqué, chacune publiée seule) :")
        forcees(modele[annee_forcees])
    c = pd.concat(lignes)
    ecarts = {}
    for libelle, niveau, groupes, nomenclature, cible in CIBLES:
        sel = c[(c["niveau"] == niveau) & c["groupe"].isin(groupes) & (c["nomenclature"] == nomenclature)]
        ecarts[libelle] = 100 * (sel["cache"].mean() - sel["primaire"].mean())
        visee = f" (cible ≤ +{fr(cible)})" if cible is not None else ""
        masque, sensible = 100 * sel["cache"].mean(), 100 * sel["primaire"].mean()
        print(f"  {libelle} : {fr(masque)} % masquées, {fr(sensible)} % sensibles, "
              f"+{fr(ecarts[libelle])} points{visee}")
    return pd.Series(ecarts, name=nom)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graine", type=int, action="append", help="un seul tirage (répétable)")
    parser.add_argument("--forcees", type=int, default=2017, metavar="ANNEE",
                        help="année de l'analyse des cellules forcées (défaut : 2017)")
    parser.add_argument("--sans-forcees", action="store_true", help="sans cette analyse")
    parser.add_argument("annees", type=int, nargs="*")
    args = parser.parse_args()
    os.environ["ESS_CACHE_SECRET"] = ""  # à froid
    graines = args.graine or GRAINES
    forcees_en = None if args.sans_forcees else args.forcees
    tableau = pd.concat([un_tirage(g, args.annees, forcees_en) for g in graines], axis=1)
    print("\nPoints de cellules masquées au-delà des seules sensibles, 2017-2023 :")
    print(tableau.map(fr).to_string())


if __name__ == "__main__":
    main()
