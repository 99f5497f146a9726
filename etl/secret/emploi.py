"""From the staging tables to the publishable `emploi` mart: the published cells (as
`ref_diffusion_emploi` defines them), their micro-cells, the protection, per year and measure."""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import scipy.sparse as sp

from etl.secret import audit, connaissance, exact, lp, suppression, tableau
from etl.secret.tableau import (
    Tableau,
    dominante_micro,
    dominante_par_cellule,
    fusionner_micro,
    signatures,
    sommer,
)

MESURES = ("effectifs", "eqtp")
CLE = ["territoire", "annee", "groupe", "nomenclature", "secteur"]  # a published cell
ARRONDI = {"effectifs": 0.0, "eqtp": 0.05}  # EQTP is published rounded to 0,1 (02_emploi.sql)
VERSION = "secret-14"  # changes whenever the protection method or its kept file does (a cache key part)
# Headline figures cost more to hide (sources.md §5): ESS and privé totals of every
# territory, families and A21 sections of EPCI and PETR; the département's most of all.
POIDS_NIVEAU = {
    "region": 100.0,
    "departement": 100.0,
    "metropole": 10.0,
    "densite": 10.0,
    "petr": 10.0,
    "epci": 10.0,
    "commune": 3.0,
}

# Each hidden cell also costs as many jobs as this: one complement rather than two smaller
COUT_FIXE = 20.0
# Within the headline cells of EPCI and PETR: the famille juridique totals are the ESS lens
# every portrait opens with (four cells), the A21 sections their detail (about twelve, what
# the maps and portraits show): hiding a family total costs 4 times its level's weight, a
# section 3 times. A PETR section cost once its level's weight until the SIRENE-aware attacker
# and the insiders (issue 25): the model then hid a quarter of the PETR sections (+24 points
# over the sensitive ones, default demo 2017); as dear as an EPCI's, +14 (EPCI sections +8 →
# +10).
FACTEUR_FAMILLES = 4.0
FACTEUR_A21 = 3.0
FAMILLES = ("association", "cooperative", "mutuelle", "fondation")

CELLULES = """
SELECT e.territoire, t.niveau, e.annee, e.groupe, e.nomenclature, e.secteur, e.section,
       e.nb_etablissements, e.effectifs, e.eqtp
FROM int_emploi e
JOIN territoires t USING (territoire)
JOIN ref_diffusion_emploi d ON d.niveau = t.niveau AND d.groupe = e.groupe
     AND d.nomenclature = e.nomenclature
ORDER BY e.annee, e.territoire, e.groupe, e.nomenclature, e.secteur
"""

# Micro-cells: the input rows of every family a published group contains, with what public
# SIRENE says of each (etl.secret.connaissance): how many establishments are listed with a size
# band of that year, the sums of their bands' minimums and maximums (NULL: a band without one).
MICRO = """
WITH bandes AS (
    SELECT e.commune, e.a38,
           CASE WHEN e.famille_ess IS NOT NULL THEN e.famille_ess
                WHEN starts_with(e.categorie_juridique, '7') THEN 'public'
                ELSE 'prive_hors_ess' END AS famille,
           y.annee,
           count(*) AS bande_nb,
           sum(t.effectif_min::INTEGER) AS bande_min,
           CASE WHEN count(nullif(t.effectif_max, '')) = count(*)
                THEN sum(try_cast(nullif(t.effectif_max, '') AS INTEGER)) END AS bande_max
    FROM int_etablissements e
    JOIN ref_tranches_effectifs t USING (tranche)
    CROSS JOIN (SELECT DISTINCT annee FROM stg_flores) y
    WHERE e.employeur AND e.a38 IS NOT NULL
      AND actif_au_31_12(e.date_creation, e.date_fermeture, y.annee)
      AND e.annee_effectifs = y.annee
    GROUP BY ALL
)
SELECT f.annee, f.commune, f.famille, f.a38, s.a21, f.nb_etablissements, f.effectifs, f.eqtp,
       f.effectif_max, coalesce(b.bande_nb, 0) AS bande_nb, coalesce(b.bande_min, 0) AS bande_min,
       coalesce(b.bande_max, 'infinity'::DOUBLE) AS bande_max
FROM stg_flores f
JOIN ref_naf_a38 s USING (a38)
LEFT JOIN bandes b USING (annee, commune, a38, famille)
WHERE f.famille IN (SELECT g.famille FROM ref_groupes_familles g
                    JOIN ref_diffusion_emploi d USING (groupe))
ORDER BY f.annee, f.commune, f.famille, f.a38
"""

