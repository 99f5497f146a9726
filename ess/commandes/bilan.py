"""`python -m ess bilan --annee YYYY --format pdf|docx|xlsx --out DIR`: the "Rapport de bilan"
(1st plan synthesis up to that year, breakdowns, charts, tracking of the 2025-2028 plan)."""

from __future__ import annotations

import sys
from pathlib import Path

from ess.bilan import calculs, rapport
from ess.db import chemin_suivi, connecter
from ess.suivi import store


def ajouter(sous) -> None:
    p = sous.add_parser("bilan", help="rapport de bilan du plan ESS (PDF, DOCX ou XLSX)")
    p.add_argument("--annee", type=int, required=True, help="année du bilan (ex. 2025)")
    p.add_argument("--format", choices=sorted(rapport.FORMATS), default="pdf")
    p.add_argument("--out", type=Path, default=Path("."), help="dossier de sortie")
    p.add_argument("--suivi", type=Path, help="base de suivi (défaut : $ESS_SUIVI_DB ou data/suivi.sqlite)")
    p.set_defaults(executer=executer)


def executer(args) -> None:
    con = connecter(args.db)
    annees = calculs.annees(con)
    if args.annee not in annees:
        print(f"Erreur : année {args.annee} absente du registre (années : "
              f"{annees[0]} à {annees[-1]})." if annees else "Erreur : registre des projets vide.",
              file=sys.stderr)
        raise SystemExit(2)
    try:
        args.out.mkdir(parents=True, exist_ok=True)
        with store.ouvrir(args.suivi or chemin_suivi()) as con_suivi:
            r = rapport.construire(con, con_suivi, args.annee)
        chemin = args.out / r.nom_fichier(args.format)
        chemin.write_bytes(rapport.ecrire(r, args.format))
    except OSError as exc:
        print(f"Erreur : écriture impossible ({exc.strerror or exc}) : {exc.filename or args.out}",
              file=sys.stderr)
        raise SystemExit(2) from exc
    print(chemin)
