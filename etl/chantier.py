"""Preview, then publish: a new database is first built beside the one in service (the
candidate), compared with it on the page « Données », and only then swapped in.

`python -m etl apercu [--projets F] [--flores F] … --par NOM` builds the candidate: the files
given replace the sources in service, the others are the ones the serving database was built
from (its `chemin_*` build_info keys). A register alone is a partial update (the serving
database with a new `projets` table, in a second); anything else is a full build.
`python -m etl publier --par NOM` swaps the candidate in (kept in the history, journaled).

State, read by the page (ess/donnees.py) without importing this module, in `chantier/` next
to the database:
- `etat.json`: id, statut (en_cours | pret | echec | publie), par, debut, fin, pid, etape,
  etapes (steps started), etapes_prevues, message, candidat, base (sha256 of the serving file
  the candidate was built against), changements {source: file}, mode (partiel | complet),
  duree_s, audit.
- `verrou`: created exclusively for a build's whole run, holds the builder's pid; one build at
  a time. A builder that died leaves its pid behind: the lock is then stale and taken over.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from etl import contrats, historique
from etl.build import ERREURS_UTILISATEUR, BuildError, construire, perimetre_de
from etl.sources.chargement import OPTIONS, Fichiers, charger_projets
from etl.sources.fichiers import empreinte as empreinte_fichier
from geo.perimetre import depuis_territoire

# The steps of a full build as Progression reports them (the bar's denominator).
ETAPES_COMPLETES = 11
PARTIELLES = {"projets"}  # sources that feed only their own mart


class ChantierOccupe(RuntimeError):
    """Another build is running; the message names who started it and when."""


class PublicationImpossible(RuntimeError):
    pass


def dossier(db: Path) -> Path:
    return Path(db).parent / "chantier"


def _maintenant() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def lire_etat(db: Path) -> dict | None:
    try:
        return json.loads((dossier(db) / "etat.json").read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def _ecrire_etat(db: Path, etat: dict) -> None:
    d = dossier(db)
    d.mkdir(parents=True, exist_ok=True)
    tmp = d / f".etat.{os.getpid()}.json"
    tmp.write_text(json.dumps(etat, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, d / "etat.json")  # the page never reads half a file


def vivant(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def _prendre_verrou(db: Path) -> None:
    d = dossier(db)
    d.mkdir(parents=True, exist_ok=True)
    verrou = d / "verrou"
    for _ in range(2):
        try:
            fd = os.open(verrou, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            try:
                pid = int(verrou.read_text() or 0)
            except (OSError, ValueError):
                pid = 0
            if pid and vivant(pid):
                etat = lire_etat(db) or {}
                qui = etat.get("par", "un autre membre du SIES")
                raise ChantierOccupe(
                    f"Une construction est déjà en cours (lancée par {qui} à {_heure(etat.get('debut'))}). "
                    "Attendez qu'elle se termine : son aperçu s'affichera ici."
                ) from None
            verrou.unlink(missing_ok=True)  # its builder died: the lock is stale
            continue
        with os.fdopen(fd, "w") as f:
            f.write(str(os.getpid()))
        return
    raise ChantierOccupe("Le verrou de construction n'a pas pu être pris ; réessayez.")


def _rendre_verrou(db: Path) -> None:
    (dossier(db) / "verrou").unlink(missing_ok=True)


def _heure(iso: str | None) -> str:
    if not iso:
        return "?"
    from zoneinfo import ZoneInfo

    return f"{datetime.fromisoformat(iso).astimezone(ZoneInfo('Europe/Paris')):%H h %M}"


def empreinte(path: Path) -> str | None:
    return historique._empreinte(Path(path)) if Path(path).exists() else None


def en_service(db: Path) -> tuple[dict[str, Path], str]:
    """The files the serving database was built from, and its perimeter (« departement:31 »)."""
    if not Path(db).exists():
        return {}, "departement:31"
    con = duckdb.connect(str(db), read_only=True)
    try:
        info = dict(con.execute("SELECT cle, valeur FROM build_info").fetchall())
    finally:
        con.close()
    fichiers = {o: Path(info[f"chemin_{o}"]) for o in OPTIONS if info.get(f"chemin_{o}")}
    return fichiers, perimetre_de(info)


def preparer(db: Path, changements: dict[str, Path], par: str) -> dict:
    """Build the candidate for these changes; returns the final state (statut pret or echec).
    Raises ChantierOccupe when another build runs."""
    db = Path(db)
    _prendre_verrou(db)
    ident = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    candidat = dossier(db) / f"candidat-{ident}.duckdb"
    serveur, perimetre = en_service(db)
    partiel = bool(changements) and set(changements) <= PARTIELLES and db.exists()
    etat = {"id": ident, "statut": "en_cours", "par": par, "debut": _maintenant(), "pid": os.getpid(),
            "etape": "lecture des fichiers", "etapes": 0,
            "etapes_prevues": 2 if partiel else ETAPES_COMPLETES, "mode": "partiel" if partiel else "complet",
            "changements": {o: str(p) for o, p in changements.items()},
            "base": empreinte(db), "candidat": str(candidat), "message": ""}
    _ecrire_etat(db, etat)
    for ancien in dossier(db).glob("candidat-*.duckdb"):  # one candidate at a time
        ancien.unlink(missing_ok=True)
    t = time.perf_counter()

    def suivre(libelle: str) -> None:
        etat.update(etape=libelle, etapes=etat["etapes"] + 1)
        _ecrire_etat(db, etat)

    try:
        if partiel:
            info = _registre(db, candidat, changements["projets"], suivre)
        else:
            fichiers = Fichiers(**{**serveur, **changements})
            info = construire(candidat, depuis_territoire(perimetre), afficher=lambda _m: None,
                              fichiers=fichiers, garder=False, reference_retrait=db, suivre=suivre)
        etat.update(statut="pret", audit=info.get("secret_audit", ""))
    except (*ERREURS_UTILISATEUR, duckdb.Error, OSError) as exc:  # and the files around the database
        candidat.unlink(missing_ok=True)
        etat.update(statut="echec", message=str(exc))
    except Exception as exc:  # a defect, not the file: still a French message on the page
        candidat.unlink(missing_ok=True)
        etat.update(statut="echec", message=f"erreur inattendue de la construction ({type(exc).__name__} : "
                                            f"{exc}) : à signaler à l'administrateur du tableau de bord.")
    finally:
        etat.update(fin=_maintenant(), duree_s=round(time.perf_counter() - t, 1))
        _ecrire_etat(db, etat)
        _rendre_verrou(db)
    return etat


def _registre(db: Path, candidat: Path, projets: Path, suivre) -> dict:
    """The serving database with the register replaced: projets feeds no other mart."""
    tmp = candidat.with_name(f".{candidat.name}.tmp")
    shutil.copyfile(db, tmp)
    try:
        suivre("registre des projets")
        con = duckdb.connect(str(tmp))
        try:
            communes = {c for (c,) in con.execute("SELECT commune FROM communes").fetchall()}
            ligne = charger_projets(con, Path(projets), communes)
            # the code of the département (or région) the database was built for
            (departement,) = con.execute("SELECT departement FROM sources LIMIT 1").fetchone()
            con.execute("DELETE FROM sources WHERE source = 'projets'")
            con.execute("INSERT INTO sources BY NAME SELECT ? AS source, ? AS description, ? AS millesime, "
                        "false AS demo, ? AS departement",
                        [ligne["source"], ligne["description"], ligne["millesime"], departement])
            suivre("contrôles")
            maj = {"fichier_projets": empreinte_fichier(Path(projets)).texte(),
                   "chemin_projets": str(Path(projets).resolve()),
                   "lignes_projets": str(con.execute("SELECT count(*) FROM projets").fetchone()[0]),
                   "date_construction": _maintenant()}
            for cle, valeur in maj.items():
                con.execute("DELETE FROM build_info WHERE cle = ?", [cle])
                con.execute("INSERT INTO build_info VALUES (?, ?)", [cle, valeur])
            if erreurs := contrats.verifier(con):
                raise BuildError("Contrôles de la base en échec :\n- " + "\n- ".join(erreurs))
            info = dict(con.execute("SELECT cle, valeur FROM build_info").fetchall())
        finally:
            con.close()
        os.replace(tmp, candidat)
        return info
    finally:
        tmp.unlink(missing_ok=True)


def publier(db: Path, par: str) -> dict:
    """Swap the ready candidate in, if the serving database is still the one it was compared
    with; kept in the history and journaled. Returns the state (statut publie)."""
    db = Path(db)
    _prendre_verrou(db)
    try:
        etat = lire_etat(db)
        if not etat or etat.get("statut") != "pret" or not Path(etat["candidat"]).exists():
            raise PublicationImpossible("Aucun aperçu prêt à publier : préparez d'abord un aperçu.")
        if etat["base"] != empreinte(db):
            raise PublicationImpossible(
                "La base en service a changé depuis cet aperçu (publication ou retour arrière d'un "
                "autre membre du SIES) : préparez un nouvel aperçu.")
        candidat = Path(etat["candidat"])
        os.utime(candidat)  # a new modification time: every session reads the new file
        # The serving file is kept first when it is not yet (built before the history): the
        # publication can then be undone.
        avant = historique.courante(db) or historique.archiver(db, db)
        version = historique.archiver(candidat, db, par=par)
        os.replace(candidat, db)  # atomic: readers see the old file or the new one
        historique.journaliser(db, "publication", version, par, avant)
        etat.update(statut="publie", version=version, publie_le=_maintenant(), publie_par=par)
        _ecrire_etat(db, etat)
        return etat
    finally:
        _rendre_verrou(db)
