"""Each chart in one computed sentence, shown beside it: its text alternative (RGAA 1.3,
WCAG 1.1.1) and the message for a reader in a hurry. Plain functions of the tables the charts
are drawn from."""

from __future__ import annotations

import pandas as pd

from ess import format as fr
from ess.noms import dans, de, le, majuscule


def _euros(x) -> str:
    return f"{fr.nombre(x)}{fr.ESPACE}€"


def familles(fam: pd.DataFrame, nom: str, ref: str) -> str:
    t = fam[(fam["territoire"] == nom) & fam["part"].notna()]
    if t.empty:
        return (f"Familles juridiques {de(nom)} : non diffusées à cet échelon ou couvertes par le "
                "secret statistique.")
    haut = t.loc[t["part"].idxmax()]
    r = fam[(fam["territoire"] == ref) & (fam["libelle"] == haut["libelle"])]["part"]
    comparaison = f" ({fr.pourcent(r.iloc[0])} pour {le(ref)})" if len(r) and pd.notna(r.iloc[0]) else ""
    return (f"{majuscule(dans(nom))}, les {haut['libelle'].lower()} portent {fr.pourcent(haut['part'])} des "
            f"effectifs de l'ESS{comparaison}.")


def evolution(evo: pd.DataFrame, nom: str, ref: str) -> str:
    def trajet(territoire: str) -> str | None:
        d = evo[(evo["territoire"] == territoire)].dropna(subset=["part_ess_prive"]).sort_values("annee")
        if d.empty:
            return None
        a, b = d.iloc[0], d.iloc[-1]
        return (f"{fr.pourcent(a['part_ess_prive'])} en {int(a['annee'])}, "
                f"{fr.pourcent(b['part_ess_prive'])} en {int(b['annee'])}")
    t, r = trajet(nom), trajet(ref)
    if t is None:
        return f"Part de l'ESS dans l'emploi privé {de(nom)} : couverte par le secret statistique."
    return (f"Part de l'ESS dans l'emploi privé {de(nom)} : {t}" + (f" ({ref} : {r})." if r else "."))


GUILLEMETS = "«\u00a0{}\u00a0»"  # never a line break inside


def secteurs(sec: pd.DataFrame, nom: str) -> str:
    """The first sector, then the sections under the secret by name: they are left out of the
    chart (a hidden value is never drawn as a bar of length zero)."""
    a21 = sec[(sec["niveau"] == "a21") & sec["effectifs"].notna()]
    if a21.empty:
        return (f"Secteurs de l'ESS {de(nom)} : non diffusés à cet échelon ou couverts par le "
                "secret statistique.")
    haut = a21.loc[a21["effectifs"].idxmax()]
    phrase = (f"Premier secteur de l'ESS {dans(nom)} : {haut['libelle'].lower()}, "
              f"{fr.nombre(haut['effectifs'])} salariés, soit {fr.pourcent(haut['part'])} des effectifs "
              "de l'ESS.")
    caches = sec[(sec["niveau"] == "a21") & sec["secret"].astype(bool)]
    if not caches.empty:
        n = len(caches)
        quoi = f"{n} secteurs couverts" if n > 1 else "Un secteur couvert"
        noms = fr.liste(GUILLEMETS.format(x[:1].lower() + x[1:]) for x in caches["libelle"])
        phrase += (f" {quoi} par le secret statistique (« s »), absent{'s' if n > 1 else ''} du "
                   f"graphique : {noms}.")
    return phrase


def typologies(df: pd.DataFrame, mesure: str) -> str:
    d = df.dropna(subset=[mesure])
    if d.empty:
        return "Valeurs couvertes par le secret statistique."
    haut, bas = d.loc[d[mesure].idxmax()], d.loc[d[mesure].idxmin()]
    quoi = ("Part de l'ESS dans l'emploi privé" if mesure == "part_ess_prive"
            else "Part des emplois de l'ESS du département")
    return (f"{quoi} : la plus forte pour {le(haut['nom'])} ({fr.pourcent(haut[mesure])}), la plus "
            f"faible pour {le(bas['nom'])} ({fr.pourcent(bas[mesure])}).")


def projets_par_annee(df: pd.DataFrame) -> str:
    if df.empty:
        return "Aucun projet."
    haut = df.loc[df["projets_accueillis"].idxmax()]
    return (f"{fr.nombre(df['projets_accueillis'].sum())} projets accueillis de {int(df['annee'].min())} "
            f"à {int(df['annee'].max())}, dont {fr.nombre(df['projets_finances'].sum())} financés ; "
            f"année la plus active : {int(haut['annee'])} ({fr.nombre(haut['projets_accueillis'])} projets).")


def projets_par_theme(df: pd.DataFrame) -> str:
    if df.empty:
        return "Aucun projet."
    haut = df.loc[df["projets_accueillis"].idxmax()]
    return (f"Thématique la plus représentée : {haut['theme']} ({fr.nombre(haut['projets_accueillis'])} "
            f"projets accueillis, {fr.nombre(haut['projets_finances'])} financés).")


def montants_par_dispositif(df: pd.DataFrame) -> str:
    if df.empty:
        return "Aucun projet financé."
    haut = df.loc[df["montant_eur"].idxmax()]
    return (f"{_euros(df['montant_eur'].sum())} accordés, dont {_euros(haut['montant_eur'])} par le "
            f"dispositif « {haut['dispositif']} ».")


def projets_par_epci(df: pd.DataFrame) -> str:
    if df.empty or df["projets_finances"].max() == 0:
        return "Aucun projet financé."
    haut = df.loc[df["projets_finances"].idxmax()]
    sans = int((df["projets_finances"] == 0).sum())
    return (f"Le plus de projets financés : {haut['nom']} ({fr.nombre(haut['projets_finances'])}) ; "
            f"{sans} EPCI sans projet financé.")
