"""The "Data ESS" fiche of a territory as data: key figures and typed tables (document
`Tableau` blocks: hidden values None → "s", not published at this level "—", true zeros 0),
notes, definitions and sources. `ess.fiche_document` lays them out as one document that the
page shows and every export (PDF, XLSX, DOCX, CSV) renders. Nothing here formats or writes files.

Employment detail follows `ref_diffusion_emploi` (ess.diffusion): a family or sector breakdown
not published at the territory's level reads "—", and the fiche shows its EPCI's instead,
labelled as context; establishment counts by family then come from the public SIRENE listing.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

import duckdb
import pandas as pd

from data import familles_ess, libelles
from ess import diffusion, indicateurs, portrait, provenance
from ess import format as fr
from ess.document.modele import NON_DIFFUSE, Colonne, Tableau
from ess.territoire import Territoire, resoudre

UNITES = {"etablissements": "Établissements", "sieges": "Entreprises (sièges sociaux)"}
PERIMETRES = libelles("definitions_ess")
NIVEAUX_COMPARAISON = ("epci", "petr", "departement")
NIVEAUX = libelles("niveaux")
NB_PEPITES = 3  # per category: highlights, the list has the rest
SEUIL_GRAND_EMPLOYEUR = 50  # salariés: lower bound of the SIRENE size band (tranche 21 = 50 à 99)
CATEGORIES_SCOP = ("5458", "5558", "5658")
SOURCE_FLORES = "INSEE, emploi salarié au 31/12/{annee} (format FLORES), périmètre statistique de l'ESS"
SOURCE_SIRENE = "INSEE, répertoire SIRENE, établissements employeurs actifs au 31/12/{annee}"

# ESS employer establishments of the territory active at 31/12 of the year or of the first
# year of its trend (flags actif_annee, actif_debut), with their legal unit's ESS status in
# both definitions (SIRENE counts are public, never secret).
ETABLISSEMENTS_ESS = """
SELECT e.*, c.nom AS nom_commune, t.libelle AS libelle_tranche, t.effectif_min::INTEGER AS effectif_min,
       actif_au_31_12(e.date_creation, e.date_fermeture, ?) AS actif_annee,
       actif_au_31_12(e.date_creation, e.date_fermeture, ?) AS actif_debut
FROM etablissements e
JOIN communes c USING (commune)
LEFT JOIN ref_tranches_effectifs t USING (tranche)
WHERE e.employeur AND list_contains(?, e.commune)
  AND (e.famille_ess IS NOT NULL OR e.ess_sirene)
  AND (actif_annee OR actif_debut)
"""  # parameters: year, first year, communes
# the same for every commune (a batch reads it once per worker and keeps each territory's rows)
ETABLISSEMENTS_ESS_TOUS = ETABLISSEMENTS_ESS.replace("list_contains(?, e.commune)", "true")
INITIATIVES = """
SELECT p.nom_projet, p.porteur, p.forme_juridique, c.nom AS nom_commune, p.theme, p.description,
       p.source
