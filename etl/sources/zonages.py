"""INSEE/ANCT zonings by commune: grille communale de densité, QPV, massifs (sources.md §6).

Each reader returns a commune-indexed Series; `geo.territoires.requalifier` puts them in the
territory tables in place of the approximations.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd

from etl.sources import SourceInvalide
from etl.sources.fichiers import MAGIE_XLS, MAGIE_ZIP, debut, decoder, existant
from geo.perimetre import Perimetre
from geo.typologies import classe_grille_densite

FEUILLE_DENSITE = "Maille communale"
LIGNE_ENTETE_DENSITE = 5  # the grid's header is on row 5 of the sheet


def _tableur(path: Path, **kw) -> pd.DataFrame:
    """An xlsx (openpyxl) or xls (calamine: pandas deprecates xlrd) sheet, every cell read as text."""
    tete = debut(path, 8)
    if not (tete.startswith(MAGIE_ZIP) or tete.startswith(MAGIE_XLS)):
        raise SourceInvalide(f"{path.name} : classeur Excel (.xlsx ou .xls) attendu.")
    moteur = "calamine" if tete.startswith(MAGIE_XLS) else "openpyxl"
    try:
        return pd.read_excel(path, dtype=str, engine=moteur, **kw).fillna("")
    except ValueError as exc:  # missing sheet, among others
        raise SourceInvalide(f"{path.name} : {exc}.") from exc
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, TypeError, IndexError) as exc:
        raise SourceInvalide(f"{path.name} : classeur illisible ou tronqué ({type(exc).__name__}).") from exc
    except Exception as exc:  # calamine/openpyxl raise their own error types on corrupt files
        if type(exc).__module__.split(".")[0] in ("python_calamine", "openpyxl", "zipfile", "xml"):
            raise SourceInvalide(f"{path.name} : classeur illisible ({type(exc).__name__}).") from exc
        raise


def lire_csv(path: Path) -> pd.DataFrame:
    """A small CSV, delimiter and encoding detected, every cell as text."""
    texte, enc = decoder(debut(path), path.name, ("utf-8", "latin-1"))
    premiere = texte.splitlines()[0] if texte.strip() else ""
    delim = max(";,\t", key=premiere.count)
    try:
        df = pd.read_csv(path, sep=delim, encoding=enc, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise SourceInvalide(f"{path.name} : CSV illisible ({str(exc).splitlines()[0][:120]}).") from exc
    df.columns = [str(c).strip() for c in df.columns]
    return non_vide(df, path.name)


def non_vide(df: pd.DataFrame, nom: str) -> pd.DataFrame:
    if df.empty:
        raise SourceInvalide(f"{nom} : en-tête seul, aucune ligne de données.")
    return df


def du_perimetre(serie: pd.Series, nom: str, perimetre: Perimetre) -> pd.Series:
    """For files that must cover every commune (density, population)."""
    if serie.empty:
        raise SourceInvalide(f"{nom} : aucune commune {perimetre.designation()}.")
    return serie


def _colonnes(df: pd.DataFrame, nom: str, requises: list[str], ligne: int = 1) -> pd.DataFrame:
    par_nom = {c.lower(): c for c in df.columns}
    manquantes = [c for c in requises if c.lower() not in par_nom]
    if manquantes:
        raise SourceInvalide(f"{nom}, ligne {ligne} (en-tête) : colonne(s) {', '.join(manquantes)} "
                             "attendue(s).")
    out = df[[par_nom[c.lower()] for c in requises]]
    out.columns = requises
    return out.apply(lambda s: s.astype(str).str.strip())


def lire_densite(path: Path, perimetre: Perimetre) -> pd.Series:
    """Commune → density class (urbain-dense, urbain-intermediaire, rural), joined on the label."""
    path = existant(Path(path))
    df = non_vide(_tableur(path, sheet_name=FEUILLE_DENSITE, header=LIGNE_ENTETE_DENSITE - 1), path.name)
    libelle = "LIBDENS7" if "LIBDENS7" in df.columns else "LIBDENS"
    df = _colonnes(df, path.name, ["CODGEO", libelle], LIGNE_ENTETE_DENSITE)
    df.index = df.index + LIGNE_ENTETE_DENSITE + 1
    df = df[df["CODGEO"].str.startswith(perimetre.departements)]
    classes = df[libelle].map(classe_grille_densite)
    if classes.isna().any():
        ligne = classes.isna().idxmax()
        raise SourceInvalide(f"{path.name}, ligne {ligne}, colonne {libelle} : libellé "
                             f"« {df.at[ligne, libelle][:60]} » inconnu ; un niveau de la grille "
                             "communale de densité attendu (ex. « Bourgs ruraux »).")
    serie = unique(pd.Series(classes.to_numpy(), index=df["CODGEO"].to_numpy()), path.name)
    return du_perimetre(serie, path.name, perimetre)


def lire_qpv(path: Path, perimetre: Perimetre) -> pd.Series:
    """Commune → its QPV codes, comma-separated (a commune may hold several)."""
    path = existant(Path(path))
    df = _colonnes(lire_csv(path), path.name, ["code_qp", "insee_com"])
    df = df[df["insee_com"].str.startswith(perimetre.departements)]
    if not df["code_qp"].str.fullmatch(r"QN[0-9A-Z]{5,7}").all():
        mauvais = df.index[~df["code_qp"].str.fullmatch(r"QN[0-9A-Z]{5,7}")][0]
        raise SourceInvalide(f"{path.name}, ligne {mauvais + 2}, colonne code_qp : valeur "
                             f"« {df.at[mauvais, 'code_qp'][:20]} » ; code QPV attendu (QN…).")
    return df.groupby("insee_com")["code_qp"].agg(lambda s: ",".join(sorted(set(s))))


def lire_massifs(path: Path, perimetre: Perimetre) -> pd.Series:
    """Commune → massif label (`Pyrénées`, `Pyrénées (partiellement)`)."""
    path = existant(Path(path))
    tete = debut(path, 8)
    if tete.startswith(MAGIE_ZIP) or tete.startswith(MAGIE_XLS):
        brut = _tableur(path, header=None)
        # ANCT files carry a title block above the header: find the row holding CODGEO
        debut_ligne = next((i for i, row in brut.iterrows()
                            if "CODGEO" in {str(v).strip().upper() for v in row}), None)
        if debut_ligne is None:
            raise SourceInvalide(f"{path.name} : en-tête CODGEO, LIBGEO, MASSIF introuvable.")
        df = brut.iloc[debut_ligne + 1:].set_axis([str(v).strip() for v in brut.iloc[debut_ligne]], axis=1)
        non_vide(df, path.name)
    else:
        df = lire_csv(path)
    df = _colonnes(df, path.name, ["CODGEO", "MASSIF"])
    df = df[df["CODGEO"].str.startswith(perimetre.departements) & df["MASSIF"].ne("")]
    return unique(df.set_index("CODGEO")["MASSIF"], path.name)


SLUG_PETR = r"[a-z0-9]+(?:-[a-z0-9]+)*"  # the code in URLs and the CLI: petr:comminges-pyrenees


def lire_petr(path: Path) -> pd.DataFrame:
    """The PETR of the département's EPCI (petr, nom, epci; other columns ignored): one row per
    EPCI, one name per PETR. Checked against the perimeter by `petr_du_perimetre`."""
    path = existant(Path(path))
    df = _colonnes(lire_csv(path), path.name, ["petr", "nom", "epci"])
    for colonne, motif, attendu in (("petr", SLUG_PETR, "code court en minuscules et tirets "
                                     "(ex. comminges-pyrenees)"),
                                    ("epci", r"\d{9}", "numéro SIREN de l'EPCI (9 chiffres)"),
                                    ("nom", r".+", "nom du PETR")):
        faux = ~df[colonne].str.fullmatch(motif)
        if faux.any():
            i = faux.idxmax()
            raise SourceInvalide(f"{path.name}, ligne {i + 2}, colonne {colonne} : valeur "
                                 f"« {df.at[i, colonne][:40]} » ; {attendu} attendu.")
    double = df["epci"].duplicated()
    if double.any():
        i = double.idxmax()
        raise SourceInvalide(f"{path.name}, ligne {i + 2}, colonne epci : EPCI {df.at[i, 'epci']} déjà "
                             "rattaché à un PETR ; un EPCI appartient à un seul PETR.")
    noms = df.groupby("petr")["nom"].nunique()
    if (noms > 1).any():
        raise SourceInvalide(f"{path.name} : le PETR {noms[noms > 1].index[0]} porte plusieurs noms ; "
                             "un nom par PETR attendu.")
    return df


def petr_du_perimetre(petr: pd.DataFrame, epci: set[str], nom: str, perimetre: Perimetre) -> None:
    """Every EPCI of the file is one of the département's (a code from another département is a
    mistake the PETR would silently lose)."""
    ailleurs = ~petr["epci"].isin(epci)
    if ailleurs.any():
        i = ailleurs.idxmax()
        raise SourceInvalide(f"{nom}, ligne {i + 2}, colonne epci : l'EPCI {petr.at[i, 'epci']} n'a "
                             f"aucune commune {perimetre.designation('dans')}.")


def unique(serie: pd.Series, nom: str) -> pd.Series:
    double = serie.index.duplicated()
    if double.any():
        raise SourceInvalide(f"{nom} : commune {serie.index[double][0]} en double ; "
                             "une ligne par commune attendue.")
    return serie

