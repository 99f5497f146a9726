"""The open dataset is checked before it is written, and can be validated once written.

Before (`exiger_audit`, then `verifier_emploi` on the very bytes of emploi.csv): the database
must have passed its own secret audit (build_info.secret_audit = réussi, no cell of
secret_rapport determined or under-protected), and the CSV must agree with that audit: per
year, as many cells and as many hidden cells as the audit counted, every hidden cell with
`statut` = secret and no value, every published one with its values. A bundle that fails
is never written.

After (`valider`): frictionless validates the folder's datapackage.json (types, allowed values,
patterns, primary and foreign keys, sizes and SHA-256 of each file), plus the rules between
columns each schema states (`regles_entre_colonnes`), as frictionless row constraints."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from pathlib import Path

import duckdb
import pandas as pd


class PublicationRefusee(RuntimeError):
    """The database or the bundle does not prove its secret: nothing is written (French message)."""


AUDIT_REUSSI = "réussi"
# secret_rapport's counts that must be zero for a publishable database (when the column exists:
# the audit may gain columns, never lose these meanings)
COMPTES_NULS = {"determinees": "cellules masquées recalculables exactement",
                "sous_protegees": "cellules sensibles insuffisamment protégées",
                "divulguees_initie": "cellules sensibles qu'un établissement seul dans sa ligne encadre "
                                     "de trop près"}


def exiger_audit(con: duckdb.DuckDBPyConnection, info: dict, annee: int | None) -> pd.DataFrame:
    """The audit report of the years published, if the database passed its audit."""
    if info.get("secret_audit") != AUDIT_REUSSI:
        raise PublicationRefusee(
            "La base n'a pas passé l'audit du secret statistique (audit : "
            f"« {info.get('secret_audit') or 'non renseigné'} ») : aucune donnée ouverte n'est produite.")
    try:
        rapport = con.execute("SELECT * FROM secret_rapport ORDER BY annee, mesure").df()
    except duckdb.CatalogException:
        raise PublicationRefusee("La base n'a pas de rapport d'audit du secret (secret_rapport) : "
                                 "reconstruisez-la.") from None
    if annee is not None:
        rapport = rapport[rapport["annee"] == annee]
    for colonne, quoi in COMPTES_NULS.items():
        if colonne in rapport and (fautives := rapport[rapport[colonne] > 0]).shape[0]:
            raise PublicationRefusee(f"Audit du secret : {quoi} en {', '.join(map(str, fautives['annee']))}.")
    return rapport


def verifier_emploi(octets: bytes, rapport: pd.DataFrame) -> None:
    """emploi.csv as it will be written, against the audit (see the module's docstring)."""
    erreurs: list[str] = []
    cellules, masquees = Counter(), Counter()
    for n, ligne in enumerate(csv.DictReader(io.StringIO(octets.decode("utf-8"), newline="")), start=2):
        cellules[int(ligne["annee"])] += 1
        secret = ligne["statut"] == "secret"
        masquees[int(ligne["annee"])] += secret
        valeurs = [ligne["effectifs"], ligne["eqtp"]]
        if ligne["statut"] not in ("publie", "secret"):
            erreurs.append(f"ligne {n} : statut « {ligne['statut']} »")
        elif secret and any(valeurs):
            erreurs.append(f"ligne {n} : cellule secrète ({ligne['territoire']}, {ligne['annee']}, "
                           f"{ligne['groupe']}, {ligne['secteur']}) écrite avec une valeur")
        elif not secret and not all(valeurs):
            erreurs.append(f"ligne {n} : cellule publiée sans valeur")
        if len(erreurs) >= 5:
            break
    for r in rapport.itertuples():
        if (cellules[r.annee], masquees[r.annee]) != (r.cellules, r.masquees):
            erreurs.append(f"{r.annee} ({r.mesure}) : {cellules[r.annee]} cellules dont {masquees[r.annee]} "
                           f"secrètes, l'audit en compte {r.cellules} dont {r.masquees} masquées")
    if set(cellules) != set(rapport["annee"]):
        erreurs.append(f"années écrites {sorted(cellules)}, auditées {sorted(set(rapport['annee']))}")
    if erreurs:
        raise PublicationRefusee("Le fichier emploi.csv ne concorde pas avec l'audit du secret : "
                                 + " ; ".join(erreurs[:5]) + ". Aucune donnée ouverte n'est produite.")


def valider(dossier: Path) -> list[str]:
    """Every error frictionless finds in the folder's data package (empty: valid)."""
    from frictionless import Checklist, Package, checks  # a heavy import, for validation only

    dossier = Path(dossier)
    paquet = Package(str(dossier / "datapackage.json"))
    rapport = paquet.validate()
    erreurs = [e.message for e in rapport.errors]
    erreurs += [f"{t.name} : {e.message}" for t in rapport.tasks for e in t.errors]
    for ressource in paquet.resources:
        regles = json.loads((dossier / f"{ressource.name}.schema.json").read_text(encoding="utf-8"))
        formules = [r["formule"] for r in regles.get("regles_entre_colonnes", [])]
        if formules:
            lignes = ressource.validate(checklist=Checklist(checks=[checks.row_constraint(formula=f)
                                                                    for f in formules]))
            erreurs += [f"{ressource.name} : {e.message}" for t in lignes.tasks for e in t.errors
                        if e.type == "row-constraint"]
    return erreurs
