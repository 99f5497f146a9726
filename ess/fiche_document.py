"""The "Data ESS" fiche laid out as one document (ess.document): a first page a mayor reads in
a minute (key figures, each with its comparison, its trend and one computed sentence; the
locator map of the territory in its EPCI), then the detail, the list, the pépites, methods
and sources. Every sentence is computed from the fiche's figures, never typed."""

from __future__ import annotations

import hashlib

import pandas as pd

from data import libelles
from ess import format as fr
from ess import noms
from ess.document import graphiques
from ess.document.modele import NON_DIFFUSE, Chiffre, Document, Graphique, Paragraphe, Section
from ess.exports.securite import nom_fichier
from ess.fiche import LIBELLES_SOURCES, NIVEAUX, PERIMETRES, SOURCE_FLORES, SOURCE_SIRENE, Fiche, millesime

POPULATION = """
SELECT sum(c.population)::BIGINT FROM appartenance a JOIN communes c USING (commune)
WHERE a.territoire = ?
"""
GEO_EPCI = """
SELECT g.territoire, g.geojson FROM geometries g JOIN territoires t USING (territoire)
WHERE t.niveau = 'epci'
"""
GEO = "SELECT territoire, geojson FROM geometries WHERE list_contains(?, territoire)"
COMMUNES_DE = "SELECT commune FROM appartenance WHERE list_contains(?, territoire)"
NATURE = libelles("niveaux", "nature")


def _n(x, dec=0) -> str:
    return fr.nombre(x, dec)


def _pluriel(n: int, mot: str, pluriel: str | None = None) -> str:
    return f"{_n(n)} {mot if abs(n) <= 1 else (pluriel or mot + 's')}"


def _signe(x: float, dec=0, unite="") -> str:
    texte = fr.nombre(abs(x), dec)
    return f"{'+' if x > 0 else '−' if x < 0 else ''}{texte}{unite}"


def _ligne(f: Fiche, niveau: str | None = None):
    """The comparison row of a containing territory (the first one when `niveau` is None)."""
    parents = f.tableau("comparaisons").lignes[1:]  # the first row is the territory itself
    return next((r for r in parents if niveau is None or r[1] == NIVEAUX.get(niveau)), None)


DU_NIVEAU = {"EPCI": "de l'EPCI", "PETR": "du PETR", "Département": "du département"}


def _nombre(v) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _chiffres(f: Fiche, con) -> list[Chiffre]:
    c, ctx = f.chiffres, f.contexte
    annee, a0 = f.annee, ctx["annee_debut"]
    dep, parent = _ligne(f, "departement"), _ligne(f)
    out = []
    # 1. establishments, per 1 000 inhabitants, trend from the same SIRENE listing
    n, pop = c["etablissements_employeurs_ess"], ctx["population"]
    comparaison = ""
    if pop and dep and con is not None and f.territoire.niveau != "departement":
        pop_dep = con.execute(POPULATION, [f.parents[-1][0]]).fetchone()[0]
        if pop_dep and isinstance(dep[2], int):
            comparaison = (f"{_n(1000 * n / pop, 1)} pour 1\u202f000 habitants, contre "
                           f"{_n(1000 * dep[2] / pop_dep, 1)} dans le département")
    unite = "sièges sociaux" if f.unite == "sieges" else "établissements"
    out.append(Chiffre(
        f"Établissements employeurs de l'ESS ({unite})", n, "entier",
        f"{_pluriel(n, 'établissement employeur', 'établissements employeurs')} de l'ESS "
        f"{'actif' if n <= 1 else 'actifs'} au 31/12/{annee} sur le territoire"
        + (f", pour {_n(pop)} habitants." if pop else "."),
        comparaison, f"{_signe(n - ctx['compte_debut'])} depuis fin {a0} ({_n(ctx['compte_debut'])})"))
    # 2. jobs
    eff = c["effectifs_ess"]
    serie = {r[0]: r[2] for r in f.tableau("evolution").lignes}
    tendance = ""
    if isinstance(eff, int | float) and isinstance(serie.get(a0), int | float) and serie[a0]:
        tendance = f"{_signe(100 * (eff - serie[a0]) / serie[a0], 1, f'{fr.ESPACE}%')} depuis {a0}"
    if eff is None:
        cible = (f"{noms.le(parent[0])} en compte {_n(parent[3])}" if parent and _nombre(parent[3])
                 else "voir le territoire qui le contient")
        fourchette = c.get("fourchette_effectifs_ess")
        fourchette_part = c.get("fourchette_part_ess_emploi_prive")
        soit = f" (soit {fr.part_privee(fourchette_part)})" if fourchette_part else ""
        phrase = (f"Masqué pour protéger un territoire voisin : {fr.fourchette(fourchette)} d'après les "
                  f"seuls chiffres publiés{soit} ; {cible}." if fourchette else
                  "Le nombre de salariés de l'ESS du territoire est couvert par le secret statistique "
                  f"(trop peu d'établissements, ou un établissement dominant) ; {cible}.")
        comp = ""
    else:
        estim = " (estimation par tranches d'effectifs)" if f.perimetre == "sirene" else ""
        phrase = f"L'ESS emploie {_pluriel(eff, 'salarié')} au 31/12/{annee} sur le territoire{estim}."
        comp = (f"{fr.pourcent(100 * eff / parent[3])} des salariés de l'ESS {DU_NIVEAU.get(parent[1], '')}"
                if parent and _nombre(parent[3]) and parent[3] else "")
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
    publiees = [r for r in fam if _nombre(r[3])]
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


