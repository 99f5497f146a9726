"""The tables of the open dataset: for each, its query on the database and its Table Schema
(French titles and descriptions, types, units, allowed values, primary and foreign keys),
and the rules between columns a Table Schema cannot say (checked by `controle`).

Values are the database's own, never recomputed nor formatted: a hidden cell is written
empty with `statut` = secret. Establishment counts come from the public SIRENE register
(never secret), as the pages count them."""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import pandas as pd

from data import libelles

# A text starting like a formula is written with a leading apostrophe (ess.exports.csv):
# the schema says so, and refuses a live formula in a file edited afterwards.
SANS_FORMULE = "[^=+\\-@\\t\\r].*"
NOTE_FORMULE = (" Un texte commençant par =, +, -, @, une tabulation ou un retour chariot serait "
                "précédé d'une apostrophe (') pour qu'aucun tableur ne l'exécute comme une formule.")
CODE_COMMUNE = "[0-9]{2}[0-9AB][0-9]{2}"  # COG: 31555, 2A004
LIBELLES_GROUPES = {  # the two groups that are no legal family (families: ref_familles)
    "ess": ("Ensemble de l'ESS", "Toutes les familles de l'ESS (périmètre statistique)."),
    "prive": ("Emploi privé", "Tout l'emploi privé, ESS comprise (privé hors ESS + familles de l'ESS)."),
}
HORS_PERIMETRE = "hors_perimetre_statistique"
NOMENCLATURES = ["ensemble", "a21", "a38"]


@dataclass(frozen=True)
class Champ:
    nom: str
    type: str  # Table Schema: string, integer, number, boolean
    titre: str
    description: str
    contraintes: dict = field(default_factory=dict)
    unite: str = ""
    libre: bool = False  # a name or a label (the formula rule above applies)

    def descripteur(self) -> dict:
        d = {"name": self.nom, "type": self.type, "title": self.titre,
             "description": self.description + (NOTE_FORMULE if self.libre else "")}
        if self.unite:
            d["unit"] = self.unite  # not in Table Schema v1, kept by its readers (as schema.data.gouv.fr)
        contraintes = dict(self.contraintes)
        if self.libre:
            contraintes["pattern"] = SANS_FORMULE
        if contraintes:
            d["constraints"] = contraintes
        return d


@dataclass(frozen=True)
class Table:
    nom: str
    titre: str
    description: str
    champs: list[Champ]
    cle: list[str]
    etrangeres: list[tuple[list[str], str, list[str]]] = field(default_factory=list)
    regles: list[tuple[str, str]] = field(default_factory=list)  # (formula, in French)

    def colonnes(self) -> list[str]:
        return [c.nom for c in self.champs]


def _requis(**autres) -> dict:
    return {"required": True, **autres}


def _territoire(avec_code: bool = True) -> list[Champ]:
    champs = [
        Champ("territoire", "string", "Territoire",
              "Identifiant du territoire, « niveau:code » (commune:<code COG>, epci:<SIREN>…) : voir "
              "territoires.csv.", _requis()),
        Champ("niveau", "string", "Niveau géographique", "Échelon du territoire : voir niveaux.csv.",
              _requis()),
    ]
    if avec_code:
        champs += [
            Champ("code", "string", "Code du territoire",
                  "Code officiel à son niveau (code commune du COG de l'INSEE, SIREN de l'EPCI, code du "
                  "département) ; pour les autres niveaux, un code propre au jeu de données.", _requis()),
            Champ("nom_territoire", "string", "Nom du territoire", "Nom du territoire.", _requis(),
                  libre=True),
        ]
    return champs


def _fictif(demo: bool) -> list[Champ]:
    """The column a table of fictitious rows carries (demonstration database only)."""
    if not demo:
        return []
    return [Champ("donnees_fictives", "boolean", "Données fictives",
                  "Vrai sur chaque ligne : données de démonstration, fictives, à ne pas utiliser comme "
                  "des chiffres réels.", _requis(enum=[True]))]


EMPLOI = """
SELECT e.territoire, t.niveau, t.code, t.nom AS nom_territoire, e.annee, e.groupe, e.nomenclature,
       e.secteur, nullif(e.section, '_') AS section_a21, e.nb_etablissements, e.effectifs, e.eqtp,
       CASE WHEN e.secret THEN 'secret' ELSE 'publie' END AS statut, e.motif_secret,
       f.effectifs_min, f.effectifs_max
FROM emploi e
JOIN territoires t USING (territoire)
LEFT JOIN emploi_fourchettes f USING (territoire, annee, groupe, nomenclature, secteur)
WHERE $annee IS NULL OR e.annee = $annee
ORDER BY e.territoire, e.annee, e.groupe, e.nomenclature, e.secteur
"""

