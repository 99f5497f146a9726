"""The first plan's synthesis (2020-2025), computed from the project register."""

from __future__ import annotations

import duckdb

from ess import requetes


def synthese_plan1(con: duckdb.DuckDBPyConnection) -> dict:
    projets = con.execute(requetes.PROJETS_SYNTHESE).df().iloc[0].to_dict()
    collectivites, epci, noms_epci = con.execute(requetes.ACCOMPAGNEMENTS).fetchone()
    finances = int(projets["projets_finances"])
    dissoutes = int(projets["structures_dissoutes"])
    livrables = con.execute(requetes.LIVRABLES).df()
    return {
        "projets_accueillis": int(projets["projets_accueillis"]),
        "projets_finances": finances,
        "etp_projetes": float(projets["etp_projetes"]),
        "tiers_lieux_finances": int(projets["tiers_lieux_finances"]),
        "structures_dissoutes": dissoutes,
        "taux_perennisation": round(100 * (finances - dissoutes) / finances, 1) if finances else None,
        "montant_total_eur": float(projets["montant_total_eur"]),
        "collectivites_accompagnees": collectivites,
        "epci_accompagnes": epci,
        "noms_epci_accompagnes": noms_epci or [],
        "livrables": livrables.to_dict(orient="records"),
    }
