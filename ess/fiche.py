"""The "Data ESS" fiche of a territory as plain data: key figures and tables (DataFrames
with French headers, hidden values as None → "s"), notes, definitions and sources.

The page shows these tables and every export (XLSX, CSV, PDF) writes exactly them, so
what is downloaded is what is shown. Nothing here formats or writes files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd

from ess import indicateurs, portrait, requetes
from ess.territoire import Territoire, resoudre

UNITES = {"etablissements": "Établissements", "sieges": "Entreprises (sièges sociaux)"}
PERIMETRES = {"statistique": "Périmètre statistique (familles juridiques)",
              "sirene": "Marqueur ESS de SIRENE"}
NIVEAUX_COMPARAISON = ("epci", "petr", "departement")
NIVEAUX = {"commune": "Commune", "communes": "Groupe de communes", "epci": "EPCI", "petr": "PETR",
           "departement": "Département", "metropole": "Métropole", "densite": "Densité"}
NB_PEPITES = 10
CATEGORIES_SCOP = ("5458", "5558", "5658")
SOURCE_FLORES = "Emploi salarié au 31/12, format FLORES (INSEE), périmètre statistique, {annee}"
SOURCE_SIRENE = "Répertoire SIRENE (INSEE), établissements employeurs actifs au 31/12/{annee}"

# ESS employer establishments active at 31/12 of the year in the territory, with their
# legal unit's ESS status in both definitions (SIRENE counts are public, never secret).
ETABLISSEMENTS_ESS = """
SELECT e.*, c.nom AS nom_commune, t.libelle AS libelle_tranche, t.effectif_min::INTEGER AS effectif_min
FROM etablissements e
JOIN communes c USING (commune)
LEFT JOIN ref_tranches_effectifs t USING (tranche)
WHERE e.employeur AND list_contains(?, e.commune)
  AND (e.famille_ess IS NOT NULL OR e.ess_sirene)
  AND e.date_creation <= make_date(?, 12, 31)
  AND (e.date_fermeture IS NULL OR e.date_fermeture > make_date(?, 12, 31))
"""
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


@dataclass
class Tableau:
    cle: str  # stable identifier (CSV file name)
    titre: str  # ≤ 31 characters: also the XLSX sheet name
    donnees: pd.DataFrame  # French headers; None/NaN in a number column = secret ("s")
    source: str
    pourcents: tuple[str, ...] = ()  # columns holding percentages (11.3 = 11,3 %)
    note: str = ""


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

    def tableau(self, cle: str) -> Tableau:
        return next(t for t in self.tableaux if t.cle == cle)


def _secret_vers_none(df: pd.DataFrame, colonnes: list[str]) -> pd.DataFrame:
    df = df.copy()
    for c in colonnes:
        df[c] = pd.Series([None if pd.isna(v) else v for v in df[c]], index=df.index, dtype=object)
    return df


def parents(con: duckdb.DuckDBPyConnection, t: Territoire) -> list[tuple[str, str, str]]:
    """EPCI, PETR and département containing all the territory's communes."""
    rows = con.execute(PARENTS, [list(t.communes), list(NIVEAUX_COMPARAISON), t.code,
                                 len(t.communes)]).fetchall()
    ordre = {n: i for i, n in enumerate(NIVEAUX_COMPARAISON)}
    return sorted(rows, key=lambda r: ordre[r[1]])


def _etablissements(con, t: Territoire, annee: int) -> pd.DataFrame:
    return con.execute(ETABLISSEMENTS_ESS, [list(t.communes), annee, annee]).df()


def _dans_perimetre(etab: pd.DataFrame, perimetre: str) -> pd.Series:
    return etab["ess_sirene"] if perimetre == "sirene" else etab["famille_ess"].notna()


def comptages(etab: pd.DataFrame) -> dict[tuple[str, str], int]:
    """ESS employer establishments in both definitions and both counting units."""
    out = {}
    for perimetre in PERIMETRES:
        dans = _dans_perimetre(etab, perimetre)
        out[(perimetre, "etablissements")] = int(dans.sum())
        out[(perimetre, "sieges")] = int((dans & etab["siege"]).sum())
    return out


def _definitions_comparees(compte: dict, perimetre: str, unite: str) -> pd.DataFrame:
    choisi = compte[(perimetre, unite)]
    return pd.DataFrame([
        {"Définition de l'ESS": PERIMETRES[p], "Unité de compte": UNITES[u],
         "Établissements employeurs de l'ESS": n, "Écart avec le choix affiché": n - choisi,
         "Choix affiché": "oui" if (p, u) == (perimetre, unite) else "non"}
        for (p, u), n in compte.items()
    ])


