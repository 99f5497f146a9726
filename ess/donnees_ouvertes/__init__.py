"""The published tables as an open dataset (issue 27): one CSV per table a reuser needs (open-data
convention of the one CSV writer, ess.exports.csv), a Table Schema per table, a frictionless
`datapackage.json`, the metadata in data.gouv.fr's fields and a LISEZ-MOI; as a folder or a
zip. `produire(con)` reads the database and checks the employment table against the
database's own secret audit before anything is written (ess.donnees_ouvertes.controle).

Reproducible: the same database gives the same bytes. The only time written is the build's
(build_info.date_construction), in the files and as the date of every zip entry; files come in
a fixed order. So the bundle of a kept version (etl/historique.py) is made again, identical,
from its kept database (`historique.py` here)."""

from __future__ import annotations

import io
import os
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from ess.codes_territoire import territoire_base
from ess.document.modele import identite_emetteur
from ess.donnees_ouvertes import controle, metadonnees, tables
from ess.donnees_ouvertes.controle import PublicationRefusee
from ess.exports.csv import table_csv
from ess.exports.securite import nom_fichier
from ess.provenance import infos_build, regle_sensible, sources, sources_demo

__all__ = ["Lot", "PublicationRefusee", "nom_du_lot", "produire", "refus"]

# the sources of the tables, in their order (the register of projects is not in the dataset)
ORDRE_SOURCES = ["emploi", "etablissements", "territoires", "densite"]


@dataclass(frozen=True)
class Lot:
    nom: str  # the folder's name, and the zip's (with .zip)
    fichiers: dict[str, bytes]  # in the zip's order
    date: datetime  # the build's timestamp: every zip entry's date

    def zip(self) -> bytes:
        tampon = io.BytesIO()
        horodatage = self.date.timetuple()[:6]
        with zipfile.ZipFile(tampon, "w", zipfile.ZIP_DEFLATED) as z:
            for nom, octets in self.fichiers.items():
                info = zipfile.ZipInfo(f"{self.nom}/{nom}", horodatage)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                z.writestr(info, octets, compresslevel=9)
        return tampon.getvalue()

    @classmethod
    def depuis_zip(cls, octets: bytes) -> Lot:
        """A bundle read back from its zip (a kept version's), files in the same order."""
        with zipfile.ZipFile(io.BytesIO(octets)) as z:
            infos = z.infolist()
            fichiers = {i.filename.split("/", 1)[1]: z.read(i) for i in infos}
        return cls(infos[0].filename.split("/", 1)[0], fichiers, datetime(*infos[0].date_time))

    def ecrire(self, dossier: Path, verifier: Callable[[Path], list[str]] | None = None) -> tuple[Path, Path]:
        """The folder `dossier/<nom>/` and `dossier/<nom>.zip`, each swapped in whole, once
        `verifier` (e.g. controle.valider) found nothing wrong in the folder."""
        dossier = Path(dossier)
        cible, archive = dossier / self.nom, dossier / f"{self.nom}.zip"
        tmp = dossier / f".{self.nom}.{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        try:
            for nom, octets in self.fichiers.items():
                (tmp / nom).write_bytes(octets)
            if verifier and (erreurs := verifier(tmp)):
                raise PublicationRefusee(f"Validation du jeu de données en échec ({len(erreurs)} "
                                         "erreur(s)) : " + " ; ".join(erreurs[:5]))
            shutil.rmtree(cible, ignore_errors=True)
            os.replace(tmp, cible)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        partiel = archive.with_name(f".{archive.name}.{os.getpid()}")
        partiel.write_bytes(self.zip())
        os.replace(partiel, archive)
        return cible, archive


def refus(con: duckdb.DuckDBPyConnection) -> str | None:
    """Why the database gives no open dataset (it did not prove its secret), or None."""
    try:
        controle.exiger_audit(con, infos_build(con), None)
    except PublicationRefusee as exc:
        return str(exc)
    return None


def nom_du_lot(con: duckdb.DuckDBPyConnection, annee: int | None = None) -> str:
    """The folder's name (and the zip's, with .zip): département, build date, year, demo."""
    info = infos_build(con)
    nom_dep = territoire_base(con).nom
    date = datetime.fromisoformat(info["date_construction"])
    return "-".join(x for x in ("donnees-ouvertes-ess", nom_fichier(nom_dep, "x").rsplit(".", 1)[0].lower(),
                               f"{date:%Y%m%d}", str(annee or ""),
                               "demonstration" if sources_demo(con) & set(ORDRE_SOURCES) else "") if x)


def produire(con: duckdb.DuckDBPyConnection, annee: int | None = None) -> Lot:
    """The open dataset of the database (one year, or all), checked against its secret audit."""
    info = infos_build(con)
    rapport = controle.exiger_audit(con, info, annee)
    annees = sorted(int(a) for a in rapport["annee"].unique())
    if not annees:
        disponibles = info.get("annees_emploi", "").replace(",", ", ")
        raise PublicationRefusee(f"Année {annee} absente de la base (années : {disponibles}).")
    demo = sources_demo(con)
    lues = tables.lire(con, annee, demo)
    csvs = {f"{t.nom}.csv": table_csv(df[t.colonnes()], ouvert=True) for t, df in lues}
    controle.verifier_emploi(csvs["emploi.csv"], rapport)
    base = territoire_base(con)
    emploi = next(df for t, df in lues if t.nom == "emploi")
    date = datetime.fromisoformat(info["date_construction"])
    nom = nom_du_lot(con, annee)
    c = metadonnees.Contexte(
        nom=nom, perimetre=base, version=info["date_construction"], annees=annees,
        fictives=[t.nom for t, _df in lues if "donnees_fictives" in t.colonnes()],
        emetteur=identite_emetteur(),
        sources=sorted(((s.source, s.description, s.millesime) for s in sources(con).itertuples()
                        if s.source in ORDRE_SOURCES), key=lambda s: ORDRE_SOURCES.index(s[0])),
        niveaux=list(next(df for t, df in lues if t.nom == "niveaux")["niveau"]),
        masquees=int((emploi["statut"] == "secret").sum()), cellules=len(emploi),
        regle_secret=regle_sensible(con))
    liste = [t for t, _df in lues]
    fichiers = dict(csvs)
    fichiers |= {f"{t.nom}.schema.json": metadonnees.json_octets(metadonnees.schema(t, c)) for t in liste}
    fichiers["datapackage.json"] = metadonnees.json_octets(metadonnees.paquet(liste, csvs, c))
    fichiers = {"LISEZ-MOI.md": metadonnees.lisez_moi(fichiers, liste, c).encode("utf-8"), **fichiers}
    fichiers["metadonnees.json"] = metadonnees.json_octets(metadonnees.donnees_gouv(fichiers, liste, c))
    return Lot(nom, fichiers, date)
