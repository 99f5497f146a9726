"""What publishing a candidate database would change, in plain figures: rows per source, the
key figures of the département and each EPCI, the projects of the 1st plan, cells newly
hidden or published by the secret statistique, and the candidate's audit. Both files are
opened read-only side by side (ATTACH); the serving one is never written."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from data import libelles
from ess import format as fr
from ess.bilan import requetes as bilan_sql

# Rows per source: (label, table, key) — the key tells rows added from rows removed.
TABLES = [
    ("Établissements (SIRENE)", "etablissements", "siret"),
    ("Cellules d'emploi (FLORES)", "emploi", "territoire || annee || groupe || nomenclature || secteur"),
    ("Projets du registre", "projets", "id_projet"),
    ("Communes", "communes", "commune"),
]

_CHIFFRES = """
SELECT e.territoire, t.nom, t.niveau,
       max(e.nb_etablissements) FILTER (WHERE e.groupe = 'ess') AS etablissements_ess,
       max(e.effectifs) FILTER (WHERE e.groupe = 'ess') AS effectifs_ess,
       max(e.effectifs) FILTER (WHERE e.groupe = 'prive') AS effectifs_prive
FROM {b}.emploi e JOIN {b}.territoires t USING (territoire)
WHERE e.annee = ? AND e.nomenclature = 'ensemble' AND e.groupe IN ('ess', 'prive')
  AND t.niveau IN ('region', 'departement', 'epci')
GROUP BY ALL
"""

_SECRET = """
SELECT coalesce(a.territoire, b.territoire) AS territoire, coalesce(a.annee, b.annee) AS annee,
       coalesce(a.groupe, b.groupe) AS groupe, coalesce(a.nomenclature, b.nomenclature) AS nomenclature,
       coalesce(a.secteur, b.secteur) AS secteur, a.secret AS avant, b.secret AS apres
