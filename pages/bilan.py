"""Bilan du 1er plan (2020-2025): synthesis figures computed from the project register, their
breakdowns (year, theme, funding scheme, EPCI, métropole vs rest), the project list, the
register template and the "Rapport de bilan" export."""

import streamlit as st

from ess import format as fr
from ess import resumes
from ess.bilan import MODELE_REGISTRE, calculs, rapport
from ess.db import chemin_suivi
from ess.suivi import store
from geo.plotly_francais import CONFIG_PLOTLY
from web import graphiques, ui
from web import permalien as pl

ui.cadre_application()

con = ui.connexion()
annees = ui.calcul(calculs.annees)
st.title("Bilan du 1er plan ESS (2020-2025)")
if not annees:
    if ui.plan() is None:
        st.info(ui.sans_plan() + " Le bilan se calcule depuis le registre des projets du plan (à "
                "charger sur la page « Données »).")
    else:
        st.info("Le registre des projets est vide.")
    st.stop()
# The year is in the link (?annee=2023): a forwarded bilan reopens on the same year.
demande = st.query_params.get(pl.ANNEE)
if "annee_bilan" not in st.session_state:
    if demande and demande.isdigit() and int(demande) in annees:
        st.session_state["annee_bilan"] = int(demande)
    else:
        st.session_state["annee_bilan"] = annees[-1]
        if demande:
            st.warning(f"Année « {demande} » absente du registre : {annees[-1]} affichée.")
annee = st.select_slider("Projets accueillis jusqu'en", annees, key="annee_bilan")
st.query_params[pl.ANNEE] = str(annee)
s = ui.calcul(calculs.synthese, annee)
source = f"registre des projets du SIES (1er plan), projets accueillis de {annees[0]} à {annee}."

cols = st.columns(4)
cols[0].metric("Projets ESS accueillis", fr.nombre(s["projets_accueillis"]))
cols[1].metric("Projets d'innovation sociale financés", fr.nombre(s["projets_finances"]))
cols[2].metric("Emplois projetés", f"{fr.nombre(s['etp_projetes'])} ETP")
cols[3].metric("Tiers-lieux ESS financés", fr.nombre(s["tiers_lieux_finances"]))
cols = st.columns(4)
cols[0].metric("Structures financées puis dissoutes", fr.nombre(s["structures_dissoutes"]))
cols[1].metric("Taux de pérennisation", fr.pourcent(s["taux_perennisation"]),
               help="(projets financés − structures dissoutes) / projets financés")
cols[2].metric("Montant accordé", f"{fr.nombre(s['montant_total_eur'])}{fr.ESPACE}€")
cols[3].metric("Collectivités accompagnées", fr.nombre(s["collectivites_accompagnees"]),
               help="Appui/conseil en ingénierie ESS ; dont EPCI : " + ", ".join(s["noms_epci_accompagnes"]))
ui.source(source + f" Dont {s['epci_accompagnes']} EPCI accompagnés.")
pl.bouton_lien([pl.ANNEE, "repartition"], source)
if s["livrables"]:
    st.markdown("**Livrables publiés** : " + " ; ".join(
        f"{x['titre']} ({x['annee']})" for x in s["livrables"]) + ".")

COLONNES = {"projets_accueillis": "Projets accueillis", "projets_finances": "Projets financés",
            "montant_eur": "Montant (€)", "etp_projetes": "ETP projetés", "tiers_lieux": "Tiers-lieux",
            "part_projets_finances": "Part des projets financés (%)", "part_montant": "Part du montant (%)"}
# Lazy tabs kept in the link (?repartition=Par EPCI): only the open one is computed and drawn
# (the browser drew five charts, four of them hidden).
onglets = st.tabs(["Par année", "Par thématique", "Par dispositif", "Par EPCI",
                   "Métropole et hors métropole", "Liste des projets"], key="repartition",
                  bind="query-params")


def onglet_par_annee() -> None:
    st.plotly_chart(ui.figure(graphiques.projets_par_annee, annee), width="stretch", config=CONFIG_PLOTLY)
    df = ui.calcul(calculs.par_annee, annee)
    st.markdown(resumes.projets_par_annee(df))
    ui.tableau(df.rename(columns={**COLONNES, "annee": "Année"}), source=source)


def onglet_par_theme() -> None:
    st.plotly_chart(ui.figure(graphiques.projets_par_theme, annee), width="stretch", config=CONFIG_PLOTLY)
    df = ui.calcul(calculs.par_theme, annee)
    st.markdown(resumes.projets_par_theme(df))
    ui.tableau(df.rename(columns={**COLONNES, "theme": "Thématique"}), source=source)


def onglet_par_dispositif() -> None:
    st.plotly_chart(ui.figure(graphiques.montants_par_dispositif, annee), width="stretch",
                    config=CONFIG_PLOTLY)
    df = ui.calcul(calculs.par_dispositif, annee)
    st.markdown(resumes.montants_par_dispositif(df))
    ui.tableau(df.rename(columns={**COLONNES, "dispositif": "Dispositif"}),
               source=source + " Projets financés uniquement.")


