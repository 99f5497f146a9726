"""Reader of the SIES project register (1st plan, 2020-2025): a user's .xlsx or .csv.

One row per project received. Validated column by column; every problem is reported with
its line (as numbered in the spreadsheet: header = line 1) and column, all at once, in a
single `SourceInvalide`. Required columns must be present and filled; optional ones get a
default. Returns exactly the columns of the demo register (etl/demo/projets.py), so the
build treats both alike. Template: data/modele_registre_projets.csv.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import warnings
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from etl.sources import SourceInvalide


@dataclass(frozen=True)
class Colonne:
    nom: str
    description: str
    obligatoire: bool = False


COLONNES = [
    Colonne("id_projet", "identifiant unique du projet (texte, ex. P001)", True),
    Colonne("nom_projet", "nom du projet", True),
    Colonne("porteur", "structure porteuse"),
    Colonne("forme_juridique", "Association, SCIC, SCOP, Collectif citoyen…"),
    Colonne("commune", "code INSEE de la commune d'implantation (5 caractères, ex. 31555)", True),
    Colonne("theme", "thématique du projet"),
    Colonne("annee_accueil", "année d'accueil du projet (ex. 2021)", True),
    Colonne("finance", "projet financé : oui ou non", True),
    Colonne("dispositif", "dispositif de financement (fonds d'innovation sociale, tiers-lieux, SCIC…)"),
    Colonne("montant_eur", "montant accordé en euros (nombre, 0 si non financé)"),
    Colonne("etp_projetes", "emplois projetés en ETP (nombre)"),
    Colonne("tiers_lieu", "tiers-lieu : oui ou non"),
    Colonne("statut", "active ou dissoute (structures financées)"),
    Colonne("fictif", "donnée fictive : oui ou non"),
    Colonne("description", "description courte"),
    Colonne("source", "source de la ligne"),
]
NOMS = [c.nom for c in COLONNES]
OBLIGATOIRES = [c.nom for c in COLONNES if c.obligatoire]
OUI = {"oui", "o", "1", "vrai", "true", "yes", "x"}
NON = {"non", "n", "0", "faux", "false", "no", ""}
STATUTS = {"active": "active", "actif": "active",
           "dissoute": "dissoute", "dissous": "dissoute", "": ""}
MAX_ERREURS = 30


def normaliser_entete(texte: str) -> str:
    """« Année d'accueil » → annee_d_accueil ; « Nom projet » → nom_projet."""
    t = unicodedata.normalize("NFKD", str(texte)).encode("ascii", "ignore").decode()
    t = re.sub(r"[^a-z0-9]+", "_", t.strip().lower()).strip("_")
    return {"annee_d_accueil": "annee_accueil", "montant": "montant_eur", "id": "id_projet",
            "etp": "etp_projetes", "code_commune": "commune", "code_insee": "commune"}.get(t, t)


def _lire_brut(path: Path) -> pd.DataFrame:
    suffixe = path.suffix.lower()
    try:
        if suffixe in (".xlsx", ".xlsm"):
            return pd.read_excel(path, dtype=str, keep_default_na=False, engine="openpyxl")
        if suffixe == ".csv":
            brut = path.read_bytes()
            try:
                texte = brut.decode("utf-8-sig")
            except UnicodeDecodeError:
                texte = brut.decode("cp1252")  # Excel's "CSV" export on French Windows
            try:
                sep = csv.Sniffer().sniff(texte.split("\n", 1)[0], delimiters=",;\t").delimiter
            except csv.Error:
                sep = ","
            with warnings.catch_warnings():
                # a row longer than the header: pandas would take its first fields as an index
                # (index_col=False) or drop the extra ones with a warning; both are errors here
                warnings.simplefilter("error", pd.errors.ParserWarning)
                return pd.read_csv(io.StringIO(texte), sep=sep, dtype=str, keep_default_na=False,
                                   index_col=False)
    except (pd.errors.ParserError, pd.errors.ParserWarning) as exc:
        ligne = re.search(r"line (\d+)", str(exc))
        raise SourceInvalide(
            f"Registre des projets {path.name}{f', ligne {ligne.group(1)}' if ligne else ''} : "
            "nombre de colonnes différent de l'en-tête (séparateur ou guillemets ?)."
        ) from exc
    except FileNotFoundError as exc:
        raise SourceInvalide(f"Registre des projets : fichier {path} introuvable.") from exc
    except SourceInvalide:
        raise
    except Exception as exc:
        raise SourceInvalide(
            f"Registre des projets {path.name} : fichier illisible ({type(exc).__name__} : {exc})."
        ) from exc
    raise SourceInvalide(
        f"Registre des projets {path.name} : format « {suffixe or '?'} » non pris en charge "
        "(attendu : .xlsx ou .csv)."
    )


def _nombre(texte: str) -> float | None:
    t = texte.replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace("€", "")
    t = t.replace(",", ".")
    try:
        return float(t)
    except ValueError:
        return None


def _commune(texte: str) -> str:
    t = texte.strip()
    if t.endswith(".0") and t[:-2].isdigit():  # a code typed as a number in Excel
        t = t[:-2]
    return t.zfill(5) if t.isdigit() and len(t) == 4 else t


