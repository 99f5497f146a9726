"""Visibly fictitious names and addresses for demo establishments."""

from __future__ import annotations

import numpy as np

FORMES = {
    "association": "ASSOCIATION",
    "cooperative": "COOPÉRATIVE",
    "mutuelle": "MUTUELLE",
    "fondation": "FONDATION",
    "autre_ess": "GROUPEMENT",
    "esus": "SAS",
    "prive": "SOCIÉTÉ",
    "public": "SERVICE PUBLIC",
}
ACTIVITES = {
    "QB": ["AIDE À DOMICILE", "ACCUEIL ET HÉBERGEMENT", "SOLIDARITÉ FAMILLES", "INSERTION"],
    "QA": ["CENTRE DE SANTÉ", "SOINS INFIRMIERS", "PRÉVENTION SANTÉ"],
    "PZ": ["FORMATION", "ÉDUCATION POPULAIRE", "ÉCOLE DE MUSIQUE"],
    "RZ": ["CLUB SPORTIF", "THÉÂTRE", "FESTIVAL", "CULTURE ET LOISIRS"],
    "SZ": ["MAISON DES ASSOCIATIONS", "ENTRAIDE", "JARDINS PARTAGÉS"],
    "NZ": ["EMPLOI SOLIDAIRE", "SERVICES AUX ENTREPRISES"],
    "KZ": ["CAISSE LOCALE", "ÉPARGNE SOLIDAIRE"],
    "AZ": ["MARAÎCHAGE", "CUMA"],
    "CA": ["FROMAGERIE", "CONSERVERIE"],
    "GZ": ["ÉPICERIE", "MAGASIN DE PRODUCTEURS"],
    "EZ": ["RECYCLERIE", "RESSOURCERIE"],
}
VOIES = ["RUE", "AV", "CHE", "PL", "ALL", "BD", "RTE", "IMP"]
LIBELLES_VOIE = ["DES LILAS", "JEAN JAURES", "DE LA REPUBLIQUE", "DES ECOLES", "DU MOULIN",
                 "DE LA GARONNE", "DES PYRENEES", "VICTOR HUGO", "DE LA MAIRIE", "DU STADE",
                 "DES TILLEULS", "DU CANAL"]


def denomination(forme: str, a38: str, commune: str, rng: np.random.Generator) -> str:
    activite = rng.choice(ACTIVITES.get(a38, ["ACTIVITÉS"]))
    return f"{FORMES[forme]} DÉMO {activite} – {commune.upper()}"


def adresse(rng: np.random.Generator) -> tuple[str, str, str]:
    return str(rng.integers(1, 120)), str(rng.choice(VOIES)), str(rng.choice(LIBELLES_VOIE))