FROM projets p JOIN communes c USING (commune)
WHERE p.fictif = 'non' AND list_contains(?, p.commune)
ORDER BY p.nom_projet
"""
SCIC_DU_REGISTRE = """
SELECT p.nom_projet, p.porteur, c.nom AS nom_commune, p.theme
FROM projets p JOIN communes c USING (commune)
WHERE p.forme_juridique = 'SCIC' AND list_contains(?, p.commune)
ORDER BY p.nom_projet
"""
PARENTS = """
SELECT t.territoire, t.niveau, t.nom
FROM appartenance a JOIN territoires t USING (territoire)
WHERE list_contains(?, a.commune) AND list_contains(?, t.niveau) AND t.territoire <> ?
GROUP BY ALL
HAVING count(*) = ?
"""
POPULATION = "SELECT sum(population)::BIGINT FROM communes WHERE list_contains(?, commune)"
NOMS_COMMUNES = "SELECT nom FROM communes WHERE list_contains(?, commune) ORDER BY nom"
TERRITOIRES_DU_NIVEAU = "SELECT territoire, code, nom FROM territoires WHERE niveau = ? ORDER BY nom, code"


@dataclass
class Fiche:
    territoire: Territoire
    annee: int
    perimetre: str
    unite: str
    genere_le: datetime
    demo: bool
    chiffres: dict  # the key figures of the chosen definition and unit
    tableaux: list[Tableau]
    notes: list[str] = field(default_factory=list)
    alertes: list[str] = field(default_factory=list)  # the notes specific to this territory
    definitions: list[tuple[str, str]] = field(default_factory=list)
    sources: pd.DataFrame = field(default_factory=pd.DataFrame)
    millesimes: dict = field(default_factory=dict)
    titre: str = ""  # "Saint-Gaudens", "Groupe de communes : Aspet, Encausse-les-Thermes"
    parents: list[tuple[str, str, str]] = field(default_factory=list)
    contexte: dict = field(default_factory=dict)  # figures for sentences: trend, population…

    def tableau(self, cle: str) -> Tableau:
        return next(t for t in self.tableaux if t.cle == cle)


NIVEAU_DIFFUSION = {"communes": "commune"}  # a custom group is published as its communes


def _publies(con, niveau: str) -> set[tuple[str, str]]:
    """(group, nomenclature) the employment table publishes at this level (ref_diffusion_emploi)."""
    niveau = NIVEAU_DIFFUSION.get(niveau, niveau)
    return {(g, n) for nv, g, n in diffusion.combinaisons(con) if nv == niveau}


def parents(con: duckdb.DuckDBPyConnection, t: Territoire) -> list[tuple[str, str, str]]:
    """EPCI, PETR and département containing all the territory's communes."""
    rows = con.execute(PARENTS, [list(t.communes), list(NIVEAUX_COMPARAISON), t.code,
                                 len(t.communes)]).fetchall()
    ordre = {n: i for i, n in enumerate(NIVEAUX_COMPARAISON)}
    return sorted(rows, key=lambda r: ordre[r[1]])


def titre_territoire(con, t: Territoire) -> str:
    """A group of communes is named by its communes (the first three, then how many more)."""
    if t.niveau != "communes":
        return t.nom
    noms = [n for (n,) in con.execute(NOMS_COMMUNES, [list(t.communes)]).fetchall()]
    if len(noms) == 1:
        return noms[0]
    liste = ", ".join(noms[:3]) + (f" et {len(noms) - 3} autres communes" if len(noms) > 3 else "")
    return f"Groupe de communes : {liste}"


def _etablissements(con, t: Territoire, annee: int, depuis: int | None = None,
                    cache: dict | None = None) -> pd.DataFrame:
    """Active at 31/12 of `annee` (`actif_annee`) or, with `depuis`, of that earlier year
    (`actif_debut`): one query for a trend. With a batch's `cache`, all communes' rows are read
    once and each territory keeps its own (same rows, same order)."""
    if cache is None:
        return con.execute(ETABLISSEMENTS_ESS, [annee, depuis or annee, list(t.communes)]).df()
    cle = ("etablissements", annee, depuis or annee)
    if cle not in cache:
        cache[cle] = con.execute(ETABLISSEMENTS_ESS_TOUS, [annee, depuis or annee]).df()
    tous = cache[cle]
    return tous[tous["commune"].isin(t.communes)].reset_index(drop=True)


def _dans_perimetre(etab: pd.DataFrame, perimetre: str) -> pd.Series:
    return etab["ess_sirene"] if perimetre == "sirene" else etab["famille_ess"].notna()


def _comptes(etab: pd.DataFrame, perimetre: str, unite: str) -> pd.Series:
    """The establishments the headline count counts (and the list lists)."""
    dans = _dans_perimetre(etab, perimetre)
    return dans & etab["siege"] if unite == "sieges" else dans


