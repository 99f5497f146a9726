"""Named SQL queries of the read side. Parameters are always bound, never pasted."""

# Employment cells of one territory (or a group: summed; a cell hidden in any part stays
# hidden, so a group never reveals what its communes hide).
EMPLOI_CELLULES = """
SELECT groupe, nomenclature, secteur,
       sum(nb_etablissements)::INTEGER AS nb_etablissements,
       CASE WHEN bool_or(secret) THEN NULL ELSE sum(effectifs) END AS effectifs,
       CASE WHEN bool_or(secret) THEN NULL ELSE sum(eqtp) END AS eqtp,
       bool_or(secret) AS secret
FROM emploi
WHERE list_contains(?, territoire) AND annee = ?
GROUP BY ALL
"""

ANNEES_EMPLOI = "SELECT DISTINCT annee FROM emploi ORDER BY annee"

# The interval the published figures give for a hidden ESS total (EPCI, PETR), when published.
FOURCHETTE_ESS = """
SELECT effectifs_min, effectifs_max FROM emploi_fourchettes
WHERE territoire = ? AND annee = ? AND groupe = 'ess' AND nomenclature = 'ensemble'
"""
FOURCHETTES_ESS_ANNEE = """
SELECT territoire, effectifs_min, effectifs_max FROM emploi_fourchettes
WHERE annee = ? AND groupe = 'ess' AND nomenclature = 'ensemble'
"""

# Middle of each SIRENE size band: the job estimate of the SIRENE definition (a CTE `t`).
TRANCHES_MILIEU = """
WITH t AS (
    SELECT tranche,
           (effectif_min::DOUBLE + coalesce(try_cast(nullif(effectif_max, '') AS DOUBLE),
                                             effectif_min::DOUBLE)) / 2 AS milieu
    FROM ref_tranches_effectifs
)"""

# ESS employer establishments active at 31/12 of a year, SIRENE definition (flag = 'O');
# jobs estimated from the size band (middle of the band).
SIRENE_ESS = TRANCHES_MILIEU + """
SELECT coalesce(e.famille_ess, 'autre_ess') AS famille, e.a38,
       count(*)::INTEGER AS nb_etablissements,
       round(sum(coalesce(t.milieu, 0)))::INTEGER AS effectifs_estimes
FROM etablissements e
LEFT JOIN t USING (tranche)
WHERE e.ess_sirene AND e.employeur
  AND list_contains(?, e.commune)
  AND actif_au_31_12(e.date_creation, e.date_fermeture, ?)
GROUP BY ALL
"""

BUILD_INFO = "SELECT cle, valeur FROM build_info"
SOURCES = "SELECT source, description, millesime, demo FROM sources ORDER BY source"
# The same, as people read it (pages; SOURCES keeps its names for the exports that use them).
SOURCES_LIBELLES = """SELECT source AS "Table", description AS "Source", millesime AS "Millésime",
       CASE WHEN demo THEN 'oui' ELSE 'non' END AS "Démonstration" FROM sources ORDER BY source"""
SOURCES_EN_SERVICE = "SELECT source, description, millesime FROM sources ORDER BY source"
SOURCES_DEMO = "SELECT source FROM sources WHERE demo"
REGISTRE = "SELECT * FROM projets ORDER BY id_projet"
CONTEXTE = "SELECT * FROM ref_chiffres_contexte"
FAMILLES = "SELECT famille, libelle FROM ref_familles WHERE ess = 'oui' ORDER BY ordre"
A38 = "SELECT a38, libelle_a38, a21 FROM ref_naf_a38 ORDER BY a38"

# Map of EPCI: the ESS share of private employment and jobs, for one year.
EPCI_CARTE = """
SELECT t.territoire, t.code, t.nom, g.geojson, g.lon, g.lat,
       max(e.effectifs) FILTER (WHERE e.groupe = 'ess') AS effectifs_ess,
       max(e.effectifs) FILTER (WHERE e.groupe = 'prive') AS effectifs_prive,
       max(e.nb_etablissements) FILTER (WHERE e.groupe = 'ess') AS etablissements_ess
FROM territoires t
JOIN geometries g USING (territoire)
LEFT JOIN emploi e ON e.territoire = t.territoire AND e.annee = ? AND e.nomenclature = 'ensemble'
WHERE t.niveau = 'epci'
GROUP BY ALL
ORDER BY t.nom
"""

