"""`python -m ess fiche --territoire T --format xlsx|csv|pdf --out DIR` writes one "Data ESS"
extract; `--tous communes|epci|petr` writes one per territory of the level, with a progress
bar (tqdm) and a summary. Every file written is logged in the extract journal."""

from __future__ import annotations

import getpass
import importlib
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from tqdm import tqdm

from ess import journal
from ess.db import ConnexionMemoire, connecter
from ess.fiche import PERIMETRES, UNITES, fiche, fichiers
from ess.format import nombre

NIVEAUX_LOT = {"communes": "commune", "epci": "epci", "petr": "petr"}
# tqdm's bar in French: no « it/s » nor decimal point
BARRE = "{desc} : {percentage:.0f} % |{bar}| {n_fmt} sur {total_fmt} [écoulé {elapsed}, reste {remaining}]"
TERRITOIRES_DU_NIVEAU = "SELECT territoire FROM territoires WHERE niveau = ? ORDER BY territoire"


def ajouter(sous) -> None:
    p = sous.add_parser("fiche", help="fiche « Data ESS » d'un territoire (xlsx, csv, pdf)")
    cible = p.add_mutually_exclusive_group(required=True)
    cible.add_argument("--territoire", help="ex. commune:31555, epci:243100518, communes:31001,31002")
    cible.add_argument("--tous", choices=list(NIVEAUX_LOT), help="une fiche par territoire du niveau")
    p.add_argument("--format", action="append", choices=list(fichiers.FORMATS), dest="formats",
                   help="xlsx, csv ou pdf (répétable ; défaut : xlsx)")
    p.add_argument("--out", type=Path, default=Path("."), help="dossier de sortie (créé au besoin)")
    p.add_argument("--annee", type=int)
    p.add_argument("--perimetre", choices=list(PERIMETRES), default="statistique")
    p.add_argument("--unite", choices=list(UNITES), default="etablissements")
    p.add_argument("--demandeur", help="qui demande l'extraction (journal ; défaut : l'utilisateur)")
    p.add_argument("--processus", type=int, default=min(4, os.cpu_count() or 1),
                   help="processus parallèles pour --tous (défaut : nombre de cœurs, 4 au plus)")
    p.set_defaults(executer=executer)


def ecrire(con, code: str, formats: list[str], dossier: Path, options: dict, cache: dict | None = None,
           demandeur: str = "", origine: str = "ligne de commande") -> list[Path]:
    f = fiche(con, code, options.get("annee"), options.get("perimetre", "statistique"),
              options.get("unite", "etablissements"), cache=cache)
    chemins = []
    for fmt in formats:
        chemin = dossier / fichiers.nom(f, fmt)
        chemin.write_bytes(fichiers.generer(f, fmt, con))
        journal.consigner(f.territoire.code, f.territoire.nom, f.annee, fmt, demandeur, origine)
        chemins.append(chemin)
    return chemins


_TRAVAIL: dict = {}  # per worker process: its own read-only connection and comparison cache


def _initialiser(db) -> None:
    con = connecter(db)
    con.execute("SET threads = 1")  # one worker per core already: DuckDB's own threads only wait
    _TRAVAIL.update(con=ConnexionMemoire(con), cache={})


def _travailler(code: str, formats: list[str], dossier: Path, options: dict):
    """One fiche in a worker: (code, name, year, formats written, error)."""
    con, cache = _TRAVAIL["con"], _TRAVAIL["cache"]
    try:
        f = fiche(con, code, options.get("annee"), options.get("perimetre", "statistique"),
                  options.get("unite", "etablissements"), cache=cache)
        for fmt in formats:
            (dossier / fichiers.nom(f, fmt)).write_bytes(fichiers.generer(f, fmt, con))
        return code, f.territoire.nom, f.annee, formats, None
    except (ValueError, OSError) as exc:  # one bad territory does not stop the batch
        return code, code, None, [], str(exc)


def _arreter(message: str) -> None:
    """A user error the shared entry point does not know: French message, status 2."""
    print(f"Erreur : {message}", file=sys.stderr)
    raise SystemExit(2)


def _dossier(out: Path) -> Path:
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        _arreter(f"dossier de sortie impossible à créer : {out} ({exc.strerror}).")
    return out


def executer(args) -> None:
    con = connecter(args.db)
    formats = list(dict.fromkeys(args.formats or ["xlsx"]))
    dossier = _dossier(args.out)
    options = {"annee": args.annee, "perimetre": args.perimetre, "unite": args.unite}
    demandeur = args.demandeur or getpass.getuser()
    if args.territoire:
        try:
            chemins = ecrire(con, args.territoire, formats, dossier, options, demandeur=demandeur)
        except OSError as exc:
            _arreter(f"écriture impossible dans {dossier} ({exc.strerror}).")
        for chemin in chemins:
            print(chemin)
        return
    niveau = NIVEAUX_LOT[args.tous]
    codes = [c for (c,) in con.execute(TERRITOIRES_DU_NIVEAU, [niveau]).fetchall()]
    con.close()
    debut, ecrits, erreurs = time.perf_counter(), 0, []
    for fmt in formats:  # imported once here: the forked workers inherit the modules
        importlib.import_module(f"ess.document.rendu_{fmt}")
    # one process per core, each with its own connection; the journal is written here only
    with ProcessPoolExecutor(max(1, args.processus), initializer=_initialiser, initargs=(args.db,)) as pool:
        travaux = [pool.submit(_travailler, code, formats, dossier, options) for code in codes]
        for fait in tqdm(as_completed(travaux), total=len(travaux), desc=f"Fiches {args.tous}",
                         bar_format=BARRE, file=sys.stderr):
            code, nom, annee, ecrits_code, erreur = fait.result()
            if erreur:
                erreurs.append(f"{code} : {erreur}")
            for fmt in ecrits_code:
                journal.consigner(code, nom, annee, fmt, demandeur, "lot")
            ecrits += len(ecrits_code)
    duree = time.perf_counter() - debut
    print(f"{len(codes) - len(erreurs)} fiche(s) sur {len(codes)} ({', '.join(formats)}), "
          f"{ecrits} fichier(s) dans {dossier} en {nombre(duree, 1)} s.")
    for e in erreurs:
        print(f"  échec : {e}", file=sys.stderr)
    if erreurs:
        _arreter(f"{len(erreurs)} fiche(s) en échec.")
