-- Without FLORES-style data: employment estimated from SIRENE size bands (middle of the
-- band), for the employer establishments active at 31/12 of one year (the latest year of the
-- bands; `actif_au_31_12`, as every page counts them: not the state of the stock, which drops
-- those closed since and takes in those created since), as FLORES-style rows of that year.
-- Labelled "estimation (tranches d'effectifs)" wherever shown.
-- Family: the ESS family of the legal category, else public (legal categories 7xxx: public
-- law), else private outside the ESS. Orphans and non-NAF rév. 2 rows cannot be placed:
-- they are counted in the build report instead.

INSERT INTO stg_flores (annee, commune, a38, famille, nb_etablissements, effectifs, eqtp, effectif_max)
WITH y AS (
    SELECT coalesce(max(annee_effectifs), year(current_date) - 1) AS annee
    FROM int_etablissements WHERE employeur
),
t AS (
    SELECT tranche,
           (effectif_min::DOUBLE + coalesce(try_cast(nullif(effectif_max, '') AS DOUBLE),
                                             effectif_min::DOUBLE)) / 2 AS milieu
    FROM ref_tranches_effectifs
),
e AS (
    SELECT e.commune, e.a38,
           CASE WHEN e.famille_ess IS NOT NULL THEN e.famille_ess
                WHEN starts_with(e.categorie_juridique, '7') THEN 'public'
                ELSE 'prive_hors_ess' END AS famille,
           coalesce(t.milieu, 0) AS effectif
    FROM int_etablissements e
    LEFT JOIN t USING (tranche)
    WHERE e.employeur AND actif_au_31_12(e.date_creation, e.date_fermeture, (SELECT annee FROM y))
      AND e.unite_connue AND e.a38 IS NOT NULL
      AND e.commune IN (SELECT commune FROM communes)
)
SELECT (SELECT annee FROM y) AS annee,
       commune, a38, famille,
       count(*)::INTEGER,
       round(sum(effectif))::INTEGER,
       NULL::DOUBLE,
       round(max(effectif))::INTEGER
FROM e
GROUP BY ALL;
