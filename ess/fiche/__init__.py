"""The "Data ESS" fiche of a territory, one module per thing it holds:

- contenu: the `Fiche` (key figures, typed tables, notes, definitions, sources);
- etablissements: the SIRENE establishments counted, their counts, categories and list;
- emploi: jobs by family and by sector, as far as the level publishes them;
- comparaisons: the territory beside its EPCI, PETR, département, and its evolution;
- pepites: initiatives, large employers, recent creations, SCOP and SCIC;
- textes: its words (units, definitions, sources, notes);
- phrases, mise_en_page: the document (key figures with their sentences, sections, map);
- fichiers: that document as PDF, XLSX, DOCX or CSV; choix: the page's pickers.

`fiche()` assembles them; nothing here formats or writes files."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import duckdb

from ess import indicateurs, provenance
from ess.codes_territoire import resoudre
from ess.fiche import comparaisons, emploi, etablissements
from ess.fiche.choix import codes_colles, options_niveau
from ess.fiche.contenu import Fiche
from ess.fiche.pepites import pepites
from ess.fiche.textes import DEFINITIONS, NIVEAUX, PERIMETRES, UNITES, millesime, notes_et_alertes

__all__ = ["NIVEAUX", "PERIMETRES", "UNITES", "Fiche", "codes_colles", "fiche", "options_niveau"]


def fiche(
    con: duckdb.DuckDBPyConnection, code: str, annee: int | None = None,
    perimetre: str = "statistique", unite: str = "etablissements", cache: dict | None = None,
) -> Fiche:
    """The whole fiche of a territory. `cache` (a dict kept by the caller) spares the
    comparison territories' figures in batch runs."""
    if perimetre not in PERIMETRES:
        raise ValueError(f"Définition inconnue : « {perimetre} » (statistique ou sirene).")
    if unite not in UNITES:
        raise ValueError(f"Unité de compte inconnue : « {unite} » (etablissements ou sieges).")
    t = resoudre(con, code)
    annee = annee or indicateurs.annee_par_defaut(con)
    info = provenance.infos_build(con)
    demo = info.get("demo") == "oui"
    titre = t.nom  # a group by its communes (ess.codes_territoire.nom_groupe)
    annees_emploi = indicateurs.annees(con)
    debut = comparaisons.annee_debut(annees_emploi, annee)
    deux_ans = etablissements.lire(con, t, annee, debut, cache)
    etab, etab_debut = deux_ans[deux_ans["actif_annee"]], deux_ans[deux_ans["actif_debut"]]
    compte = etablissements.comptages(etab)
    base = indicateurs.chiffres_cles(con, t.code, annee, perimetre)
    # the headline count follows the chosen definition and unit (SIRENE, public)
    chiffres = base | {"etablissements_employeurs_ess": compte[(perimetre, unite)]}
    statistiques = base if perimetre == "statistique" else indicateurs.chiffres_cles(con, t.code, annee)
    parents_t = comparaisons.parents(con, t)
    annees = millesime(info.get("annees_emploi", ""))
    evolution = comparaisons.evolution(con, t, annees)
    tableaux = [
        emploi.familles(con, t, annee, etab, "familles", "Familles juridiques", titre),
        etablissements.categories(etab, perimetre, annee),
        etablissements.definitions_comparees(compte, perimetre, unite, annee),
        comparaisons.comparaisons(con, t, titre, annee, statistiques, parents_t, cache),
        evolution,
        etablissements.liste(etab, perimetre, unite, annee, compte[(perimetre, unite)]),
        pepites(con, t, etab, perimetre, annee),
    ]
    secteurs = emploi.secteurs(con, t, annee, "secteurs", "Secteurs d'activité", titre)
    if secteurs is not None:
        tableaux.insert(1, secteurs)
    epci = next(((c, n) for c, niv, n in parents_t if niv == "epci"), None)
    if epci and secteurs is None:  # context: the EPCI's breakdowns, clearly labelled
        cle = ("contexte_epci", epci[0], annee)
        if cache is None or cle not in cache:
            te = resoudre(con, epci[0])
            contexte = [emploi.familles(con, te, annee, None, "familles_epci",
                                        "Familles juridiques de l'EPCI", epci[1]),
                        emploi.secteurs(con, te, annee, "secteurs_epci", "Secteurs d'activité de l'EPCI",
                                        epci[1], max_lignes_pdf=8)]
            if cache is not None:
                cache[cle] = contexte
        contexte = cache[cle] if cache is not None else contexte
        tableaux[1:1] = [copy.copy(x) for x in contexte if x is not None]  # numbered per document
    notes, alertes = notes_et_alertes(t, chiffres, parents_t, demo, provenance.regle_sensible(con))
    return Fiche(
        territoire=t, annee=annee, perimetre=perimetre, unite=unite, genere_le=datetime.now(UTC), demo=demo,
        chiffres=chiffres | {"statistiques": statistiques}, tableaux=tableaux, notes=notes, alertes=alertes,
        definitions=DEFINITIONS,
        sources=provenance.sources(con),
        millesimes={"Année des chiffres clés": str(annee), "Années d'emploi disponibles": annees,
                    "Géographie (population légale)": info.get("annee_geographie", ""),
                    "Base construite le": info.get("date_construction", "")},
        titre=titre, parents=parents_t,
        contexte=comparaisons.contexte(con, t, annee, perimetre, unite, evolution, etab, etab_debut),
    )