# ESS employer establishments active at 31/12 of each year of the dataset, from the SIRENE
# register, in both ESS definitions (family for the statistical one, flag for SIRENE's).
ETABLISSEMENTS = """
WITH annees AS (SELECT DISTINCT annee FROM emploi WHERE $annee IS NULL OR annee = $annee),
e AS (
    SELECT a.annee, e.commune, coalesce(e.famille_ess, $hors) AS famille, e.ess_sirene, e.a21
    FROM etablissements e, annees a
    WHERE e.employeur AND (e.famille_ess IS NOT NULL OR e.ess_sirene)
      AND actif_au_31_12(e.date_creation, e.date_fermeture, a.annee)
)
SELECT ap.territoire, t.niveau, t.code, t.nom AS nom_territoire, e.annee, e.famille,
       e.ess_sirene AS marqueur_ess_sirene, e.a21 AS section_a21,
       count(*)::INTEGER AS nb_etablissements_employeurs
FROM e
JOIN appartenance ap USING (commune)
JOIN territoires t ON t.territoire = ap.territoire
GROUP BY ALL
ORDER BY ap.territoire, e.annee, e.famille, e.ess_sirene, e.a21
"""

TERRITOIRES = """
SELECT territoire, niveau, code, nom,
       CASE WHEN niveau = 'commune' THEN code END AS code_commune,
       CASE WHEN niveau = 'epci' THEN code END AS siren_epci,
       CASE WHEN niveau = 'departement' THEN code END AS code_departement,
       population, superficie_km2, nb_communes
FROM territoires ORDER BY territoire
"""
APPARTENANCE = "SELECT commune AS code_commune, territoire FROM appartenance ORDER BY territoire, commune"
NIVEAUX_PRESENTS = "SELECT DISTINCT niveau FROM territoires"
# ESS and private jobs, and the legal families of the ESS (ref_familles), in that order
GROUPES = """
SELECT groupe, NULL AS libelle, rang FROM (VALUES ('ess', 0), ('prive', 99)) g(groupe, rang)
UNION ALL
SELECT famille, libelle, ordre::INTEGER FROM ref_familles WHERE ess = 'oui'
ORDER BY rang, groupe
"""
SECTEURS = """
SELECT 'a21' AS nomenclature, a21 AS secteur, libelle_a21 AS libelle, a21 AS section_a21 FROM ref_naf_sections
UNION ALL
SELECT 'a38', a38, libelle_a38, a21 FROM ref_naf_a38
ORDER BY nomenclature, secteur
"""
DIFFUSION = """
SELECT niveau, groupe, nomenclature FROM ref_diffusion_emploi ORDER BY niveau, groupe, nomenclature
"""
CATEGORIES = """
SELECT f.categorie_juridique, c.libelle, f.famille, f.a_verifier = 'oui' AS a_verifier, f.commentaire
FROM ref_familles_ess f LEFT JOIN ref_categories_juridiques c ON c.code = f.categorie_juridique
ORDER BY f.categorie_juridique
"""
EXCLUSIONS = """
SELECT prefixe_naf, libelle, a_verifier = 'oui' AS a_verifier FROM ref_exclusions_ess_naf ORDER BY prefixe_naf
"""
TOUS_SECTEURS = ("ensemble", "_", "Tous secteurs", None)


