"""National aggregates from the SIRENE stock: for every département, région and France, by
year, the ESS employer establishments (statistical perimeter and SIRENE marker, by family and
A21 section) and the private employer establishments they are a share of (issue 26).

The same SQL reads the official files (the national stock given to the build) and the demo's
national stock (etl/demo/national.py), both in the official column names. Counted where each
establishment is: a municipal arrondissement (75101…, 69381…, 13201…) in its commune's
département (staging maps it to the commune: data/regles.sql, commune_de); an overseas
département (971…976) like the others; the collectivités d'outre-mer (975, 977, 978, 98x) and
foreign addresses belong to no département: counted in the build report, never silently dropped.
"""

from __future__ import annotations

import re

import duckdb

from data import table
from etl.demo import national as demo_national

SOURCE_REJETS = "SIRENE (comparaisons nationales)"

# Employer establishments grouped by where they are, what they are (the build's rules: the
# ESS family from the legal category minus excluded activities, the SIRENE marker, private =
# neither public law 7xxx nor public commercial body 4xxx) and their years of activity: an
# establishment is active at 31/12 of the years from its creation's to the one before its
# closure's (actif_au_31_12). Grouping before expanding the years keeps a national stock to a
# few hundred thousand rows in memory, not one per establishment.
# The join of every employer establishment of France with its legal unit is most of the cost:
# both sides carry narrow types (SIREN as UINTEGER, the category as a number, its family looked
# up after grouping). DuckDB builds its hash table on the employer establishments, the smaller
# side in a real stock (a few million of some 40 M rows); forcing it on the 29 M legal units
# was 1,2× faster with 62 % of employers, 1,5× slower with 9 % (synthetic stocks, measured).
BASE = """
CREATE OR REPLACE TEMP TABLE int_national AS
WITH e AS (
    SELECT try_cast(e.siren AS UINTEGER) AS siren,
           CASE WHEN left(e.commune, 2) IN ('97', '98') THEN left(e.commune, 3)
                ELSE left(e.commune, 2) END AS departement,
           year(try_cast(txt(e.dateCreationEtablissement) AS DATE))::SMALLINT AS premiere,
           CASE WHEN e.etatAdministratifEtablissement = 'F'
                THEN coalesce(year(try_cast(txt(e.dateDebut) AS DATE)) - 1, 9999)
                ELSE 9999 END::SMALLINT AS derniere,
           -- a code outside the table (NAF rév. 1, malformed) tested as the département's are
           CASE WHEN k.naf IS NOT NULL THEN k.exclue ELSE {exclue} END AS exclue,
           CASE WHEN txt(e.nomenclatureActivitePrincipaleEtablissement) = 'NAFRev2' THEN k.a21 END AS a21
    FROM (SELECT *, trim(codeCommuneEtablissement) AS commune, txt(activitePrincipaleEtablissement) AS naf
          FROM {etablissements}) e
    LEFT JOIN naf_classes k USING (naf)
    WHERE coalesce(txt(e.caractereEmployeurEtablissement) = 'O',
                   coalesce(txt(e.trancheEffectifsEtablissement), 'NN') <> 'NN')
), u AS (
    SELECT try_cast(siren AS UINTEGER) AS siren,
           try_cast(txt(categorieJuridiqueUniteLegale) AS USMALLINT) AS categorie,
           coalesce(economieSocialeSolidaireUniteLegale = 'O', false) AS ess_sirene,
           NOT (starts_with(categorieJuridiqueUniteLegale, '7')
                OR starts_with(categorieJuridiqueUniteLegale, '4')) AS prive
    FROM {unites_legales}
), j AS (
    SELECT e.departement, e.premiere, e.derniere, u.siren IS NOT NULL AS unite_connue,
           u.categorie, u.prive, u.ess_sirene, e.exclue, e.a21, count(*) AS nb
    FROM e LEFT JOIN u USING (siren)
    GROUP BY ALL
)
SELECT j.departement, j.premiere, j.derniere, j.unite_connue, j.prive, j.ess_sirene,
       -- no activity code (exclue NULL): the family, as int_etablissements counts it
       CASE WHEN j.exclue THEN NULL ELSE f.famille END AS famille_ess, j.a21, sum(j.nb) AS nb
FROM j
LEFT JOIN ref_familles_ess f ON f.categorie_juridique = lpad(j.categorie::VARCHAR, 4, '0')
GROUP BY ALL
"""
# Each NAF sub-class's A21 section and whether the ESS perimeter excludes it, computed once on
# the ~730 codes rather than on each of 42 M establishments (15 % of the national pass).
NAF_CLASSES = """
CREATE OR REPLACE TEMP TABLE naf_classes AS
SELECT n.code AS naf, s.a21, {exclue} AS exclue
FROM ref_naf_sous_classes n
LEFT JOIN ref_naf_divisions d ON d.division = n.division
LEFT JOIN ref_naf_a38 s ON s.a38 = d.a38
"""

# Active at 31/12 of each year, per département (the 101 of data/departements.csv).
PAR_DEPARTEMENT = """
CREATE OR REPLACE TEMP TABLE int_national_annees AS
SELECT n.departement, a.annee, n.prive, n.ess_sirene, n.famille_ess, coalesce(n.a21, '') AS a21,
       sum(n.nb)::INTEGER AS nb
FROM int_national n
JOIN ref_departements d USING (departement)
CROSS JOIN (SELECT unnest(?::INTEGER[]) AS annee) a
WHERE n.unite_connue AND n.premiere <= a.annee AND a.annee <= n.derniere
GROUP BY ALL
"""

