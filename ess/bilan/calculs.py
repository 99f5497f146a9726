"""Bilan computations of the 1st plan from the `projets` and `accompagnements` marts.

`annee`: the bilan's year; only projects received (and collectivités supported) up to that
year count. None: the whole register (`ess.plan.synthese_plan1`, the CLI contract).
"""

from __future__ import annotations

import duckdb
import pandas as pd

from ess.bilan import requetes

TOUTES = 9999


def _a(annee: int | None) -> int:
    return TOUTES if annee is None else int(annee)


def annees(con: duckdb.DuckDBPyConnection) -> list[int]:
    debut, fin = con.execute(requetes.ANNEES).fetchone()
    return list(range(int(debut), int(fin) + 1)) if debut is not None else []


def synthese(con: duckdb.DuckDBPyConnection, annee: int | None = None) -> dict:
    p = con.execute(requetes.SYNTHESE, [_a(annee)]).df().iloc[0].to_dict()
    collectivites, epci, noms = con.execute(requetes.ACCOMPAGNEMENTS, [_a(annee)]).fetchone()
    finances, dissoutes = int(p["projets_finances"]), int(p["structures_dissoutes"])
    return {
        "projets_accueillis": int(p["projets_accueillis"]),
        "projets_finances": finances,
        "etp_projetes": float(p["etp_projetes"]),
        "tiers_lieux_finances": int(p["tiers_lieux_finances"]),
        "structures_dissoutes": dissoutes,
        "taux_perennisation": round(100 * (finances - dissoutes) / finances, 1) if finances else None,
        "montant_total_eur": float(p["montant_total_eur"]),
        "collectivites_accompagnees": collectivites,
        "epci_accompagnes": epci,
        "noms_epci_accompagnes": noms or [],
        "livrables": [x for x in con.execute(requetes.LIVRABLES).df().to_dict(orient="records")
                      if _annee_livrable(x["annee"]) <= _a(annee)],
    }


def _annee_livrable(texte) -> int:
    """Deliverables' years are text (« 2020 », sometimes a range): the first year counts."""
    chiffres = "".join(c for c in str(texte)[:4] if c.isdigit())
    return int(chiffres) if len(chiffres) == 4 else 0


def _df(con, sql: str, annee: int | None) -> pd.DataFrame:
    return con.execute(sql, [_a(annee)]).df()


def par_annee(con, annee=None) -> pd.DataFrame:
    return _df(con, requetes.PAR_ANNEE, annee)


def par_theme(con, annee=None) -> pd.DataFrame:
    return _df(con, requetes.PAR_THEME, annee)


def par_dispositif(con, annee=None) -> pd.DataFrame:
    return _df(con, requetes.PAR_DISPOSITIF, annee)


def _parts(df: pd.DataFrame) -> pd.DataFrame:
    """Shares of projects financed and of money, per row (a zone, a density class)."""
    df = df.copy()
    for col, part in (("projets_finances", "part_projets_finances"), ("montant_eur", "part_montant")):
        total = df[col].sum()
        df[part] = (100 * df[col] / total).round(1) if total else 0.0
    return df


def par_zone(con, annee=None) -> pd.DataFrame:
    """The métropole (Toulouse Métropole in the 31) vs the rest of the département."""
    return _parts(_df(con, requetes.PAR_ZONE, annee))


def par_densite(con, annee=None) -> pd.DataFrame:
    return _parts(_df(con, requetes.PAR_DENSITE, annee))


def par_epci(con, annee=None) -> pd.DataFrame:
    return _df(con, requetes.PAR_EPCI, annee)


def projets(con, annee=None) -> pd.DataFrame:
    return _df(con, requetes.LISTE, annee)


def filtrer_projets(df: pd.DataFrame, annees: list[int] | None = None,
                    themes: list[str] | None = None, finance: str | None = None,
                    zone: str | None = None, texte: str = "") -> pd.DataFrame:
    """The list filtered as in the page (empty or None filter = no filter)."""
    masque = pd.Series(True, index=df.index)
    if annees:
        masque &= df["annee_accueil"].isin(annees)
    if themes:
        masque &= df["theme"].isin(themes)
    if finance in ("oui", "non"):
        masque &= df["finance"] == finance
    if zone:
        masque &= df["zone"] == zone
    if texte.strip():
        t = texte.strip().lower()
        masque &= (df["nom_projet"].str.lower().str.contains(t, regex=False)
                   | df["porteur"].str.lower().str.contains(t, regex=False)
                   | df["commune_nom"].str.lower().str.contains(t, regex=False))
    return df[masque].reset_index(drop=True)
