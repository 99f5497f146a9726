"""XLSX export and import of the plan indicators (openpyxl).

Export: sheet « Indicateurs » (one row per indicator and year, with its version), sheet
« Activités » (statuses), sheet « Journal »; text that would read as a formula gets an
apostrophe (ess.exports.securite), taken off again on import. Import reads « Indicateurs » back: unknown
indicators are created, changed rows saved with the version they carry (a row edited in
the app since the export is refused as a conflict). All or nothing: if any row is refused,
nothing is saved and every problem is listed with its line.
"""

from __future__ import annotations

import io
import sqlite3
from typing import BinaryIO

import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from ess import format as fr
from ess.exports.securite import cellule_texte, lisible, retablir
from ess.suivi import saisies as ind
from ess.suivi.store import lire_journal, transaction
from ess.suivi.structure import STATUTS, Plan, charger_plan

COLONNES = ["fiche", "titre_fiche", "indicateur", "unite", "annee", "cible", "valeur",
            "commentaire", "source", "version", "modifie_par", "modifie_le"]
OBLIGATOIRES = ["fiche", "indicateur"]


class ImportInvalide(ind.SaisieInvalide):
    """An XLSX import refused as a whole; the message lists the lines."""


def tableau_indicateurs(con: sqlite3.Connection, plan: Plan | None = None) -> pd.DataFrame:
    """Indicators × years (an indicator with no value yet: one row without year)."""
    plan = plan or charger_plan()
    titres = {f.code: f.titre for f in plan.fiches}
    lignes = []
    avec_valeurs = set()
    for v in ind.valeurs(con):
        avec_valeurs.add(v["indicateur"])
        lignes.append({"fiche": v["fiche"], "titre_fiche": titres.get(v["fiche"], ""),
                       "indicateur": v["nom"], "unite": v["unite"], "annee": v["annee"],
                       "cible": v["cible"], "valeur": v["valeur"], "commentaire": v["commentaire"],
                       "source": v["source"], "version": v["version"],
                       "modifie_par": v["modifie_par"], "modifie_le": v["modifie_le"]})
    for i in ind.indicateurs(con):
        if i["id"] not in avec_valeurs:
            lignes.append({"fiche": i["fiche"], "titre_fiche": titres.get(i["fiche"], ""),
                           "indicateur": i["nom"], "unite": i["unite"], "annee": None,
                           "cible": None, "valeur": None, "commentaire": "", "source": "",
                           "version": 0, "modifie_par": i["cree_par"], "modifie_le": i["cree_le"]})
    ordre = {f.code: k for k, f in enumerate(plan.fiches)}
    df = pd.DataFrame(lignes, columns=COLONNES)
    if not df.empty:
        df = df.sort_values(["fiche", "indicateur", "annee"], key=lambda s: s.map(ordre)
                            if s.name == "fiche" else s).reset_index(drop=True)
    return df


def tableau_activites(con: sqlite3.Connection, plan: Plan | None = None) -> pd.DataFrame:
    plan = plan or charger_plan()
    st = ind.statuts(con)
    return pd.DataFrame([
        {"fiche": f.code, "titre_fiche": f.titre, "activite": k + 1, "libelle": a,
         "statut": st.get((f.code, k), {}).get("statut", STATUTS[0]),
         "modifie_par": st.get((f.code, k), {}).get("modifie_par", ""),
         "modifie_le": st.get((f.code, k), {}).get("modifie_le", "")}
        for f in plan.fiches for k, a in enumerate(f.activites)
    ])


def _valeur(v):
    """A cell's value: nothing for a missing value, text lisible, numbers as numbers."""
    if (isinstance(v, float) and pd.isna(v)) or v is pd.NA:
        return None
    return lisible(v) if isinstance(v, str) else v


def _ajouter(ws, valeurs) -> None:
    """A row; its text cells are text (comments and names are typed by staff: « =HYPERLINK(…) »
    would be a live formula)."""
    ws.append([_valeur(v) for v in valeurs])
    for cellule in ws[ws.max_row]:
        if isinstance(cellule.value, str):
            cellule_texte(cellule)


def _feuille(wb: Workbook, titre: str, df: pd.DataFrame) -> None:
    ws = wb.create_sheet(titre)
    _ajouter(ws, df.columns)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in df.itertuples(index=False):
        _ajouter(ws, row)
    for k, col in enumerate(df.columns, start=1):
        largeur = max([len(str(col))] + [len(str(v)) for v in df[col].head(200)])
        ws.column_dimensions[get_column_letter(k)].width = min(60, largeur + 2)
    ws.freeze_panes = "A2"


