"""The establishments of a fiche, from the public SIRENE listing (never secret): the rows read
once for a year and the first year of its trend, their counts in both ESS definitions and both
counting units, and the tables built on them (definitions compared, legal categories, the list
of the establishments counted)."""

from __future__ import annotations

import pandas as pd

from data import familles_ess
from ess.codes_territoire import Territoire
from ess.document.modele import Colonne, Tableau
from ess.fiche.textes import PERIMETRES, SOURCE_SIRENE, UNITES

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


def lire(con, t: Territoire, annee: int, depuis: int | None = None,
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


def dans_perimetre(etab: pd.DataFrame, perimetre: str) -> pd.Series:
    return etab["ess_sirene"] if perimetre == "sirene" else etab["famille_ess"].notna()


def est_compte(etab: pd.DataFrame, perimetre: str, unite: str) -> pd.Series:
    """The establishments the headline count counts (and the list lists)."""
    dans = dans_perimetre(etab, perimetre)
    return dans & etab["siege"] if unite == "sieges" else dans


def comptages(etab: pd.DataFrame) -> dict[tuple[str, str], int]:
    """ESS employer establishments in both definitions and both counting units."""
    return {(p, u): int(est_compte(etab, p, u).sum()) for p in PERIMETRES for u in UNITES}


def definitions_comparees(compte: dict, perimetre: str, unite: str, annee: int) -> Tableau:
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


def categories(etab: pd.DataFrame, perimetre: str, annee: int) -> Tableau:
    dans = etab[dans_perimetre(etab, perimetre)]
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


def liste(etab: pd.DataFrame, perimetre: str, unite: str, annee: int, compte: int) -> Tableau:
    """The establishments the headline counts, active at 31/12 of the year, closed since or
    not; a non-diffusible one is counted, never named."""
    comptes = etab[est_compte(etab, perimetre, unite)]
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