def lire_projets(path: Path, communes_valides: set[str] | None = None) -> pd.DataFrame:
    """Read and validate a register. `communes_valides`: INSEE codes accepted (None: any
    5-character code)."""
    path = Path(path)
    brut = _lire_brut(path)
    brut.columns = [normaliser_entete(c) for c in brut.columns]
    nom = path.name
    doublons = sorted({c for c in brut.columns if list(brut.columns).count(c) > 1})
    if doublons:
        raise SourceInvalide(f"Registre des projets {nom} : colonne(s) en double : {', '.join(doublons)}.")
    manquantes = [c for c in OBLIGATOIRES if c not in brut.columns]
    if manquantes:
        raise SourceInvalide(
            f"Registre des projets {nom} : colonne(s) obligatoire(s) absente(s) : "
            f"{', '.join(manquantes)}. Colonnes attendues : {', '.join(NOMS)} "
            "(modèle : data/modele_registre_projets.csv)."
        )
    brut = brut.astype(str).apply(lambda s: s.str.strip())
    brut = brut[(brut != "").any(axis=1)]  # blank lines of a spreadsheet are not projects
    if brut.empty:
        raise SourceInvalide(f"Registre des projets {nom} : aucune ligne de projet.")
    lignes = brut.index + 2  # header is line 1
    erreurs: list[str] = []

    def erreur(i: int, col: str, msg: str) -> None:
        erreurs.append(f"ligne {lignes[i]}, colonne « {col} » : {msg}")

    def col(nom_col: str, defaut: str = "") -> list[str]:
        return list(brut[nom_col]) if nom_col in brut.columns else [defaut] * len(brut)

    out: dict[str, list] = {c: [] for c in NOMS}
    vus: dict[str, int] = {}
    for i, (ident, nom_p, commune, annee, finance) in enumerate(zip(
            col("id_projet"), col("nom_projet"), col("commune"), col("annee_accueil"),
            col("finance"), strict=True)):
        if not ident:
            erreur(i, "id_projet", "identifiant vide")
        elif ident in vus:
            erreur(i, "id_projet", f"identifiant « {ident} » en double (déjà ligne {vus[ident]})")
        else:
            vus[ident] = lignes[i]
        out["id_projet"].append(ident)
        if not nom_p:
            erreur(i, "nom_projet", "nom du projet vide")
        out["nom_projet"].append(nom_p)
        code = _commune(commune)
        if not re.fullmatch(r"[0-9][0-9AB][0-9]{3}", code):
            erreur(i, "commune", f"« {commune} » n'est pas un code commune INSEE (5 caractères)")
        elif communes_valides is not None and code not in communes_valides:
            erreur(i, "commune", f"commune « {code} » inconnue dans le département")
        out["commune"].append(code)
        a = _nombre(annee)
        if a is None or a != int(a) or not 2000 <= a <= 2100:
            erreur(i, "annee_accueil", f"« {annee} » n'est pas une année (entier attendu, ex. 2021)")
            a = 0
        out["annee_accueil"].append(int(a))
        f = finance.lower()
        if f not in OUI | NON or not f:
            erreur(i, "finance", f"« {finance} » : valeur attendue oui ou non")
        out["finance"].append("oui" if f in OUI else "non")

    for nom_col in ("montant_eur", "etp_projetes"):
        for i, v in enumerate(col(nom_col)):
            x = _nombre(v) if v else 0.0
            if x is None or x < 0:
                erreur(i, nom_col, f"« {v} » n'est pas un nombre positif")
                x = 0.0
            out[nom_col].append(x)
    for nom_col in ("tiers_lieu", "fictif"):
        for i, v in enumerate(col(nom_col)):
            if v.lower() not in OUI | NON:
                erreur(i, nom_col, f"« {v} » : valeur attendue oui ou non")
            out[nom_col].append("oui" if v.lower() in OUI else "non")
    for i, (v, fin) in enumerate(zip(col("statut"), out["finance"], strict=True)):
        s = STATUTS.get(v.lower())
        if s is None:
            erreur(i, "statut", f"« {v} » : valeur attendue active ou dissoute (ou vide)")
            s = ""
        out["statut"].append(s or ("active" if fin == "oui" else ""))
    for nom_col in ("porteur", "forme_juridique", "theme", "dispositif", "description"):
        out[nom_col] = col(nom_col)
    out["source"] = [s or f"Registre SIES ({nom})" for s in col("source")]

    if erreurs:
        suite = f"\n… et {len(erreurs) - MAX_ERREURS} autre(s)" if len(erreurs) > MAX_ERREURS else ""
        raise SourceInvalide(
            f"Registre des projets {nom} : {len(erreurs)} erreur(s)\n- "
            + "\n- ".join(erreurs[:MAX_ERREURS]) + suite
        )
    df = pd.DataFrame(out)[NOMS]
    df["annee_accueil"] = df["annee_accueil"].astype("int64")
    df["montant_eur"] = df["montant_eur"].round().astype("int64")
    df["etp_projetes"] = df["etp_projetes"].astype("float64")
    return df