def comptages(etab: pd.DataFrame) -> dict[tuple[str, str], int]:
    """ESS employer establishments in both definitions and both counting units."""
    return {(p, u): int(_comptes(etab, p, u).sum()) for p in PERIMETRES for u in UNITES}


def _num(v):
    """A number for a cell: None stays None (secret), NaN → None, numpy → Python."""
    if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NA:
        return None
    return v.item() if hasattr(v, "item") else v


def _fraction(pourcent):
    v = _num(pourcent)
    return None if v is None else round(v / 100, 4)


def _definitions_comparees(compte: dict, perimetre: str, unite: str, annee: int) -> Tableau:
    choisi = compte[(perimetre, unite)]
    lignes = [[PERIMETRES[p], UNITES[u], n, n - choisi, "oui" if (p, u) == (perimetre, unite) else "non"]
              for (p, u), n in compte.items()]
    return Tableau("definitions_comparees", "Définitions comparées", [
        Colonne("Définition de l'ESS", largeur=2), Colonne("Unité de compte"),
        Colonne("Établissements employeurs de l'ESS", "entier"),
        Colonne("Écart avec le choix affiché", "entier"), Colonne("Choix affiché")], lignes,
        f"établissements employeurs de l'ESS actifs au 31/12/{annee}, selon la définition et l'unité",
        SOURCE_SIRENE.format(annee=annee), "Écart = nombre de la ligne − nombre du choix affiché.",
        imprime=False)


def _table_familles(con, t: Territoire, annee: int, etab: pd.DataFrame | None, cle: str, titre: str,
                    nom: str) -> Tableau:
    """Families of a territory. Where its level does not publish them, jobs read "—" and the
    establishment counts come from the public SIRENE listing."""
    publies = _publies(con, t.niveau)
    if any((f, "ensemble") in publies for f in indicateurs.FAMILLES_ESS):
        df = portrait.familles(con, t.code, annee)
    else:  # nothing to read from the employment table at this level
        df = pd.DataFrame({"famille": list(familles_ess()), "libelle": list(familles_ess().values())})
    if etab is None and any((f, "ensemble") not in publies for f in df["famille"]):
        etab = _etablissements(con, t, annee)
    etab_fam = (etab[etab["famille_ess"].notna()].groupby("famille_ess").size() if etab is not None
                else pd.Series(dtype=int))
    lignes, par_sirene = [], False
    for r in df.itertuples():
        if (r.famille, "ensemble") in publies:
            secret = bool(r.secret)
            lignes.append([r.libelle, int(r.nb_etablissements), None if secret else _num(r.effectifs),
                           None if secret else _fraction(r.part)])
        else:
            par_sirene = True
            lignes.append([r.libelle, int(etab_fam.get(r.famille, 0)), NON_DIFFUSE, NON_DIFFUSE])
    source = SOURCE_FLORES.format(annee=annee)
    note = ""
    if par_sirene:
        source = f"{SOURCE_SIRENE.format(annee=annee)} (établissements) ; {source} (effectifs)"
        note = (f"Effectifs par famille {diffusion.NON_DIFFUSE} (« — ») : établissements comptés dans le "
                "répertoire SIRENE ; voir les familles de l'EPCI, données de contexte.")
    return Tableau(cle, titre, [
        Colonne("Famille juridique", largeur=2), Colonne("Établissements employeurs", "entier"),
        Colonne("Effectifs salariés", "entier"), Colonne("Part des effectifs de l'ESS", "pourcent")],
        lignes, f"établissements employeurs et salariés de l'ESS au 31/12/{annee}, {nom}", source, note)


