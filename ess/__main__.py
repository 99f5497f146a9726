"""`python -m ess chiffres --territoire T [--annee A] [--perimetre P] --json`, `python -m ess plan --json`."""

from __future__ import annotations

import argparse
import json
import sys

from ess import format as fr
from ess.db import BaseIndisponible, connecter
from ess.indicateurs import AnneeIndisponible, chiffres_cles
from ess.plan import synthese_plan1
from ess.territoire import TerritoireInvalide


def _part(c: dict) -> str:
    if c["perimetre"] == "sirene":
        return "non disponible dans le périmètre SIRENE"
    return fr.pourcent(c["part_ess_emploi_prive"])


def _texte_chiffres(c: dict) -> str:
    lignes = [f"{c['nom']} — {c['annee']} (périmètre {c['perimetre']})",
              f"  Établissements employeurs de l'ESS : {fr.nombre(c['etablissements_employeurs_ess'])}",
              f"  Effectifs salariés de l'ESS : {fr.nombre(c['effectifs_ess'])}",
              f"  Part de l'ESS dans l'emploi privé : {_part(c)}"]
    if c["donnees_demo"]:
        lignes.append("  (Données de démonstration)")
    return "\n".join(lignes)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ess", description="Chiffres de l'ESS.")
    sous = parser.add_subparsers(dest="commande", required=True)
    ch = sous.add_parser("chiffres", help="chiffres clés d'un territoire")
    ch.add_argument("--territoire", required=True, help="ex. departement:31, epci:243100518")
    ch.add_argument("--annee", type=int)
    ch.add_argument("--perimetre", choices=["statistique", "sirene"], default="statistique")
    ch.add_argument("--json", action="store_true")
    pl = sous.add_parser("plan", help="synthèse du 1er plan (2020-2025)")
    pl.add_argument("--json", action="store_true")
    for p in (ch, pl):
        p.add_argument("--db", help="fichier DuckDB (défaut : $ESS_DB ou data/ess.duckdb)")
    args = parser.parse_args(argv)

    try:
        con = connecter(args.db)
        if args.commande == "chiffres":
            resultat = chiffres_cles(con, args.territoire, args.annee, args.perimetre)
            texte = _texte_chiffres(resultat)
        else:
            resultat = synthese_plan1(con)
            texte = "\n".join(f"{k} : {v}" for k, v in resultat.items())
    except (BaseIndisponible, TerritoireInvalide, AnneeIndisponible) as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 2
    print(json.dumps(resultat, ensure_ascii=False, indent=2) if args.json else texte)
    return 0


if __name__ == "__main__":
    sys.exit(main())
