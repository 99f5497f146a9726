"""Territory names inside a French sentence: « la Communauté de communes Cœur de Garonne »,
« du PETR du Pays Sud Toulousain », « d'Aucamville », « au Fousseret », « en Haute-Garonne ».
The computed sentences beside the charts read « À Communauté de communes … » without it."""

from __future__ import annotations

from functools import cache

from data import table

# Article of a name by its first word (code table: a new kind of territory is one line here)
ARTICLES = {"Communauté": "la ", "Métropole": "la ", "PETR": "le ", "Pays": "le ", "Groupe": "le "}
# Common nouns, not official names: lower case inside a sentence (« le groupe de 3 communes »)
NOMS_COMMUNS = ("Groupe ",)
# Typology classes are named as labels (« Rural »); in a sentence, the communes they gather
# (« la plus forte pour les communes rurales », never « pour Rural »)
EN_PHRASE = {"Rural": "communes rurales", "Urbain dense": "communes urbaines denses",
             "Urbain intermédiaire": "communes urbaines intermédiaires",
             "Hors métropole": "communes hors métropole"}


@cache
def _departements_regions() -> dict[str, tuple[str, str]]:
    """Départements and régions: article and how one says "in" (« en Haute-Garonne », « dans le
    Gers », « en Occitanie »), from data/departements.csv and data/regions.csv. A commune that
    bears a département's name (Vienne, Mayenne…) would read as the département: none of the
    built territories does so beside its namesake."""
    formes = {}
    for nom in ("departements", "regions"):
        t = table(nom)
        for n, article, dans in zip(t["nom"], t["article"], t["dans"], strict=True):
            formes[n] = (article if not article or article.endswith("'") else article + " ", dans)
    return formes

VOYELLES = "AEIOUYÂÀÉÈÊÎÏÔŒÛÜ"


def _dans_la_phrase(nom: str) -> str:
    if nom in EN_PHRASE:
        return EN_PHRASE[nom]
    return nom[:1].lower() + nom[1:] if nom.startswith(NOMS_COMMUNS) else nom


def _article(nom: str) -> str:
    if nom in EN_PHRASE:
        return "les "
    if nom in _departements_regions():
        return _departements_regions()[nom][0]
    return ARTICLES.get(nom.split(" ", 1)[0], "")


def le(nom: str) -> str:
    """« la Communauté de communes Cœur de Garonne », « le PETR … », « Toulouse »."""
    article = _article(nom)
    return article + _dans_la_phrase(nom) if article else nom


def de(nom: str) -> str:
    """« de la Communauté … », « du PETR … », « du Fousseret », « des Tourreilles », « d'Aucamville »."""
    return _precede("de", nom)


def a(nom: str) -> str:
    """« à la Communauté … », « au PETR … », « à la Haute-Garonne », « au Fousseret », « à Toulouse »."""
    return _precede("à", nom)


# « de » and « à » merged with the article that follows
CONTRACTIONS = {"de": {"le ": "du ", "les ": "des ", "la ": "de la ", "l'": "de l'", "": "de "},
                "à": {"le ": "au ", "les ": "aux ", "la ": "à la ", "l'": "à l'", "": "à "}}


def _precede(preposition: str, nom: str) -> str:
    article = _article(nom)
    if not article:  # a commune, whose name may begin with its own article (« Le Fousseret »)
        propre = next((p for p in ("Le ", "Les ") if nom.startswith(p)), "")
        article, nom = propre.lower(), nom[len(propre):]
    if preposition == "de" and not article and nom[:1].upper() in VOYELLES:
        return f"d'{nom}"
    return CONTRACTIONS[preposition][article] + _dans_la_phrase(nom)


def dans(nom: str) -> str:
    """Where: « dans la Communauté … », « dans le PETR … », « en Haute-Garonne », « à Toulouse »,
    « au Fousseret », « aux Tourreilles »."""
    if nom in _departements_regions():
        return _departements_regions()[nom][1]
    return f"dans {le(nom)}" if _article(nom) else a(nom)


def majuscule(texte: str) -> str:
    """First letter capitalised, the rest untouched (str.capitalize lowers the names)."""
    return texte[:1].upper() + texte[1:]