def _categories(etab: pd.DataFrame, perimetre: str, annee: int) -> Tableau:
    dans = etab[_dans_perimetre(etab, perimetre)]
    lignes = []
    if not dans.empty:
        famille = dans["famille_ess"].map(familles_ess()).fillna("Hors périmètre statistique")
        df = (dans.assign(famille=famille,
                          libelle=dans["libelle_categorie_juridique"].fillna("Non renseignée"))
              .groupby(["categorie_juridique", "libelle", "famille"], dropna=False).size()
              .rename("n").reset_index().sort_values(["n", "categorie_juridique"], ascending=[False, True]))
        lignes = [[r.categorie_juridique, r.libelle, r.famille, int(r.n)] for r in df.itertuples()]
    return Tableau("categories_juridiques", "Catégories juridiques", [
        Colonne("Code"), Colonne("Catégorie juridique", largeur=3), Colonne("Famille"),
        Colonne("Établissements employeurs", "entier")], lignes,
        f"établissements employeurs de l'ESS actifs au 31/12/{annee}, par catégorie juridique",
        SOURCE_SIRENE.format(annee=annee), max_lignes_pdf=8)


def _table_secteurs(con, t: Territoire, annee: int, cle: str, titre: str, nom: str,
                    max_lignes_pdf: int | None = None) -> Tableau | None:
    """ESS jobs by A21 section, with the A38 detail where the level publishes it; None when
    the level publishes no sector at all."""
    publies = _publies(con, t.niveau)
    if ("ess", "a21") not in publies:
        return None
    df = portrait.secteurs(con, t.code, annee)
    a38 = ("ess", "a38") in publies
    df = df[((df["niveau"] == "a21") | ((df["niveau"] == "a38") & a38)) & (df["nb_etablissements"] > 0)]
    if not a38:  # sections alone: the largest first (establishments are never secret)
        df = df.sort_values(["nb_etablissements", "secteur"], ascending=[False, True])
    lignes = [[r.secteur, r.libelle, _num(r.nb_etablissements), None if r.secret else _num(r.effectifs),
               None if r.secret else _fraction(r.part)] for r in df.itertuples()]
    colonnes = [Colonne("Code"), Colonne("Secteur d'activité", largeur=3),
                Colonne("Établissements employeurs", "entier"), Colonne("Effectifs salariés", "entier"),
                Colonne("Part des effectifs de l'ESS", "pourcent")]
    if a38:  # sections and their detail in one table: say which is which
        colonnes.insert(0, Colonne("Niveau"))
        for ligne, r in zip(lignes, df.itertuples(), strict=True):
            ligne.insert(0, "Section" if r.niveau == "a21" else "Détail A38")
    note = ("Sections A21 de la NAF rév. 2 et leur détail A38" if a38 else
            f"Sections A21 de la NAF rév. 2 ; le détail A38 est {diffusion.NON_DIFFUSE} (publié pour le "
            "département et la métropole)") + " ; sections sans établissement de l'ESS omises."
    return Tableau(cle, titre, colonnes, lignes,
        f"établissements employeurs et salariés de l'ESS au 31/12/{annee}, {nom}",
        SOURCE_FLORES.format(annee=annee), note, max_lignes_pdf=max_lignes_pdf)


def _comparaisons(con, t, titre, annee, propres: dict, parents_t, cache: dict | None) -> Tableau:
    """The territory (statistical figures `propres`) beside its EPCI, PETR, département."""
    cache = {} if cache is None else cache
    lignes = []
    for code, niveau, nom in [(t.code, t.niveau, titre), *parents_t]:
        if code == t.code:
            c = propres
        else:
            if (code, annee) not in cache:
                cache[(code, annee)] = indicateurs.chiffres_cles(con, code, annee)
            c = cache[(code, annee)]
        lignes.append([nom, NIVEAUX.get(niveau, niveau), c["etablissements_employeurs_ess"],
                       c["effectifs_ess"], _fraction(c["part_ess_emploi_prive"])])
    return Tableau("comparaisons", "Comparaisons", [
        Colonne("Territoire", largeur=3), Colonne("Niveau"),
        Colonne("Établissements employeurs de l'ESS", "entier"),
        Colonne("Effectifs salariés de l'ESS", "entier"),
        Colonne("Part de l'ESS dans l'emploi privé", "pourcent")], lignes,
        f"périmètre statistique de l'ESS au 31/12/{annee}, le territoire et ceux qui le contiennent",
        SOURCE_FLORES.format(annee=annee))


