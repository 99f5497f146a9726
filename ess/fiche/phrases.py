"""The key figures on a fiche's first page, each with its comparison, its trend and one
sentence computed from the fiche's figures (never typed): « 312 établissements employeurs de
l'ESS actifs au 31/12/2021 sur le territoire, pour 18 500 habitants. »"""

from __future__ import annotations

from ess import format as fr
from ess import motifs, noms
from ess.document.modele import NON_DIFFUSE, Chiffre
from ess.fiche.contenu import Fiche
from ess.fiche.textes import NIVEAUX

# The département's population, for « … pour 1 000 habitants, contre … dans le département ».
POPULATION_TERRITOIRE = """
SELECT sum(c.population)::BIGINT FROM appartenance a JOIN communes c USING (commune)
WHERE a.territoire = ?
"""


def _n(x, dec=0) -> str:
    return fr.nombre(x, dec)


def _pluriel(n: int, mot: str, pluriel: str | None = None) -> str:
    return f"{_n(n)} {mot if abs(n) <= 1 else (pluriel or mot + 's')}"


def _signe(x: float, dec=0, unite="") -> str:
    texte = fr.nombre(abs(x), dec)
    return f"{'+' if x > 0 else '−' if x < 0 else ''}{texte}{unite}"


def ligne_parent(f: Fiche, niveau: str | None = None):
    """The comparison row of a containing territory (the first one when `niveau` is None)."""
    parents = f.tableau("comparaisons").lignes[1:]  # the first row is the territory itself
    return next((r for r in parents if niveau is None or r[1] == NIVEAUX.get(niveau)), None)


DU_NIVEAU = {"EPCI": "de l'EPCI", "PETR": "du PETR", "Département": "du département"}


