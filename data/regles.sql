-- Rules of the statistics written once in SQL (DuckDB macros), installed on every connection
-- that counts: the build's (etl/build.py) and the read side's (ess/db.py).

-- Text of the official files: empty strings and the "[ND]" mask of partially diffusible rows
-- are NULL.
CREATE OR REPLACE MACRO txt(x) AS NULLIF(NULLIF(trim(x), ''), '[ND]');

-- Where an establishment is counted: a municipal arrondissement of Paris, Lyon or Marseille
-- (75101…75120, 69381…69389, 13201…13216) is its commune (75056, 69123, 13055), which the
-- territory tables know.
CREATE OR REPLACE MACRO commune_de(c) AS CASE
    WHEN c BETWEEN '75101' AND '75120' THEN '75056'
    WHEN c BETWEEN '69381' AND '69389' THEN '69123'
    WHEN c BETWEEN '13201' AND '13216' THEN '13055'
    ELSE c END;

-- An establishment counts at 31/12 of a year when it was created by that day and had not
-- closed by then (closed on 31/12 itself: no longer counted).
CREATE OR REPLACE MACRO actif_au_31_12(creation, fermeture, annee) AS
    creation <= make_date(annee, 12, 31)
    AND (fermeture IS NULL OR fermeture > make_date(annee, 12, 31));