def _evolution(con, t, annees: str) -> Tableau:
    df = portrait.evolution(con, t.code)
    lignes = [[int(r.annee), _num(r.etablissements_ess), _num(r.effectifs_ess), _num(r.effectifs_prive),
               _fraction(r.part_ess_prive)] for r in df.itertuples()]
    return Tableau("evolution", "Évolution", [
        Colonne("Année", "annee"), Colonne("Établissements employeurs de l'ESS", "entier"),
        Colonne("Effectifs salariés de l'ESS", "entier"), Colonne("Effectifs salariés du privé", "entier"),
        Colonne("Part de l'ESS dans l'emploi privé", "pourcent")], lignes,
        f"périmètre statistique de l'ESS, au 31/12 de chaque année disponible ({annees})",
        f"INSEE, emploi salarié au 31/12 (format FLORES), {annees}")


def _liste(etab: pd.DataFrame, perimetre: str, unite: str, annee: int, compte: int) -> Tableau:
    """The establishments the headline counts, active at 31/12 of the year, closed since or
    not; a non-diffusible one is counted, never named."""
    comptes = etab[_comptes(etab, perimetre, unite)]
    # largest employers first: the PDF shows the head of the list; the SIRET settles ties, so
    # the order never depends on how the database returned the rows (page and batch agree)
    df = comptes[comptes["diffusible"]].sort_values(["effectif_min", "nom_commune", "nom", "siret"],
                                                    ascending=[False, True, True, True], ignore_index=True)
    caches = len(comptes) - len(df)
    fermes = int(df["date_fermeture"].notna().sum())
    lignes = [[r.siret, r.nom, r.libelle_categorie_juridique or "Non renseignée",
               f"{r.naf} {r.libelle_naf or ''}".strip(), r.libelle_tranche or "Non renseignée",
               r.adresse or "Non renseignée", r.nom_commune, "oui" if r.siege else "non",
               f"fermé le {pd.Timestamp(r.date_fermeture):%d/%m/%Y}" if pd.notna(r.date_fermeture)
               else "en activité"] for r in df.itertuples()]
    note = (f"{compte} établissements comptés au 31/12/{annee} (chiffre clé) = {len(df)} listés ici"
            + (f" + {caches} non diffusibles (statut de diffusion partielle SIRENE : comptés, jamais "
               "nommés)" if caches else "") + "."
            + (f" {fermes} ont fermé depuis : ils restent listés, car actifs fin {annee}." if fermes else ""))
    return Tableau("etablissements", f"Établissements de l'ESS actifs au 31/12/{annee}", [
        Colonne("SIRET", "siret"), Colonne("Nom", largeur=3), Colonne("Forme juridique", largeur=2),
        Colonne("Activité (NAF)", largeur=3), Colonne("Tranche d'effectifs"), Colonne("Adresse", largeur=2),
        Colonne("Commune"), Colonne("Siège"), Colonne("Situation aujourd'hui")], lignes,
        f"{UNITES[unite].lower()} employeurs de l'ESS actifs au 31/12/{annee} "
        f"({PERIMETRES[perimetre].lower()}), diffusibles", SOURCE_SIRENE.format(annee=annee), note,
        max_lignes_pdf=15, colonnes_pdf=("Nom", "Activité (NAF)", "Tranche d'effectifs",
                                         "Situation aujourd'hui")
        + (("Commune",) if len(set(df["nom_commune"])) > 1 else ()))


