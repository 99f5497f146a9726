-- Marts: what the app reads. Only publishable values (secret applied, [ND] never copied,
-- partially diffusible establishments without name, address or position).

CREATE OR REPLACE TABLE etablissements AS
SELECT
    e.siret,
    e.siren,
    e.diffusible AND coalesce(e.unite_diffusible, true) AS diffusible,
    CASE WHEN e.diffusible AND coalesce(e.unite_diffusible, true)
         THEN coalesce(e.enseigne, e.denomination) END AS nom,
    CASE WHEN e.diffusible THEN concat_ws(', ', e.voie, concat_ws(' ', e.code_postal, c.nom)) END
        AS adresse,
    e.commune,
    e.categorie_juridique,
    cj.libelle AS libelle_categorie_juridique,
    e.famille_ess,
    e.ess_sirene,
    e.naf,
    n.libelle AS libelle_naf,
    e.a38,
    e.a21,
    e.tranche,
    e.annee_effectifs,
    e.employeur,
    e.siege,
    e.etat,
    e.date_creation,
    e.date_fermeture,
    CASE WHEN e.diffusible THEN p.lon END AS lon,
    CASE WHEN e.diffusible THEN p.lat END AS lat,
    CASE WHEN e.diffusible THEN p.position_approchee END AS position_approchee
FROM int_etablissements e
JOIN communes c USING (commune)
LEFT JOIN ref_categories_juridiques cj ON cj.code = e.categorie_juridique
LEFT JOIN ref_naf_sous_classes n ON n.code = e.naf
LEFT JOIN int_positions p USING (siret);