def lire(con: duckdb.DuckDBPyConnection, annee: int | None,
         demo: set[str]) -> list[tuple[Table, pd.DataFrame]]:
    """Every table of the dataset with its rows; `demo`: the sources still fictitious."""
    niveaux = libelles("niveaux")
    presents = sorted({n for (n,) in con.execute(NIVEAUX_PRESENTS).fetchall()},
                      key=lambda n: int(libelles("niveaux", "ordre").get(n) or 99))
    groupes = con.execute(GROUPES).df()
    familles = [g for g in groupes["groupe"] if g not in LIBELLES_GROUPES]
    libelle = dict(zip(groupes["groupe"], groupes["libelle"], strict=True))
    groupes = pd.DataFrame({
        "groupe": groupes["groupe"],
        "libelle": [LIBELLES_GROUPES[g][0] if g in LIBELLES_GROUPES else libelle[g]
                    for g in groupes["groupe"]],
        "description": [LIBELLES_GROUPES[g][1] if g in LIBELLES_GROUPES else f"Famille juridique : "
                                                                             f"{libelle[g]}."
                        for g in groupes["groupe"]]})
    colonnes = ["nomenclature", "secteur", "libelle", "section_a21"]
    secteurs = pd.concat([pd.DataFrame([TOUS_SECTEURS], columns=colonnes),
                          con.execute(SECTEURS).df()], ignore_index=True)
    emploi = con.execute(EMPLOI, {"annee": annee}).df()
    diffusion = con.execute(DIFFUSION).df()
    etab = con.execute(ETABLISSEMENTS, {"annee": annee, "hors": HORS_PERIMETRE}).df()
    tables = [
        (_emploi("emploi" in demo), emploi),
        (_etablissements("etablissements" in demo, familles), etab),
        (_territoires("territoires" in demo), con.execute(TERRITOIRES).df()),
        (_appartenance("territoires" in demo), con.execute(APPARTENANCE).df()),
        (NIVEAUX_T, pd.DataFrame({"niveau": presents, "libelle": [niveaux[n] for n in presents]})),
        (GROUPES_T, groupes),
        (SECTEURS_T, secteurs),
        # the levels this database has (no PETR, no métropole in the 09): a row for another
        # would point at no level of niveaux.csv
        (DIFFUSION_T, diffusion[diffusion["niveau"].isin(presents)].reset_index(drop=True)),
        (CATEGORIES_T, con.execute(CATEGORIES).df()),
        (EXCLUSIONS_T, con.execute(EXCLUSIONS).df()),
    ]
    return [(t, df.assign(donnees_fictives=True) if "donnees_fictives" in t.colonnes() else df)
            for t, df in tables]


def _emploi(demo: bool) -> Table:
    return Table(
        "emploi", "Emploi salarié de l'ESS et du privé par territoire, groupe, secteur et année",
        "Une ligne par territoire × année × groupe (ESS, famille juridique, privé) × secteur : nombre "
        "d'établissements employeurs, effectifs salariés au 31 décembre et équivalents temps plein (EQTP). "
        "Une cellule masquée par le secret statistique a statut = secret et ses effectifs et EQTP vides ; "
        "certaines ont une fourchette publiée. Une combinaison absente n'est pas diffusée à cet échelon "
        "(voir diffusion.csv) : ce n'est ni un zéro ni un secret.",
        [*_territoire(),
         Champ("annee", "integer", "Année", "Année ; les effectifs sont ceux du 31 décembre.", _requis()),
         Champ("groupe", "string", "Groupe", "ESS, famille juridique de l'ESS ou privé : voir groupes.csv.",
               _requis()),
         Champ("nomenclature", "string", "Nomenclature d'activité",
               "ensemble (tous secteurs), a21 (sections de la NAF rév. 2) ou a38 (NAF rév. 2 en 38 postes).",
               _requis(enum=NOMENCLATURES)),
         Champ("secteur", "string", "Secteur d'activité",
               "Code de la section A21 ou du poste A38 (NAF rév. 2, INSEE) ; « _ » pour tous secteurs. "
               "Voir secteurs.csv.", _requis()),
         Champ("section_a21", "string", "Section NAF (A21)",
               "Section A21 du secteur (vide pour tous secteurs).", {"pattern": "[A-U]"}),
         Champ("nb_etablissements", "integer", "Établissements employeurs",
               "Nombre d'établissements employeurs de la cellule (jamais secret).", _requis(minimum=0),
               "établissements"),
         Champ("effectifs", "integer", "Effectifs salariés au 31 décembre",
               "Postes salariés au 31 décembre ; vide si la cellule est secrète.", {"minimum": 0},
               "salariés"),
         Champ("eqtp", "number", "Équivalents temps plein (EQTP)",
               "Volume de travail en équivalents temps plein sur l'année ; vide si la cellule est secrète.",
               {"minimum": 0}, "EQTP"),
         Champ("statut", "string", "Statut de diffusion",
               "publie : valeurs publiées ; secret : effectifs et EQTP masqués par le secret statistique.",
               _requis(enum=["publie", "secret"])),
         Champ("motif_secret", "string", "Motif du secret",
               "sensible : trop peu d'établissements, ou un établissement dominant ; complement : masquée "
               "pour qu'une autre cellule masquée ne puisse pas être recalculée ; vide si publiée.",
               {"enum": ["sensible", "complement"]}),
         Champ("effectifs_min", "integer", "Effectifs : borne basse publiée",
               "Pour certains totaux de l'ESS masqués : le plus petit effectif compatible avec tout ce "
               "qui est "
               "publié (arrondi vers l'extérieur). Vide sinon.", {"minimum": 0}, "salariés"),
         Champ("effectifs_max", "integer", "Effectifs : borne haute publiée",
               "Le plus grand effectif compatible avec tout ce qui est publié ; vide si non borné ou sans "
               "fourchette.", {"minimum": 0}, "salariés"),
         *_fictif(demo)],
        ["territoire", "annee", "groupe", "nomenclature", "secteur"],
        [(["territoire"], "territoires", ["territoire"]), (["niveau"], "niveaux", ["niveau"]),
         (["groupe"], "groupes", ["groupe"]),
         (["nomenclature", "secteur"], "secteurs", ["nomenclature", "secteur"])],
        [("(statut == 'secret' and effectifs is None and eqtp is None) or "
          "(statut == 'publie' and effectifs is not None and eqtp is not None)",
          "une cellule secrète n'a ni effectifs ni EQTP ; une cellule publiée a les deux"),
         ("(statut == 'secret' and motif_secret is not None) or (statut == 'publie' and motif_secret is "
          "None)",
          "le motif du secret est donné pour les cellules secrètes, et seulement pour elles"),
         ("(effectifs_min is None and effectifs_max is None) or statut == 'secret'",
          "une fourchette n'accompagne qu'une cellule secrète")])


