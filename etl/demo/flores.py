"""FLORES-style employment rows: annee × commune × a38 × famille.

ESS rows are aggregated from the establishment micro data; private non-ESS and public rows
follow each commune's reference-year jobs with a gentle trend per EPCI.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from etl.demo.arrondi import repartir_lignes
from etl.demo.etablissements import secteurs

TAILLE_HORS_ESS = {"prive_hors_ess": 8.0, "public": 25.0}
RATIO_EQTP_HORS_ESS = {"prive_hors_ess": 0.9, "public": 0.88}


def hors_ess(emploi, communes, annees, annee_ref, rng) -> pd.DataFrame:
    """Jobs of prive_hors_ess and public by annee × commune × a38."""
    table = secteurs()
    epci = communes.set_index("commune")["epci"].reindex(emploi["commune"]).to_numpy()
    rows = []
    for famille, tendance_moy in (("prive_hors_ess", 0.013), ("public", 0.005)):
        sub = table[table["famille"] == famille]
        tendance = {e: rng.normal(tendance_moy, 0.008) for e in sorted(set(epci))}
        croissance = np.array([tendance[e] for e in epci])
        mix = rng.dirichlet(sub["poids"].to_numpy() * 3.0, size=len(emploi))
        codes = sub["a38"].to_numpy()
        for annee in annees:
            total = np.round(emploi[famille].to_numpy() * (1 + croissance) ** (annee - annee_ref))
            parts = repartir_lignes(total, mix)
            i, k = np.nonzero(parts)
            rows.append(pd.DataFrame({"annee": annee, "commune": emploi["commune"].to_numpy()[i],
                                      "a38": codes[k], "famille": famille,
                                      "effectifs": parts[i, k]}))
    out = pd.concat(rows, ignore_index=True)
    taille = out["famille"].map(TAILLE_HORS_ESS)
    out["nb_etablissements"] = np.maximum(1, np.round(out["effectifs"] / taille)).astype(int)
    out["eqtp"] = (out["effectifs"] * out["famille"].map(RATIO_EQTP_HORS_ESS)).round(1)
    return out


def ess(etab: pd.DataFrame, annuel: pd.DataFrame) -> pd.DataFrame:
    rows = annuel.merge(etab[["commune", "famille", "a38", "ratio_eqtp"]], left_on="etab",
                        right_index=True)
    rows["eqtp"] = rows["effectifs"] * rows["ratio_eqtp"]
    return (
        rows.groupby(["annee", "commune", "a38", "famille"], as_index=False)
        .agg(nb_etablissements=("etab", "size"), effectifs=("effectifs", "sum"),
             eqtp=("eqtp", "sum"), effectif_max_etablissement=("effectifs", "max"))
        .assign(eqtp=lambda d: d["eqtp"].round(1))
    )


def format_flores(df: pd.DataFrame) -> pd.DataFrame:
    """The column names of the FLORES-style input format. `effectif_max_etablissement`
    (largest single contribution) is optional: only the demo knows it, and it lets the
    dominance rule of the secret statistique apply."""
    return df.rename(columns={"commune": "codgeo", "nb_etablissements": "nb_etablissements_employeurs",
                              "effectifs": "effectifs_31_12"})[
        ["annee", "codgeo", "a38", "famille", "nb_etablissements_employeurs", "effectifs_31_12", "eqtp",
         "effectif_max_etablissement"]
    ].sort_values(["annee", "codgeo", "a38", "famille"], ignore_index=True)
