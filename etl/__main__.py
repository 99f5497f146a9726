"""`python -m etl build [--db PATH] [--departement 31]`."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from etl.build import BuildError, construire
from geo.reference import TerritoireInconnu

DB_DEFAUT = Path("data/ess.duckdb")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m etl", description="Construction de la base ESS.")
    sous = parser.add_subparsers(dest="commande", required=True)
    build = sous.add_parser("build", help="construit la base DuckDB (démonstration sans source)")
    build.add_argument("--db", type=Path, default=DB_DEFAUT, help="fichier DuckDB à produire")
    build.add_argument("--departement", default="31", help="code du département (défaut : 31)")
    args = parser.parse_args(argv)

    debut = time.perf_counter()
    print(f"Construction de {args.db} (département {args.departement}, données de démonstration)")
    try:
        info = construire(args.db, args.departement)
    except (BuildError, TerritoireInconnu) as exc:
        print(f"Erreur : {exc}\nLa base existante n'a pas été modifiée.", file=sys.stderr)
        return 2
    print(f"Base construite en {time.perf_counter() - debut:.1f} s : "
          f"{info['lignes_etablissements']} établissements, {info['lignes_emploi']} cellules d'emploi.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
