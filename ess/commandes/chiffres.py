"""`python -m ess chiffres --territoire T [--annee A] [--perimetre P] [--json]`."""

from __future__ import annotations

import json

from ess import format as fr
from ess.db import connecter
from ess.indicateurs import PERIMETRES, chiffres_cles


def ajouter(sous) -> None:
    p = sous.add_parser("chiffres", help="chiffres clés d'un territoire")
    p.add_argument("--territoire", required=True, help="ex. departement:31, epci:243100518")
    p.add_argument("--annee", type=int)
    p.add_argument("--perimetre", choices=PERIMETRES, default="statistique")
    p.add_argument("--json", action="store_true")
    p.set_defaults(executer=executer)


def _part(c: dict) -> str:
    if c["perimetre"] == "sirene":
        return "non disponible dans le périmètre SIRENE"
    return fr.pourcent(c["part_ess_emploi_prive"])


def texte(c: dict) -> str:
    lignes = [f"{c['nom']} — {c['annee']} (périmètre {c['perimetre']})",
              f"  Établissements employeurs de l'ESS : {fr.nombre(c['etablissements_employeurs_ess'])}",
              f"  Effectifs salariés de l'ESS : {fr.nombre(c['effectifs_ess'])}",
              f"  Part de l'ESS dans l'emploi privé : {_part(c)}"]
    if note := fr.note_fourchette(c.get("fourchette_effectifs_ess"),
                                  c.get("fourchette_part_ess_emploi_prive")):
        lignes.append(f"  {note}")
    if c["donnees_demo"]:
        lignes.append("  (Données de démonstration)")
    return "\n".join(lignes)


def executer(args) -> None:
    c = chiffres_cles(connecter(args.db), args.territoire, args.annee, args.perimetre)
    print(json.dumps(c, ensure_ascii=False, indent=2) if args.json else texte(c))
