"""Charts of the pages that depend only on the database and a year, so `ui.figure` builds each
once per database build and shares it: building a plotly map costs ~0.1 s of CPU per rerun."""

from __future__ import annotations

import duckdb

from ess import format as fr
from ess import requetes
from ess.bilan import calculs
from geo.layers import choroplethe


def carte_part_ess_epci(con: duckdb.DuckDBPyConnection, annee: int):
    """Accueil: the ESS share of private employment by EPCI."""
    epci = con.execute(requetes.EPCI_CARTE, [annee]).df()
    epci["part"] = (100 * epci["effectifs_ess"] / epci["effectifs_prive"]).round(1)
    epci["Part ESS"] = epci["part"].map(fr.pourcent)
    epci["Effectifs ESS"] = epci["effectifs_ess"].map(fr.nombre)
    return choroplethe(epci, "part", "Part de l'ESS<br>dans l'emploi privé (%)",
                       {"Part ESS": True, "Effectifs ESS": True, "part": False, "territoire": False})


def carte_projets_epci(con: duckdb.DuckDBPyConnection, annee: int):
    """Bilan: projects financed by EPCI, with projects hosted and amounts in the tooltip."""
    df = calculs.par_epci(con, annee)
    df["Montant"] = df["montant_eur"].map(lambda x: f"{fr.nombre(x)}{fr.ESPACE}€")
    df["Projets accueillis"] = df["projets_accueillis"].map(fr.nombre)
    return choroplethe(df, "projets_finances", "Projets<br>financés",
                       {"Projets accueillis": True, "Montant": True, "territoire": False})