def _table_chiffres(c: dict, perimetre: str, unite: str, annee: int) -> pd.DataFrame:
    src_eff = (SOURCE_FLORES.format(annee=annee) if perimetre == "statistique"
               else "SIRENE (INSEE) : estimation par tranches d'effectifs")
    unite_txt = "sièges sociaux" if unite == "sieges" else "établissements"
    return pd.DataFrame([
        {"Indicateur": f"Établissements employeurs de l'ESS ({unite_txt})",
         "Valeur": c["etablissements_employeurs_ess"], "Source": SOURCE_SIRENE.format(annee=annee)},
        {"Indicateur": "Effectifs salariés de l'ESS" + (" (estimation)" if perimetre == "sirene" else ""),
         "Valeur": c["effectifs_ess"], "Source": src_eff},
        {"Indicateur": "Effectifs salariés du privé", "Valeur": c["effectifs_prive"],
         "Source": SOURCE_FLORES.format(annee=annee)},
        {"Indicateur": "Part de l'ESS dans l'emploi privé (%)", "Valeur": c["part_ess_emploi_prive"],
         "Source": SOURCE_FLORES.format(annee=annee)},
    ])


def _familles(con, t, annee) -> pd.DataFrame:
    df = portrait.familles(con, t.code, annee)
    df = df.rename(columns={"libelle": "Famille juridique", "nb_etablissements": "Établissements employeurs",
                            "effectifs": "Effectifs salariés", "part": "Part des effectifs de l'ESS (%)"})
    df.loc[df["secret"], "Part des effectifs de l'ESS (%)"] = None
    cols = ["Famille juridique", "Établissements employeurs", "Effectifs salariés",
            "Part des effectifs de l'ESS (%)"]
    return _secret_vers_none(df[cols], cols[2:])


def _categories(etab: pd.DataFrame, perimetre: str) -> pd.DataFrame:
    dans = etab[_dans_perimetre(etab, perimetre)]
    if dans.empty:
        return pd.DataFrame(columns=["Code", "Catégorie juridique", "Famille", "Établissements employeurs"])
    df = (dans.fillna({"famille_ess": "hors périmètre statistique", "libelle_categorie_juridique": "?"})
          .groupby(["categorie_juridique", "libelle_categorie_juridique", "famille_ess"], dropna=False)
          .size().rename("Établissements employeurs").reset_index()
          .sort_values("Établissements employeurs", ascending=False, ignore_index=True))
    return df.rename(columns={"categorie_juridique": "Code", "famille_ess": "Famille",
                              "libelle_categorie_juridique": "Catégorie juridique"})


def _secteurs(con, t, annee) -> pd.DataFrame:
    df = portrait.secteurs(con, t.code, annee)
    df.loc[df["secret"], "part"] = None
    df["niveau"] = df["niveau"].map({"a21": "Section (A21)", "a38": "Détail (A38)"})
    df = df.rename(columns={"niveau": "Niveau", "section": "Section", "secteur": "Code",
                            "libelle": "Secteur d'activité", "nb_etablissements": "Établissements employeurs",
                            "effectifs": "Effectifs salariés", "part": "Part des effectifs de l'ESS (%)"})
    cols = ["Niveau", "Section", "Code", "Secteur d'activité", "Établissements employeurs",
            "Effectifs salariés", "Part des effectifs de l'ESS (%)"]
    return _secret_vers_none(df[cols], cols[5:])


def _comparaisons(con, t, annee, propres: dict, parents_t, cache: dict | None) -> pd.DataFrame:
    """The territory (statistical figures `propres`) beside its EPCI, PETR, département."""
    cache = {} if cache is None else cache
    lignes = []
    for code, niveau, nom in [(t.code, t.niveau, t.nom), *parents_t]:
        if code == t.code:
            c = propres
        else:
            if (code, annee) not in cache:
                cache[(code, annee)] = indicateurs.chiffres_cles(con, code, annee)
            c = cache[(code, annee)]
        lignes.append({"Territoire": nom, "Niveau": NIVEAUX.get(niveau, niveau),
                       "Établissements employeurs de l'ESS": c["etablissements_employeurs_ess"],
                       "Effectifs salariés de l'ESS": c["effectifs_ess"],
                       "Part de l'ESS dans l'emploi privé (%)": c["part_ess_emploi_prive"]})
    df = pd.DataFrame(lignes)
    return _secret_vers_none(df, ["Effectifs salariés de l'ESS", "Part de l'ESS dans l'emploi privé (%)"])


def _evolution(con, t) -> pd.DataFrame:
    df = portrait.evolution(con, t.code).rename(columns={
        "annee": "Année", "etablissements_ess": "Établissements employeurs de l'ESS",
        "effectifs_ess": "Effectifs salariés de l'ESS", "effectifs_prive": "Effectifs salariés du privé",
        "part_ess_prive": "Part de l'ESS dans l'emploi privé (%)"})
    return _secret_vers_none(df, list(df.columns[2:]))