# (cell, micro-cell) pairs; one equi-join per nomenclature (an OR would be a nested loop)
APPARTENANCE = """
WITH m AS (
    SELECT m.j, m.annee, a.territoire, g.groupe, m.a21, m.a38
    FROM _micro m
    JOIN appartenance a USING (commune)
    JOIN ref_groupes_familles g USING (famille)
)
SELECT c.i AS cellule, m.j AS micro FROM _cellules c JOIN m USING (annee, territoire, groupe)
WHERE c.nomenclature = 'ensemble'
UNION ALL
SELECT c.i, m.j FROM _cellules c JOIN m ON m.annee = c.annee AND m.territoire = c.territoire
     AND m.groupe = c.groupe AND m.a21 = c.secteur
WHERE c.nomenclature = 'a21'
UNION ALL
SELECT c.i, m.j FROM _cellules c JOIN m ON m.annee = c.annee AND m.territoire = c.territoire
     AND m.groupe = c.groupe AND m.a38 = c.secteur
WHERE c.nomenclature = 'a38'
"""

# Neighbourhoods where the protection first looks for complements: the commune's EPCI, then
# its PETR (EPCIs outside any PETR together, per département), then its métropole or the rest
# of its département, then (in a région) its département, then the whole table. A métropole
# holds most of the micro-cells: kept apart, it does not make every LP of its neighbours large.
ZONES = """
WITH z AS (
    SELECT commune, epci, departement,
           CASE WHEN metropole IS NOT NULL AND metropole <> 'hors-metropole' THEN metropole END AS metro
    FROM communes
)
SELECT c.commune, c.epci,
       coalesce(t.code, CASE WHEN c.metro IS NOT NULL THEN 'metropole:' || c.metro
                             ELSE 'hors-petr:' || c.departement END) AS petr,
       coalesce('metropole:' || c.metro, 'hors-metropole:' || c.departement) AS metropole,
       c.departement
FROM z c
LEFT JOIN appartenance a ON a.commune = c.commune AND a.territoire LIKE 'petr:%'
LEFT JOIN territoires t ON t.territoire = a.territoire
"""


@dataclass
class Annee:
    """One year of the published table: its cells, their classes (cells with the same
    micro-cells), the tables per measure."""

    cellules: pd.DataFrame
    classe: np.ndarray
    tableaux: dict[str, Tableau]
    micro_noms: list[str]  # per micro-cell of the model, its rows (an insider's, in the reports)


def charger(con: duckdb.DuckDBPyConnection) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    cellules = con.execute(CELLULES).df()
    micro = con.execute(MICRO).df()
    cellules["i"] = np.arange(len(cellules))
    micro["j"] = np.arange(len(micro))
    con.register("_cellules", cellules[["i", "territoire", "annee", "groupe", "nomenclature", "secteur"]])
    con.register("_micro", micro[["j", "annee", "commune", "famille", "a38", "a21"]])
    try:
        liens = con.execute(APPARTENANCE).df()
    finally:
        con.unregister("_cellules")
        con.unregister("_micro")
    return cellules, micro, liens


def annees(con: duckdb.DuckDBPyConnection) -> dict[int, Annee]:
    cellules, micro, liens = charger(con)
    zones = con.execute(ZONES).df().set_index("commune")
    out = {}
    for annee, c in cellules.groupby("annee", sort=True):
        m = micro[micro["annee"] == annee]
        lk = liens[liens["cellule"].isin(c["i"]) & liens["micro"].isin(m["j"])]
        out[int(annee)] = _annee(c.reset_index(drop=True), m.reset_index(drop=True), lk, zones)
    return out


