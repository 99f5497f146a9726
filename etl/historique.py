"""The last databases built, kept to go back to (`python -m etl historique`, `python -m etl
restaurer VERSION`).

Each successful build leaves a copy of its file in `historique/` next to the database (a copy,
not a link: a file opened for writing later must not change what was kept) and a JSON card:
who built it, when, from which files (name, size, sha256, from build_info), the secret audit.
The oldest beyond `$ESS_HISTORIQUE` (default 5) are removed, with the open dataset kept beside each
(ess/donnees_ouvertes/versions.py). Going back copies a version into place with the
same atomic swap as a build, and the journal records who did it.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb

GARDEES_DEFAUT = 5
# a kept version's files: its database, its card, and its open dataset once asked for
# (ess/donnees_ouvertes/versions.py writes it there)
SUFFIXES = (".duckdb", ".json", ".donnees-ouvertes.zip")


class VersionInconnue(ValueError):
    pass


def dossier(db: Path) -> Path:
    return Path(db).parent / "historique"


def gardees() -> int:
    return max(1, int(os.environ.get("ESS_HISTORIQUE", GARDEES_DEFAUT)))


def auteur() -> str:
    try:
        return os.environ.get("ESS_AUTEUR") or getpass.getuser()
    except Exception:  # no user name in some containers
        return "inconnu"


def archiver(nouveau: Path, db: Path, par: str | None = None) -> str:
    """Keep the database about to be swapped in (`nouveau`, still at its temporary path);
    `par`: who publishes it (the page's logged-in staff member), else the system user."""
    d = dossier(db)
    d.mkdir(parents=True, exist_ok=True)
    maintenant = datetime.now(UTC)
    version = maintenant.strftime("%Y%m%d-%H%M%S-%f")
    cible = d / f"{version}.duckdb"
    shutil.copy2(nouveau, cible)
    con = duckdb.connect(str(nouveau), read_only=True)
    try:
        info = dict(con.execute("SELECT cle, valeur FROM build_info").fetchall())
    finally:
        con.close()
    carte = {
        "version": version,
        "construite_le": info.get("date_construction") or maintenant.isoformat(timespec="seconds"),
        "par": par or auteur(),
        "demo": info.get("demo") == "oui",
        "fichiers": {k.removeprefix("fichier_"): v for k, v in info.items() if k.startswith("fichier_")},
        "audit_secret": info.get("secret_audit", ""),
        "cellules_masquees": info.get("secret_masquees", ""),
        "annees_emploi": info.get("annees_emploi", ""),
        "lignes": {t: info.get(f"lignes_{t}", "") for t in ("etablissements", "emploi", "projets", "rejets")},
        "octets": cible.stat().st_size,
        "sha256": _empreinte(cible),
    }
    (d / f"{version}.json").write_text(json.dumps(carte, ensure_ascii=False, indent=1), encoding="utf-8")
    for ancienne in versions(db)[gardees():]:
        for suffixe in SUFFIXES:
            (d / f"{ancienne['version']}{suffixe}").unlink(missing_ok=True)
    return version


def versions(db: Path) -> list[dict]:
    """Kept versions, newest first."""
    d = dossier(db)
    if not d.exists():
        return []
    cartes = [json.loads(p.read_text(encoding="utf-8")) for p in d.glob("*.json")]
    return sorted((c for c in cartes if (d / f"{c['version']}.duckdb").exists()),
                  key=lambda c: c["version"], reverse=True)


def _empreinte(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def courante(db: Path) -> str | None:
    """The kept version the database file is (same bytes), if any."""
    if not Path(db).exists():
        return None
    empreinte = _empreinte(Path(db))
    return next((c["version"] for c in versions(db) if c.get("sha256") == empreinte), None)


def restaurer(db: Path, version: str, par: str | None = None) -> None:
    """Swap a kept version back in, atomically; journaled."""
    source = dossier(db) / f"{version}.duckdb"
    if not source.exists():
        connues = ", ".join(c["version"] for c in versions(db)) or "aucune"
        raise VersionInconnue(f"Version inconnue : « {version} » (versions gardées : {connues}).")
    avant = courante(db)
    tmp = Path(db).with_name(f".{Path(db).name}.{os.getpid()}.restauration")
    tmp.unlink(missing_ok=True)
    try:
        shutil.copyfile(source, tmp)  # a fresh modification time: sessions read the restored file
        os.replace(tmp, db)  # atomic, as a build: readers see the old file or the restored one
    finally:
        tmp.unlink(missing_ok=True)
    journaliser(db, "restauration", version, par, avant)


def journaliser(db: Path, action: str, version: str, par: str | None, remplace: str | None) -> None:
    with (dossier(db) / "journal.jsonl").open("a", encoding="utf-8") as j:
        j.write(json.dumps({"le": datetime.now(UTC).isoformat(timespec="seconds"), "par": par or auteur(),
                            "action": action, "version": version, "remplace": remplace},
                           ensure_ascii=False) + "\n")
