-- Intermediate: establishments enriched with sectors and ESS family; employment cube.

CREATE OR REPLACE TABLE int_etablissements AS
SELECT
    e.*,
    u.denomination,
    u.categorie_juridique,
    u.ess_sirene,
    u.diffusible AS unite_diffusible,
    u.siren IS NOT NULL AS unite_connue,
    d.a38,
    s.a21,
    -- statistical perimeter: legal category → family, minus the excluded activities
    CASE WHEN EXISTS (SELECT 1 FROM ref_exclusions_ess_naf x WHERE starts_with(e.naf, x.prefixe_naf))
         THEN NULL ELSE f.famille END AS famille_ess
FROM stg_etablissements e
LEFT JOIN stg_unites_legales u USING (siren)
LEFT JOIN ref_naf_sous_classes n ON n.code = e.naf AND e.nomenclature_naf = 'NAFRev2'
LEFT JOIN ref_naf_divisions d ON d.division = n.division
LEFT JOIN ref_naf_a38 s ON s.a38 = d.a38
LEFT JOIN ref_familles_ess f ON f.categorie_juridique = u.categorie_juridique;

-- Each FLORES row counts in its own family and in the groups that contain it
-- (ess, prive, ensemble), for its A38 sector, its A21 section and all sectors.
CREATE OR REPLACE TABLE int_emploi AS
WITH lignes AS (
    SELECT a.territoire, f.annee, g.groupe, f.a38, s.a21, f.nb_etablissements,
           f.effectifs, f.eqtp, f.effectif_max
    FROM stg_flores f
    JOIN appartenance a USING (commune)
    JOIN ref_groupes_familles g USING (famille)
    JOIN ref_naf_a38 s USING (a38)
)
SELECT territoire, annee, groupe,
       CASE WHEN GROUPING(a38) = 0 THEN 'a38' WHEN GROUPING(a21) = 0 THEN 'a21'
            ELSE 'ensemble' END AS nomenclature,
       coalesce(a38, a21, '_') AS secteur,
       coalesce(a21, '_') AS section,
       sum(nb_etablissements)::INTEGER AS nb_etablissements,
       sum(effectifs)::INTEGER AS effectifs,
       round(sum(eqtp), 1) AS eqtp,
       -- the largest single establishment of the cell, when the source says it
       CASE WHEN count(effectif_max) = count(*) THEN max(effectif_max) END AS effectif_max
FROM lignes
GROUP BY GROUPING SETS ((territoire, annee, groupe, a21, a38),
                        (territoire, annee, groupe, a21),
                        (territoire, annee, groupe));