def _carte(f: Fiche, con) -> Graphique | None:
    if con is None:
        return None
    t = f.territoire
    epcis = dict(con.execute(GEO_EPCI).fetchall())
    parents = [c for c, niv, _n in f.parents if niv == "epci"]
    if t.niveau in ("commune", "communes"):
        contexte_ids = parents or [c for c in epcis if c]  # a group across EPCI: the département
        communes = [f"commune:{c}" for (c,) in con.execute(COMMUNES_DE, [contexte_ids]).fetchall()]
        geo = dict(con.execute(GEO, [communes]).fetchall())
        cibles = [f"commune:{c}" for c in t.communes]
        fond = [g for k, g in geo.items() if k not in cibles]
        contexte = [epcis[c] for c in contexte_ids if c in epcis] if parents else []
        dans = f.parents[0][2] if parents else "le département"
        titre = f"{f.titre} (en bleu foncé) dans {dans}"
        png = graphiques.carte_situation(fond, contexte, [geo[c] for c in cibles if c in geo])
    else:
        geo = dict(con.execute(GEO, [[t.code]]).fetchall())
        cible = [geo[t.code]] if t.code in geo and t.niveau != "departement" else []
        fond = [g for k, g in epcis.items() if k != t.code]
        titre = (f"{f.titre} (en bleu foncé) dans la Haute-Garonne" if cible
                 else "Les intercommunalités de la Haute-Garonne")
        png = graphiques.carte_situation(fond, [], cible)
    return Graphique(titre, png, "IGN, INSEE (découpage communal), contours simplifiés",
                     f"Carte de situation : {titre}.", 62)


def _graphique_familles(f: Fiche) -> Graphique:
    fam = f.tableau("familles").lignes
    if any(_nombre(r[2]) for r in fam):
        png = graphiques.barres([r[0] for r in fam], [r[2] for r in fam], 85)
        return Graphique("Salariés de l'ESS par famille", png, SOURCE_FLORES.format(annee=f.annee),
                         "Aucun effectif par famille publiable (secret statistique).", 85)
    png = graphiques.barres([r[0] for r in fam], [r[1] for r in fam], 85)
    return Graphique("Établissements employeurs par famille", png, SOURCE_SIRENE.format(annee=f.annee),
                     "Aucun établissement employeur de l'ESS sur le territoire cette année.", 85)


def _graphique_evolution(f: Fiche) -> Graphique:
    ev = f.tableau("evolution")
    annees = [r[0] for r in ev.lignes]
    png = graphiques.courbe(annees, [r[2] for r in ev.lignes], 85)
    if png:
        return Graphique("Salariés de l'ESS au 31/12", png, ev.source,
                         "Courbe des effectifs salariés de l'ESS par année.", 85)
    png = graphiques.courbe(annees, [r[1] for r in ev.lignes], 85)
    return Graphique("Établissements employeurs de l'ESS au 31/12", png, ev.source,
                     "Effectifs couverts par le secret statistique chaque année : pas de courbe "
                     "publiable.", 85)