def _etablissements(demo: bool, familles: list[str]) -> Table:
    return Table(
        "etablissements", "Établissements employeurs de l'ESS par territoire (répertoire SIRENE)",
        "Établissements employeurs actifs au 31 décembre de chaque année, comptés dans le répertoire SIRENE "
        "(public, jamais secret), par territoire, famille juridique, marqueur ESS de SIRENE et section "
        "d'activité. Périmètre statistique de l'ESS : les lignes dont la famille n'est pas « "
        f"{HORS_PERIMETRE} » ; définition SIRENE : les lignes où marqueur_ess_sirene est vrai. Les nombres "
        "s'additionnent entre familles, marqueurs et sections d'un même territoire et d'une même année.",
        [*_territoire(),
         Champ("annee", "integer", "Année", "Établissements actifs au 31 décembre de l'année.", _requis()),
         Champ("famille", "string", "Famille juridique de l'ESS",
               f"Famille de la catégorie juridique (voir categories_juridiques.csv) ; {HORS_PERIMETRE} : "
               "hors du périmètre statistique (marqué ESS par SIRENE seulement).",
               _requis(enum=[*familles, HORS_PERIMETRE])),
         Champ("marqueur_ess_sirene", "boolean", "Marqueur ESS de SIRENE",
               "Vrai si l'unité légale est marquée ESS dans SIRENE (economieSocialeSolidaireUniteLegale "
               "= O).",
               _requis()),
         Champ("section_a21", "string", "Section NAF (A21)",
               "Section A21 de l'activité principale (NAF rév. 2).",
               _requis(pattern="[A-U]")),
         Champ("nb_etablissements_employeurs", "integer", "Établissements employeurs",
               "Nombre d'établissements employeurs actifs au 31 décembre.", _requis(minimum=1),
               "établissements"),
         *_fictif(demo)],
        ["territoire", "annee", "famille", "marqueur_ess_sirene", "section_a21"],
        [(["territoire"], "territoires", ["territoire"]), (["niveau"], "niveaux", ["niveau"])])


def _territoires(demo: bool) -> Table:
    return Table(
        "territoires", "Territoires", "Chaque territoire du jeu de données, ses codes officiels, sa "
                                      "population "
        "et sa superficie.",
        [*_territoire(avec_code=False),
         Champ("code", "string", "Code à son niveau", "La partie « code » de l'identifiant.", _requis()),
         Champ("nom", "string", "Nom", "Nom du territoire.", _requis(), libre=True),
         Champ("code_commune", "string", "Code commune (COG)", "Code officiel géographique de l'INSEE, pour "
               "une commune.", {"pattern": CODE_COMMUNE, "unique": True}),
         Champ("siren_epci", "string", "SIREN de l'EPCI", "Numéro SIREN, pour un EPCI.",
               {"pattern": "[0-9]{9}", "unique": True}),
         Champ("code_departement", "string", "Code du département (COG)", "Pour le département.",
               {"pattern": "[0-9]{2,3}|2[AB]"}),
         Champ("population", "integer", "Population municipale", "Population municipale (voir les sources).",
               {"minimum": 0}, "habitants"),
         Champ("superficie_km2", "number", "Superficie", "Superficie.", {"minimum": 0}, "km²"),
         Champ("nb_communes", "integer", "Nombre de communes", "Communes du territoire.", {"minimum": 1},
               "communes"),
         *_fictif(demo)],
        ["territoire"], [(["niveau"], "niveaux", ["niveau"])])


