"""A level's map in classes as the pages show it (Accueil, Carte): French legend labels and
tooltips, territory names, a one-sentence summary and the figure. The numbers come from
ess/carte.py; the drawing from geo/ (classes, choroplethe, etiquettes)."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd
import plotly.graph_objects as go

from ess import carte, motifs, noms
from ess import format as fr
from geo.choroplethe import carte_classes
from geo.classes import Classes, libelles_classes
from geo.etiquettes import noms_courts, points_interieurs

NOMS_DU_NIVEAU = "SELECT territoire, nom FROM territoires WHERE niveau = ?"
DIFFUSE = "SELECT count(*) FROM ref_diffusion_emploi WHERE niveau = ? AND groupe = ? AND nomenclature = ?"

@dataclass(frozen=True)
class VueCarte:
    df: pd.DataFrame  # carte.donnees, one row per territory
    classes: Classes
    entete: str  # metric with its filters and period
    libelles: list[str]  # one per class, « 2,1 % à 5,3 % »
    survol: pd.DataFrame  # tooltip lines: name, value, rank
    metrique: str


def texte(metrique: str, v, secret: bool = False, unite: bool = True, fourchette: str | None = None,
          motif: str | None = None) -> str:
    """A value as the map writes it: « 20,6 % », « 1 234 salariés », « s (secret statistique :
    trop peu d'établissements ou un établissement dominant) » (its true reason, `motif`),
    « s (secret statistique ; entre 11,3 % et 11,7 % d'après les chiffres publiés) »."""
    m = carte.METRIQUES[metrique]
    if secret and fourchette:
        return f"s (secret statistique ; {fourchette} d'après les chiffres publiés)"
    if secret:
        pourquoi = motifs.court({"motif": motif})
        return f"s (secret statistique : {pourquoi})" if pourquoi else "s (secret statistique)"
    if v is None or v != v:  # NaN: not computable
        return "non calculable"
    nombre = fr.nombre(v, m.decimales)
    if m.unite == "%":
        return f"{nombre}{fr.ESPACE}%"
    mot, _, reste = m.unite.partition(" ")
    if abs(v) < 2 and mot.endswith("s"):  # « 0 salarié », « 1,5 salarié pour 1 000 hab. »
        mot = mot[:-1]
    return f"{nombre} {' '.join(x for x in (mot, reste) if x)}" if unite else nombre


def vue(con: duckdb.DuckDBPyConnection, niveau: str, metrique: str, annee: int,
        definition: str = "statistique", famille: str | None = None, section: str | None = None,
        depuis: int | None = None, methode: str = "quantiles", k: int = 5,
        famille_libelle: str | None = None, section_libelle: str | None = None) -> VueCarte:
    df, classes = carte.donnees_classees(con, niveau, metrique, annee, definition, famille, section,
                                         depuis, methode, k)
    entete = carte.titre(metrique, famille_libelle, section_libelle, depuis, annee)
    fourchettes = [carte.fourchette_texte(metrique, lo, hi)
                   for lo, hi in zip(df["valeur_min"], df["valeur_max"], strict=True)]
    survol = df[["nom"]].assign(
        valeur=[f"{entete} : {texte(metrique, v, s, fourchette=f, motif=mo)}"
                for v, s, f, mo in zip(df["valeur"], df["secret"], fourchettes, df["motif_secret"],
                                       strict=True)],
        rang=[f"Rang : {carte.rang_texte(r, n)}" for r, n in zip(df["rang"], df["nb_classes"],
                                                                  strict=True)])
    libelles = []
    if classes.bornes:  # the legend's range covers the intervals placed in the end classes
        places = _places(df, classes)
        bornes = [*classes.bornes[:-1], max([classes.bornes[-1], *places["valeur_max"]])]
        libelles = libelles_classes(bornes, min([df["valeur"].min(), *places["valeur_min"]]),
                                           lambda x: texte(metrique, x, unite=False))
    return VueCarte(df, classes, entete, libelles, survol, metrique)


def etiquettes(con: duckdb.DuckDBPyConnection, niveau: str) -> pd.DataFrame:
    """Where to write on the map: EPCI names (short form) at a point inside each; for
    communes, too many to name, only the points (for the secret marks)."""
    pos = points_interieurs(carte.contours(con, niveau))
    if niveau != "epci":
        return pos
    noms = con.execute(NOMS_DU_NIVEAU, [niveau]).df()
    noms["nom"] = noms_courts(noms["nom"])
    return pos.merge(noms, on="territoire")


def figure(con: duckdb.DuckDBPyConnection, niveau: str, metrique: str, annee: int,
           definition: str = "statistique", famille: str | None = None, section: str | None = None,
           depuis: int | None = None, methode: str = "quantiles", k: int = 5,
           famille_libelle: str | None = None, section_libelle: str | None = None,
           selection: str | None = None, hauteur: int = 720) -> go.Figure:
    v = vue(con, niveau, metrique, annee, definition, famille, section, depuis, methode, k,
            famille_libelle, section_libelle)
    unite = carte.METRIQUES[metrique].unite
    legende = f"{v.entete}{'' if unite == '%' else f' ({unite})'}, {annee}"
    return carte_classes(v.df, carte.contours(con, niveau), v.classes, v.libelles, legende,
                                v.survol, selection, hauteur, etiquettes(con, niveau), carte.fond(con))


def _places(df, classes) -> pd.DataFrame:
    """Hidden territories drawn in a class by their published interval."""
    return df[df["secret"] & classes.indices.notna()]


def resume(v: VueCarte, niveau_libelle: str) -> str:
    """The map in one sentence (its text alternative): range, extremes, hidden territories."""
    valeurs = v.df.dropna(subset=["valeur"])
    n_secret = int(v.df["secret"].sum())
    n_nd = int((v.df["valeur"].isna() & ~v.df["secret"]).sum())
    if valeurs.empty:
        return f"{v.entete} : aucune valeur publiable à cet échelon ({niveau_libelle})."
    haut = valeurs.loc[valeurs["valeur"].idxmax()]
    bas = valeurs.loc[valeurs["valeur"].idxmin()]
    # names without parentheses around them: some hold their own, « (partie haut-garonnaise) »
    phrase = (f"{v.entete}, {niveau_libelle} : de {texte(v.metrique, bas['valeur'])} pour "
              f"{noms.le(bas['nom'])} à {texte(v.metrique, haut['valeur'])} pour {noms.le(haut['nom'])}")
    caches = []
    if n_secret:
        places = [f"{noms.le(r.nom)}, {carte.fourchette_texte(v.metrique, r.valeur_min, r.valeur_max)}"
                  for r in _places(v.df, v.classes).itertuples()]
        precision = (f", dont {' ; '.join(places)} d'après les chiffres publiés, "
                     f"{'chacun coloré' if len(places) > 1 else 'coloré'} dans la classe qui contient "
                     "cet intervalle") if places else ""
        caches.append(f"{n_secret} au secret statistique{precision}")
    if n_nd:
        caches.append(f"{n_nd} non calculable{'s' if n_nd > 1 else ''}")
    return phrase + (f" ; {' et '.join(caches)}." if caches else ".")


def diffuse(con: duckdb.DuckDBPyConnection, niveau: str, groupe: str, nomenclature: str) -> bool:
    """Whether the employment table publishes `groupe` × `nomenclature` at `niveau`
    (data/diffusion_emploi.csv, table ref_diffusion_emploi): communes only have ESS and private
    totals, families and A21 start at the EPCI. A base built before that table: everything."""
    try:
        row = con.execute(DIFFUSE, [niveau, groupe, nomenclature]).fetchone()
    except duckdb.CatalogException:
        return True
    return row[0] > 0


def non_diffuse(con: duckdb.DuckDBPyConnection, niveau: str, metrique: str, famille: str | None,
                section: str | None) -> str | None:
    """Why a map cannot be drawn at this level (in French), or None when it is published."""
    base = carte.METRIQUES[metrique].base
    if base == "etablissements":  # counts of establishments are not employment cells
        return None
    groupe, nomenclature = famille or "ess", "a21" if section else "ensemble"
    besoins = [(groupe, nomenclature)]
    if base == "part":
        besoins.append(("prive", nomenclature))
    if all(diffuse(con, niveau, g, n) for g, n in besoins):
        return None
    quoi = " et ".join(x for x in ("par famille juridique" if famille else "",
                                   "par secteur d'activité" if section else "") if x)
    ou = [n for n in carte.NIVEAUX if all(diffuse(con, n, g, nm) for g, nm in besoins)]
    return (f"Non diffusé à cet échelon : l'emploi {quoi} n'est pas publié pour les "
            f"{carte.NIVEAUX[niveau].lower()}"
            + (f" (il l'est pour les {', '.join(carte.NIVEAUX[n] for n in ou)})." if ou else ".")
            + " Choisissez un autre niveau ou retirez ce filtre.")