def _annee(c: pd.DataFrame, m: pd.DataFrame, liens: pd.DataFrame, zones: pd.DataFrame) -> Annee:
    ligne = pd.Series(np.arange(len(c)), index=c["i"])
    col = pd.Series(np.arange(len(m)), index=m["j"])
    A = sp.csr_matrix(
        (np.ones(len(liens)), (ligne[liens["cellule"]].to_numpy(), col[liens["micro"]].to_numpy())),
        shape=(len(c), len(m)),
    )
    classe, premier = signatures(A)  # cells with the same micro-cells are one cell of the model
    Ak = A[premier]
    A2, groupe, representant = fusionner_micro(Ak.tocsc())
    n = A2.shape[1]
    z = zones.reindex(m["commune"].iloc[representant])
    plusieurs = z["departement"].nunique() > 1
    niveaux = ("epci", "petr", "metropole") + (("departement",) if plusieurs else ())
    zone_ids = np.column_stack([pd.factorize(z[col].fillna(""), sort=True)[0] for col in niveaux])
    cout = np.bincount(classe, weights=_cout(c), minlength=len(premier))
    dom = dominante_par_cellule(
        Ak, dominante_micro(m["effectifs"], m["nb_etablissements"], m["effectif_max"])
    )
    nb = Ak @ m["nb_etablissements"].to_numpy(dtype=float)
    tableaux = {}
    for mesure in MESURES:
        valeurs = np.nan_to_num(m[mesure].to_numpy(dtype=float))  # EQTP may be absent from a file
        if mesure == "effectifs":
            bornes = connaissance.effectifs(valeurs, m["nb_etablissements"], m["bande_min"], m["bande_max"],
                                            m["bande_nb"])
        else:
            bornes = connaissance.eqtp(valeurs, m["nb_etablissements"])
        initie, initie_min, initie_max = connaissance.initie(valeurs, bornes, groupe, n)
        tableaux[mesure] = Tableau(
            A=A2,
            micro=sommer(groupe, n, valeurs),
            micro_min=sommer(groupe, n, bornes.min),
            micro_max=sommer(groupe, n, bornes.max),
            nb=nb if mesure == "effectifs" else np.zeros(len(nb)),
            dominante=dom if mesure == "effectifs" else np.zeros(len(nb)),
            cout=cout,
            zones=zone_ids,
            bloc=niveaux.index("departement") if plusieurs else None,
            initie=initie,
            initie_min=initie_min,
            initie_max=initie_max,
        )
    lignes = m.iloc[representant]
    taille = np.bincount(groupe, minlength=n)
    noms = [f"l'établissement seul de commune:{r.commune} {r.famille} {r.a38}" if k == 1 else
            f"un établissement seul dans sa ligne parmi commune:{r.commune} {r.famille} ({k} lignes)"
            for r, k in zip(lignes.itertuples(), taille, strict=True)]
    return Annee(c, classe, tableaux, noms)


def _cout(c: pd.DataFrame) -> np.ndarray:
    """Jobs hidden, weighted: headline cells (all sectors of ESS and privé, families and A21 of
    EPCI and PETR) by their level's weight."""
    poids = c["niveau"].map(POIDS_NIVEAU).fillna(1.0).to_numpy()
    groupement = c["niveau"].isin(["epci", "petr"])
    tete = (c["nomenclature"] == "ensemble") | ((c["nomenclature"] == "a21") & groupement)
    facteur = np.select(
        [groupement & c["groupe"].isin(FAMILLES) & (c["nomenclature"] == "ensemble"),
         groupement & (c["nomenclature"] == "a21")],
        [FACTEUR_FAMILLES, FACTEUR_A21],
        1.0,
    )
    return (c["effectifs"].to_numpy(dtype=float) + COUT_FIXE) * np.where(tete, poids * facteur, 1.0)


def empreinte(annee: Annee) -> str:
    """sha256 of everything the protection depends on: the table, the attacker's knowledge and
    every parameter of the method (a change of any of them computes the protection again)."""
    regles = (tableau.SEUIL_FREQUENCE, tableau.SEUIL_DOMINANCE, tableau.PROTECTION, tableau.PROTECTION_MIN,
              tableau.PROTECTION_INITIE)
    parametres = (VERSION, regles, COUT_FIXE, FACTEUR_FAMILLES, FACTEUR_A21, sorted(POIDS_NIVEAU.items()))
    h = hashlib.sha256(repr(parametres).encode())
    for mesure in MESURES:
        t = annee.tableaux[mesure]
        for a in (t.A.indptr, t.A.indices, t.micro, t.micro_min, t.micro_max, t.nb, t.dominante, t.cout,
                  t.zones, t.initie, t.initie_min, t.initie_max):
            h.update(np.ascontiguousarray(a).tobytes())
        h.update(repr(t.bloc).encode())
    return h.hexdigest()