FROM avant.emploi a FULL JOIN apres.emploi b USING (territoire, annee, groupe, nomenclature, secteur)
WHERE a.secret IS DISTINCT FROM b.secret
"""


@dataclass
class Apercu:
    annee: int
    lignes: pd.DataFrame  # source, avant, apres, ajoutees, retirees
    chiffres: pd.DataFrame  # territoire, nom, indicateur columns _avant / _apres, bouge
    projets: pd.DataFrame  # indicateur, avant, apres
    secret: pd.DataFrame  # niveau, nouvellement_masquees, nouvellement_publiees
    audit: str
    info_avant: dict
    info_apres: dict

    def chiffres_qui_bougent(self) -> pd.DataFrame:
        return self.chiffres[self.chiffres["bouge"]].drop(columns="bouge")


def comparer(serveur: Path | str, candidat: Path | str) -> Apercu:
    con = duckdb.connect()
    try:
        con.execute("ATTACH ? AS avant (READ_ONLY)", [str(serveur)])
        con.execute("ATTACH ? AS apres (READ_ONLY)", [str(candidat)])
        info = {b: dict(con.execute(f"SELECT cle, valeur FROM {b}.build_info").fetchall())  # noqa: S608
                for b in ("avant", "apres")}
        annee = int(info["apres"].get("annee_par_defaut") or 0)
        return Apercu(annee, _lignes(con), _chiffres(con, annee), _projets(con), _secret(con),
                      info["apres"].get("secret_audit", ""), info["avant"], info["apres"])
    finally:
        con.close()


def _lignes(con) -> pd.DataFrame:
    rows = []
    for libelle, table, cle in TABLES:
        n = {b: con.execute(f"SELECT count(*) FROM {b}.{table}").fetchone()[0] for b in ("avant", "apres")}  # noqa: S608
        ajoutees, retirees = con.execute(f"""
            WITH a AS (SELECT DISTINCT {cle} AS k FROM avant.{table}),
                 b AS (SELECT DISTINCT {cle} AS k FROM apres.{table})
            SELECT (SELECT count(*) FROM b ANTI JOIN a USING (k)),
                   (SELECT count(*) FROM a ANTI JOIN b USING (k))
        """).fetchone()  # noqa: S608 (constant table and key names)
        rows.append((libelle, n["avant"], n["apres"], ajoutees, retirees))
    return pd.DataFrame(rows, columns=["source", "avant", "apres", "ajoutees", "retirees"])


def _chiffres(con, annee: int) -> pd.DataFrame:
    avant, apres = (con.execute(_CHIFFRES.format(b=b), [annee]).df() for b in ("avant", "apres"))
    df = apres.merge(avant, on=["territoire", "nom", "niveau"], how="outer", suffixes=("_apres", "_avant"))
    # Floats, NaN where hidden: nullable integers would make "hidden vs shown" NA, not True.
    nombres = [c for c in df.columns if c not in ("territoire", "nom", "niveau")]
    df[nombres] = df[nombres].astype("float64")
    for suffixe in ("_avant", "_apres"):
        df[f"part_ess{suffixe}"] = 100 * df[f"effectifs_ess{suffixe}"] / df[f"effectifs_prive{suffixe}"]
    cols = ["etablissements_ess", "effectifs_ess", "part_ess"]
    df["bouge"] = False
    for c in cols:  # a value hidden on one side and shown on the other moves too
        a, b = df[f"{c}_avant"], df[f"{c}_apres"]
        df["bouge"] |= ~((a.isna() & b.isna()) | (a.round(6) == b.round(6)))
    df["ordre"] = df["niveau"].map({"region": 0, "departement": 1, "epci": 2})
    return (df.sort_values(["ordre", "nom"])
            [["territoire", "nom", *(f"{c}{s}" for c in cols for s in ("_avant", "_apres")), "bouge"]]
            .reset_index(drop=True))


def _projets(con) -> pd.DataFrame:
    res = {}
    for b in ("avant", "apres"):
        con.execute(f"USE {b}")
        res[b] = con.execute(bilan_sql.SYNTHESE, [9999]).df().iloc[0]
    con.execute("USE memory")
    libelles = {"projets_accueillis": "Projets accueillis", "projets_finances": "Projets financés",
                "montant_total_eur": "Montant accordé (€)", "etp_projetes": "Emplois projetés (ETP)"}
    return pd.DataFrame([(lib, res["avant"][c], res["apres"][c]) for c, lib in libelles.items()],
                        columns=["indicateur", "avant", "apres"])


def _secret(con) -> pd.DataFrame:
    df = con.execute(_SECRET).df()
    if df.empty:
        return pd.DataFrame(columns=["niveau", "nouvellement_masquees", "nouvellement_publiees"])
    df["niveau"] = df["territoire"].str.split(":").str[0]
    df["masquee"] = df["apres"].fillna(False) & ~df["avant"].fillna(False)
    df["publiee"] = ~df["apres"].fillna(True) & df["avant"].fillna(False)
    return (df.groupby("niveau", sort=False)
            .agg(nouvellement_masquees=("masquee", "sum"), nouvellement_publiees=("publiee", "sum"))
            .reset_index())


# ---- the same, as French tables for the page ----
NIVEAUX = libelles("niveaux", "partition")


def _fleche(avant, apres, formater) -> str:
    return f"{formater(avant)} → {formater(apres)}" if formater(avant) != formater(apres) else formater(apres)


def tableau_lignes(a: Apercu) -> pd.DataFrame:
    return pd.DataFrame({"Source": a.lignes["source"], "En service": a.lignes["avant"].map(fr.nombre),
                         "Après publication": a.lignes["apres"].map(fr.nombre),
                         "Lignes ajoutées": a.lignes["ajoutees"].map(fr.nombre),
                         "Lignes retirées": a.lignes["retirees"].map(fr.nombre)})


def tableau_chiffres(a: Apercu) -> pd.DataFrame:
    df = a.chiffres_qui_bougent()

    def colonne(c: str, formater) -> list[str]:
        return [_fleche(x, y, formater) for x, y in zip(df[f"{c}_avant"], df[f"{c}_apres"], strict=True)]

    return pd.DataFrame({
        "Territoire": df["nom"],
        "Établissements employeurs de l'ESS": colonne("etablissements_ess", fr.nombre),
        "Effectifs salariés de l'ESS": colonne("effectifs_ess", fr.nombre),
        "Part de l'ESS dans l'emploi privé": colonne("part_ess", fr.pourcent),
    })


def tableau_projets(a: Apercu) -> pd.DataFrame:
    return pd.DataFrame({"Indicateur du bilan": a.projets["indicateur"],
                         "En service": a.projets["avant"].map(fr.nombre),
                         "Après publication": a.projets["apres"].map(fr.nombre)})


def tableau_secret(a: Apercu) -> pd.DataFrame:
    return pd.DataFrame({"Échelon": a.secret["niveau"].map(NIVEAUX).fillna(a.secret["niveau"]),
                         "Cellules nouvellement masquées": a.secret["nouvellement_masquees"].map(fr.nombre),
                         "Cellules nouvellement publiées": a.secret["nouvellement_publiees"].map(fr.nombre)})
