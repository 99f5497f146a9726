"""Portrait of a territory against a reference territory: key figures side by side, legal
families, evolution, rank among peers. Built on `ess.portrait` and `ess.indicateurs`
(statistical perimeter); hidden values stay NaN and are written "s" by `ess.format`.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from ess import format as fr
from ess import indicateurs, portrait
from ess.codes_territoire import resoudre

POPULATION = "SELECT coalesce(sum(population), 0) FROM communes WHERE list_contains(?, commune)"
NIVEAUX_PAIRS = ("commune", "epci", "petr")  # levels whose territories are ranked among peers
LIBELLES = {
    "etablissements_ess": ("Établissements employeurs de l'ESS", ""),
    "effectifs_ess": ("Effectifs salariés de l'ESS", ""),
    "part_ess_prive": ("Part de l'ESS dans l'emploi privé", "%"),
    "effectifs_ess_1000_hab": ("Effectifs salariés de l'ESS pour 1\u202f000 habitants", ""),
}


def population(con: duckdb.DuckDBPyConnection, code: str) -> int:
    communes = list(resoudre(con, code).communes)
    (pop,) = con.execute(POPULATION, [communes]).fetchone()
    return int(pop)


def chiffres(con: duckdb.DuckDBPyConnection, code: str, annee: int) -> dict:
    """The four headline indicators of a territory (None where hidden)."""
    c = indicateurs.chiffres_cles(con, code, annee)
    pop = population(con, code)
    ess = c["effectifs_ess"]
    return {
        "nom": c["nom"],
        "noms_communes": resoudre(con, code).noms_communes,  # a group's, every one
        "motif_secret": c["motif_secret_effectifs_ess"],  # why the ESS total reads « s »
        "etablissements_ess": c["etablissements_employeurs_ess"],
        "effectifs_ess": ess,
        "fourchette_ess": c["fourchette_effectifs_ess"],
        "fourchette_part": c["fourchette_part_ess_emploi_prive"],
        "part_ess_prive": c["part_ess_emploi_prive"],
        "effectifs_ess_1000_hab": round(1000 * ess / pop, 1) if ess is not None and pop else None,
        "population": pop,
    }


def texte(indicateur: str, valeur) -> str:
    if indicateur == "part_ess_prive":
        return fr.pourcent(valeur)
    return fr.nombre(valeur, 1 if indicateur == "effectifs_ess_1000_hab" else 0)


def tableau_chiffres(territoire: dict, reference: dict) -> pd.DataFrame:
    """Key figures of the territory and of its reference, written the French way."""
    nom_ref = reference["nom"]
    if nom_ref == territoire["nom"]:
        nom_ref += " (référence)"
    return pd.DataFrame({
        "Indicateur": [LIBELLES[k][0] for k in LIBELLES],
        territoire["nom"]: [texte(k, territoire[k]) for k in LIBELLES],
        nom_ref: [texte(k, reference[k]) for k in LIBELLES],
    })


def familles(con: duckdb.DuckDBPyConnection, code: str, reference: str, annee: int) -> pd.DataFrame:
    """ESS jobs by legal family, both territories in long form (for a grouped bar chart)."""
    parts = []
    for c in (code, reference):
        df = portrait.familles(con, c, annee)
        df.insert(0, "territoire", resoudre(con, c).nom)
        parts.append(df)
    return pd.concat(parts, ignore_index=True)


def tableau_familles(fam: pd.DataFrame) -> pd.DataFrame:
    """`familles` as the page's table, in French: « s » where a figure is hidden by the secret,
    « — » where the level publishes no family breakdown (a commune's jobs by family)."""
    publie = fam["diffuse"].astype(bool)

    def marque(serie: pd.Series, ecrire) -> list[str]:
        return [ecrire(v) if p else fr.NON_DIFFUSE for v, p in zip(serie, publie, strict=True)]

    return pd.DataFrame({
        "Territoire": fam["territoire"], "Famille": fam["libelle"],
        "Établissements employeurs": marque(fam["nb_etablissements"], fr.nombre),
        "Effectifs": marque(fam["effectifs"], fr.nombre), "Part": marque(fam["part"], fr.pourcent)})


def detail_a38(sec: pd.DataFrame) -> bool:
    """Whether a territory's sectors (portrait.secteurs) hold an A38 detail: only where its
    level publishes it (the département, the métropole)."""
    return bool((sec["niveau"] == "a38").any())


def tableau_secteurs(sec: pd.DataFrame) -> pd.DataFrame:
    """`portrait.secteurs` as the page's table, in French: the NAF code and the sector's name,
    « s » where a figure is hidden; an A38 division under its section (« dont … ») only where
    it details it (a section made of one division is not written twice)."""
    divisions = sec[sec["niveau"] == "a38"].groupby("section")["secteur"].count()
    garder = (sec["niveau"] == "a21") | sec["section"].map(divisions).gt(1)
    lignes = sec[garder]
    return pd.DataFrame({
        "Code NAF": lignes["secteur"],
        "Secteur d'activité": [lib if n == "a21" else f"dont {lib[:1].lower()}{lib[1:]}"
                               for n, lib in zip(lignes["niveau"], lignes["libelle"], strict=True)],
        "Établissements employeurs": lignes["nb_etablissements"].map(fr.nombre),
        "Effectifs salariés": lignes["effectifs"].map(fr.nombre),
        "Part des effectifs de l'ESS": lignes["part"].map(fr.pourcent)}).reset_index(drop=True)


def evolution(con: duckdb.DuckDBPyConnection, code: str, reference: str) -> pd.DataFrame:
    parts = []
    for c in (code, reference):
        df = portrait.evolution(con, c)
        df.insert(0, "territoire", resoudre(con, c).nom)
        parts.append(df)
    return pd.concat(parts, ignore_index=True)


def rangs(con: duckdb.DuckDBPyConnection, code: str, annee: int) -> pd.DataFrame | None:
    """Rank of the territory among the territories of its level (None for a custom group,
    the département or a typology: they have no peers)."""
    t = resoudre(con, code)
    if t.niveau not in NIVEAUX_PAIRS:
        return None
    df = portrait.par_niveau(con, t.niveau, annee)
    ligne = df[df["territoire"] == code]
    lignes = []
    for ind, (libelle, _unite) in LIBELLES.items():
        nb = int(df[ind].notna().sum())
        rang = ligne[f"rang_{ind}"].iloc[0] if not ligne.empty else pd.NA
        lignes.append({
            "Indicateur": libelle,
            "Valeur": texte(ind, ligne[ind].iloc[0] if not ligne.empty else None),
            "Rang": "s" if pd.isna(rang) else f"{int(rang)}{'er' if int(rang) == 1 else 'e'} sur {nb}",
            "Médiane des pairs": texte(ind, df[ind].median()),
        })
    return pd.DataFrame(lignes)
