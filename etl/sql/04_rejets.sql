-- Build report: establishments that could not be fully placed, never silently dropped,
-- the communes a zoning file lacks (raw_rejets), and the lines set aside with
-- --tolerer-rejets (raw_rejets_lignes, kept line by line in rejets_lignes).
-- Examples only from diffusible rows; identifiers of set-aside lines are never copied.

CREATE OR REPLACE TABLE rejets_lignes AS
SELECT source, fichier, ligne, colonne, valeur, motif FROM raw_rejets_lignes
ORDER BY source, fichier, ligne;

CREATE OR REPLACE TABLE rejets AS
WITH anomalies AS (
    SELECT siret, diffusible,
           'unité légale absente de StockUniteLegale (siren orphelin)' AS motif,
           'conservé dans la liste, sans catégorie juridique ni famille ; hors estimation d''emploi'
               AS traitement
    FROM int_etablissements WHERE NOT unite_connue
    UNION ALL
    SELECT siret, diffusible, 'code commune inconnu du référentiel territorial',
           'écarté de la liste et des chiffres'
    FROM int_etablissements WHERE commune NOT IN (SELECT commune FROM communes)
    UNION ALL
    SELECT siret, diffusible,
           'nomenclature d''activité autre que NAF rév. 2 (' || coalesce(nomenclature_naf, 'vide') || ')',
           'conservé dans la liste, sans secteur A38/A21 ; hors estimation d''emploi'
    FROM int_etablissements WHERE nomenclature_naf IS DISTINCT FROM 'NAFRev2'
    UNION ALL
    SELECT siret, diffusible, 'code NAF rév. 2 inconnu ou vide',
           'conservé dans la liste, sans secteur A38/A21 ; hors estimation d''emploi'
    FROM int_etablissements WHERE nomenclature_naf = 'NAFRev2' AND a38 IS NULL
)
SELECT 'SIRENE (établissements)' AS source, motif, traitement, count(*)::INTEGER AS nb_lignes,
       array_to_string(list_sort(list(siret) FILTER (WHERE diffusible))[1:5], ', ') AS exemples
FROM anomalies
GROUP BY ALL
UNION ALL
SELECT source, motif, traitement, nb_lignes, exemples FROM raw_rejets
UNION ALL
SELECT source || ' (' || fichier || ')', motif, 'ligne écartée (--tolerer-rejets)',
       count(*)::INTEGER,
       CASE WHEN count(*) = 1 THEN 'ligne ' ELSE 'lignes ' END || array_to_string(list_sort(list(ligne))[1:5], ', ')
           || CASE WHEN count(*) > 5 THEN '…' ELSE '' END
FROM rejets_lignes
GROUP BY source, fichier, motif
ORDER BY source, motif;
