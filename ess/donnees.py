"""The page « Données » without Streamlit: which files the database in service comes from,
the build under way (its state file), the kept versions, disk use; and the actions.

Every write goes through the `python -m etl` command line in its own process (the read side
never imports etl/ and never writes the database): `apercu` builds a candidate in the
background, `publier` swaps it in, `restaurer` goes back to a kept version. The state files
are the ones etl/chantier.py and etl/historique.py write (their docstrings hold the format).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from ess import format as fr
from ess.db import chemin_base
from ess.donnees_ouvertes import PublicationRefusee
from ess.donnees_ouvertes import versions as versions_ouvertes
from ess.provenance import LIBELLES_SOURCES, millesime

RACINE = Path(__file__).resolve().parent.parent

# The sources the build knows: option of `python -m etl`, label, accepted extensions.
SOURCES = {
    "projets": ("Registre des projets du 1er plan (SIES)", ("xlsx", "csv")),
    "flores": ("Emploi salarié, format FLORES (INSEE)", ("csv", "txt", "zip")),
    "sirene_etablissements": ("SIRENE : stock des établissements", ("csv", "zip", "parquet")),
    "sirene_unites_legales": ("SIRENE : stock des unités légales", ("csv", "zip", "parquet")),
    "densite": ("Grille communale de densité (INSEE)", ("xlsx",)),
    "population": ("Population municipale (INSEE)", ("csv", "xlsx")),
    "qpv": ("Quartiers prioritaires de la politique de la ville", ("csv",)),
    "massifs": ("Communes de massif (ANCT)", ("xls", "xlsx", "csv")),
    "petr": ("PETR des EPCI (petr, nom, epci)", ("csv",)),
}
# A national SIRENE stock is several GB: it is placed in the server folder, not uploaded.
TAILLE_TELEVERSEMENT_MO = 200


@dataclass(frozen=True)
class Fichier:
    chemin: Path
    octets: int
    modifie_le: datetime


def dossier_entrees() -> Path:
    """Where source files live on the server: $ESS_ENTREES, else data/entrees/ next to the
    database. Staff (or IT) drop large files there; uploads are kept in its televersements/."""
    return Path(os.environ.get("ESS_ENTREES") or chemin_base().parent / "entrees")


def fichiers_serveur() -> list[Fichier]:
    """Files placed in the server folder (uploads excluded), newest first."""
    d = dossier_entrees()
    if not d.exists():
        return []
    vus = [p for p in d.iterdir() if p.is_file() and not p.name.startswith(".")]
    return sorted((Fichier(p, p.stat().st_size, datetime.fromtimestamp(p.stat().st_mtime, UTC)) for p in vus),
                  key=lambda f: f.modifie_le, reverse=True)


def deposer(nom: str, contenu: bytes) -> Path:
    """Keep an uploaded file, under its own name (the readers' messages name it), in a folder
    of its own (date, hash) so that it never overwrites another: a kept version stays
    rebuildable from the files it names."""
    propre = re.sub(r"[^\w.\-]+", "_", Path(nom).name).strip("._") or "fichier"
    envoi = f"{datetime.now(UTC):%Y%m%d-%H%M%S}-{hashlib.sha256(contenu).hexdigest()[:8]}"
    d = dossier_entrees() / "televersements" / envoi
    d.mkdir(parents=True, exist_ok=True)
    cible = d / propre
    tmp = cible.with_name(f".{cible.name}.part")
    tmp.write_bytes(contenu)
    os.replace(tmp, cible)
    return cible


SOURCES_EN_SERVICE = "SELECT source, description, millesime FROM sources ORDER BY source"
REGISTRE = "SELECT * FROM projets ORDER BY id_projet"


def sources_en_service(con) -> pd.DataFrame:
    """The provenance of the database in service, sources named in French."""
    df = con.execute(SOURCES_EN_SERVICE).df()
    return pd.DataFrame({"Source": df["source"].map(LIBELLES_SOURCES).fillna(df["source"]),
                         "Description": df["description"], "Millésime": df["millesime"].map(millesime)})


def registre_en_service(con) -> pd.DataFrame:
    """The register in service, in the columns the register reader accepts back."""
    return con.execute(REGISTRE).df()


def verifier(changements: dict[str, Path], info: dict[str, str]) -> str | None:
    """A French message when the files chosen cannot make a build (before launching one);
    `info`: the serving database's build_info, which names the files in service."""
    sirene = {"sirene_etablissements", "sirene_unites_legales"}
    presents = set(changements) | {o for o in sirene if info.get(f"chemin_{o}")}
    if len(presents & sirene) == 1:
        return ("SIRENE : chargez ensemble le stock des établissements et celui des unités légales "
                "(les deux fichiers du même millésime).")
    return None


def _lire_json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def _vivant(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def etat(db: Path | None = None) -> dict | None:
    """The last build's state; a build whose process died is reported as failed."""
    db = Path(db or chemin_base())
    e = _lire_json(db.parent / "chantier" / "etat.json")
    if e and e.get("statut") == "en_cours" and not _vivant(int(e.get("pid", 0))):
        e = {**e, "statut": "echec", "interrompu": True,
             "message": "La construction s'est arrêtée avant la fin (processus interrompu). "
                        "La base en service n'a pas changé ; vous pouvez relancer l'aperçu."}
    return e


def signature(e: dict | None) -> tuple:
    """What the page drew: it redraws when this changes (a new build, a new status)."""
    return (e["id"], e["statut"]) if e else (None, None)


def progression(e: dict) -> float:
    return min(0.95, e.get("etapes", 0) / max(1, e.get("etapes_prevues", 1)))


def versions(db: Path | None = None) -> list[dict]:
    """Kept versions, newest first, each marked `en_service` when it is the file in service."""
    db = Path(db or chemin_base())
    d = db.parent / "historique"
    cartes = [c for p in d.glob("*.json") if (c := _lire_json(p)) and (d / f"{c['version']}.duckdb").exists()]
    courante = _sha256(db) if db.exists() else None
    for c in cartes:
        c["en_service"] = c.get("sha256") == courante
    return sorted(cartes, key=lambda c: c["version"], reverse=True)


def journal(db: Path | None = None, n: int = 20) -> list[dict]:
    db = Path(db or chemin_base())
    try:
        lignes = (db.parent / "historique" / "journal.jsonl").read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    return [json.loads(x) for x in reversed(lignes[-n:]) if x.strip()]


def occupation_disque(db: Path | None = None) -> dict[str, int]:
    """Bytes used by the database, its kept versions, the candidate and the source files."""
    db = Path(db or chemin_base())

    def taille(d: Path) -> int:
        return sum(p.stat().st_size for p in d.rglob("*") if p.is_file()) if d.exists() else 0

    return {"base en service": db.stat().st_size if db.exists() else 0,
            "versions gardées": taille(db.parent / "historique"),
            "aperçu en attente": taille(db.parent / "chantier"),
            "fichiers sources": taille(dossier_entrees())}


def _sha256(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _commande(*args: str) -> list[str]:
    return [sys.executable, "-m", "etl", *args, "--db", str(chemin_base())]


def lancer_apercu(changements: dict[str, Path], par: str) -> subprocess.Popen:
    """Start `python -m etl apercu` in its own process and session: it outlives the script
    run (and the page's reruns) and the page follows it through the state file."""
    d = chemin_base().parent / "chantier"
    d.mkdir(parents=True, exist_ok=True)
    options = [x for o, p in changements.items() for x in (f"--{o.replace('_', '-')}", str(p))]
    with open(d / "sortie.txt", "wb") as sortie:
        return subprocess.Popen(_commande("apercu", *options, "--par", par), cwd=RACINE,
                                stdout=sortie, stderr=subprocess.STDOUT, start_new_session=True)


def sortie_lancement() -> str:
    """The last launch's output: the French error when it could not start (e.g. busy)."""
    p = chemin_base().parent / "chantier" / "sortie.txt"
    texte = p.read_text(encoding="utf-8", errors="replace") if p.exists() else ""
    return texte.replace("Erreur : ", "").strip()


def _executer(*args: str) -> tuple[bool, str]:
    r = subprocess.run(_commande(*args), cwd=RACINE, capture_output=True, text=True)
    return r.returncode == 0, (r.stdout if r.returncode == 0 else r.stderr).replace("Erreur : ", "").strip()


def publier(par: str) -> tuple[bool, str]:
    """Swap the candidate in; then its open dataset is made from the version just kept and stored
    beside it (ess.donnees_ouvertes.versions): what reusers get of it is what this code made."""
    ok, message = _executer("publier", "--par", par)
    if ok and (en_service := next((v for v in versions() if v["en_service"]), None)):
        try:
            donnees_ouvertes_version(en_service["version"])
        except PublicationRefusee as exc:
            message += f" Données ouvertes non produites : {exc}"
    return ok, message


def donnees_ouvertes_version(version: str) -> bytes:
    """The open dataset (zip) of a kept version, as it was published."""
    return versions_ouvertes.lot(chemin_base(), version).zip()


def nom_donnees_ouvertes(version: str) -> str:
    return f"donnees-ouvertes-version-{version}.zip"


def restaurer(version: str, par: str) -> tuple[bool, str]:
    return _executer("restaurer", version, "--par", par)


def libelle_version(v: dict) -> str:
    return f"{fr.date_heure(v['construite_le'])} ({v['par']})"


def tableau_versions(versions: list[dict]) -> pd.DataFrame:
    def fichiers(v: dict) -> str:
        noms = [t.split(" ; ")[0] for t in v.get("fichiers", {}).values()]
        return ", ".join(noms) or "données de démonstration"

    return pd.DataFrame({
        "Construite le": [fr.date_heure(v["construite_le"]) for v in versions],
        "Par": [v["par"] for v in versions],
        "À partir de": [fichiers(v) for v in versions],
        "Audit du secret": [v.get("audit_secret") or "non renseigné" for v in versions],
        "Taille": [f"{fr.nombre(v['octets'] / 1e6, 1)} Mo" for v in versions],
        "État": ["en service" if v["en_service"] else "gardée" for v in versions],
    })


def tableau_journal(lignes: list[dict]) -> pd.DataFrame:
    actions = {"publication": "publication", "restauration": "retour à une version gardée"}
    return pd.DataFrame({"Le": [fr.date_heure(x["le"]) for x in lignes], "Par": [x["par"] for x in lignes],
                         "Action": [actions.get(x["action"], x["action"]) for x in lignes]})