def exporter(con: sqlite3.Connection, plan: Plan | None = None, entete: list[str] | None = None) -> bytes:
    """The workbook as bytes (for st.download_button or a file)."""
    wb = Workbook()
    wb.remove(wb.active)
    if entete:
        ws = wb.create_sheet("Lisez-moi")
        for ligne in entete:
            _ajouter(ws, [ligne])
    _feuille(wb, "Indicateurs", tableau_indicateurs(con, plan))
    _feuille(wb, "Activités", tableau_activites(con, plan))
    _feuille(wb, "Journal", pd.DataFrame(lire_journal(con, limite=5000)).drop(columns="id", errors="ignore"))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _cellules(fichier: BinaryIO | bytes) -> list[dict]:
    data = fichier if isinstance(fichier, bytes) else fichier.read()
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise ImportInvalide(
            f"Fichier illisible : ce n'est pas un classeur XLSX ({type(exc).__name__}).") from exc
    if "Indicateurs" not in wb.sheetnames:
        raise ImportInvalide("Feuille « Indicateurs » absente (partez d'un export de cette page).")
    lignes = list(wb["Indicateurs"].iter_rows(values_only=True))
    if not lignes:
        raise ImportInvalide("La feuille « Indicateurs » est vide.")
    entetes = [str(c or "").strip().lower() for c in lignes[0]]
    manquantes = [c for c in OBLIGATOIRES if c not in entetes]
    if manquantes:
        quoi = "Colonne absente" if len(manquantes) == 1 else "Colonnes absentes"
        raise ImportInvalide(f"{quoi} de la feuille « Indicateurs » : {', '.join(manquantes)}.")
    return [{"_ligne": n, **dict(zip(entetes, map(retablir, r), strict=False))}
            for n, r in enumerate(lignes[1:], start=2) if any(v not in (None, "") for v in r)]


def importer(con: sqlite3.Connection, fichier: BinaryIO | bytes, utilisateur: str,
             plan: Plan | None = None) -> dict:
    """Apply an edited export; returns counts, or raises ImportInvalide (nothing saved)."""
    plan = plan or charger_plan()
    lignes = _cellules(fichier)
    erreurs: list[str] = []
    bilan = {"indicateurs_crees": 0, "valeurs_enregistrees": 0, "lignes_inchangees": 0}
    with transaction(con):
        existants = {(i["fiche"], i["nom"]): i["id"] for i in ind.indicateurs(con)}
        for r in lignes:
            n = r["_ligne"]
            try:
                fiche = str(r.get("fiche") or "").strip().removesuffix(".0")
                nom = str(r.get("indicateur") or "").strip()
                cle = (fiche, nom)
                if cle not in existants:
                    existants[cle] = ind.creer_indicateur(con, fiche, nom, str(r.get("unite") or ""),
                                                          utilisateur, plan)
                    bilan["indicateurs_crees"] += 1
                if r.get("annee") in (None, ""):
                    continue
                annee = _entier(r["annee"], "annee")
                version = _entier(r.get("version") or 0, "version")
                avant = ind.lire_valeur(con, existants[cle], annee)
                apres = ind.enregistrer_valeur(con, existants[cle], annee, r.get("cible"),
                                               r.get("valeur"), str(r.get("commentaire") or ""),
                                               str(r.get("source") or ""), version, utilisateur)
                changee = avant is None or apres != avant["version"]
                bilan["valeurs_enregistrees" if changee else "lignes_inchangees"] += 1
            except ind.SaisieInvalide as exc:
                erreurs.append(f"ligne {n} : {exc}")
        if erreurs:
            # Leaving the block by an exception rolls the whole import back.
            lignes = fr.pluriel(len(erreurs), "ligne")
            raise ImportInvalide(f"Import refusé, rien n'a été enregistré ({lignes} en erreur) :\n- "
                                 + "\n- ".join(erreurs[:30]))
    return bilan


def _entier(v, champ: str) -> int:
    try:
        f = float(str(v).replace(",", "."))
    except ValueError as exc:
        raise ind.SaisieInvalide(f"{champ} : « {v} » n'est pas un nombre entier.") from exc
    if f != int(f):
        raise ind.SaisieInvalide(f"{champ} : « {v} » n'est pas un nombre entier.")
    return int(f)