def _liste(etab: pd.DataFrame, perimetre: str) -> pd.DataFrame:
    """Diffusible establishments only: a partially diffusible one is counted, never named."""
    df = etab[_dans_perimetre(etab, perimetre) & etab["diffusible"] & (etab["etat"] == "A")]
    df = df.sort_values(["nom_commune", "nom"], ignore_index=True)
    return pd.DataFrame({
        "SIRET": df["siret"], "Nom": df["nom"], "Forme juridique": df["libelle_categorie_juridique"],
        "Activité (NAF)": df["naf"] + " " + df["libelle_naf"].fillna(""),
        "Tranche d'effectifs": df["libelle_tranche"], "Adresse": df["adresse"],
        "Commune": df["nom_commune"], "Siège": df["siege"].map({True: "oui", False: "non"}),
    })


def _pepites(con, t, etab: pd.DataFrame, perimetre: str, annee: int) -> pd.DataFrame:
    lignes = [{"Catégorie": "Initiative citée par le plan", "Nom": r.nom_projet,
               "Détail": f"{r.porteur} — {r.theme} : {r.description}", "Commune": r.nom_commune,
               "Source": r.source}
              for r in con.execute(INITIATIVES, [list(t.communes)]).df().itertuples()]
    visibles = etab[_dans_perimetre(etab, perimetre) & etab["diffusible"] & (etab["etat"] == "A")]
    grands = visibles.sort_values(["effectif_min", "nom"], ascending=[False, True]).head(NB_PEPITES)
    lignes += [{"Catégorie": "Grand employeur de l'ESS", "Nom": r.nom,
                "Détail": f"{r.libelle_tranche} — {r.libelle_naf}", "Commune": r.nom_commune,
                "Source": "SIRENE (tranche d'effectifs)"} for r in grands.itertuples()]
    debut = pd.Timestamp(annee - 2, 1, 1)
    recentes = visibles[pd.to_datetime(visibles["date_creation"]) >= debut]
    recentes = recentes.sort_values("date_creation", ascending=False).head(NB_PEPITES)
    lignes += [{"Catégorie": f"Création récente (depuis {annee - 2})", "Nom": r.nom,
                "Détail": f"créé le {pd.Timestamp(r.date_creation):%d/%m/%Y} — {r.libelle_naf}",
                "Commune": r.nom_commune, "Source": "SIRENE (date de création)"}
               for r in recentes.itertuples()]
    scop = visibles[visibles["categorie_juridique"].isin(CATEGORIES_SCOP)].head(NB_PEPITES)
    lignes += [{"Catégorie": "SCOP", "Nom": r.nom, "Détail": r.libelle_categorie_juridique,
                "Commune": r.nom_commune, "Source": "SIRENE (catégorie juridique)"}
               for r in scop.itertuples()]
    lignes += [{"Catégorie": "SCIC", "Nom": r.nom_projet, "Détail": f"{r.porteur} — {r.theme}",
                "Commune": r.nom_commune, "Source": "Registre des projets du 1er plan (SIES)"}
               for r in con.execute(SCIC_DU_REGISTRE, [list(t.communes)]).df().itertuples()]
    return pd.DataFrame(lignes, columns=["Catégorie", "Nom", "Détail", "Commune", "Source"])


def _notes(t, chiffres, familles, parents_t, non_diffusibles, demo) -> tuple[list[str], list[str]]:
    """(all notes, those specific to this territory)."""
    notes, alertes = [], []
    if demo:
        notes.append("Données de démonstration : établissements, emplois par commune et projets "
                     "sont fictifs (calés sur les chiffres publiés du plan).")
    notes.append("Secret statistique : un effectif n'est publié que si au moins 3 établissements y "
                 "contribuent et qu'aucun n'en représente plus de 85 % ; d'autres cellules sont "
                 "masquées pour qu'aucune valeur ne se déduise par différence, y compris entre "
                 "commune, EPCI, PETR et département. Les valeurs masquées sont notées « s ».")
    effectifs_familles = [v for v in familles["Effectifs salariés"] if v is not None]
    if t.niveau in ("commune", "communes") and (chiffres["effectifs_ess"] is None or not effectifs_familles):
        epci = next((nom for _c, niveau, nom in parents_t if niveau == "epci"), None)
        cible = f"ceux de l'EPCI ({epci})" if epci else "ceux de l'EPCI"
        alertes.append(f"Territoire trop petit pour publier le détail des effectifs : consultez {cible}.")
    if non_diffusibles:
        alertes.append(f"{non_diffusibles} établissement(s) de l'ESS non diffusible(s) (statut de "
                     "diffusion partielle SIRENE) sont comptés mais ni nommés ni localisés.")
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
    ("SCOP, SCIC", "SCOP : catégories juridiques 5458, 5558, 5658. Les SCIC n'ont pas de catégorie "
     "juridique propre dans SIRENE : celles du registre des projets du plan sont citées."),
    ("s", "Valeur masquée par le secret statistique."),
]