def _calculer(annee: Annee, primaire: np.ndarray) -> tuple[np.ndarray, dict, list[int], list, int]:
    """Effectifs: the exact model over every cell (the LP heuristic for the cells it leaves,
    or for all of them when it cannot conclude); EQTP: the heuristic, from the cells and
    witnesses of effectifs. Returns the hidden cells, the witnesses per measure, the cells and
    the (cell, insider's micro-cell) pairs no suppression protects, the number of LPs."""
    cache = primaire.copy()
    impossibles: list[int] = []
    initie: set[tuple[int, int]] = set()
    nb_lp = 0

    def heuristique(tm: Tableau, cellules: np.ndarray, precedents: list[np.ndarray]) -> list[np.ndarray]:
        nonlocal cache, nb_lp
        res = suppression.proteger(tm, cache, _ordre(tm, cellules), precedents)
        cache, nb_lp = res.cache, nb_lp + res.nb_lp
        impossibles.extend(int(i) for i in res.impossibles)
        initie.update((p, int(tm.initie[k])) for p, k in res.impossibles_initie)
        return res.certificats  # the precedents included

    effectifs, eqtp = (annee.tableaux[m] for m in MESURES)
    modele = exact.proteger(effectifs, cache, primaire, np.flatnonzero(~primaire), [])
    if modele is None:
        trouves = heuristique(effectifs, primaire, [])
    else:
        cache, trouves, nb_lp = modele.cache, modele.certificats, modele.nb_lp
        if modele.hors_modele:  # cells no pattern protects (a-priori bounds): reported by it
            trouves = heuristique(effectifs, np.isin(np.arange(len(cache)), modele.hors_modele), trouves)
    certificats = {"effectifs": trouves, "eqtp": heuristique(eqtp, primaire, trouves)}
    certificats = {m: audit.empiler(c, effectifs.A.shape[1]) for m, c in certificats.items()}
    return cache, certificats, sorted(set(impossibles)), sorted(initie), nb_lp


def _garder(fichier: Path, **tableaux) -> None:
    """Keep a computed protection, whole or not at all; a folder that cannot be written
    (read-only install, full disk) keeps nothing and the build goes on."""
    tmp = fichier.with_suffix(f".{os.getpid()}.tmp.npz")
    try:
        fichier.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(tmp, **tableaux)
        os.replace(tmp, fichier)
    except OSError:
        with contextlib.suppress(OSError):  # nothing there, or no folder at all
            tmp.unlink()


CSR = ("data", "indices", "indptr")  # the witnesses are kept as a sparse matrix's arrays


