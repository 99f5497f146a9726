"""The official column layouts and what the write side derives from the code tables of data/
(read by the `data` module)."""

from __future__ import annotations

from functools import cache

from data import table

# StockEtablissement, format 3.11 + NAF 2025 column (sources.md §2), in file order.
COLONNES_ETABLISSEMENT = (
    "siren nic siret statutDiffusionEtablissement dateCreationEtablissement "
    "trancheEffectifsEtablissement anneeEffectifsEtablissement "
    "activitePrincipaleRegistreMetiersEtablissement dateDernierTraitementEtablissement "
    "etablissementSiege nombrePeriodesEtablissement complementAdresseEtablissement "
    "numeroVoieEtablissement indiceRepetitionEtablissement dernierNumeroVoieEtablissement "
    "indiceRepetitionDernierNumeroVoieEtablissement typeVoieEtablissement "
    "libelleVoieEtablissement codePostalEtablissement libelleCommuneEtablissement "
    "libelleCommuneEtrangerEtablissement distributionSpecialeEtablissement "
    "codeCommuneEtablissement codeCedexEtablissement libelleCedexEtablissement "
    "codePaysEtrangerEtablissement libellePaysEtrangerEtablissement "
    "identifiantAdresseEtablissement coordonneeLambertAbscisseEtablissement "
    "coordonneeLambertOrdonneeEtablissement complementAdresse2Etablissement "
    "numeroVoie2Etablissement indiceRepetition2Etablissement typeVoie2Etablissement "
    "libelleVoie2Etablissement codePostal2Etablissement libelleCommune2Etablissement "
    "libelleCommuneEtranger2Etablissement distributionSpeciale2Etablissement "
    "codeCommune2Etablissement codeCedex2Etablissement libelleCedex2Etablissement "
    "codePaysEtranger2Etablissement libellePaysEtranger2Etablissement dateDebut "
    "etatAdministratifEtablissement enseigne1Etablissement enseigne2Etablissement "
    "enseigne3Etablissement denominationUsuelleEtablissement activitePrincipaleEtablissement "
    "nomenclatureActivitePrincipaleEtablissement caractereEmployeurEtablissement "
    "activitePrincipaleNAF25Etablissement"
).split()

# StockUniteLegale, 35 columns, in file order.
COLONNES_UNITE_LEGALE = (
    "siren statutDiffusionUniteLegale unitePurgeeUniteLegale dateCreationUniteLegale "
    "sigleUniteLegale sexeUniteLegale prenom1UniteLegale prenom2UniteLegale prenom3UniteLegale "
    "prenom4UniteLegale prenomUsuelUniteLegale pseudonymeUniteLegale "
    "identifiantAssociationUniteLegale trancheEffectifsUniteLegale anneeEffectifsUniteLegale "
    "dateDernierTraitementUniteLegale nombrePeriodesUniteLegale categorieEntreprise "
    "anneeCategorieEntreprise dateDebut etatAdministratifUniteLegale nomUniteLegale "
    "nomUsageUniteLegale denominationUniteLegale denominationUsuelle1UniteLegale "
    "denominationUsuelle2UniteLegale denominationUsuelle3UniteLegale "
    "categorieJuridiqueUniteLegale activitePrincipaleUniteLegale "
    "nomenclatureActivitePrincipaleUniteLegale nicSiegeUniteLegale "
    "economieSocialeSolidaireUniteLegale societeMissionUniteLegale "
    "caractereEmployeurUniteLegale activitePrincipaleNAF25UniteLegale"
).split()

# FLORES-style employment (sources.md §4)
COLONNES_FLORES = ["annee", "codgeo", "a38", "famille", "nb_etablissements_employeurs",
                   "effectifs_31_12", "eqtp"]

# Code tables copied as-is into the database (file stem = table name, prefixed "ref_").
TABLES_DE_CODES = ["naf_sections", "naf_a38", "naf_divisions", "naf_sous_classes",
                   "categories_juridiques", "familles_ess", "exclusions_ess_naf",
                   "tranches_effectifs", "familles", "groupes_familles", "chiffres_contexte",
                   "plan1_livrables", "diffusion_emploi", "departements", "regions"]


@cache
def _bornes() -> list[tuple[int, str]]:
    t = table("tranches_effectifs")
    t = t[t["employeur"] == "oui"]
    return sorted((int(m), c) for m, c in zip(t["effectif_min"], t["tranche"], strict=True) if int(m) > 0)


def code_tranche(effectif: int) -> str:
    """SIRENE size band of a headcount (NN for none)."""
    if effectif <= 0:
        return "NN"
    return [code for borne, code in _bornes() if effectif >= borne][-1]


@cache
def naf_par_a38(exclure_hors_ess: bool) -> dict[str, list[str]]:
    """A38 code → NAF sous-classes; optionally without the activities the ESS excludes."""
    sc = table("naf_sous_classes").merge(table("naf_divisions")[["division", "a38"]])
    if exclure_hors_ess:
        for prefixe in table("exclusions_ess_naf")["prefixe_naf"]:
            sc = sc[~sc["code"].str.startswith(prefixe)]
    return sc.groupby("a38")["code"].apply(list).to_dict()