def _appartenance(demo: bool) -> Table:
    return Table(
        "appartenance", "Communes de chaque territoire",
        "Une ligne par commune et territoire qui la contient (une commune appartient aussi à elle-même) : "
        "la somme des communes d'un territoire est le territoire.",
        [Champ("code_commune", "string", "Code commune (COG)", "Code officiel géographique de la commune.",
               _requis(pattern=CODE_COMMUNE)),
         Champ("territoire", "string", "Territoire", "Territoire qui contient la commune.", _requis()),
         *_fictif(demo)],
        ["code_commune", "territoire"],
        [(["territoire"], "territoires", ["territoire"]),
         (["code_commune"], "territoires", ["code_commune"])])


NIVEAUX_T = Table("niveaux", "Niveaux géographiques", "Les échelons des territoires.", [
    Champ("niveau", "string", "Niveau", "Code du niveau.", _requis()),
    Champ("libelle", "string", "Libellé", "Libellé du niveau.", _requis(), libre=True)], ["niveau"])
GROUPES_T = Table("groupes", "Groupes", "Groupes de l'emploi : l'ESS, ses familles juridiques, le privé.", [
    Champ("groupe", "string", "Groupe", "Code du groupe.", _requis()),
    Champ("libelle", "string", "Libellé", "Libellé du groupe.", _requis(), libre=True),
    Champ("description", "string", "Description", "Ce que le groupe compte.", libre=True)], ["groupe"])
SECTEURS_T = Table(
    "secteurs", "Secteurs d'activité", "Sections (A21) et postes (A38) de la NAF rév. 2 (INSEE).", [
    Champ("nomenclature", "string", "Nomenclature", "ensemble, a21 ou a38.", _requis(enum=NOMENCLATURES)),
    Champ("secteur", "string", "Code", "Code du secteur (« _ » : tous secteurs).", _requis()),
    Champ("libelle", "string", "Libellé", "Libellé INSEE.", _requis(), libre=True),
    Champ("section_a21", "string", "Section A21", "Section qui contient le secteur.", {"pattern": "[A-U]"})],
    ["nomenclature", "secteur"])
DIFFUSION_T = Table(
    "diffusion", "Ce qui est diffusé à chaque échelon",
    "Les combinaisons niveau × groupe × nomenclature que le jeu de données publie ; une combinaison absente "
    "n'est pas diffusée (ni calculée ni protégée), ce n'est ni un zéro ni un secret.", [
        Champ("niveau", "string", "Niveau", "Niveau géographique.", _requis()),
        Champ("groupe", "string", "Groupe", "Groupe.", _requis()),
        Champ("nomenclature", "string", "Nomenclature", "ensemble, a21 ou a38.",
              _requis(enum=NOMENCLATURES))],
    ["niveau", "groupe", "nomenclature"],
    [(["niveau"], "niveaux", ["niveau"]), (["groupe"], "groupes", ["groupe"])])
CATEGORIES_T = Table(
    "categories_juridiques", "Catégories juridiques et familles de l'ESS",
    "Le périmètre statistique de l'ESS : chaque catégorie juridique (INSEE) retenue et sa famille.", [
        Champ("categorie_juridique", "string", "Catégorie juridique", "Code INSEE (niveau III).",
              _requis(pattern="[0-9]{4}")),
        Champ("libelle", "string", "Libellé", "Libellé INSEE (vide si le code n'existe plus).", libre=True),
        Champ("famille", "string", "Famille de l'ESS", "Voir groupes.csv.", _requis()),
        Champ("a_verifier", "boolean", "À vérifier",
              "Correspondance encore à vérifier contre la liste de l'INSEE.", _requis()),
        Champ("commentaire", "string", "Commentaire", "Précision.", libre=True)],
    ["categorie_juridique"], [(["famille"], "groupes", ["groupe"])])
EXCLUSIONS_T = Table(
    "exclusions_naf", "Activités exclues du périmètre statistique",
    "Activités (préfixes de code NAF) dont les établissements ne sont pas comptés dans l'ESS.", [
        Champ("prefixe_naf", "string", "Préfixe NAF", "Début du code NAF rév. 2 exclu.", _requis()),
        Champ("libelle", "string", "Libellé", "Activité exclue.", _requis(), libre=True),
        Champ("a_verifier", "boolean", "À vérifier", "Exclusion encore à vérifier.", _requis())],
    ["prefixe_naf"])
