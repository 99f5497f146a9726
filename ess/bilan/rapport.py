"""The "Rapport de bilan" for a chosen year: content gathered once, written as PDF, DOCX or XLSX
by the sibling modules (export_pdf, export_docx, export_xlsx)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from ess import format as fr
from ess import indicateurs
from ess.bilan import calculs, graphiques
from ess.suivi import classeur
from ess.suivi import indicateurs as suivi
from ess.suivi.store import horodatage
from ess.suivi.structure import STATUTS, Plan, charger_plan

FORMATS = {"pdf": "application/pdf",
           "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
SOURCE_REGISTRE = "Registre des projets du 1er plan ESS (SIES, Département de la Haute-Garonne)"


@dataclass
class Section:
    titre: str
    texte: str = ""
    tableau: pd.DataFrame | None = None  # French column names, raw values
    image: bytes | None = None
    source: str = ""


@dataclass
class Rapport:
    annee: int
    titre: str
    demo: bool
    chiffres: list[tuple[str, str]]
    sections: list[Section] = field(default_factory=list)
    indicateurs: pd.DataFrame | None = None  # every indicator × year (XLSX)
    activites: pd.DataFrame | None = None
    genere_le: str = ""

    @property
    def avertissement(self) -> str:
        return ("Données de démonstration : les projets du registre sont fictifs (sauf les "
                "initiatives citées par le plan), calés sur les chiffres publiés du plan."
                if self.demo else "")

    def nom_fichier(self, fmt: str) -> str:
        return f"rapport_bilan_ess_{self.annee}.{fmt}"


def _zone(df: pd.DataFrame, libelle: str, nom: str) -> pd.DataFrame:
    return df.rename(columns={
        libelle: nom, "projets_accueillis": "Projets accueillis",
        "projets_finances": "Projets financés", "montant_eur": "Montant (€)",
        "etp_projetes": "ETP projetés", "tiers_lieux": "Tiers-lieux financés",
        "part_projets_finances": "Part des projets financés (%)", "part_montant": "Part du montant (%)"})


def _court(x: float) -> str:
    """12.0 → « 12 », 12.5 → « 12,5 »."""
    return fr.nombre(x, 1).removesuffix(",0")


def tableau_suivi(con_suivi: sqlite3.Connection, annee: int, plan: Plan) -> pd.DataFrame:
    """One row per fiche: activities by status, progress, indicators of the year."""
    av = {a["fiche"]: a for a in suivi.avancement(con_suivi, plan)}
    par_fiche: dict[str, list[str]] = {}
    for v in suivi.valeurs(con_suivi):
        if v["annee"] == annee:
            cible = f" / cible {_court(v['cible'])}" if v["cible"] is not None else ""
            val = _court(v["valeur"]) if v["valeur"] is not None else "—"
            par_fiche.setdefault(v["fiche"], []).append(f"{v['nom']} : {val}{cible} {v['unite']}".strip())
    return pd.DataFrame([{
        "Fiche": "Pilotage" if f.code == "pilotage" else f.code,
        "Intitulé": f.titre,
        **{s.capitalize(): av[f.code][s] for s in reversed(STATUTS)},
        "Avancement (%)": av[f.code]["avancement"],
        f"Indicateurs {annee}": "\n".join(par_fiche.get(f.code, [])) or "—",
    } for f in plan.fiches])


def construire(con: duckdb.DuckDBPyConnection, con_suivi: sqlite3.Connection, annee: int,
               plan: Plan | None = None, graphiques_inclus: bool = True) -> Rapport:
    plan = plan or charger_plan()
    s = calculs.synthese(con, annee)
    demo = indicateurs.infos_build(con).get("demo") == "oui"
    info = indicateurs.infos_build(con)
    chiffres = [
        ("Projets ESS accueillis", fr.nombre(s["projets_accueillis"])),
        ("Projets d'innovation sociale financés", fr.nombre(s["projets_finances"])),
        ("Emplois projetés (ETP)", fr.nombre(s["etp_projetes"])),
        ("Tiers-lieux ESS financés", fr.nombre(s["tiers_lieux_finances"])),
        ("Structures financées puis dissoutes", fr.nombre(s["structures_dissoutes"])),
        ("Taux de pérennisation", fr.pourcent(s["taux_perennisation"])),
        ("Montant accordé", f"{fr.nombre(s['montant_total_eur'])}{fr.ESPACE}€"),
        ("Collectivités accompagnées en ingénierie", fr.nombre(s["collectivites_accompagnees"])),
        ("dont EPCI", f"{s['epci_accompagnes']} ({', '.join(s['noms_epci_accompagnes'])})"),
    ]
    source = (f"{SOURCE_REGISTRE}, projets accueillis de 2020 à {annee} ; "
              f"base du {info.get('date_construction', '?')[:10]}.")
    an, th = calculs.par_annee(con, annee), calculs.par_theme(con, annee)
    di = calculs.par_dispositif(con, annee)
    zo, de, ep = calculs.par_zone(con, annee), calculs.par_densite(con, annee), calculs.par_epci(con, annee)
    img = graphiques_inclus
    sections = [
        Section("Projets accueillis et financés par année",
                tableau=_zone(an, "annee", "Année"), source=source,
                image=graphiques.projets_par_annee(an) if img and len(an) else None),
        Section("Par thématique", tableau=_zone(th, "theme", "Thématique"), source=source,
                image=graphiques.barres(th, "theme", "projets_accueillis", "Projets accueillis")
                if img and len(th) else None),
        Section("Par dispositif de financement", tableau=_zone(di, "dispositif", "Dispositif"),
                source=source, image=graphiques.barres(di, "dispositif", "montant_eur", "Montant accordé (€)")
                if img and len(di) else None),
        Section("Toulouse Métropole et le reste du département",
                texte="Le plan 2025-2028 recentre les fonds sur le périurbain, le rural, la montagne "
                      "et les quartiers politique de la ville : où sont allés projets et montants.",
                tableau=_zone(zo, "zone", "Zone"), source=source),
        Section("Par densité de la commune", tableau=_zone(de, "densite", "Densité"),
                texte="Densité approchée par la densité moyenne de la commune.", source=source),
        Section("Projets financés par EPCI",
                tableau=_zone(ep.drop(columns=["geojson", "territoire"]), "nom", "EPCI"), source=source,
                image=graphiques.carte_epci(ep, "projets_finances", "Projets financés")
                if img and len(ep) else None),
        Section("Livrables publiés",
                tableau=pd.DataFrame(s["livrables"]).rename(columns={
                    "annee": "Année", "titre": "Titre", "partenaire": "Partenaire"}),
                source="Plan ESS 2025-2028 (synthèse du 1er plan)"),
        Section(f"Suivi du plan 2025-2028 : les 13 fiches actions et le pilotage ({annee})",
                texte="Statut des activités et indicateurs définis par le SIES (le plan ne fixe pas "
                      "de cible chiffrée).",
                tableau=tableau_suivi(con_suivi, annee, plan),
                source=f"Base de suivi du plan (SIES), état au {horodatage()[:10]} ; "
                       f"structure : {plan.source}."),
    ]
    return Rapport(
        annee=annee, titre=f"Rapport de bilan — Plan ESS de la Haute-Garonne ({annee})", demo=demo,
        chiffres=chiffres, sections=sections, indicateurs=classeur.tableau_indicateurs(con_suivi, plan),
        activites=classeur.tableau_activites(con_suivi, plan), genere_le=horodatage(),
    )


def ecrire(rapport: Rapport, fmt: str) -> bytes:
    from ess.bilan import export_docx, export_pdf, export_xlsx  # only the writer asked for

    ecrivains = {"pdf": export_pdf.ecrire, "docx": export_docx.ecrire, "xlsx": export_xlsx.ecrire}
    if fmt not in ecrivains:
        raise ValueError(f"Format « {fmt} » inconnu (attendu : pdf, docx ou xlsx).")
    return ecrivains[fmt](rapport)


def cellule(v) -> str:
    """A table value as French text (PDF and DOCX)."""
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return ""
    if isinstance(v, bool):
        return "oui" if v else "non"
    if isinstance(v, int) or (hasattr(v, "dtype") and str(getattr(v, "dtype", "")).startswith("int")):
        return fr.nombre(int(v)) if abs(int(v)) >= 10_000 or not 1900 <= int(v) <= 2100 else str(int(v))
    if isinstance(v, float):
        return fr.nombre(v, 0 if v == int(v) else 1)
    return str(v)