def _pepites(con, t, etab: pd.DataFrame, perimetre: str, annee: int) -> Tableau:
    lignes = [["Initiative citée par le plan", r.nom_projet, f"{r.porteur} — {r.theme}", r.description,
               r.nom_commune, r.source]
              for r in con.execute(INITIATIVES, [list(t.communes)]).df().itertuples()]
    visibles = etab[_dans_perimetre(etab, perimetre) & etab["diffusible"]]
    grands = visibles[visibles["effectif_min"] >= SEUIL_GRAND_EMPLOYEUR]
    grands = grands.sort_values(["effectif_min", "nom", "siret"],
                                ascending=[False, True, True]).head(NB_PEPITES)
    lignes += [["Grand employeur de l'ESS", r.nom, f"{r.libelle_tranche} — {r.libelle_naf}", NON_DIFFUSE,
                r.nom_commune, "SIRENE (tranche d'effectifs)"] for r in grands.itertuples()]
    debut = pd.Timestamp(annee - 2, 1, 1)
    recentes = visibles[pd.to_datetime(visibles["date_creation"]) >= debut]
    recentes = recentes.sort_values(["date_creation", "nom", "siret"],
                                    ascending=[False, True, True]).head(NB_PEPITES)
    lignes += [[f"Création récente (depuis {annee - 2})", r.nom,
                f"créé le {pd.Timestamp(r.date_creation):%d/%m/%Y} — {r.libelle_naf}", NON_DIFFUSE,
                r.nom_commune, "SIRENE (date de création)"] for r in recentes.itertuples()]
    scop = visibles[visibles["categorie_juridique"].isin(CATEGORIES_SCOP)].sort_values(["nom", "siret"])
    scop = scop.head(NB_PEPITES)
    lignes += [["SCOP", r.nom, r.libelle_categorie_juridique, NON_DIFFUSE, r.nom_commune,
                "SIRENE (catégorie juridique)"] for r in scop.itertuples()]
    lignes += [["SCIC", r.nom_projet, f"{r.porteur} — {r.theme}", NON_DIFFUSE, r.nom_commune,
                "Registre des projets du 1er plan (SIES)"]
               for r in con.execute(SCIC_DU_REGISTRE, [list(t.communes)]).df().itertuples()]
    return Tableau("pepites", "Pépites", [
        Colonne("Catégorie", largeur=2), Colonne("Nom", largeur=2), Colonne("Détail", largeur=3),
        Colonne("Description", largeur=4),
        Colonne("Commune"), Colonne("Source", largeur=2)], lignes,
        f"initiatives citées par le plan ESS 2025-2028, employeurs d'au moins {SEUIL_GRAND_EMPLOYEUR} "
        f"salariés, créations depuis {annee - 2}, SCOP et SCIC du territoire",
        "Plan ESS 2025-2028 (initiatives citées), SIRENE, registre des projets (SIES)",
        colonnes_pdf=("Catégorie", "Nom", "Détail") + (("Commune",) if len(t.communes) > 1 else ()))


def _notes(t, chiffres, parents_t, demo) -> tuple[list[str], list[str]]:
    """(all notes, those specific to this territory)."""
    notes, alertes = [], []
    if demo:
        notes.append("Données de démonstration : établissements, emplois par commune et projets "
                     "sont fictifs (calés sur les chiffres publiés du plan).")
    notes.append("Secret statistique : un effectif n'est publié que si au moins 3 établissements y "
                 "contribuent et qu'aucun n'en représente plus de 85 % ; d'autres cellules sont "
                 "masquées pour qu'aucune valeur ne se déduise par différence, y compris entre "
                 "commune, EPCI, PETR et département.")
    if note := fr.note_fourchette(chiffres.get("fourchette_effectifs_ess"),
                                  chiffres.get("fourchette_part_ess_emploi_prive")):
        alertes.append(note)
    if t.niveau in ("commune", "communes") and chiffres["effectifs_ess"] is None:
        epci = next((nom for _c, niveau, nom in parents_t if niveau == "epci"), None)
        cible = f"ceux de l'EPCI ({epci})" if epci else "ceux de l'EPCI"
        alertes.append(f"Territoire trop petit pour publier ses effectifs salariés de l'ESS (secret "
                       f"statistique) : consultez {cible}.")
    return notes + alertes, alertes