LIVRABLES = "SELECT annee, titre, partenaire FROM ref_plan1_livrables ORDER BY annee, titre"

# Yearly series of a territory (or group): a value hidden in any part stays hidden.
EVOLUTION = """
SELECT annee,
       sum(nb_etablissements) FILTER (WHERE groupe = 'ess')::INTEGER AS etablissements_ess,
       CASE WHEN bool_or(secret) FILTER (WHERE groupe = 'ess') THEN NULL
            ELSE sum(effectifs) FILTER (WHERE groupe = 'ess') END AS effectifs_ess,
       CASE WHEN bool_or(secret) FILTER (WHERE groupe = 'prive') THEN NULL
            ELSE sum(effectifs) FILTER (WHERE groupe = 'prive') END AS effectifs_prive
FROM emploi
WHERE list_contains(?, territoire) AND nomenclature = 'ensemble'
GROUP BY annee
ORDER BY annee
"""

# Every territory of a level with its ESS indicators for one year.
INDICATEURS_NIVEAU = """
SELECT t.territoire, t.code, t.nom, t.population, t.superficie_km2,
       coalesce(max(e.nb_etablissements) FILTER (WHERE e.groupe = 'ess'), 0) AS etablissements_ess,
       max(e.effectifs) FILTER (WHERE e.groupe = 'ess') AS effectifs_ess,
       max(e.effectifs) FILTER (WHERE e.groupe = 'prive') AS effectifs_prive,
       coalesce(bool_or(e.secret) FILTER (WHERE e.groupe IN ('ess', 'prive')), false) AS secret
FROM territoires t
LEFT JOIN emploi e ON e.territoire = t.territoire AND e.annee = ? AND e.nomenclature = 'ensemble'
WHERE t.niveau = ?
GROUP BY ALL
ORDER BY t.nom
"""

# Simplified geometry of every territory of a level (GeoJSON text, built at build time).
GEOMETRIES_NIVEAU = """
SELECT g.territoire, g.geojson
FROM geometries g JOIN territoires t USING (territoire)
WHERE t.niveau = ?
ORDER BY g.territoire
"""

SECTIONS_A21 = "SELECT a21, libelle_a21 FROM ref_naf_sections ORDER BY a21"

# Territories of some levels, in the order of the levels given, then by name.
TERRITOIRES_NIVEAUX = """
SELECT territoire, nom, niveau FROM territoires
WHERE list_contains(?, niveau)
ORDER BY array_position(?, niveau), nom
"""

# Build report: source rows set aside or incomplete (never silently dropped).
REJETS = """
SELECT source AS "Source", motif AS "Motif", traitement AS "Traitement",
       nb_lignes AS "Lignes", exemples AS "Exemples"
FROM rejets ORDER BY source, motif
"""

# Lines set aside with --tolerer-rejets, one by one (identifiers are never stored).
REJETS_LIGNES = """
SELECT source AS "Source", fichier AS "Fichier", ligne AS "Ligne", colonne AS "Colonne",
       valeur AS "Valeur", motif AS "Motif"
FROM rejets_lignes ORDER BY source, fichier, ligne
"""

FAMILLES_CATEGORIES = """
SELECT f.categorie_juridique AS code, c.libelle, coalesce(fa.libelle, f.famille) AS famille,
       f.a_verifier, f.commentaire
FROM ref_familles_ess f
LEFT JOIN ref_categories_juridiques c ON c.code = f.categorie_juridique
LEFT JOIN ref_familles fa ON fa.famille = f.famille
ORDER BY fa.ordre, f.famille, code
"""

# What the secret statistique's protection and audit did, per year and measure (build report).
SECRET_RAPPORT = """
SELECT annee AS "Année", CASE mesure WHEN 'eqtp' THEN 'EQTP' ELSE 'Effectifs' END AS "Mesure",
       cellules AS "Cellules publiées ou masquées", primaires AS "Sensibles (règles primaires)",
       masquees AS "Masquées", determinees AS "Recalculables exactement",
       sous_protegees AS "Insuffisamment protégées", impossibles AS "Impossibles à protéger"
FROM secret_rapport ORDER BY annee, mesure
"""
