"""The demo's national SIRENE stock, in the official column names, so that the default demo
shows its département beside its région and France through the same code path as a real
national stock (etl/national.py). Fictitious through and through (demo-data.md §D).

The built département keeps its own demo rows (its ESS figures are the same everywhere), plus
the private employers its detail does not list (the detail holds the ESS and a sample of the
rest). Every other département is drawn commune by commune from its population: ESS and
private employer establishments at plausible rates per inhabitant, a gentle spread between
départements. Paris, Lyon and Marseille carry arrondissement codes and a few establishments
sit in collectivités d'outre-mer, as in the real stock. Rows are expanded in DuckDB from
per-commune counts (numpy, fixed seed); their attributes come from a hash of the row number,
so the same seed gives the same stock.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from etl.codes import COLONNES_ETABLISSEMENT, COLONNES_UNITE_LEGALE
from geo import reference

# Employer establishments per inhabitant (fictitious, of the order of the national ones).
TAUX_ESS = 3.4e-3
TAUX_PRIVE = 26e-3
TAUX_PUBLIC = 1.5e-3
# (commune of the arrondissements, first arrondissement, how many)
ARRONDISSEMENTS = (("75056", 75101, 20), ("69123", 69381, 9), ("13055", 13201, 16))
COM = ("97501", "97502", "97701", "97801", "98735")  # collectivités d'outre-mer: outside the 101

# (legal category, share) and NAF codes by kind of establishment: attribute = hash % 100
CATEGORIES = {
    "ess": [("9220", 80), ("5458", 4), ("5560", 3), ("6317", 2), ("8210", 4), ("9300", 3), ("5710", 4)],
    "prive": [("5710", 45), ("5499", 35), ("1000", 18), ("5202", 2)],
    "public": [("7210", 60), ("7220", 10), ("7389", 30)],
}
NAF = {
    "ess": ["88.10A", "88.99B", "94.99Z", "85.59A", "87.10A", "93.12Z", "90.01Z", "65.12Z", "56.10A",
            "88.91A", "01.61Z", "47.11F", "86.90D", "94.12Z"],
    "prive": ["47.11F", "56.10A", "43.21A", "62.01Z", "86.21Z", "45.20A", "49.41A", "68.20A", "69.20Z",
              "10.71C", "96.02A", "41.20A"],
    "public": ["84.11Z", "84.12Z", "85.20Z"],
}
TRANCHES = ["01", "01", "01", "02", "02", "03", "03", "11", "12", "21"]


def _communes(departements: tuple[str, ...], rng: np.random.Generator) -> pd.DataFrame:
    """Communes of France with their fictitious employer counts by kind."""
    c = reference.communes_de_france()
    pop = c["population"].to_numpy(dtype=float)
    codes_dep = sorted(c["departement"].unique())
    ecart = dict(zip(codes_dep, rng.lognormal(0, 0.15, len(codes_dep)), strict=True))
    f = c["departement"].map(ecart).to_numpy()
    autre = ~c["departement"].isin(departements).to_numpy()
    out = pd.DataFrame({"commune": c["commune"].to_numpy(), "departement": c["departement"].to_numpy()})
    out["ess"] = rng.poisson(pop * TAUX_ESS * f) * autre
    out["prive"] = rng.poisson(pop * TAUX_PRIVE / f)
    out["public"] = rng.poisson(pop * TAUX_PUBLIC)
    com = pd.DataFrame({"commune": list(COM), "departement": [x[:3] for x in COM],
                        "ess": 2, "prive": 6, "public": 1})
    return pd.concat([out, com], ignore_index=True)


def _lignes(con: duckdb.DuckDBPyConnection, communes: pd.DataFrame) -> None:
    """_nat: one row per fictitious establishment (commune, kind, row number, hash)."""
    long = communes.melt(id_vars=["commune", "departement"], value_vars=["ess", "prive", "public"],
                         var_name="nature", value_name="n")
    long = long[long["n"] > 0]
    con.register("_nat_communes", long)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _nat AS
        SELECT commune, nature, row_number() OVER (ORDER BY commune, nature, r.range) AS i
        FROM _nat_communes, range(_nat_communes.n) r
    """)
    con.unregister("_nat_communes")


def _choix(valeurs: list[str], h: str) -> str:
    """SQL picking one of `valeurs` by the hash expression `h`."""
    liste = ", ".join(f"'{v}'" for v in valeurs)
    return f"[{liste}][(({h}) % {len(valeurs)} + 1)::BIGINT]"


def _categorie(nature: str, h: str) -> str:
    seuils, cas, cumul = CATEGORIES[nature], [], 0
    for code, part in seuils:
        cumul += part
        cas.append(f"WHEN ({h}) % 100 < {cumul} THEN '{code}'")
    return f"CASE {' '.join(cas)} ELSE '{seuils[-1][0]}' END"