def est_nombre(v) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def chiffres(f: Fiche, con) -> list[Chiffre]:
    c, ctx = f.chiffres, f.contexte
    annee, a0 = f.annee, ctx["annee_debut"]
    dep, parent = ligne_parent(f, "departement"), ligne_parent(f)
    out = []
    # 1. establishments, per 1 000 inhabitants, trend from the same SIRENE listing
    n, pop = c["etablissements_employeurs_ess"], ctx["population"]
    comparaison = ""
    if pop and dep and con is not None and f.territoire.niveau != "departement":
        code_dep = next(code for code, niveau, _nom in f.parents if niveau == "departement")
        pop_dep = con.execute(POPULATION_TERRITOIRE, [code_dep]).fetchone()[0]
        if pop_dep and isinstance(dep[2], int):
            comparaison = (f"{_n(1000 * n / pop, 1)} pour 1\u202f000 habitants, contre "
                           f"{_n(1000 * dep[2] / pop_dep, 1)} dans le département")
    unite = "sièges sociaux" if f.unite == "sieges" else "établissements"
    out.append(Chiffre(
        f"Établissements employeurs de l'ESS ({unite})", n, "entier",
        f"{_pluriel(n, 'établissement employeur', 'établissements employeurs')} de l'ESS "
        f"{'actif' if n <= 1 else 'actifs'} au 31/12/{annee} sur le territoire"
        + (f", pour {_n(pop)} habitants." if pop else "."),
        comparaison, f"{_signe(n - ctx['compte_debut'])} depuis fin {a0}, qui en comptait "
                     f"{_n(ctx['compte_debut'])}"))  # never in parentheses: renderers add theirs
    # 2. jobs
    eff = c["effectifs_ess"]
    serie = {r[0]: r[2] for r in f.tableau("evolution").lignes}
    tendance = ""
    if isinstance(eff, int | float) and isinstance(serie.get(a0), int | float) and serie[a0]:
        tendance = f"{_signe(100 * (eff - serie[a0]) / serie[a0], 1, f'{fr.ESPACE}%')} depuis {a0}"
    if eff is None:
        cible = (f"{noms.le(parent[0])} en compte {_n(parent[3])}" if parent and est_nombre(parent[3])
                 else "voir le territoire qui le contient")
        fourchette = c.get("fourchette_effectifs_ess")
        fourchette_part = c.get("fourchette_part_ess_emploi_prive")
        soit = f" (soit {fr.part_privee(fourchette_part)})" if fourchette_part else ""
        phrase = (f"Masqué pour protéger un territoire voisin : {fr.fourchette(fourchette)} d'après les "
                  f"seuls chiffres publiés{soit} ; {cible}." if fourchette else
                  f"{motifs.phrase(c.get('motif_secret_effectifs_ess')).removesuffix('.')} ; {cible}.")
        comp = ""
    else:
        estim = " (estimation par tranches d'effectifs)" if f.perimetre == "sirene" else ""
        phrase = f"L'ESS emploie {_pluriel(eff, 'salarié')} au 31/12/{annee} sur le territoire{estim}."
        comp = (f"{fr.pourcent(100 * eff / parent[3])} des salariés de l'ESS {DU_NIVEAU.get(parent[1], '')}"
                if parent and est_nombre(parent[3]) and parent[3] else "")
    out.append(Chiffre("Effectifs salariés de l'ESS", eff, "entier", phrase, comp, tendance))
    # 3. share of private employment
    part = c["part_ess_emploi_prive"]
    if f.perimetre == "sirene":
        out.append(Chiffre("Part de l'ESS dans l'emploi privé", NON_DIFFUSE, "pourcent",
                           "Non calculable avec le marqueur ESS de SIRENE : l'emploi privé n'y est pas "
                           "mesuré (choisir le périmètre statistique)."))
    else:
        comp = f"{fr.pourcent(dep[4] * 100)} dans le département" if dep and isinstance(dep[4], float) else ""
        parts = {r[0]: r[4] for r in f.tableau("evolution").lignes}
        tendance = ""
        if part is not None and isinstance(parts.get(a0), float):
            ecart = part - 100 * parts[a0]
            unite = "\u00a0point" if abs(ecart) < 2 else "\u00a0points"  # never alone on a line
            tendance = f"{_signe(ecart, 1, unite)} depuis {a0}"
        fourchette_part = c.get("fourchette_part_ess_emploi_prive")
        if part is not None:
            phrase = (f"Sur 100 salariés du privé du territoire, {_n(part, 0 if part >= 10 else 1)} "
                      "travaillent dans l'ESS.")
        elif fourchette_part:
            phrase = (f"Masquée avec les effectifs de l'ESS : {fr.fourchette(fourchette_part, 1, '%')} "
                      "d'après les seuls chiffres publiés.")
        else:
            phrase = "Part couverte par le secret statistique (l'un de ses deux termes est masqué)."
        out.append(Chiffre("Part de l'ESS dans l'emploi privé", None if part is None else part / 100,
                           "pourcent", phrase, comp, tendance))
    # 4. the leading family
    fam = f.tableau("familles").lignes
    publiees = [r for r in fam if est_nombre(r[3])]
    if publiees:
        r = max(publiees, key=lambda x: x[3])
        out.append(Chiffre(f"{r[0]} : part des emplois de l'ESS", r[3], "pourcent",
                           f"{r[0]} : {_pluriel(r[2], 'salarié')}, soit {fr.pourcent(100 * r[3], 0)} "
                           "des salariés de l'ESS du territoire."))
    elif n:
        r = max(fam, key=lambda x: x[1])
        out.append(Chiffre(f"{r[0]} employeuses" if r[0] == "Associations" else r[0], r[1], "entier",
                           f"{r[1]} des {_pluriel(n, 'établissement employeur', 'établissements employeurs')}"
                           f" de l'ESS sont des {r[0].lower()} (répertoire SIRENE)."))
    # 5. recent creations
    k = ctx.get("creations", 0)
    phrase = (f"Aucun établissement employeur de l'ESS actif fin {annee} n'a été créé depuis le "
              f"1er janvier {annee - 2}." if k == 0 else
              f"Un établissement employeur de l'ESS actif fin {annee} a été créé depuis le 1er janvier "
              f"{annee - 2}." if k == 1 else
              f"{_n(k)} établissements employeurs de l'ESS actifs fin {annee} ont été créés depuis le "
              f"1er janvier {annee - 2}.")
    out.append(Chiffre(f"Créations depuis le 1er janvier {annee - 2}", k, "entier", phrase))
    return out
