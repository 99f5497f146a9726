"""FLORES-style employment: one row per annee × codgeo × a38 × famille (sources.md §4).

Delimiter (`;`, `,`, tab), encoding (UTF-8 or Latin-1) and decimal separator (comma or
point) are detected, then reported in the build output and the `sources` table. Files are at
most a few million rows: pandas reads them, and its row index gives the line of an error.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from etl.codes import COLONNES_FLORES, table
from etl.sources import TOLERER, SourceInvalide, lignes_ecartees, motif_colonne
from etl.sources.fichiers import debut, decoder, existant
from geo.perimetre import Perimetre

DELIMITEURS = {";": "point-virgule", ",": "virgule", "\t": "tabulation", "|": "barre verticale"}
OPTIONNELLES = ["effectif_max_etablissement"]
ENTIER = re.compile(r"^[0-9]+$")
DECIMAL = re.compile(r"^[0-9]+([.,][0-9]+)?$")


@dataclass(frozen=True)
class Detection:
    encodage: str
    delimiteur: str
    decimale: str

    def texte(self) -> str:
        return (f"encodage {self.encodage}, séparateur {DELIMITEURS[self.delimiteur]}, "
                f"décimale {'virgule' if self.decimale == ',' else 'point'}")


@dataclass(frozen=True)
class LectureFlores:
    lignes: pd.DataFrame  # raw_flores layout, text, decimal point
    detection: Detection
    rejets: pd.DataFrame  # lines set aside with --tolerer-rejets (COLONNES_REJETS)


def detecter(path: Path) -> tuple[str, str]:
    """(encoding, delimiter) from the head of the file."""
    texte, enc = decoder(debut(path), path.name, ("utf-8", "latin-1"))
    lignes = texte.splitlines()
    if not lignes or not lignes[0].strip():
        raise SourceInvalide(f"{path.name}, ligne 1 : en-tête vide.")
    for delim in DELIMITEURS:
        noms = {c.strip().lower() for c in next(csv.reader(io.StringIO(lignes[0]), delimiter=delim))}
        if set(COLONNES_FLORES) <= noms:
            return enc, delim
    raise SourceInvalide(
        f"{path.name}, ligne 1 (en-tête) : colonnes {', '.join(COLONNES_FLORES)} attendues, "
        "séparées par point-virgule, virgule ou tabulation."
    )


def lire(path: Path, perimetre: Perimetre, communes: set[str], tolerer_rejets: bool = False) -> LectureFlores:
    path = existant(Path(path))
    enc, delim = detecter(path)
    try:
        with warnings.catch_warnings():
            # a row longer than the header: pandas would drop the extra fields with a warning
            warnings.simplefilter("error", pd.errors.ParserWarning)
            df = pd.read_csv(path, sep=delim, encoding=enc, dtype=str, keep_default_na=False,
                             quoting=csv.QUOTE_MINIMAL, skipinitialspace=True, index_col=False)
    except (pd.errors.ParserError, pd.errors.ParserWarning) as exc:
        ligne = re.search(r"line (\d+)", str(exc))
        ou = f", ligne {ligne.group(1)}" if ligne else ""
        raise SourceInvalide(f"{path.name}{ou} : nombre de colonnes inattendu "
                             f"(séparateur {DELIMITEURS[delim]} détecté).") from exc
    except (UnicodeDecodeError, ValueError) as exc:
        raise SourceInvalide(f"{path.name} : lecture impossible, encodage {enc} détecté "
                             f"sur le début du fichier ({type(exc).__name__}).") from exc
    df.columns = [str(c).strip().lower() for c in df.columns]
    if df.columns.duplicated().any():
        raise SourceInvalide(f"{path.name}, ligne 1 (en-tête) : colonne en double.")
    df = df[[c for c in COLONNES_FLORES + OPTIONNELLES if c in df.columns]]
    df = df.apply(lambda s: s.str.strip())
    if df.empty:
        raise SourceInvalide(f"{path.name} : en-tête seul, aucune ligne de données.")
    df.index = pd.RangeIndex(len(df)) + 2  # header is line 1
    decimale = "," if df["eqtp"].str.contains(",", regex=False).any() else "."
    if decimale == "," and delim == ",":
        raise SourceInvalide(f"{path.name} : décimales à virgule dans un fichier séparé par des "
                             "virgules ; valeurs à mettre entre guillemets.")
    df["eqtp"] = df["eqtp"].str.replace(",", ".", regex=False)
    rejets = _valider(df, path.name, communes, perimetre, tolerer_rejets)
    df = df[df["codgeo"].str.startswith(perimetre.departements)].drop(rejets["ligne"], errors="ignore")
    if df.empty:
        raise SourceInvalide(f"{path.name} : aucune ligne valide {perimetre.designation()} "
                             "(colonne codgeo).")
    return LectureFlores(df.reset_index(drop=True), Detection(enc, delim, decimale), rejets)


def _valider(
    df: pd.DataFrame, nom: str, communes: set[str], perimetre: Perimetre, tolerer: bool
) -> pd.DataFrame:
    """The lines set aside (each with its first problem); without `tolerer`, the first problem
    stops the read with its line and column."""
    a38 = set(table("naf_a38")["a38"])
    familles = set(table("familles")["famille"])
    du_departement = df["codgeo"].str.startswith(perimetre.departements)
    controles = [
        ("annee", ~df["annee"].str.fullmatch(r"(19|20)[0-9]{2}"), "une année sur 4 chiffres"),
        ("codgeo", ~df["codgeo"].str.fullmatch(r"[0-9][0-9AB][0-9]{3}"), "un code commune INSEE"),
        ("codgeo", du_departement & ~df["codgeo"].isin(communes),
         "un code commune du COG connu du référentiel territorial"),
        ("a38", ~df["a38"].isin(a38), "un code A38 de la NAF rév. 2 (AZ, BZ… QB…)"),
        ("famille", ~df["famille"].isin(familles), ", ".join(sorted(familles))),
        ("nb_etablissements_employeurs", ~df["nb_etablissements_employeurs"].str.fullmatch(ENTIER),
         "un entier positif ou nul"),
        ("effectifs_31_12", ~df["effectifs_31_12"].str.fullmatch(ENTIER), "un entier positif ou nul"),
        ("eqtp", ~(df["eqtp"].str.fullmatch(DECIMAL) | df["eqtp"].eq("")),
         "un nombre positif ou nul (ou vide)"),
    ]
    if "effectif_max_etablissement" in df.columns:
        col = df["effectif_max_etablissement"]
        controles.append(("effectif_max_etablissement", ~(col.str.fullmatch(ENTIER) | col.eq("")),
                          "un entier positif ou nul (ou vide)"))
    rejets, rejetees = [], pd.Series(False, index=df.index)
    for colonne, faux, attendu in controles:
        faux = faux & ~rejetees  # one reason per line: its first problem
        if not faux.any():
            continue
        if not tolerer:
            ligne = faux.idxmax()
            raise SourceInvalide(
                f"{nom}, ligne {ligne}, colonne {colonne} : valeur « {df.at[ligne, colonne][:40]} » "
                f"({int(faux.sum())} ligne(s) en erreur) ; attendu : {attendu}.{TOLERER}"
            )
        rejets.append(_rejets(df.loc[faux, colonne], nom, colonne, motif_colonne(colonne, attendu)))
        rejetees |= faux
    cle = ["annee", "codgeo", "a38", "famille"]
    doublons = df.duplicated(cle, keep="first") & ~rejetees
    if doublons.any():
        cles = df.loc[doublons, cle].agg(", ".join, axis=1)
        motif = f"ligne en double pour ({', '.join(cle)}) ; une ligne par clé attendue"
        if not tolerer:
            ligne = doublons.idxmax()
            raise SourceInvalide(f"{nom}, ligne {ligne} : {motif} ; clé ({cles[ligne]}).{TOLERER}")
        rejets.append(_rejets(cles, nom, ", ".join(cle), motif))
    return lignes_ecartees(*rejets).sort_values("ligne", ignore_index=True)


def _rejets(valeurs: pd.Series, nom: str, colonne: str, motif: str) -> pd.DataFrame:
    return pd.DataFrame({"source": "FLORES", "fichier": nom, "ligne": valeurs.index.astype(int),
                         "colonne": colonne, "valeur": valeurs.str[:40].to_numpy(), "motif": motif})
