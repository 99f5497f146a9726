-- Tables a build may lack when its source is not supplied (real sources never mix with the
-- demo): same columns and types as the demo's, no rows.

CREATE TABLE IF NOT EXISTS projets (
    id_projet VARCHAR, nom_projet VARCHAR, porteur VARCHAR, forme_juridique VARCHAR,
    commune VARCHAR, theme VARCHAR, annee_accueil BIGINT, finance VARCHAR, dispositif VARCHAR,
    montant_eur BIGINT, etp_projetes DOUBLE, tiers_lieu VARCHAR, statut VARCHAR, fictif VARCHAR,
    description VARCHAR, source VARCHAR
);
CREATE TABLE IF NOT EXISTS accompagnements (
    territoire VARCHAR, nom VARCHAR, annee BIGINT, nature VARCHAR, fictif VARCHAR
);
CREATE TABLE IF NOT EXISTS raw_flores (
    annee VARCHAR, codgeo VARCHAR, a38 VARCHAR, famille VARCHAR,
    nb_etablissements_employeurs VARCHAR, effectifs_31_12 VARCHAR, eqtp VARCHAR,
    effectif_max_etablissement VARCHAR
);
-- for the build report: communes missing from a zoning file (one row per reason), and the
-- lines set aside with --tolerer-rejets (one row per line, etl.sources.COLONNES_REJETS)
CREATE TABLE IF NOT EXISTS raw_rejets (
    source VARCHAR, motif VARCHAR, traitement VARCHAR, nb_lignes INTEGER, exemples VARCHAR
);
-- national comparisons (etl/national.py): empty when the SIRENE stock given is not national
CREATE TABLE IF NOT EXISTS reperes (
    territoire VARCHAR, niveau VARCHAR, code VARCHAR, nom VARCHAR, annee INTEGER,
    perimetre VARCHAR, famille VARCHAR, a21 VARCHAR, nb_etablissements INTEGER
);
CREATE TABLE IF NOT EXISTS raw_rejets_lignes (
    source VARCHAR, fichier VARCHAR, ligne BIGINT, colonne VARCHAR, valeur VARCHAR, motif VARCHAR
);
