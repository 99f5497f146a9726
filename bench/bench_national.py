"""Banc d'essai à l'échelle nationale : construction depuis des stocks SIRENE synthétiques.

Génère StockEtablissement / StockUniteLegale au format officiel (toutes les colonnes, codes en
texte), en Parquet et/ou CSV, écrits directement par DuckDB, puis mesure dans des processus
séparés (mémoire de pointe de chacun) :
  1. la construction (`etl.build.construire` avec ces fichiers ; sans cache du secret, son temps à part) ;
  2. la requête DuckDB nue que toute construction doit faire (filtre département + jointure),
     comptée (la référence de l'issue 26 : DuckDB n'y décode que les colonnes du filtre et de la
     jointure) puis matérialisée avec les colonnes que lit la construction (le plancher de toute
     construction qui garde ces lignes) ;
  3. la même chose en pandas (lecture, filtre, fusion).

    .venv/bin/python bench/bench_national.py                       # 42 M / 29 M lignes, Parquet
    .venv/bin/python bench/bench_national.py --etablissements 2000000 --format parquet csv
    .venv/bin/python bench/bench_national.py --etablissements 2000000 --abimees 0.001  # --tolerer-rejets
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
if str(RACINE) not in sys.path:  # bench/ n'est pas un paquet
    sys.path.insert(0, str(RACINE))

ESPACE = "\u202f"
PART_DEPARTEMENT = 0.012  # ~1,2 % des établissements français sont en Haute-Garonne
# Établissements employeurs (caractère employeur O, tranche d'effectifs renseignée) : quelques
# millions sur les quelque 40 M lignes du stock réel, ~9 % ici (62,5 % avant : une part irréaliste
# qui faisait choisir à l'ETL le mauvais côté de la jointure nationale ; --employeurs 0.625).
PART_EMPLOYEURS = 0.09


def fr(x: float, decimales: int = 1) -> str:
    return f"{x:,.{decimales}f}".replace(",", ESPACE).replace(".", ",")


def generer(dossier: Path, n_etab: int, n_ul: int, formats: list[str],
            abimees: float = 0, employeurs: float = PART_EMPLOYEURS) -> dict[str, tuple[Path, Path]]:
    import duckdb

    from etl.codes import COLONNES_ETABLISSEMENT, COLONNES_UNITE_LEGALE
    from geo.reference import communes_de_france

    c = communes_de_france()
    codes31 = list(c.loc[c["departement"] == "31", "commune"])
    valeurs_etab = {
        "siren": "lpad(((i * 7919) % $ul)::VARCHAR, 9, '0')",
        "nic": "lpad((i // $ul + 1)::VARCHAR, 5, '0')",
        "siret": "lpad(((i * 7919) % $ul)::VARCHAR, 9, '0') || lpad((i // $ul + 1)::VARCHAR, 5, '0')",
        "statutDiffusionEtablissement": "CASE WHEN i % 33 = 0 THEN 'P' ELSE 'O' END",
        "dateCreationEtablissement": "'2005-03-01'",
        # with --abimees, one line in 1/abimees carries an unknown band code (a bad line)
        "trancheEffectifsEtablissement": "CASE WHEN $pas > 0 AND i % $pas = 7 THEN '99' "
                                         "WHEN hash(i + 1) % 1000 >= $employeurs THEN 'NN' "
                                         "ELSE ['01', '02', '03', '11', '12'][i % 5 + 1] END",
        "anneeEffectifsEtablissement": "'2022'",
        "etablissementSiege": "CASE WHEN i < $ul THEN 'true' ELSE 'false' END",
        "libelleVoieEtablissement": "'RUE DES LILAS, BÂT. ' || (i % 9)::VARCHAR",
        "codePostalEtablissement": "'31000'",
        # ~1.2 % in Haute-Garonne (real commune codes), the rest in the other départements
        "codeCommuneEtablissement": "CASE WHEN hash(i) % 1000 < $part "
                                    "THEN $codes31[(hash(i) % $n31)::BIGINT + 1] "
                                    "ELSE lpad(((hash(i) % 94 + 31) % 95 + 1)::VARCHAR, 2, '0')"
                                    " || lpad((hash(i) % 900 + 1)::VARCHAR, 3, '0') END",
        "coordonneeLambertAbscisseEtablissement": "(570000 + i % 9000)::VARCHAR",
        "coordonneeLambertOrdonneeEtablissement": "(6270000 + i % 9000)::VARCHAR",
        "dateDebut": "'2019-01-01'",
        "etatAdministratifEtablissement": "CASE WHEN i % 3 = 0 THEN 'F' ELSE 'A' END",
        "denominationUsuelleEtablissement": "'Établissement ' || i::VARCHAR",
        "activitePrincipaleEtablissement": "['88.10A', '47.11B', '94.99Z', '62.01Z', '85.59A'][i % 5 + 1]",
        "nomenclatureActivitePrincipaleEtablissement":
            "CASE WHEN i % 50 = 0 THEN 'NAFRev1' ELSE 'NAFRev2' END",
        "caractereEmployeurEtablissement": "CASE WHEN hash(i + 1) % 1000 < $employeurs THEN 'O' ELSE 'N' END",
        "activitePrincipaleNAF25Etablissement": "'88.10A'",
    }
    valeurs_ul = {
        "siren": "lpad(i::VARCHAR, 9, '0')",
        "statutDiffusionUniteLegale": "'O'",
        "etatAdministratifUniteLegale": "'A'",
        "denominationUniteLegale": "'Unité légale ' || i::VARCHAR",
        "categorieJuridiqueUniteLegale": "['9220', '5710', '5499', '5458', '7220'][i % 5 + 1]",
        "economieSocialeSolidaireUniteLegale": "CASE WHEN i % 5 IN (0, 3) THEN 'O' ELSE 'N' END",
        "nicSiegeUniteLegale": "'00001'",
    }
    # generated constants only (numbers, digit strings): inlined, COPY takes no parameters
    params = {"$pas": str(round(1 / abimees) if abimees else 0), "$employeurs": str(round(employeurs * 1000)),
              "$ul": str(n_ul), "$part": str(int(PART_DEPARTEMENT * 1000)), "$n31": str(len(codes31)),
              "$codes31": "[" + ", ".join(f"'{c}'" for c in codes31) + "]"}

    def select(colonnes, valeurs, n):
        cols = ", ".join(f"{valeurs.get(c, 'NULL::VARCHAR')} AS {c}" for c in colonnes)
        for k in sorted(params, key=len, reverse=True):
            cols = cols.replace(k, params[k])
        return f"SELECT {cols} FROM range({n}) t(i)"  # noqa: S608

    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")
    out = {}
    for fmt in formats:
        options = "(FORMAT parquet, COMPRESSION zstd)" if fmt == "parquet" else "(FORMAT csv, HEADER)"
        ext = "parquet" if fmt == "parquet" else "csv"
        e, u = dossier / f"StockEtablissement_utf8.{ext}", dossier / f"StockUniteLegale_utf8.{ext}"
        t = time.perf_counter()
        con.execute(f"COPY ({select(COLONNES_ETABLISSEMENT, valeurs_etab, n_etab)}) TO '{e}' {options}")
        con.execute(f"COPY ({select(COLONNES_UNITE_LEGALE, valeurs_ul, n_ul)}) TO '{u}' {options}")
        print(f"Fichiers {fmt} générés en {fr(time.perf_counter() - t)} s : "
              f"{fr(e.stat().st_size / 1e6, 0)} Mo + {fr(u.stat().st_size / 1e6, 0)} Mo")
        out[fmt] = (e, u)
    con.close()
    return out


def mesurer(approche: str, etab: Path, ul: Path, dossier: Path) -> dict:
    """Run in a child process: one approach, its wall time and its own peak memory."""
    t = time.perf_counter()
    ecartees, secret = 0, 0.0
    if approche.startswith("construction"):
        # no kept protection: each run pays the secret (printed apart), as a first build does
        os.environ["ESS_CACHE_SECRET"] = ""
        from bench_region import duree_secret  # bench/ is the script's folder

        from etl.build import construire
        from etl.sources.chargement import Fichiers

        messages: list[str] = []
        info = construire(dossier / "ess.duckdb", "31", afficher=messages.append, force=True,
                          fichiers=Fichiers(sirene_etablissements=etab, sirene_unites_legales=ul),
                          tolerer_rejets=approche == "construction-tolerante")
        lignes = int(info["lignes_etablissements"])
        ecartees = int(info["lignes_rejets_lignes"])
        secret = duree_secret("\n".join(messages)) or 0.0
    elif approche == "duckdb":
        import duckdb

        lire = "read_parquet(?)" if etab.suffix == ".parquet" else "read_csv(?, all_varchar = true)"
        con = duckdb.connect()
        lignes = con.execute(f"""
            SELECT count(*) FROM (
                SELECT e.*, u.* FROM {lire} e JOIN {lire} u USING (siren)
                WHERE starts_with(e.codeCommuneEtablissement, '31'))""",  # noqa: S608
            [str(etab), str(ul)]).fetchall()[0][0]
    elif approche == "duckdb-lignes":
        import duckdb

        from etl.codes import COLONNES_ETABLISSEMENT, COLONNES_UNITE_LEGALE
        from etl.sources import sirene

        colonnes = ([f"e.{c}" for c in sirene._lues(COLONNES_ETABLISSEMENT, sirene.CONTROLES_ETABLISSEMENT)]
                    + [f"u.{c}" for c in sirene._lues(COLONNES_UNITE_LEGALE, sirene.CONTROLES_UNITE_LEGALE)
                       if c != "siren"])
        lire = "read_parquet(?)" if etab.suffix == ".parquet" else "read_csv(?, all_varchar = true)"
        con = duckdb.connect()
        con.execute(f"""
            CREATE TABLE lignes AS SELECT {", ".join(colonnes)} FROM {lire} e JOIN {lire} u USING (siren)
            WHERE starts_with(e.codeCommuneEtablissement, '31')""", [str(etab), str(ul)])  # noqa: S608
        lignes = con.execute("SELECT count(*) FROM lignes").fetchall()[0][0]
    else:
        import pandas as pd

        def lire(p):
            if p.suffix == ".parquet":
                return pd.read_parquet(p)
            return pd.read_csv(p, dtype=str, keep_default_na=False)

        e = lire(etab)
        e = e[e["codeCommuneEtablissement"].str.startswith("31")]
        lignes = len(e.merge(lire(ul), on="siren"))
    duree = time.perf_counter() - t
    pic = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    return {"approche": approche, "secondes": duree, "pic_mo": pic, "lignes": lignes, "ecartees": ecartees,
            "secret": secret}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--etablissements", type=int, default=42_000_000)
    p.add_argument("--unites", type=int, help="défaut : 29/42 des établissements")
    p.add_argument("--format", nargs="+", default=["parquet"], choices=["parquet", "csv"])
    p.add_argument("--sans-pandas", action="store_true", help="la version pandas ne tient pas en mémoire "
                   "à l'échelle nationale sur une petite machine")
    p.add_argument("--abimees", type=float, default=0, help="part de lignes en erreur (ex. 0.001) : "
                   "mesure aussi la construction avec --tolerer-rejets")
    p.add_argument("--employeurs", type=float, default=PART_EMPLOYEURS,
                   help="part d'établissements employeurs (défaut : %(default)s)")
    p.add_argument("--mesure", nargs=3, metavar=("APPROCHE", "ETAB", "UL"), help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.mesure:
        with tempfile.TemporaryDirectory() as d:
            print(json.dumps(mesurer(args.mesure[0], Path(args.mesure[1]), Path(args.mesure[2]), Path(d))))
        return
    n_ul = args.unites or args.etablissements * 29 // 42
    print(f"Banc national : {fr(args.etablissements, 0)} établissements dont "
          f"{fr(100 * args.employeurs, 1)} % employeurs, {fr(n_ul, 0)} unités légales")
    with tempfile.TemporaryDirectory(prefix="ess-national-") as d:
        fichiers = generer(Path(d), args.etablissements, n_ul, args.format, args.abimees, args.employeurs)
        for fmt, (e, u) in fichiers.items():
            approches = (["construction"] + (["construction-tolerante"] if args.abimees else [])
                         + ["duckdb", "duckdb-lignes"] + ([] if args.sans_pandas else ["pandas"]))
            res = {}
            for a in approches:
                r = subprocess.run([sys.executable, __file__, "--mesure", a, str(e), str(u)],
                                   capture_output=True, text=True, cwd=RACINE)
                if r.returncode:
                    print(f"  {fmt} / {a} : échec ({r.stderr.strip().splitlines()[-1][:200]})")
                    continue
                res[a] = json.loads(r.stdout.strip().splitlines()[-1])
                print(f"  {fmt} / {a:12s} : {fr(res[a]['secondes'])} s"
                      + (f" dont secret {fr(res[a]['secret'])} s" if res[a]["secret"] else "")
                      + f", pic mémoire {fr(res[a]['pic_mo'], 0)} Mo, {fr(res[a]['lignes'], 0)} lignes"
                      + (f", {fr(res[a]['ecartees'], 0)} lignes écartées" if res[a]["ecartees"] else ""))
            base = res.get("duckdb")
            if base:
                for a in ("construction", "construction-tolerante", "pandas"):
                    if a in res:
                        sans = (res[a]["secondes"] - res[a]["secret"]) / base["secondes"]
                        hors_secret = f", {fr(sans, 2)} × hors secret" if res[a]["secret"] else ""
                        print(f"  {fmt} : {a} / DuckDB nu = {fr(res[a]['secondes'] / base['secondes'], 2)} × "
                              f"(temps{hors_secret}), {fr(res[a]['pic_mo'] / base['pic_mo'], 2)} × (mémoire)")
                        if a.startswith("construction") and "duckdb-lignes" in res:
                            print(f"  {fmt} : {a} / jointure matérialisée = "
                                  f"{fr(res[a]['secondes'] / res['duckdb-lignes']['secondes'], 2)} × (temps)")


if __name__ == "__main__":
    main()
