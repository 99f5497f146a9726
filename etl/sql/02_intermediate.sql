-- Intermediate: establishments enriched with sectors and ESS family.

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