def stock(con: duckdb.DuckDBPyConnection, departements: tuple[str, ...], seed: int, etab_dep: str,
          ul_dep: str) -> None:
    """Create raw_national_etablissements and raw_national_unites_legales: the built
    départements' own demo rows (tables `etab_dep`, `ul_dep`) and the fictitious rest of France.
    Views over the rows drawn (temporary table _nat): the national pass computes the few
    columns it reads, not the official fifty (`supprimer` once it is done)."""
    rng = np.random.default_rng(seed + 26)
    communes = _communes(departements, rng)
    # the built départements: their detail's private employers are a sample; complete them
    dedans = communes["departement"].isin(departements)
    deja = con.execute(f"""SELECT count(*) FROM {etab_dep} e JOIN {ul_dep} u USING (siren)
                           WHERE u.economieSocialeSolidaireUniteLegale <> 'O'
                             AND coalesce(nullif(e.trancheEffectifsEtablissement, ''), 'NN') <> 'NN'
                        """).fetchall()[0][0]  # noqa: S608 (our own table names)
    voulu = int(communes.loc[dedans, "prive"].sum())
    communes.loc[dedans, "prive"] = np.floor(communes.loc[dedans, "prive"] * max(0, voulu - deja)
                                             / max(voulu, 1)).astype(int)
    _lignes(con, communes)
    h = "hash(i)"
    commune = "CASE " + " ".join(
        f"WHEN commune = '{c}' THEN CAST({premier} + hash(i, 'arr') % {n} AS VARCHAR)"
        for c, premier, n in ARRONDISSEMENTS) + " ELSE commune END"
    nature_cat = "CASE nature " + " ".join(f"WHEN '{k}' THEN {_categorie(k, h)}" for k in CATEGORIES) + " END"
    nature_naf = "CASE nature " + " ".join(f"WHEN '{k}' THEN {_choix(v, 'hash(i, 1)')}"
                                           for k, v in NAF.items()) + " END"
    ferme = "hash(i, 2) % 100 < 7"
    valeurs = {
        "siren": "'0' || lpad(CAST(i AS VARCHAR), 8, '0')",
        "nic": "'00015'",
        "siret": "'0' || lpad(CAST(i AS VARCHAR), 8, '0') || '00015'",
        "statutDiffusionEtablissement": "'O'",
        "dateCreationEtablissement": "CAST(1960 + hash(i, 3) % 63 AS VARCHAR) || '-0' "
                                     "|| CAST(1 + hash(i, 4) % 9 AS VARCHAR) || '-15'",
        "trancheEffectifsEtablissement": _choix(TRANCHES, "hash(i, 5)"),
        "etablissementSiege": "'true'",
        "codeCommuneEtablissement": commune,
        "dateDebut": f"CASE WHEN {ferme} THEN CAST(2018 + hash(i, 6) % 6 AS VARCHAR) || '-06-30' END",
        "etatAdministratifEtablissement": f"CASE WHEN {ferme} THEN 'F' ELSE 'A' END",
        "activitePrincipaleEtablissement": nature_naf,
        "nomenclatureActivitePrincipaleEtablissement": "'NAFRev2'",
        "caractereEmployeurEtablissement": "'O'",
    }
    cols = ", ".join(f"{valeurs.get(c, 'NULL')}::VARCHAR AS {c}" for c in COLONNES_ETABLISSEMENT)
    con.execute(f"""CREATE OR REPLACE TEMP VIEW raw_national_etablissements AS
                    SELECT * FROM {etab_dep} UNION ALL BY NAME SELECT {cols} FROM _nat""")  # noqa: S608
    marque = "CASE WHEN nature = 'ess' OR hash(i, 7) % 100 < 2 THEN 'O' ELSE 'N' END"
    valeurs_ul = {
        "siren": valeurs["siren"], "statutDiffusionUniteLegale": "'O'",
        "etatAdministratifUniteLegale": "'A'", "categorieJuridiqueUniteLegale": nature_cat,
        "economieSocialeSolidaireUniteLegale": marque, "caractereEmployeurUniteLegale": "'O'",
        "denominationUniteLegale": "'Établissement fictif (démonstration)'",
    }
    cols_ul = ", ".join(f"{valeurs_ul.get(c, 'NULL')}::VARCHAR AS {c}" for c in COLONNES_UNITE_LEGALE)
    con.execute(f"""CREATE OR REPLACE TEMP VIEW raw_national_unites_legales AS
                    SELECT * FROM {ul_dep} UNION ALL BY NAME SELECT {cols_ul} FROM _nat""")  # noqa: S608


def supprimer(con: duckdb.DuckDBPyConnection) -> None:
    """Drop what `stock` created."""
    con.execute("DROP VIEW raw_national_etablissements; DROP VIEW raw_national_unites_legales; "
                "DROP TABLE _nat")
