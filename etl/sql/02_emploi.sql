-- Employment cube, from stg_flores (FLORES-style rows, or the SIRENE estimate).

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
