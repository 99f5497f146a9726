"""`python -m etl build [--db PATH] [--departement 31] [--sirene-etablissements F] ...`."""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from data import DATA
from ess.format import nombre
from etl import historique
from etl.build import ERREURS_UTILISATEUR, construire, perimetre_de
from etl.sources.chargement import Fichiers
from geo import perimetre as perimetres

DB_DEFAUT = DATA / "ess.duckdb"  # where the read side looks by default (ess/db.py)
OPTIONS_FICHIERS = {
    "sirene_etablissements": "stock SIRENE des établissements (StockEtablissement : csv, zip ou parquet)",
    "sirene_unites_legales": "stock SIRENE des unités légales (StockUniteLegale : csv, zip ou parquet)",
    "flores": "emploi salarié au format FLORES (csv ; , ou tabulation, UTF-8 ou Latin-1)",
    "projets": "registre des projets du 1er plan (xlsx ou csv)",
    "densite": "grille communale de densité INSEE (xlsx, feuille « Maille communale »)",
    "qpv": "liste des quartiers prioritaires (csv, colonnes code_qp, insee_com)",
    "massifs": "communes de massif ANCT (xls, xlsx ou csv, colonnes CODGEO, MASSIF)",
    "population": "population municipale INSEE par commune (csv)",
    "petr": "PETR des EPCI du département (csv, colonnes petr, nom, epci ; défaut : data/petr.csv, "
            "livré avec l'outil)",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m etl", description="Construction de la base ESS.")
    sous = parser.add_subparsers(dest="commande", required=True)
    build = sous.add_parser("build", help="construit la base DuckDB (démonstration sans source)")
    build.add_argument("--db", type=Path, default=DB_DEFAUT, help="fichier DuckDB à produire")
    quoi = build.add_mutually_exclusive_group()
    quoi.add_argument("--departement", default="31", help="code du département (défaut : 31)")
    quoi.add_argument("--region", help="code INSEE de la région (ex. 76) : ses départements dans une base")
    for option, aide in OPTIONS_FICHIERS.items():
        build.add_argument(f"--{option.replace('_', '-')}", dest=option, type=Path, metavar="F", help=aide)
    build.add_argument("--tolerer-rejets", action="store_true",
                       help="écarter les lignes en erreur (code inconnu, valeur invalide, doublon…) "
                            "au lieu de refuser le fichier ; chacune est listée avec sa ligne et son motif")
    build.add_argument("--graine", type=int, metavar="N",
                       help="démonstration : autre tirage des données fictives (même calage)")
    build.add_argument("--force", action="store_true",
                       help="accepter une baisse de plus de 2 %% des lignes par rapport à la base précédente")
    audit = sous.add_parser(
        "audit-secret", help="joue l'attaquant contre la base construite : test de rang et "
        "bornes par programmation linéaire de chaque cellule sensible")
    audit.add_argument("--db", type=Path, default=DB_DEFAUT,
                       help="base à auditer (avec les fichiers de sa construction, sauf ceux donnés)")
    audit.add_argument("--departement", help="code du département (défaut : celui de la base)")
    audit.add_argument("--region", help="code de la région (défaut : celle de la base)")
    audit.add_argument("--annee", type=int, action="append",
                       help="année à auditer (répétable ; défaut : toutes)")
    audit.add_argument("--graine", type=int, metavar="N",
                       help="démonstration : le tirage de la construction (python -m etl build "
                            "--graine ; défaut : celui que la base a gardé)")
    for option, aide in OPTIONS_FICHIERS.items():
        audit.add_argument(f"--{option.replace('_', '-')}", dest=option, type=Path, metavar="F",
                           help=f"{aide} (les mêmes fichiers que la construction)")
    hist = sous.add_parser("historique", help="les dernières bases construites, gardées pour y revenir")
    hist.add_argument("--db", type=Path, default=DB_DEFAUT)
    rest = sous.add_parser("restaurer", help="remet en service une version gardée (python -m etl historique)")
    rest.add_argument("version", help="la version, telle que la liste « historique »")
    rest.add_argument("--db", type=Path, default=DB_DEFAUT)
    rest.add_argument("--par", help="qui revient en arrière (journal ; défaut : l'utilisateur système)")
    apercu = sous.add_parser(
        "apercu", help="construit à côté de la base en service une base candidate où les fichiers "
        "donnés remplacent les sources en service (page « Données ») ; rien n'est publié")
    apercu.add_argument("--db", type=Path, default=DB_DEFAUT, help="la base en service")
    apercu.add_argument("--par", help="qui prépare l'aperçu (défaut : l'utilisateur système)")
    for option, aide in OPTIONS_FICHIERS.items():
        apercu.add_argument(f"--{option.replace('_', '-')}", dest=option, type=Path, metavar="F", help=aide)
    pub = sous.add_parser("publier", help="met en service la base candidate de « apercu », gardée dans "
                          "l'historique")
    pub.add_argument("--db", type=Path, default=DB_DEFAUT)
    pub.add_argument("--par", help="qui publie (journal ; défaut : l'utilisateur système)")
    args = parser.parse_args(argv)
    if args.commande == "historique":
        return _historique(args.db)
    if args.commande in ("apercu", "publier"):
        return _chantier(args)
    if args.commande == "restaurer":
        try:
            historique.restaurer(args.db, args.version, args.par)
        except historique.VersionInconnue as exc:
            print(f"Erreur : {exc}", file=sys.stderr)
            return 2
        print(f"Version {args.version} remise en service dans {args.db} (journal : "
              f"{historique.dossier(args.db) / 'journal.jsonl'}).")
        return 0

    fichiers = Fichiers(**{o: getattr(args, o) for o in OPTIONS_FICHIERS})
    if args.commande == "audit-secret":
        return _audit(args, fichiers)
    origine = "fichiers officiels" if fichiers.reels() else "données de démonstration"
    quoi = f"région {args.region}" if args.region else f"département {args.departement}"
    print(f"Construction de {args.db} ({quoi}, {origine})", flush=True)
    debut = time.perf_counter()
    try:
        perimetre = (perimetres.region(args.region) if args.region else
                     perimetres.departement(args.departement))
        info = construire(args.db, perimetre, afficher=lambda m: print(m, flush=True),
                          fichiers=fichiers, force=args.force, tolerer_rejets=args.tolerer_rejets,
                          graine=args.graine)
    except ERREURS_UTILISATEUR as exc:
        print(f"Erreur : {exc}\nLa base existante n'a pas été modifiée.", file=sys.stderr)
        return 2
    print(f"Base construite en {nombre(time.perf_counter() - debut, 1)} s : "
          f"{nombre(int(info['lignes_etablissements']))} établissements, "
          f"{nombre(int(info['lignes_emploi']))} cellules d'emploi, "
          f"emploi : {info.get('emploi', 'FLORES (démonstration)')}.")
    ecartees = int(info.get("lignes_rejets_lignes", 0))
    if ecartees:
        print(f"Lignes écartées (--tolerer-rejets) : {nombre(ecartees)}, chacune avec sa ligne et son motif "
              "(page « Sources et méthodes », table rejets_lignes).")
    if int(info.get("lignes_rejets", 0)):
        print(f"Rapport de construction : {info['lignes_rejets']} motif(s) de lignes écartées ou "
              "incomplètes (page « Sources et méthodes », table rejets).")
    return 0


def _historique(db: Path) -> int:
    versions = historique.versions(db)
    if not versions:
        print(f"Aucune version gardée pour {db}.")
        return 0
    courante = historique.courante(db)
    total = sum(v["octets"] for v in versions)
    print(f"Versions gardées de {db} ({len(versions)}, {nombre(total / 1e6, 1)} Mo) :")
    for v in versions:
        quand = datetime.fromisoformat(v["construite_le"]).astimezone(ZoneInfo("Europe/Paris"))
        fichiers = ", ".join(f"{k} : {t}" for k, t in v["fichiers"].items()) or "données de démonstration"
        marque = "  (en service)" if v["version"] == courante else ""
        print(f"- {v['version']}{marque} : construite le {quand:%d/%m/%Y à %H h %M} par {v['par']}, "
              f"audit du secret {v['audit_secret'] or 'non renseigné'}, {nombre(v['octets'] / 1e6, 1)} Mo ; "
              f"{fichiers}")
    return 0


def _chantier(args) -> int:
    from etl import chantier

    par = args.par or historique.auteur()
    try:
        if args.commande == "publier":
            etat = chantier.publier(args.db, par)
            print(f"Version {etat['version']} publiée dans {args.db}.")
            return 0
        changements = {o: p for o in OPTIONS_FICHIERS if (p := getattr(args, o)) is not None}
        etat = chantier.preparer(args.db, changements, par)
    except (chantier.ChantierOccupe, chantier.PublicationImpossible) as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 2
    if etat["statut"] != "pret":
        print(f"Erreur : {etat['message']}\nLa base en service n'a pas été modifiée.", file=sys.stderr)
        return 2
    print(f"Aperçu prêt en {etat['duree_s']} s ({etat['mode']}) : {etat['candidat']} ; "
          "publiez-le avec « python -m etl publier ».")
    return 0


def _audit(args, fichiers: Fichiers) -> int:
    from etl.audit_secret import auditer_base
    from etl.secret.tableau import exigences_en_clair

    if not args.db.exists():
        print(f"Erreur : base introuvable : {args.db}", file=sys.stderr)
        return 2
    print(f"Audit du secret statistique de {args.db} (attaquant : tout ce que la base publie)", flush=True)
    try:
        # the files and the draw the database was built from, unless said otherwise
        with duckdb.connect(str(args.db), read_only=True) as con:
            info = dict(con.execute("SELECT cle, valeur FROM build_info").fetchall())
        graine = args.graine if args.graine is not None else info.get("graine_demo")
        gardes = {o: Path(p) for o in OPTIONS_FICHIERS
                  if getattr(fichiers, o) is None and (p := info.get(f"chemin_{o}")) and Path(p).exists()}
        fichiers = dataclasses.replace(fichiers, **gardes)
        perimetre = (perimetres.region(args.region) if args.region else
                     perimetres.departement(args.departement) if args.departement else
                     perimetres.depuis_territoire(perimetre_de(info)))
        sur = auditer_base(args.db, fichiers, perimetre, args.annee,
                           afficher=lambda m: print(m, flush=True),
                           graine=None if graine is None else int(graine))
    except (*ERREURS_UTILISATEUR, duckdb.Error) as exc:  # the database audited may be unreadable
        print(f"Erreur : {exc}", file=sys.stderr)
        return 2
    print(f"Audit réussi : {exigences_en_clair()}." if sur else "Audit en échec : voir ci-dessus.")
    return 0 if sur else 3


if __name__ == "__main__":
    sys.exit(main())
