"""`python -m ess <commande>`: commands of the read side (see ess/commandes/).

User errors (unknown territory, missing database, unavailable year...) are ValueError or
RuntimeError subclasses with a French message: printed on stderr, exit status 2.
"""

from __future__ import annotations

import argparse
import sys

from ess.codes_territoire import TerritoireInvalide
from ess.commandes import COMMANDES
from ess.db import BaseIndisponible
from ess.donnees_ouvertes import PublicationRefusee
from ess.donnees_ouvertes.versions import VersionInconnue
from ess.indicateurs import AnneeIndisponible

ERREURS_UTILISATEUR = (BaseIndisponible, TerritoireInvalide, AnneeIndisponible, PublicationRefusee,
                       VersionInconnue)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ess", description="Chiffres de l'ESS.")
    sous = parser.add_subparsers(dest="commande", required=True)
    for module in COMMANDES:
        module.ajouter(sous)
    for p in sous.choices.values():
        p.add_argument("--db", help="fichier DuckDB (défaut : $ESS_DB ou data/ess.duckdb)")
    args = parser.parse_args(argv)
    try:
        args.executer(args)
    except ERREURS_UTILISATEUR as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
