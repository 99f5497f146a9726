"""`python -m ess donnees-ouvertes --out DIR [--annee A] [--version V]`: the published tables
as an open dataset (ess.donnees_ouvertes), a folder and its zip in DIR, validated by
frictionless before they are put in place; `--version`: the dataset of a kept version of the
database (`python -m etl historique`), as it was published."""

from __future__ import annotations

from pathlib import Path

from ess.db import chemin_base, connecter
from ess.donnees_ouvertes import controle, produire, versions


def ajouter(sous) -> None:
    p = sous.add_parser("donnees-ouvertes", help="jeu de données ouvertes (CSV, schémas, métadonnées "
                        "data.gouv.fr), dossier et zip validés")
    p.add_argument("--out", type=Path, required=True, help="dossier de sortie (créé au besoin)")
    p.add_argument("--annee", type=int, help="une seule année (défaut : toutes)")
    p.add_argument("--version", help="une version gardée de la base (python -m etl historique) : son jeu "
                   "tel que publié")
    p.set_defaults(executer=executer)


def executer(args) -> None:
    """User errors (PublicationRefusee, VersionInconnue…): French message, status 2 (ess/__main__.py)."""
    db = Path(args.db or chemin_base())
    if args.version and args.annee is None:
        lot = versions.lot(db, args.version)
    else:
        con = connecter(versions.base(db, args.version) if args.version else db)
        try:
            lot = produire(con, args.annee)
        finally:
            con.close()
    args.out.mkdir(parents=True, exist_ok=True)
    dossier, archive = lot.ecrire(args.out, verifier=controle.valider)
    print(dossier)
    print(archive)
    print(f"Validation frictionless : valide ({len(lot.fichiers)} fichiers).")