DEFINITIONS = [
    ("Périmètre statistique de l'ESS", "Établissements dont la catégorie juridique relève d'une famille de "
     "l'ESS (associations, coopératives, mutuelles, fondations), hors administration publique et "
     "organisations patronales, professionnelles, syndicales, religieuses et politiques (INSEE, ESS "
     "France, CRESS). Effectifs : emploi salarié au 31 décembre (format FLORES)."),
    ("Marqueur ESS de SIRENE", "Unités légales dont l'INSEE indique l'appartenance à l'ESS "
     "(economieSocialeSolidaireUniteLegale = O), sociétés commerciales de l'ESS comprises. "
     "Effectifs estimés à partir des tranches d'effectifs."),
    ("Établissement employeur", "Établissement actif au 31 décembre ayant employé au moins un salarié "
     "dans l'année (caractère employeur SIRENE)."),
    ("Entreprise comptée à son siège", "Une unité légale comptée une fois, dans la commune de son siège "
     "social : ses établissements situés ailleurs n'y sont pas comptés."),
    ("Part de l'ESS dans l'emploi privé", "Effectifs salariés de l'ESS / effectifs salariés du privé "
     "(ESS comprise, hors fonction publique)."),
    ("Grand employeur de l'ESS", f"Établissement de la tranche d'effectifs SIRENE « {SEUIL_GRAND_EMPLOYEUR} "
     "à 99 salariés » ou au-dessus (seuil de la grande entreprise au sens des tranches INSEE)."),
    ("SCOP, SCIC", "SCOP : catégories juridiques 5458, 5558, 5658. Les SCIC n'ont pas de catégorie "
     "juridique propre dans SIRENE : celles du registre des projets du plan sont citées."),
    ("Diffusion de l'emploi par échelon", "Communes : effectifs de l'ESS et du privé seulement. EPCI, PETR, "
     "département, métropole : familles de l'ESS et sections A21. Détail A38 : département et métropole."),
]
LIBELLES_SOURCES = {"territoires": "Territoires et population", "etablissements": "Établissements (SIRENE)",
                    "emploi": "Emploi salarié (FLORES)", "projets": "Projets du plan ESS",
                    "densite": "Densité des communes", "population": "Population municipale",
                    "qpv": "Quartiers prioritaires (QPV)", "massifs": "Communes de massif"}


def millesime(texte: str) -> str:
    """`2017,2018,…,2023` or `2017-2023` → « 2017 à 2023 »; an ISO date → « 01/01/2024 »."""
    annees = re.findall(r"\b(?:19|20)\d\d\b", texte or "")
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}.*", texte or ""):
        return datetime.fromisoformat(texte).strftime("%d/%m/%Y") if "T" not in texte else texte
    if len(annees) >= 2 and re.fullmatch(r"[\d,\s-]+", texte):
        return f"{annees[0]} à {annees[-1]}"
    return texte or ""


def options_niveau(con: duckdb.DuckDBPyConnection, niveau: str) -> dict[str, str]:
    """Territories of a level for a picker, by name: {"commune:31555": "Toulouse (31555)"}."""
    rows = con.execute(TERRITOIRES_DU_NIVEAU, [niveau]).fetchall()
    return {t: f"{nom} ({code})" if niveau == "commune" else nom for t, code, nom in rows}


def codes_colles(texte: str, connus) -> tuple[list[str], list[str]]:
    """INSEE codes pasted by a user (any separators): (known codes, unknown tokens)."""
    jetons = [j for j in re.split(r"[\s,;]+", texte or "") if j]
    jetons = list(dict.fromkeys(j.upper().zfill(5) if j.isdigit() else j.upper() for j in jetons))
    return [j for j in jetons if j in connus], [j for j in jetons if j not in connus]


def annee_debut(annees: list[int], annee: int) -> int:
    """First year of the trends: four years before, or the first year available."""
    return max([a for a in annees if a <= annee - 4] or [min(annees, default=annee)])


