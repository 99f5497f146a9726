"""A fiche's territory among the others: the EPCI, PETR and département that contain it and
their figures beside its own, its evolution since the first year available, and the figures
its sentences compare with (population, trend)."""

from __future__ import annotations

import duckdb
import pandas as pd

from ess import indicateurs, portrait, reperes
from ess.codes_territoire import Territoire, territoire_base
from ess.document.modele import NON_DIFFUSE, Colonne, Tableau
from ess.fiche.emploi import fraction, num
from ess.fiche.etablissements import est_compte
from ess.fiche.textes import NIVEAUX, SOURCE_FLORES

NIVEAUX_COMPARAISON = ("epci", "petr", "departement", "region")
PARENTS = """
SELECT t.territoire, t.niveau, t.nom
FROM appartenance a JOIN territoires t USING (territoire)
WHERE list_contains(?, a.commune) AND list_contains(?, t.niveau) AND t.territoire <> ?
GROUP BY ALL
HAVING count(*) = ?
"""
POPULATION = "SELECT sum(population)::BIGINT FROM communes WHERE list_contains(?, commune)"


def parents(con: duckdb.DuckDBPyConnection, t: Territoire) -> list[tuple[str, str, str]]:
    """EPCI, PETR and département containing all the territory's communes."""
    rows = con.execute(PARENTS, [list(t.communes), list(NIVEAUX_COMPARAISON), t.code,
                                 len(t.communes)]).fetchall()
    ordre = {n: i for i, n in enumerate(NIVEAUX_COMPARAISON)}
    return sorted(rows, key=lambda r: ordre[r[1]])


def comparaisons(con, t, titre, annee, propres: dict, parents_t, cache: dict | None) -> Tableau:
    """The territory (statistical figures `propres`) beside its EPCI, PETR, département."""
    cache = {} if cache is None else cache
    lignes = []
    for code, niveau, nom in [(t.code, t.niveau, titre), *parents_t]:
        if code == t.code:
            c = propres
        else:
            if (code, annee) not in cache:
                cache[(code, annee)] = indicateurs.chiffres_cles(con, code, annee)
            c = cache[(code, annee)]
        lignes.append([nom, NIVEAUX.get(niveau, niveau), c["etablissements_employeurs_ess"],
                       c["effectifs_ess"], fraction(c["part_ess_emploi_prive"])])
    # the région and France: establishments of the national SIRENE stock (the source said in
    # the level's cell); a commune's fiche keeps to four pages, its listing printed shorter
    # when needed (ess.document.rendu_pdf)
    lignes += [[c["nom"], f"{niveau} (SIRENE)", c["etablissements_employeurs_ess"], NON_DIFFUSE,
                NON_DIFFUSE] for niveau, c in _region_et_france(con, annee)]
    source = SOURCE_FLORES.format(annee=annee)
    return Tableau("comparaisons", "Comparaisons", [
        Colonne("Territoire", largeur=3), Colonne("Niveau"),
        Colonne("Établissements employeurs de l'ESS", "entier"),
        Colonne("Effectifs salariés de l'ESS", "entier"),
        Colonne("Part de l'ESS dans l'emploi privé", "pourcent")], lignes,
        f"périmètre statistique de l'ESS au 31/12/{annee}, le territoire et ceux qui le contiennent",
        source)


def _region_et_france(con, annee: int) -> list[tuple[str, dict]]:
    """The région and France from the national comparisons, when the database holds them (a
    région's database has its own région among the levels, with its employment)."""
    if not reperes.disponible(con):
        return []
    base = territoire_base(con)
    try:
        region = [] if base.region else [
            ("Région", reperes.chiffres(con, f"region:{reperes.region_de(con, base.code)}", annee))]
        return [*region, ("France", reperes.chiffres(con, "france", annee))]
    except indicateurs.AnneeIndisponible:  # employment years beyond the stock's
        return []


def evolution(con, t, annees: str) -> Tableau:
    df = portrait.evolution(con, t.code)
    lignes = [[int(r.annee), num(r.etablissements_ess), num(r.effectifs_ess), num(r.effectifs_prive),
               fraction(r.part_ess_prive)] for r in df.itertuples()]
    return Tableau("evolution", "Évolution", [
        Colonne("Année", "annee"), Colonne("Établissements employeurs de l'ESS", "entier"),
        Colonne("Effectifs salariés de l'ESS", "entier"), Colonne("Effectifs salariés du privé", "entier"),
        Colonne("Part de l'ESS dans l'emploi privé", "pourcent")], lignes,
        f"périmètre statistique de l'ESS, au 31/12 de chaque année disponible ({annees})",
        f"INSEE, emploi salarié au 31/12 (format FLORES), {annees}")


def annee_debut(annees: list[int], annee: int) -> int:
    """First year of the trends: four years before, or the first year available."""
    return max([a for a in annees if a <= annee - 4] or [min(annees, default=annee)])


def contexte(con, t, annee, perimetre, unite, serie: Tableau, etab: pd.DataFrame,
             etab_debut: pd.DataFrame) -> dict:
    """Figures the sentences need: population, trend of the count from the SIRENE listing
    (same definition as the headline), first year of the series."""
    annees = [r[0] for r in serie.lignes]
    debut = annee_debut(annees, annee)
    compte_debut = int(est_compte(etab_debut, perimetre, unite).sum())
    comptes = est_compte(etab, perimetre, unite)
    recents = pd.to_datetime(etab["date_creation"]) >= pd.Timestamp(annee - 2, 1, 1)
    return {"population": con.execute(POPULATION, [list(t.communes)]).fetchone()[0] or 0,
            "annee_debut": debut, "compte_debut": compte_debut, "annees": annees,
            "creations": int((comptes & recents).sum())}