def options_niveau(con: duckdb.DuckDBPyConnection, niveau: str) -> dict[str, str]:
    """Territories of a level for a picker, by name: {"commune:31555": "Toulouse (31555)"}."""
    rows = con.execute("SELECT territoire, code, nom FROM territoires WHERE niveau = ? ORDER BY nom, code",
                       [niveau]).fetchall()
    return {t: f"{nom} ({code})" if niveau == "commune" else nom for t, code, nom in rows}


def codes_colles(texte: str, connus) -> tuple[list[str], list[str]]:
    """INSEE codes pasted by a user (any separators): (known codes, unknown tokens)."""
    jetons = [j for j in re.split(r"[\s,;]+", texte or "") if j]
    jetons = list(dict.fromkeys(j.upper().zfill(5) if j.isdigit() else j.upper() for j in jetons))
    return [j for j in jetons if j in connus], [j for j in jetons if j not in connus]


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
    info = indicateurs.infos_build(con)
    demo = info.get("demo") == "oui"
    etab = _etablissements(con, t, annee)
    compte = comptages(etab)
    base = indicateurs.chiffres_cles(con, t.code, annee, perimetre)
    # the headline count follows the chosen definition and unit (SIRENE, public)
    chiffres = base | {"etablissements_employeurs_ess": compte[(perimetre, unite)]}
    statistiques = base if perimetre == "statistique" else indicateurs.chiffres_cles(con, t.code, annee)
    familles = _familles(con, t, annee)
    parents_t = parents(con, t)
    dans = etab[_dans_perimetre(etab, perimetre)]
    flores = SOURCE_FLORES.format(annee=annee)
    sirene = SOURCE_SIRENE.format(annee=annee)
    tableaux = [
        Tableau("chiffres_cles", "Chiffres clés", _table_chiffres(chiffres, perimetre, unite, annee),
                f"{flores} ; {sirene}"),
        Tableau("definitions_comparees", "Définitions comparées",
                _definitions_comparees(compte, perimetre, unite), sirene,
                note="Écart = nombre de la ligne − nombre du choix affiché."),
        Tableau("familles", "Familles juridiques", familles, flores, ("Part des effectifs de l'ESS (%)",)),
        Tableau("categories_juridiques", "Catégories juridiques", _categories(etab, perimetre), sirene),
        Tableau("secteurs", "Secteurs d'activité", _secteurs(con, t, annee), flores,
                ("Part des effectifs de l'ESS (%)",), "Sections A21 et leur détail A38 (NAF rév. 2)."),
        Tableau("comparaisons", "Comparaisons",
                _comparaisons(con, t, annee, statistiques, parents_t, cache), flores,
                ("Part de l'ESS dans l'emploi privé (%)",)),
        Tableau("evolution", "Évolution", _evolution(con, t),
                f"Emploi salarié au 31/12, format FLORES (INSEE), {info.get('annees_emploi', '')}",
                ("Part de l'ESS dans l'emploi privé (%)",)),
        Tableau("etablissements", "Établissements", _liste(etab, perimetre), sirene,
                note="Établissements diffusibles seulement : un établissement non diffusible est "
                     "compté, jamais nommé."),
        Tableau("pepites", "Pépites", _pepites(con, t, etab, perimetre, annee),
                "Plan ESS 2025-2028 (initiatives citées), SIRENE, registre des projets (SIES)"),
    ]
    try:
        genere_le = datetime.now(ZoneInfo("Europe/Paris"))
    except Exception:  # no time-zone database: local time is still a date
        genere_le = datetime.now().astimezone()
    notes, alertes = _notes(t, chiffres, familles, parents_t, int((~dans["diffusible"]).sum()), demo)
    return Fiche(
        territoire=t, annee=annee, perimetre=perimetre, unite=unite, genere_le=genere_le, demo=demo,
        chiffres=chiffres, tableaux=tableaux,
        notes=notes, alertes=alertes,
        definitions=DEFINITIONS,
        sources=con.execute(requetes.SOURCES).df(),
        millesimes={"Année des données d'emploi": str(annee),
                    "Années d'emploi disponibles": info.get("annees_emploi", ""),
                    "Géographie (population légale)": info.get("annee_geographie", ""),
                    "Base construite le": info.get("date_construction", "")},
    )
