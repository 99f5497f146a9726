"""The "Rapport de bilan" for a chosen year, built once as a document (ess.document: key
figures with their sentence, numbered sections, tables with scope and source, charts, methods)
and rendered as PDF, DOCX or XLSX by the shared renderers."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb
import pandas as pd

from ess import document as doc
from ess import format as fr
from ess import noms, provenance, reperes
from ess.bilan import calculs
from ess.codes_territoire import territoire_base
from ess.document import graphiques
from ess.document.modele import Chiffre, Colonne, Document, Graphique, Paragraphe, Section, Tableau
from ess.suivi import classeur
from ess.suivi import saisies as suivi
from ess.suivi.structure import STATUTS, Plan, charger_plan

FORMATS = {f: doc.FORMATS[f][1] for f in ("pdf", "docx", "xlsx")}


def source_registre(departement: str) -> str:
    return f"Registre des projets du 1er plan ESS (SIES, Département {noms.de(departement)})"


METROPOLE = """
SELECT nom FROM territoires WHERE niveau = 'metropole' AND code <> 'hors-metropole'
ORDER BY population DESC LIMIT 1
"""
LIBELLES = {"annee": "Année", "projets_accueillis": "Projets accueillis",
            "projets_finances": "Projets financés",
            "montant_eur": "Montant accordé", "etp_projetes": "Emplois projetés (ETP)",
            "tiers_lieux": "Tiers-lieux financés", "part_projets_finances": "Part des projets financés (%)",
            "part_montant": "Part du montant (%)", "theme": "Thématique", "dispositif": "Dispositif",
            "zone": "Zone", "densite": "Densité", "nom": "EPCI"}


@dataclass
class Rapport:
    annee: int
    document: Document

    @property
    def titre(self) -> str:
        return self.document.titre

    def nom_fichier(self, fmt: str) -> str:
        return f"rapport_bilan_ess_{self.annee}.{fmt}"


def tableau(cle: str, titre: str, df: pd.DataFrame, champ: str, source: str, **options) -> Tableau:
    """A data frame as a typed table: years, euros, shares (`(%)` columns become fractions),
    whole numbers and decimals recognised from names and types."""
    df = df.rename(columns=LIBELLES)
    colonnes, valeurs = [], []
    for nom in df.columns:
        serie = df[nom]
        if nom == "Année":
            genre = "annee"
        elif nom.startswith("Montant"):
            genre = "euros"
        elif nom.endswith("(%)"):
            genre, nom, serie = "pourcent", nom.removesuffix(" (%)"), serie / 100
        elif pd.api.types.is_integer_dtype(serie):
            genre = "entier"
        elif pd.api.types.is_float_dtype(serie):
            genre = "decimal"
        else:
            genre = "texte"
        largeur = 3 if genre == "texte" and serie.astype(str).str.len().max() > 25 else 1
        colonnes.append(Colonne(nom, genre, largeur))
        valeurs.append([None if pd.isna(v) else (v.item() if hasattr(v, "item") else v) for v in serie])
    lignes = [list(r) for r in zip(*valeurs, strict=True)] if valeurs else []
    return Tableau(cle, titre, colonnes, lignes, champ, source, **options)


def tableau_suivi(con_suivi: sqlite3.Connection, annee: int, plan: Plan) -> pd.DataFrame:
    """One row per fiche: activities by status, progress, indicators of the year."""
    av = {a["fiche"]: a for a in suivi.avancement(con_suivi, plan)}
    par_fiche: dict[str, list[str]] = {}
    for v in suivi.valeurs(con_suivi):
        if v["annee"] == annee:
            cible = f" / cible {fr.decimal(v['cible'], 1)}" if v["cible"] is not None else ""
            val = fr.decimal(v["valeur"], 1) if v["valeur"] is not None else "—"
            par_fiche.setdefault(v["fiche"], []).append(f"{v['nom']} : {val}{cible} {v['unite']}".strip())
    return pd.DataFrame([{
        "Fiche": "Pilotage" if f.code == "pilotage" else f.code,
        "Intitulé": f.titre,
        **{s.capitalize(): av[f.code][s] for s in reversed(STATUTS)},
        "Avancement (%)": float(av[f.code]["avancement"]),
        f"Indicateurs {annee}": " ; ".join(par_fiche.get(f.code, [])) or "aucun saisi",
    } for f in plan.fiches])


def _indicateurs(con_suivi, plan) -> pd.DataFrame:
    df = classeur.tableau_indicateurs(con_suivi, plan)
    df = df.assign(annee=df["annee"].astype("Int64"))
    return df.rename(columns={"fiche": "Fiche", "titre_fiche": "Intitulé de la fiche",
                              "indicateur": "Indicateur",
                              "unite": "Unité", "annee": "Année", "cible": "Cible", "valeur": "Valeur",
                              "commentaire": "Commentaire", "source": "Source"})[
        ["Fiche", "Intitulé de la fiche", "Indicateur", "Unité", "Année", "Cible", "Valeur", "Commentaire",
         "Source"]].astype({"Cible": "float64", "Valeur": "float64"})


def _activites(con_suivi, plan) -> pd.DataFrame:
    df = classeur.tableau_activites(con_suivi, plan)
    return df.rename(columns={"fiche": "Fiche", "titre_fiche": "Intitulé de la fiche", "activite": "N°",
                              "libelle": "Activité", "statut": "Statut"})[
        ["Fiche", "Intitulé de la fiche", "N°", "Activité", "Statut"]]


def _chiffres(s: dict, annee: int) -> list[Chiffre]:
    f, a = s["projets_finances"], s["projets_accueillis"]
    epci = ", ".join(s["noms_epci_accompagnes"])
    return [
        Chiffre("Projets ESS accueillis", a, "entier",
                f"{fr.nombre(a)} projets de l'ESS ont été accueillis par le service de 2020 à {annee}."),
        Chiffre("Projets d'innovation sociale financés", f, "entier",
                f"{fr.nombre(f)} projets financés, dont {fr.nombre(s['tiers_lieux_finances'])} tiers-lieux.",
                f"{fr.pourcent(100 * f / a if a else 0, 0)} des projets accueillis"),
        Chiffre("Emplois projetés (ETP)", s["etp_projetes"], "decimal",
                f"Les projets financés prévoient {fr.decimal(s['etp_projetes'], 1)} emplois en équivalent "
                "temps plein."),
        Chiffre("Montant accordé", s["montant_total_eur"], "euros",
                f"Le Département a accordé {fr.nombre(s['montant_total_eur'])} € à ces projets.",
                f"{fr.nombre(s['montant_total_eur'] / f if f else 0)} € par projet en moyenne"),
        Chiffre("Taux de pérennisation", s["taux_perennisation"] / 100, "pourcent",
                f"Sur {fr.nombre(f)} structures financées, {fr.nombre(s['structures_dissoutes'])} ont été "
                "dissoutes depuis : les autres poursuivent leur activité."),
        Chiffre("Collectivités accompagnées en ingénierie", s["collectivites_accompagnees"], "entier",
                f"{fr.nombre(s['collectivites_accompagnees'])} collectivités accompagnées, dont "
                f"{s['epci_accompagnes']} EPCI" + (f" ({epci})." if epci else ".")),
    ]


def _synthese(s: dict, annee: int, source: str) -> Tableau:
    lignes = [["Projets ESS accueillis", s["projets_accueillis"], "projets"],
              ["Projets d'innovation sociale financés", s["projets_finances"], "projets"],
              ["Emplois projetés", s["etp_projetes"], "ETP"],
              ["Tiers-lieux ESS financés", s["tiers_lieux_finances"], "tiers-lieux"],
              ["Structures financées puis dissoutes", s["structures_dissoutes"], "structures"],
              ["Taux de pérennisation", s["taux_perennisation"], "%"],
              ["Montant accordé", s["montant_total_eur"], "€"],
              ["Collectivités accompagnées en ingénierie", s["collectivites_accompagnees"], "collectivités"],
              ["dont EPCI", s["epci_accompagnes"], "EPCI"]]
    return Tableau("synthese", "Synthèse du 1er plan", [
        Colonne("Indicateur", largeur=3), Colonne("Valeur", "decimal"), Colonne("Unité")], lignes,
        f"projets accueillis de 2020 à {annee} et leur suivi", source)


def situation(con: duckdb.DuckDBPyConnection, annee: int) -> Section | None:
    """The département beside its région and France (national SIRENE stock, its last year up
    to the bilan's), as on Accueil; None when the database holds no national comparison."""
    stock = [a for a in reperes.annees(con) if a <= annee] if reperes.disponible(con) else []
    s = reperes.situer(con, stock[-1]) if stock else None
    if s is None:
        return None
    champ = f"établissements employeurs actifs au 31/12/{s['annee']}, périmètre statistique de l'ESS"
    evo = s["evolution"].rename(columns=lambda c: c if c == "Année" else f"{c} (%)")
    return Section(reperes.titre(territoire_base(con)), [
        Paragraphe(s["phrase"]),
        # titles within a sheet name's 31 characters (the XLSX)
        tableau("situation", "Département, région et France", s["tableau"], champ, s["source"]),
        tableau("situation_evolution", "Évolution de la part de l'ESS",
                evo, champ.replace(f"au 31/12/{s['annee']}", "au 31/12 de chaque année"),
                s["source_evolution"])])


def _graphique(titre: str, png: bytes | None, source: str, texte: str, largeur=170) -> Graphique:
    return Graphique(titre, png, source, texte, largeur)


def construire(con: duckdb.DuckDBPyConnection, con_suivi: sqlite3.Connection, annee: int,
               plan: Plan | None = None, graphiques_inclus: bool = True) -> Rapport:
    plan = plan or charger_plan()
    s = calculs.synthese(con, annee)
    info = provenance.infos_build(con)
    demo = info.get("demo") == "oui"
    maintenant = datetime.now(UTC)
    base = info.get("date_construction", "")
    quand = fr.date_heure(datetime.fromisoformat(base)) if base else "?"
    departement = territoire_base(con).nom
    metropole = con.execute(METROPOLE).fetchone()
    source = f"{source_registre(departement)}, projets accueillis de 2020 à {annee} ; base du {quand}"
    an, th = calculs.par_annee(con, annee), calculs.par_theme(con, annee)
    di = calculs.par_dispositif(con, annee)
    zo, de, ep = calculs.par_zone(con, annee), calculs.par_densite(con, annee), calculs.par_epci(con, annee)
    img = graphiques_inclus
    champ = f"projets accueillis de 2020 à {annee}"
    s_annee = [tableau("par_annee", "Projets par année", an, champ + ", par année d'accueil", source)]
    s_theme = [tableau("par_theme", "Projets par thématique", th, champ + ", par thématique", source)]
    s_disp = [tableau("par_dispositif", "Projets par dispositif", di, champ + ", par dispositif", source)]
    s_epci = [tableau("par_epci", "Projets par EPCI", ep.drop(columns=["geojson", "territoire"]),
                      champ + ", par EPCI de la commune du porteur", source)]
    if img:
        s_annee.insert(0, _graphique("Projets accueillis et financés par année", graphiques.barres_groupees(
            [str(a) for a in an["annee"]], {"Accueillis": list(an["projets_accueillis"]),
                                             "Financés": list(an["projets_finances"])}, 170, "Projets"),
            source, "Barres des projets accueillis et financés chaque année."))
        s_theme.insert(0, _graphique("Projets accueillis par thématique", graphiques.barres(
            list(th["theme"]), list(th["projets_accueillis"]), 170), source, "Barres par thématique."))
        s_disp.insert(0, _graphique("Montant accordé par dispositif (€)", graphiques.barres(
            list(di["dispositif"]), list(di["montant_eur"]), 170), source, "Barres par dispositif."))
        s_epci.insert(0, _graphique("Projets financés par EPCI", graphiques.carte_valeurs(
            list(ep["geojson"]), list(ep["projets_finances"]), list(ep["nom"]), "Projets financés", 120),
            f"{source} ; contours IGN simplifiés", "Carte des EPCI, nombre de projets financés inscrit "
            "sur chacun.", 120))
    suivi_df = tableau_suivi(con_suivi, annee, plan)
    horodatage = fr.date_heure(maintenant)
    sections = [
        Section("Synthèse du 1er plan (2020-2025)", [_synthese(s, annee, source)]),
        *filter(None, [situation(con, annee)]),
        Section("Projets accueillis et financés par année", s_annee),
        Section("Par thématique", s_theme),
        Section("Par dispositif de financement", s_disp),
        Section(f"{metropole[0] if metropole else 'La métropole'} et le reste du département", [
            Paragraphe("Le plan 2025-2028 recentre les fonds sur le périurbain, le rural, la montagne "
                       "et les quartiers politique de la ville : où sont allés projets et montants."),
            tableau("par_zone", "Projets par zone", zo, champ + ", métropole ou non", source)]),
        Section("Par densité de la commune", [
            Paragraphe("Densité approchée par la densité moyenne de la commune.", "note"),
            tableau("par_densite", "Projets par densité", de, champ + ", par densité de la commune",
                    source)]),
        Section("Projets financés par EPCI", s_epci),
        Section("Livrables publiés", [tableau(
            "livrables", "Livrables publiés", pd.DataFrame(s["livrables"]).rename(columns={
                "annee": "Année", "titre": "Titre", "partenaire": "Partenaire"}).astype({"Année": "int64"}),
            "études, guides et outils publiés pendant le 1er plan",
            "Plan ESS 2025-2028 (synthèse du 1er plan)")]),
        Section(f"Suivi du plan 2025-2028 : les 13 fiches actions et le pilotage ({annee})", [
            Paragraphe("Statut des activités et indicateurs définis par le SIES (le plan ne fixe pas "
                       "de cible chiffrée)."),
            tableau("suivi", "Suivi des fiches actions", suivi_df,
                    f"fiches actions du plan 2025-2028, état au {horodatage}",
                    f"Base de suivi du plan (SIES) ; structure : {plan.source}"),
            tableau("indicateurs", "Indicateurs du plan 2025-2028", _indicateurs(con_suivi, plan),
                    "tous les indicateurs du plan saisis par le SIES, toutes années",
                    "Base de suivi du plan (SIES)", imprime=False,
                    vide="Aucun indicateur saisi dans la base de suivi."),
            tableau("activites", "Activités du plan 2025-2028", _activites(con_suivi, plan),
                    "activités des fiches actions et leur statut", "Base de suivi du plan (SIES)",
                    imprime=False)]),
    ]
    d = Document(
        titre=f"Rapport de bilan — Plan ESS {noms.de(departement)} ({annee})",
        sous_titre=f"Plan départemental de l'économie sociale et solidaire · bilan {annee}",
        territoire=departement, departement=departement, annee=annee, genere_le=maintenant,
        nom_fichier=f"rapport_bilan_ess_{annee}",
        chiffres=_chiffres(s, annee), sections=sections,
        messages=[f"Chiffres du 1er plan (2020-2025) arrêtés à {annee} ; suivi du plan 2025-2028 "
                  f"au {horodatage}."],
        notes=["Un projet est compté dans l'année de son accueil ; les montants sont ceux accordés."],
        sources=[("Registre des projets", source), ("Suivi du plan 2025-2028", "base de suivi du SIES")],
        avertissement="Données de démonstration : les projets du registre sont fictifs (sauf les initiatives "
        "citées par le plan), calés sur les chiffres publiés du plan." if demo else "",
        source_pied=source_registre(departement),
    )
    return Rapport(annee, d)


def ecrire(rapport: Rapport, fmt: str) -> bytes:
    if fmt not in FORMATS:
        raise ValueError(f"Format « {fmt} » inconnu (attendu : pdf, docx ou xlsx).")
    return doc.rendre(rapport.document, fmt)