# Three measures (perimetre): statistique (ESS families), sirene (the marker; its family as
# the read side counts it: the legal family or autre_ess), prive (every private employer);
# each as a total (famille = a21 = ''), by family and by A21 section.
MESURES = """
WITH m AS (
    SELECT departement, annee, 'statistique' AS perimetre, famille_ess AS famille, a21, nb
    FROM int_national_annees WHERE famille_ess IS NOT NULL
    UNION ALL
    SELECT departement, annee, 'sirene', coalesce(famille_ess, 'autre_ess'), a21, nb
    FROM int_national_annees WHERE ess_sirene
    UNION ALL
    SELECT departement, annee, 'prive', '', '', nb FROM int_national_annees WHERE prive
), g AS (
    SELECT departement, annee, perimetre, famille, a21, sum(nb) AS nb FROM m GROUP BY ALL
)
SELECT departement, annee, perimetre, '' AS famille, '' AS a21, sum(nb) AS nb FROM g GROUP BY ALL
UNION ALL
SELECT departement, annee, perimetre, famille, '', sum(nb) FROM g WHERE perimetre <> 'prive' GROUP BY ALL
UNION ALL
SELECT departement, annee, perimetre, '', a21, sum(nb) FROM g
WHERE perimetre <> 'prive' AND a21 <> '' GROUP BY ALL
"""

REPERES = """
CREATE OR REPLACE TABLE reperes AS
WITH d AS (__MESURES__)
SELECT 'departement:' || d.departement AS territoire, 'departement' AS niveau, d.departement AS code,
       r.nom, annee, perimetre, famille, a21, sum(nb)::INTEGER AS nb_etablissements
FROM d JOIN ref_departements r USING (departement) GROUP BY ALL
UNION ALL
SELECT 'region:' || r.region, 'region', r.region, g.nom, annee, perimetre, famille, a21, sum(nb)::INTEGER
FROM d JOIN ref_departements r USING (departement) JOIN ref_regions g ON g.region = r.region GROUP BY ALL
UNION ALL
SELECT 'france', 'france', 'france', 'France', annee, perimetre, famille, a21, sum(nb)::INTEGER
FROM d GROUP BY ALL
ORDER BY ALL
""".replace("__MESURES__", MESURES)

# Employer establishments of no département (COM, abroad, unknown code): reported.
HORS_DEPARTEMENTS = """
SELECT sum(nb), string_agg(DISTINCT departement, ', ' ORDER BY departement)
FROM int_national n
WHERE NOT EXISTS (SELECT 1 FROM ref_departements d WHERE d.departement = n.departement)
"""
SANS_UNITE = "SELECT sum(nb) FROM int_national WHERE NOT unite_connue"


def _exclue(naf: str) -> str:
    """SQL: the activity is one the ESS statistical perimeter excludes (data/exclusions_ess_naf.csv
    prefixes, as int_etablissements tests them), as plain conditions: no correlated subquery
    over a national stock."""
    prefixes = list(table("exclusions_ess_naf")["prefixe_naf"])
    if not all(re.fullmatch(r"[0-9A-Z.]+", p) for p in prefixes):
        raise ValueError("data/exclusions_ess_naf.csv : préfixe NAF mal formé")
    return "(" + " OR ".join(f"starts_with({naf}, '{p}')" for p in prefixes) + ")" if prefixes else "false"


def agreger(
    con: duckdb.DuckDBPyConnection, etablissements: str, unites_legales: str, annees: list[int],
    params: list | None = None,
) -> list[tuple]:
    """Create the `reperes` mart from two relations in the official column names (a table
    name, or a table function with its `params`, establishments' first). Returns the build
    report's lines (raw_rejets layout) for what no département holds."""
    con.execute(NAF_CLASSES.format(exclue=_exclue("n.code")))
    con.execute(BASE.format(etablissements=etablissements, unites_legales=unites_legales,
                            exclue=_exclue("e.naf")), params or [])
    con.execute(PAR_DEPARTEMENT, [list(annees)])
    con.execute(REPERES)
    rejets = []
    n, codes = con.execute(HORS_DEPARTEMENTS).fetchall()[0]
    if n:
        rejets.append((SOURCE_REJETS, "établissements employeurs hors des départements (collectivités "
                       "d'outre-mer, étranger, code inconnu)", "non comptés dans les comparaisons", n,
                       f"codes {codes}"))
    (sans,) = con.execute(SANS_UNITE).fetchall()[0]
    if sans:
        rejets.append((SOURCE_REJETS, "établissements employeurs sans unité légale dans le stock",
                       "non comptés dans les comparaisons", sans, ""))
    con.execute("DROP TABLE int_national; DROP TABLE int_national_annees; DROP TABLE naf_classes")
    return rejets


# A stock that covers fewer départements is a cut file: no national comparison from it.
DEPARTEMENTS_NATIONAL = 90
COUVERTURE = "SELECT count(DISTINCT code) FROM reperes WHERE niveau = 'departement'"


def national(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the `reperes` just built come from a national stock (else they are emptied)."""
    (n,) = con.execute(COUVERTURE).fetchall()[0]
    if n < DEPARTEMENTS_NATIONAL:
        con.execute("DELETE FROM reperes")
        return False
    return True


def depuis_demo(con: duckdb.DuckDBPyConnection, departements: tuple[str, ...], seed: int) -> list[tuple]:
    """The demo's national stock (etl/demo/national.py) aggregated for the years of the
    employment table; the built départements' own demo rows are part of it."""
    annees = [a for (a,) in con.execute("SELECT DISTINCT annee FROM stg_flores ORDER BY 1").fetchall()]
    demo_national.stock(con, departements, seed, "raw_sirene_etablissements", "raw_sirene_unites_legales")
    rejets = agreger(con, "raw_national_etablissements", "raw_national_unites_legales", annees)
    demo_national.supprimer(con)
    return rejets
