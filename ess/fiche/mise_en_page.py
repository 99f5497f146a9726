"""The "Data ESS" fiche laid out as one document (ess.document): a first page a mayor reads in
a minute (key figures with their sentences, ess.fiche.phrases; the locator map of the territory
in its EPCI), then the detail, the list, the pépites, methods and sources."""

from __future__ import annotations

import hashlib

import pandas as pd

from data import libelles
from ess import format as fr
from ess import noms
from ess.document import graphiques
from ess.document.modele import Document, Graphique, Paragraphe, Section, identite_emetteur
from ess.exports.securite import nom_fichier
from ess.fiche.contenu import Fiche
from ess.fiche.phrases import chiffres, est_nombre
from ess.fiche.textes import LIBELLES_SOURCES, PERIMETRES, SOURCE_FLORES, SOURCE_SIRENE, millesime

GEO_EPCI = """
SELECT g.territoire, g.geojson FROM geometries g JOIN territoires t USING (territoire)
WHERE t.niveau = 'epci'
"""
GEO = "SELECT territoire, geojson FROM geometries WHERE list_contains(?, territoire)"
COMMUNES_DE = "SELECT commune FROM appartenance WHERE list_contains(?, territoire)"
NATURE = libelles("niveaux", "nature")


def _carte(f: Fiche, con) -> Graphique | None:
    if con is None:
        return None
    t = f.territoire
    departement = _departement(f)
    epcis = dict(con.execute(GEO_EPCI).fetchall())
    parents = [c for c, niv, _n in f.parents if niv == "epci"]
    if t.niveau in ("commune", "communes"):
        contexte_ids = parents or [c for c in epcis if c]  # a group across EPCI: the département
        communes = [f"commune:{c}" for (c,) in con.execute(COMMUNES_DE, [contexte_ids]).fetchall()]
        geo = dict(con.execute(GEO, [communes]).fetchall())
        cibles = [f"commune:{c}" for c in t.communes]
        fond = [g for k, g in geo.items() if k not in cibles]
        contexte = [epcis[c] for c in contexte_ids if c in epcis] if parents else []
        # « dans la Communauté de communes … », « en <département> » (ess.noms)
        dans = noms.dans(f.parents[0][2] if parents else departement)
        titre = f"{f.titre} (en bleu foncé) {dans}"
        png = graphiques.carte_situation(fond, contexte, [geo[c] for c in cibles if c in geo])
    else:
        geo = dict(con.execute(GEO, [[t.code]]).fetchall())
        # in its département, or its région (a département of a région's database); the
        # database's own territory, contained in none, is the whole map
        contenant = next((n for niveau in ("departement", "region") for _c, niv, n in f.parents
                          if niv == niveau), None)
        cible = [geo[t.code]] if t.code in geo and contenant else []
        fond = [g for k, g in epcis.items() if k != t.code]
        titre = (f"{f.titre} (en bleu foncé) {noms.dans(contenant)}" if cible
                 else f"Les intercommunalités {noms.de(f.titre)}")
        png = graphiques.carte_situation(fond, [], cible)
    return Graphique(titre, png, "IGN, INSEE (découpage communal), contours simplifiés",
                     f"Carte de situation : {titre}.", 62)


def _graphique_familles(f: Fiche) -> Graphique:
    fam = f.tableau("familles").lignes
    if any(est_nombre(r[2]) for r in fam):
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
    out = list(f.alertes)  # first: the page shows them apart (pages/data_ess.py)
    t = f.territoire
    if len(t.noms_communes) > 1:  # every commune of the group named, its title may be shortened
        out.append(f"Groupe de {len(t.noms_communes)} communes : {fr.liste(t.noms_communes)}.")
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
    departement = _departement(f)
    return Document(
        titre=f"Data ESS — {f.titre}",
        sous_titre=f"{nature} · {departement} · économie sociale et solidaire, données {f.annee}",
        territoire=f.titre, annee=f.annee, genere_le=f.genere_le, nom_fichier=nom_document(f),
        chiffres=chiffres(f, con), messages=_messages(f),
        carte=_carte(f, con) if images else None, sections=sections,
        notes=[n for n in f.notes if n not in f.alertes], methodes=f.definitions, sources=_sources(f),
        avertissement="Données de démonstration : établissements, emplois par commune et projets fictifs."
        if f.demo else "",
        # who issues it (data/emetteur.toml), not the territory's département: in a région's
        # database a fiche of the Haute-Corse is not the Département de la Haute-Corse's
        source_pied=f"INSEE (SIRENE, FLORES), {identite_emetteur()['emetteur']}",
        departement=departement,
    )


def _departement(f: Fiche) -> str:
    """The département's name: a parent of the territory, or the territory itself."""
    return next((n for _c, niv, n in f.parents if niv == "departement"), f.territoire.nom)
