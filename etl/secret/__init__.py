"""Secret statistique, applied when the marts are built (sources.md §5), with its proof.

- `connaissance`: what the attacker knows a priori (SIRENE counts and size bands of every
  micro-cell; one insider at a time, alone in its micro-cell).
- `tableau`: the published table as linear forms over micro-cells (the attacker's model);
  primary rules (frequency, dominance) and protection levels, outsider and insider.
- `temoins`: witnesses (changes the publication cannot tell from the truth), of least move.
- `exact`: secondary suppression at least cost, all cells together, by an exact MIP
  (Fischetti–Salazar cuts, insiders included).
- `suppression`: the LP heuristic (certificates), for what the exact model leaves and EQTP.
- `emploi`: from the staging tables to that model, per year and measure.
- `audit`: the attacker — LP bounds of every sensitive cell, from outside and for every
  insider, and a rank test (least squares on the 0/1 system) that no hidden cell is
  determined — run by the build before it swaps the database in.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from data import DATA
from etl.secret import emploi
from etl.secret.tableau import SEUIL_DOMINANCE, SEUIL_FREQUENCE

__all__ = ["MOTIFS", "SEUIL_DOMINANCE", "SEUIL_FREQUENCE", "echecs", "publier", "resume", "tableau_rapport"]

COLONNES = [
    "territoire",
    "annee",
    "groupe",
    "nomenclature",
    "secteur",
    "section",
    "nb_etablissements",
    "effectifs",
    "eqtp",
    "secret",
    "motif_secret",
]
# Why a cell is hidden, for the reader: sensitive itself (too few establishments, or one
# dominating), or hidden to protect another cell. NULL when published.
MOTIFS = ("sensible", "complement")


# The default demo's protections, shipped (`make protections-demo`): a fresh machine's first
# demo build reads them instead of computing them for minutes; its audit runs all the same.
LIVREES = DATA / "protections_demo"


def dossier_cache() -> Path | None:
    """Where computed protections are kept: $ESS_CACHE_SECRET ('' to keep none and read none,
    not even the shipped ones), else data/cache_secret (ignored by git)."""
    valeur = os.environ.get("ESS_CACHE_SECRET")
    if valeur is None:
        return DATA / "cache_secret"
    return Path(valeur) if valeur else None


def publier(
    con: duckdb.DuckDBPyConnection, processus: int | None = None, afficher=None,
) -> tuple[pd.DataFrame, dict, pd.DataFrame]:
    """The publishable `emploi` mart (hidden values NULL, flag `secret`), per year what the
    protection did, and the intervals published for hidden headline totals (`emploi_fourchettes`).
    Years are independent tables: they run in parallel; `afficher` hears of each year done (a
    région's take minutes each)."""
    annees = emploi.annees(con)
    processus = processus or min(2, os.cpu_count() or 1, len(annees))
    cache = dossier_cache()
    taches = [(a, cache, LIVREES if cache else None) for a in annees.values()]
    debut = time.perf_counter()

    def fait(an: int) -> None:
        if afficher:
            afficher(f"    {an} : protégée et auditée ({time.perf_counter() - debut:.0f} s depuis le début "
                     f"du secret)")

    if processus > 1:
        with ProcessPoolExecutor(processus, mp_context=get_context("spawn")) as pool:
            futurs = {pool.submit(emploi.proteger, *t): an for an, t in zip(annees, taches, strict=True)}
            for f in as_completed(futurs):
                f.result()  # a worker's error stops here
                fait(futurs[f])
            resultats = [f.result() for f in futurs]
    else:
        resultats = []
        for an, t in zip(annees, taches, strict=True):
            resultats.append(emploi.proteger(*t))
            fait(an)
    morceaux, fourchettes, rapport = [], [], {}
    for (an, a), (cache, r) in zip(annees.items(), resultats, strict=True):
        c = a.cellules.copy()
        c["secret"] = cache
        sensible = a.tableaux["effectifs"].primaire()[a.classe]
        c["motif_secret"] = pd.Series(np.where(sensible, MOTIFS[0], MOTIFS[1])).where(cache, None)
        c.loc[c["secret"], ["effectifs", "eqtp"]] = None
        morceaux.append(c[COLONNES])
        fourchettes.append(r.pop("fourchettes"))
        rapport[an] = r | {"cellules": len(c), "masquees": int(cache.sum())}
    out = pd.concat(morceaux, ignore_index=True) if morceaux else pd.DataFrame(columns=COLONNES)
    out["effectifs"] = out["effectifs"].astype("Int64")
    return out, rapport, _table_fourchettes(fourchettes)


def _table_fourchettes(morceaux: list[pd.DataFrame]) -> pd.DataFrame:
    """One row per hidden headline total with its published interval (max NULL: unbounded)."""
    colonnes = [*emploi.CLE, "effectifs_min", "effectifs_max"]
    df = pd.concat(morceaux, ignore_index=True) if morceaux else pd.DataFrame(columns=colonnes)
    for col in ("effectifs_min", "effectifs_max"):
        df[col] = pd.to_numeric(df[col]).replace([np.inf, -np.inf], np.nan).astype("Int64")
    return df.astype({"annee": "int64"} | {c: str for c in emploi.CLE if c != "annee"})


def echecs(rapports: dict) -> list[str]:
    """What the audit found, in French: any hidden cell the attacker determines exactly, any
    primary cell whose interval is too narrow, from outside or for one establishment knowing
    its own figure (except those no suppression can protect, which the report lists)."""
    out = []
    for an, r in rapports.items():
        for mesure in emploi.MESURES:
            c = r[f"audit_{mesure}"]
            if c.determinees:
                out.append(
                    f"{an}, {mesure} : {len(c.determinees)} cellule(s) masquée(s) recalculable(s) "
                    f"exactement (ex. {c.determinees[0]})"
                )
            if c.sous_protegees:
                nom, v, lo, hi = c.sous_protegees[0]
                out.append(
                    f"{an}, {mesure} : {len(c.sous_protegees)} cellule(s) sensible(s) insuffisamment "
                    f"protégée(s) (ex. {nom} = {v:g}, encadrée entre {lo:g} et {hi:g})"
                )
            if c.par_initie:
                nom, initie, v, lo, hi = c.par_initie[0]
                out.append(
                    f"{an}, {mesure} : {len(c.par_initie)} cellule(s) sensible(s) qu'un établissement "
                    f"connaissant son propre chiffre encadre de trop près (ex. {nom} = {v:g}, encadrée "
                    f"entre {lo:g} et {hi:g} par {initie})"
                )
            if c.incoherentes:
                out.append(
                    f"{an}, {mesure} : {c.incoherentes} cellule(s) publiée(s) différente(s) de la "
                    "somme de leurs lignes sources"
                )
    return out


def tableau_rapport(rapports: dict) -> pd.DataFrame:
    """One row per year and measure: what was hidden and what the attacker's audit found."""
    lignes = []
    for an, r in rapports.items():
        for mesure in emploi.MESURES:
            c = r[f"audit_{mesure}"]
            lignes.append(
                {
                    "annee": an,
                    "mesure": mesure,
                    "cellules": r["cellules"],
                    "primaires": r["primaires"],
                    "masquees": r["masquees"],
                    "impossibles": len(r["impossibles"]),
                    "exemples_impossibles": "; ".join(r["impossibles"][:5]),
                    "impossibles_initie": len(r["impossibles_initie"]),
                    "determinees": len(c.determinees),
                    "sous_protegees": len(c.sous_protegees),
                    "divulguees_initie": len(c.par_initie),
                    "prouvees_par_temoin": c.temoins,
                    "bornes_lp": c.bornes_calculees,
                    "initie_lp": c.initie_lp,
                    "duree_protection_s": round(r["duree_protection"], 2),
                    "duree_audit_s": round(r["duree_audit"], 2),
                    "duree_solveur_s": round(r["duree_solveur"], 2),
                    "programmes_lineaires": r["lp"],  # of the protection (0: read, cached or shipped)
                }
            )
    return pd.DataFrame(lignes)


def resume(rapports: dict) -> dict[str, str]:
    """build_info entries: totals over the years."""
    cellules = sum(r["cellules"] for r in rapports.values())
    masquees = sum(r["masquees"] for r in rapports.values())
    return {
        "secret_cellules": str(cellules),
        "secret_primaires": str(sum(r["primaires"] for r in rapports.values())),
        "secret_masquees": str(masquees),
        "secret_impossibles": str(sum(len(r["impossibles"]) for r in rapports.values())),
        "secret_impossibles_initie": str(sum(len(r["impossibles_initie"]) for r in rapports.values())),
        "secret_audit": "réussi" if not echecs(rapports) else "échec",
        # the rules, for the texts that state them (the read side never imports etl)
        "secret_seuil_etablissements": str(SEUIL_FREQUENCE),
        "secret_seuil_dominance": str(SEUIL_DOMINANCE),
    }
