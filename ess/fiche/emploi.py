"""Employment in a fiche (emploi salarié FLORES, under the secret statistique), as far as the
territory's level publishes it (`ref_diffusion_emploi`, ess.diffusion): jobs by legal family
and by sector. A breakdown not published at the level reads "—" (establishment counts by
family then come from the public SIRENE listing); None is a value hidden by the secret."""

from __future__ import annotations

import pandas as pd

from data import familles_ess
from ess import diffusion, portrait
from ess.codes_territoire import Territoire
from ess.document.modele import NON_DIFFUSE, Colonne, Tableau
from ess.fiche import etablissements
from ess.fiche.textes import SOURCE_FLORES, SOURCE_SIRENE
from ess.indicateurs import FAMILLES_ESS

NIVEAU_DIFFUSION = {"communes": "commune"}  # a custom group is published as its communes


def _publies(con, niveau: str) -> set[tuple[str, str]]:
    """(group, nomenclature) the employment table publishes at this level (ref_diffusion_emploi)."""
    niveau = NIVEAU_DIFFUSION.get(niveau, niveau)
    return {(g, n) for nv, g, n in diffusion.combinaisons(con) if nv == niveau}


def num(v):
    """A number for a cell: None stays None (secret), NaN → None, numpy → Python."""
    if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NA:
        return None
    return v.item() if hasattr(v, "item") else v


def fraction(pourcent):
    v = num(pourcent)
    return None if v is None else round(v / 100, 4)


def familles(con, t: Territoire, annee: int, etab: pd.DataFrame | None, cle: str, titre: str,
             nom: str) -> Tableau:
    """Families of a territory. Where its level does not publish them, jobs read "—" and the
    establishment counts come from the public SIRENE listing."""
    publies = _publies(con, t.niveau)
    if any((f, "ensemble") in publies for f in FAMILLES_ESS):
        df = portrait.familles(con, t.code, annee)
    else:  # nothing to read from the employment table at this level
        df = pd.DataFrame({"famille": list(familles_ess()), "libelle": list(familles_ess().values())})
    if etab is None and any((f, "ensemble") not in publies for f in df["famille"]):
        etab = etablissements.lire(con, t, annee)
    etab_fam = (etab[etab["famille_ess"].notna()].groupby("famille_ess").size() if etab is not None
                else pd.Series(dtype=int))
    lignes, par_sirene = [], False
    for r in df.itertuples():
        if (r.famille, "ensemble") in publies:
            secret = bool(r.secret)
            lignes.append([r.libelle, int(r.nb_etablissements), None if secret else num(r.effectifs),
                           None if secret else fraction(r.part)])
        else:
            par_sirene = True
            lignes.append([r.libelle, int(etab_fam.get(r.famille, 0)), NON_DIFFUSE, NON_DIFFUSE])
    source = SOURCE_FLORES.format(annee=annee)
    note = ""
    if par_sirene:
        source = f"{SOURCE_SIRENE.format(annee=annee)} (établissements) ; {source} (effectifs)"
        note = (f"Effectifs par famille {diffusion.NON_DIFFUSE_A_CET_ECHELON} (« — ») : établissements "
                "comptés dans le répertoire SIRENE ; voir les familles de l'EPCI, données de contexte.")
    return Tableau(cle, titre, [
        Colonne("Famille juridique", largeur=2), Colonne("Établissements employeurs", "entier"),
        Colonne("Effectifs salariés", "entier"), Colonne("Part des effectifs de l'ESS", "pourcent")],
        lignes, f"établissements employeurs et salariés de l'ESS au 31/12/{annee}, {nom}", source, note)


def secteurs(con, t: Territoire, annee: int, cle: str, titre: str, nom: str,
             max_lignes_pdf: int | None = None) -> Tableau | None:
    """ESS jobs by A21 section, with the A38 detail where the level publishes it; None when
    the level publishes no sector at all."""
    publies = _publies(con, t.niveau)
    if ("ess", "a21") not in publies:
        return None
    df = portrait.secteurs(con, t.code, annee)
    a38 = ("ess", "a38") in publies
    df = df[((df["niveau"] == "a21") | ((df["niveau"] == "a38") & a38)) & (df["nb_etablissements"] > 0)]
    if not a38:  # sections alone: the largest first (establishments are never secret)
        df = df.sort_values(["nb_etablissements", "secteur"], ascending=[False, True])
    lignes = [[r.secteur, r.libelle, num(r.nb_etablissements), None if r.secret else num(r.effectifs),
               None if r.secret else fraction(r.part)] for r in df.itertuples()]
    colonnes = [Colonne("Code"), Colonne("Secteur d'activité", largeur=3),
                Colonne("Établissements employeurs", "entier"), Colonne("Effectifs salariés", "entier"),
                Colonne("Part des effectifs de l'ESS", "pourcent")]
    if a38:  # sections and their detail in one table: say which is which
        colonnes.insert(0, Colonne("Niveau"))
        for ligne, r in zip(lignes, df.itertuples(), strict=True):
            ligne.insert(0, "Section" if r.niveau == "a21" else "Détail A38")
    detail = ("et leur détail A38" if a38 else f"; le détail A38 est {diffusion.NON_DIFFUSE_A_CET_ECHELON} "
              "(publié pour le département et la métropole)")
    note = f"Sections A21 de la NAF rév. 2 {detail} ; sections sans établissement de l'ESS omises."
    return Tableau(cle, titre, colonnes, lignes,
        f"établissements employeurs et salariés de l'ESS au 31/12/{annee}, {nom}",
        SOURCE_FLORES.format(annee=annee), note, max_lignes_pdf=max_lignes_pdf)
