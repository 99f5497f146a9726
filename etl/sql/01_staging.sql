-- Staging: rename, cast, nothing else. Inputs are the raw_* tables (all text, official
-- column names); empty strings and the "[ND]" mask of partially diffusible rows become NULL.

-- txt(x): data/regles.sql (the national comparisons read the same files before staging)

CREATE OR REPLACE TABLE stg_unites_legales AS
SELECT
    siren,
    statutDiffusionUniteLegale = 'O' AS diffusible,
    txt(denominationUniteLegale) AS denomination,
    txt(categorieJuridiqueUniteLegale) AS categorie_juridique,
    coalesce(economieSocialeSolidaireUniteLegale = 'O', false) AS ess_sirene,
    txt(etatAdministratifUniteLegale) AS etat,
    txt(nicSiegeUniteLegale) AS nic_siege
FROM raw_sirene_unites_legales;

CREATE OR REPLACE TABLE stg_etablissements AS
SELECT
    siret,
    siren,
    nic,
    statutDiffusionEtablissement = 'O' AS diffusible,
    try_cast(txt(dateCreationEtablissement) AS DATE) AS date_creation,
    txt(trancheEffectifsEtablissement) AS tranche,
    try_cast(txt(anneeEffectifsEtablissement) AS INTEGER) AS annee_effectifs,
    etablissementSiege = 'true' AS siege,
    txt(etatAdministratifEtablissement) AS etat,
    CASE WHEN etatAdministratifEtablissement = 'F'
         THEN try_cast(txt(dateDebut) AS DATE) END AS date_fermeture,
    txt(activitePrincipaleEtablissement) AS naf,
    txt(nomenclatureActivitePrincipaleEtablissement) AS nomenclature_naf,
    -- employer: the flag, or where it is empty, a size band other than "NN"
    coalesce(
        txt(caractereEmployeurEtablissement) = 'O',
        coalesce(txt(trancheEffectifsEtablissement), 'NN') <> 'NN'
    ) AS employeur,
    commune_de(trim(codeCommuneEtablissement)) AS commune,  -- arrondissements: their commune
    coalesce(txt(denominationUsuelleEtablissement), txt(enseigne1Etablissement)) AS enseigne,
    nullif(concat_ws(' ', txt(numeroVoieEtablissement), txt(typeVoieEtablissement),
                     txt(libelleVoieEtablissement)), '') AS voie,
    txt(codePostalEtablissement) AS code_postal,
    try_cast(txt(coordonneeLambertAbscisseEtablissement) AS DOUBLE) AS lambert_x,
    try_cast(txt(coordonneeLambertOrdonneeEtablissement) AS DOUBLE) AS lambert_y
FROM raw_sirene_etablissements;

CREATE OR REPLACE TABLE stg_flores AS
SELECT
    CAST(annee AS INTEGER) AS annee,
    codgeo AS commune,
    a38,
    famille,
    CAST(nb_etablissements_employeurs AS INTEGER) AS nb_etablissements,
    CAST(effectifs_31_12 AS INTEGER) AS effectifs,
    CAST(eqtp AS DOUBLE) AS eqtp,
    try_cast(effectif_max_etablissement AS INTEGER) AS effectif_max
FROM raw_flores;