def _contexte(con, t, annee, perimetre, unite, evolution: Tableau, etab: pd.DataFrame,
              etab_debut: pd.DataFrame) -> dict:
    """Figures the sentences need: population, trend of the count from the SIRENE listing
    (same definition as the headline), first year of the series."""
    annees = [r[0] for r in evolution.lignes]
    debut = annee_debut(annees, annee)
    compte_debut = int(_comptes(etab_debut, perimetre, unite).sum())
    comptes = _comptes(etab, perimetre, unite)
    recents = pd.to_datetime(etab["date_creation"]) >= pd.Timestamp(annee - 2, 1, 1)
    return {"population": con.execute(POPULATION, [list(t.communes)]).fetchone()[0] or 0,
            "annee_debut": debut, "compte_debut": compte_debut, "annees": annees,
            "creations": int((comptes & recents).sum())}


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
    titre = titre_territoire(con, t)
    annees_emploi = indicateurs.annees(con)
    debut = annee_debut(annees_emploi, annee)
    deux_ans = _etablissements(con, t, annee, debut, cache)
    etab, etab_debut = deux_ans[deux_ans["actif_annee"]], deux_ans[deux_ans["actif_debut"]]
    compte = comptages(etab)
    base = indicateurs.chiffres_cles(con, t.code, annee, perimetre)
    # the headline count follows the chosen definition and unit (SIRENE, public)
    chiffres = base | {"etablissements_employeurs_ess": compte[(perimetre, unite)]}
    statistiques = base if perimetre == "statistique" else indicateurs.chiffres_cles(con, t.code, annee)
    parents_t = parents(con, t)
    annees = millesime(info.get("annees_emploi", ""))
    evolution = _evolution(con, t, annees)
    tableaux = [
        _table_familles(con, t, annee, etab, "familles", "Familles juridiques", titre),
        _categories(etab, perimetre, annee),
        _definitions_comparees(compte, perimetre, unite, annee),
        _comparaisons(con, t, titre, annee, statistiques, parents_t, cache),
        evolution,
        _liste(etab, perimetre, unite, annee, compte[(perimetre, unite)]),
        _pepites(con, t, etab, perimetre, annee),
    ]
    secteurs = _table_secteurs(con, t, annee, "secteurs", "Secteurs d'activité", titre)
    if secteurs is not None:
        tableaux.insert(1, secteurs)
    epci = next(((c, n) for c, niv, n in parents_t if niv == "epci"), None)
    if epci and secteurs is None:  # context: the EPCI's breakdowns, clearly labelled
        cle = ("contexte_epci", epci[0], annee)
        if cache is None or cle not in cache:
            te = resoudre(con, epci[0])
            contexte = [_table_familles(con, te, annee, None, "familles_epci",
                                        "Familles juridiques de l'EPCI", epci[1]),
                        _table_secteurs(con, te, annee, "secteurs_epci", "Secteurs d'activité de l'EPCI",
                                        epci[1], max_lignes_pdf=8)]
            if cache is not None:
                cache[cle] = contexte
        contexte = cache[cle] if cache is not None else contexte
        tableaux[1:1] = [copy.copy(x) for x in contexte if x is not None]  # numbered per document
    notes, alertes = _notes(t, chiffres, parents_t, demo)
    return Fiche(
        territoire=t, annee=annee, perimetre=perimetre, unite=unite, genere_le=datetime.now(UTC), demo=demo,
        chiffres=chiffres | {"statistiques": statistiques}, tableaux=tableaux, notes=notes, alertes=alertes,
        definitions=DEFINITIONS,
        sources=provenance.sources(con),
        millesimes={"Année des chiffres clés": str(annee), "Années d'emploi disponibles": annees,
                    "Géographie (population légale)": info.get("annee_geographie", ""),
                    "Base construite le": info.get("date_construction", "")},
        titre=titre, parents=parents_t,
        contexte=_contexte(con, t, annee, perimetre, unite, evolution, etab, etab_debut),
    )