def onglet_par_epci() -> None:
    st.plotly_chart(ui.figure(graphiques.carte_projets_epci, annee), width="stretch", config=CONFIG_PLOTLY)
    df = ui.calcul(calculs.par_epci, annee)
    st.markdown(resumes.projets_par_epci(df))
    ui.tableau(df[["nom", "projets_accueillis", "projets_finances", "montant_eur", "etp_projetes"]]
               .rename(columns={**COLONNES, "nom": "EPCI"}),
               source=source + " Commune d'implantation du projet → EPCI (géographie au 1er janvier).")


def onglet_par_zone() -> None:
    st.markdown("Le plan 2025-2028 recentre les fonds sur le **périurbain, le rural, la montagne et "
                "les quartiers politique de la ville** : où sont allés les projets et les montants.")
    zone = ui.calcul(calculs.par_zone, annee)
    ui.tableau(zone.rename(columns={**COLONNES, "zone": "Zone"}))
    ui.tableau(ui.calcul(calculs.par_densite, annee).rename(columns={**COLONNES, "densite": "Densité"}),
               source=source + " Densité approchée par la densité moyenne de la commune.")


def onglet_liste_projets() -> None:
    liste = ui.calcul(calculs.projets, annee)
    c1, c2, c3, c4 = st.columns(4)
    themes = c1.multiselect("Thématique", sorted(liste["theme"].unique()), key="filtre_theme",
                            placeholder="Toutes")
    finance = c2.selectbox("Financé", ["tous", "oui", "non"], key="filtre_finance")
    zones = c3.selectbox("Zone", ["toutes", *sorted(liste["zone"].unique())], key="filtre_zone")
    texte = c4.text_input("Recherche (nom, porteur, commune)", key="filtre_texte", max_chars=100)
    vue = calculs.filtrer_projets(liste, themes=themes, finance=None if finance == "tous" else finance,
                                  zone=None if zones == "toutes" else zones, texte=texte)
    st.caption(f"{fr.pluriel(len(vue), 'projet')} sur {fr.nombre(len(liste))}.")
    st.dataframe(vue, hide_index=True, width="stretch", column_config={
        "id_projet": "Identifiant", "nom_projet": "Projet", "porteur": "Porteur",
        "forme_juridique": "Forme juridique", "commune": "Code commune", "commune_nom": "Commune",
        "epci_nom": "EPCI", "zone": "Zone", "theme": "Thématique", "annee_accueil": "Année",
        "finance": "Financé", "dispositif": "Dispositif",
        "montant_eur": st.column_config.NumberColumn("Montant (€)", format="localized"),
        "etp_projetes": st.column_config.NumberColumn("ETP projetés", format="localized"),
        "tiers_lieu": "Tiers-lieu", "statut": "Statut",
        "fictif": "Fictif"})
    ui.source(source)


for onglet, afficher in zip(onglets, (onglet_par_annee, onglet_par_theme, onglet_par_dispositif,
                                      onglet_par_epci, onglet_par_zone, onglet_liste_projets),
                           strict=True):
    if onglet.open:
        with onglet:
            afficher()

st.header("Registre des projets")
st.markdown("Les chiffres ci-dessus sont calculés depuis le registre des projets chargé dans la base. "
            "Le personnel du SIES le met à jour sur la page « Données » (aperçu des changements, "
            "publication, retour en arrière), au format du modèle ci-dessous. Colonnes obligatoires : "
            "identifiant, nom du projet, code commune, année d'accueil, financé (oui/non).")
st.page_link("pages/donnees.py", label="Mettre à jour le registre (page « Données »)",
             icon=":material/database:")
st.download_button("Télécharger le modèle de registre (CSV)", MODELE_REGISTRE.read_bytes(),
                   file_name="modele_registre_projets.csv", mime="text/csv", on_click="ignore")


def _rapport(fmt: str):
    def generer() -> bytes:
        # Runs on another thread when the button is clicked: its own cursor on the database.
        with store.ouvrir(chemin_suivi()) as con_suivi:
            return rapport.ecrire(rapport.construire(con.cursor(), con_suivi, annee), fmt)
    return generer


with st.container(key="ecran-rapport"):  # on screen only: on paper, a heading and no buttons
    st.header("Rapport de bilan")
    st.markdown(f"Synthèse, graphiques, tableaux et suivi des 13 fiches du plan 2025-2028 pour **{annee}** "
                "(année choisie en haut de page).")
    for col, (fmt, libelle) in zip(st.columns(3), [("pdf", "PDF"), ("docx", "Word (DOCX)"),
                                                   ("xlsx", "Tableaux (XLSX)")], strict=True):
        col.download_button(f"Rapport {libelle}", _rapport(fmt), file_name=f"rapport_bilan_ess_{annee}.{fmt}",
                            mime=rapport.FORMATS[fmt], on_click="ignore", key=f"rapport_{fmt}")