def proteger(annee: Annee, dossier_cache: Path | None = None, livrees: Path | None = None
             ) -> tuple[np.ndarray, dict]:
    """Hidden flag per published cell, and what the protection and its audit did (for the
    build report): the audit checks the certificates against the publication, the rank
    test, and LP bounds for any primary cell the certificates leave unproven.

    `dossier_cache`: where a protection already computed for the same table is kept (the
    same inputs give the same cells anyway; the audit runs again on it at every build);
    `livrees`: a folder of protections shipped with the code, read only (the demo's)."""
    debut, solveur = time.perf_counter(), lp.secondes
    t = annee.tableaux["effectifs"]
    primaire = t.primaire()
    rapport = {"primaires": int(primaire[annee.classe].sum()), "lp": 0}
    nom = f"{empreinte(annee)}.npz"
    fichier = dossier_cache / nom if dossier_cache else None
    lu = next((d / nom for d in (dossier_cache, livrees) if d and (d / nom).exists()), None)
    if lu is not None:
        with np.load(lu) as f:
            cache = f["cache"]
            certificats = {m: sp.csr_matrix(tuple(f[f"certificats_{m}_{x}"] for x in CSR),
                                            shape=(len(f[f"certificats_{m}_indptr"]) - 1, t.A.shape[1]))
                           for m in MESURES}
            impossibles = [int(i) for i in f["impossibles"]]
            impossibles_initie = [tuple(map(int, x)) for x in f["impossibles_initie"]]
    else:
        cache, certificats, impossibles, impossibles_initie, rapport["lp"] = _calculer(annee, primaire)
        if fichier is not None:
            _garder(fichier, cache=cache, impossibles=np.array(impossibles, dtype=np.int64),
                    impossibles_initie=np.array(impossibles_initie, dtype=np.int64).reshape(-1, 2),
                    **{f"certificats_{m}_{x}": getattr(c, x) for m, c in certificats.items() for x in CSR})
    rapport["impossibles"] = impossibles
    rapport["duree_protection"] = time.perf_counter() - debut
    debut = time.perf_counter()
    determinees = audit.rang(t, cache)  # every measure's table has the same cells (one A)
    for mesure in MESURES:
        tm = annee.tableaux[mesure]
        # the SQL aggregates (int_emploi) against the model's sums: the model is the table
        publiees = np.zeros(len(cache))
        publiees[annee.classe] = np.nan_to_num(annee.cellules[mesure].to_numpy(dtype=float))
        rapport[f"audit_{mesure}"] = audit.auditer(
            tm, cache, primaire & ~np.isin(np.arange(len(cache)), impossibles),
            valeurs_publiees=publiees, temoins=certificats[mesure], arrondi=ARRONDI[mesure],
            exclus_initie=frozenset(impossibles_initie), determinees=determinees if tm.A is t.A else None)
    rapport["duree_audit"] = time.perf_counter() - debut
    rapport["duree_solveur"] = lp.secondes - solveur  # of both: the part only fewer LPs can cut
    rapport["fourchettes"] = _fourchettes(annee, cache, primaire)
    # report cells by their published rows, not by model index
    rapport["impossibles"] = _lignes(annee, rapport["impossibles"])
    rapport["impossibles_initie"] = [f"{_lignes(annee, [p])[0]} face à {annee.micro_noms[m]}"
                                     for p, m in impossibles_initie]
    for mesure in MESURES:
        c = rapport[f"audit_{mesure}"]
        c.determinees = _lignes(annee, c.determinees)
        c.sous_protegees = [(_lignes(annee, [i])[0], *reste) for i, *reste in c.sous_protegees]
        c.par_initie = [(_lignes(annee, [i])[0], annee.micro_noms[m], *reste)
                        for i, m, *reste in c.par_initie]
    return cache[annee.classe], rapport


def _fourchettes(annee: Annee, cache: np.ndarray, primaire: np.ndarray) -> pd.DataFrame:
    """The ESS totals of EPCI and PETR hidden to protect another cell (never a sensitive one)
    with the interval the published figures give, rounded outward (`effectifs_min`,
    `effectifs_max`). Le Grand Ouest Toulousain, hidden every year to protect Tarn-Agout's only
    commune, is then read « entre 801 et 815 » rather than « s »."""
    c = annee.cellules
    tete = c["niveau"].isin(["epci", "petr"]) & (c["groupe"] == "ess") & (c["nomenclature"] == "ensemble")
    k = annee.classe
    lignes = [i for i in np.flatnonzero(tete.to_numpy()) if cache[k[i]] and not primaire[k[i]]]
    attaquant = audit.Attaquant(annee.tableaux["effectifs"], cache)
    bornes = [attaquant.fourchette(k[i]) for i in lignes]
    return c.iloc[lignes][CLE].assign(
        effectifs_min=[np.floor(lo + 1e-6) for lo, _ in bornes],
        effectifs_max=[np.ceil(hi - 1e-6) for _, hi in bornes],
    )


def _lignes(annee: Annee, classes: list[int]) -> list[str]:
    """Readable names of model cells: their first published row."""
    out = []
    for k in classes:
        r = annee.cellules.iloc[int(np.flatnonzero(annee.classe == k)[0])]
        out.append(f"{r['territoire']} {r['groupe']} {r['nomenclature']} {r['secteur']}")
    return out


def _ordre(t: Tableau, primaire: np.ndarray) -> np.ndarray:
    """Primary cells from the widest (most micro-cells) to the narrowest, then by value: a
    complement chosen for a total often protects the detail below it too (as HiTaS goes
    top-down). Ties broken by index: the same table gives the same order."""
    p = np.flatnonzero(primaire)
    largeur = np.diff(t.A.indptr)[p]
    return p[np.lexsort((p, -t.valeur[p], -largeur))]
