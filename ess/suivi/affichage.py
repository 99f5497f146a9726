"""The journal of the store as people read it: Paris time, values in words, no JSON."""

from __future__ import annotations

import json

import pandas as pd

from ess import format as fr

LIBELLES = {"cible": "cible", "valeur": "valeur", "commentaire": "commentaire",
            "source": "source", "statut": "statut", "nom": "nom", "unite": "unité"}
COLONNES = {"horodatage": "Quand (heure de Paris)", "utilisateur": "Qui", "action": "Action",
            "objet": "Objet", "fiche": "Fiche", "ancienne_valeur": "Ancienne valeur",
            "nouvelle_valeur": "Nouvelle valeur"}


def valeur_lisible(texte) -> str:
    """A journal value (plain text, or JSON written by store.journaliser) in French words."""
    if texte is None or texte == "" or (isinstance(texte, float) and texte != texte):
        return ""
    try:
        v = json.loads(texte)
    except (TypeError, ValueError):
        return str(texte)
    return _mots(v)


def _mots(v) -> str:
    if v is None:
        return "non renseigné"
    if isinstance(v, bool):
        return "oui" if v else "non"
    if isinstance(v, int | float):
        return fr.decimal(v)
    if isinstance(v, dict):
        parties = [f"{LIBELLES.get(k, k)} : {_mots(x)}" for k, x in v.items()
                   if x not in (None, "")]
        return " · ".join(parties) or "vide"
    if isinstance(v, list):
        return ", ".join(_mots(x) for x in v)
    return str(v)


def journal(lignes: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(lignes)
    if df.empty:
        return df
    df["horodatage"] = df["horodatage"].map(fr.date_heure)
    for c in ("ancienne_valeur", "nouvelle_valeur"):
        df[c] = df[c].map(valeur_lisible)
    return df.drop(columns="id", errors="ignore").rename(columns=COLONNES)