def _messages(f: Fiche) -> list[str]:
    annees = f.contexte.get("annees") or [f.annee]
    out = list(f.alertes)
    out.append(f"Les chiffres clés portent sur {f.annee} (année choisie) ; la section Évolution couvre "
               f"toutes les années disponibles, de {min(annees)} à {max(annees)} : sa ligne {f.annee} "
               "reprend les chiffres clés.")
    out.append(f"Définition de l'ESS : {PERIMETRES[f.perimetre].lower()}. Le nombre d'établissements "
               "vient du répertoire SIRENE (public) ; les effectifs, de l'emploi salarié FLORES, sous "
               "secret statistique.")
    return out


def nom_document(f: Fiche) -> str:
    """`data-ess_<territoire>_<année>`; a group by its communes' codes, so two groups never share
    a file name."""
    t = f.territoire
    if t.niveau == "communes":
        codes = list(t.communes)
        empreinte = hashlib.sha1(t.code.encode()).hexdigest()[:6]
        partie = "-".join(codes) if len(codes) <= 4 else (
            "-".join(codes[:3]) + f"-et-{len(codes) - 3}-autres-{empreinte}")
        return nom_fichier(f"data-ess_groupe-{partie}_{f.annee}", "x")[:-2]
    return nom_fichier(f"data-ess_{t.nom}_{f.annee}", "x")[:-2]


def _sources(f: Fiche) -> list[tuple[str, str]]:
    out = [(LIBELLES_SOURCES.get(r.source, r.source.capitalize()),
            f"{r.description} ({millesime(str(r.millesime))})") for r in f.sources.itertuples()]
    base = f.millesimes.get("Base construite le", "")
    if base:
        out.append(("Base de données du tableau de bord",
                    f"construite le {fr.date_heure(pd.Timestamp(base).to_pydatetime())}"))
    return out


def document(f: Fiche, con=None, images: bool = True) -> Document:
    """The fiche as a document. `con` gives the map and the comparisons' populations; `images`
    False skips charts and map (spreadsheets do not show them: faster batches)."""
    t = f.tableau
    cles = {x.cle for x in f.tableaux}
    detail = [t("familles")]
    bref = [t("comparaisons")]
    if images:  # the two charts side by side under the comparisons: the page-1 story
        bref += [_graphique_familles(f), _graphique_evolution(f)]
    detail += [t(k) for k in ("familles_epci", "secteurs", "secteurs_epci", "categories_juridiques")
               if k in cles]
    if "familles_epci" in cles:
        detail.insert(1, Paragraphe(
            "Les effectifs par famille et par secteur ne sont pas diffusés à l'échelle de la commune : "
            "les tableaux de l'EPCI qui suivent sont donnés comme contexte.", "note"))
    evolution = [t("evolution")]
    sections = [
        Section("Le territoire et ceux qui le contiennent", bref),
        Section("Familles juridiques et secteurs d'activité", detail),
        Section("Évolution", evolution),
        Section("Établissements et pépites", [t("etablissements"), t("pepites")]),
        Section("Définitions comparées", [t("definitions_comparees")]),
    ]
    nature = NATURE.get(f.territoire.niveau, "")
    return Document(
        titre=f"Data ESS — {f.titre}",
        sous_titre=f"{nature} · Haute-Garonne · économie sociale et solidaire, données {f.annee}",
        territoire=f.titre, annee=f.annee, genere_le=f.genere_le, nom_fichier=nom_document(f),
        chiffres=_chiffres(f, con), messages=_messages(f),
        carte=_carte(f, con) if images else None, sections=sections,
        notes=[n for n in f.notes if n not in f.alertes], methodes=f.definitions, sources=_sources(f),
        avertissement="Données de démonstration : établissements, emplois par commune et projets fictifs."
        if f.demo else "",
        source_pied="INSEE (SIRENE, FLORES), Département de la Haute-Garonne",
    )
