"""Accueil: the département's key figures, the EPCI map at full width, what each page offers."""

import streamlit as st

from ess import carte, carte_vue, indicateurs, noms
from ess import format as fr
from geo.plotly_francais import CONFIG_PLOTLY
from web import permalien as pl
from web import ui

ui.cadre_application()

cle = ui.cle_base()
annee = ui.annee_selectionnee()
c = ui.chiffres_departement(annee, cle)

st.title(f"L'économie sociale et solidaire {noms.dans(c['nom'])}")
suivi = ", pour suivre le **Plan départemental ESS et innovation sociale 2025-2028**"
st.markdown("Établissements, emplois et poids de l'ESS par territoire"
            + (suivi if ui.plan() else "") + ".")

st.header(f"Chiffres clés {annee}")
cols = st.columns(3)
with cols[0]:
    ui.metrique("Établissements employeurs de l'ESS", c["etablissements_employeurs_ess"])
with cols[1]:
    ui.metrique("Effectifs salariés de l'ESS", c["effectifs_ess"], "Salariés au 31 décembre")
with cols[2]:
    ui.metrique("Part de l'ESS dans l'emploi privé", fr.pourcent(c["part_ess_emploi_prive"]))
cols = st.columns(3)
with cols[0]:
    ui.metrique("Part des associations dans l'emploi ESS", fr.pourcent(c["part_associations"]))
with cols[1]:
    ui.metrique("Part de l'action sociale (NAF 87-88) dans l'emploi ESS",
                fr.pourcent(c["part_action_sociale"]))
if "metropole" in c:
    with cols[2]:
        ui.metrique(f"Part de {c['metropole']} dans l'emploi ESS",
                    fr.pourcent(c["part_metropole_effectifs_ess"]),
                    f"L'ESS pèse {fr.pourcent(c['part_ess_emploi_prive_metropole'])} de l'emploi "
                    f"privé de {c['metropole']}.")
ui.source(f"{c['source']}, {annee}. Établissements employeurs et effectifs salariés au 31/12.")
pl.bouton_lien([pl.ANNEE], f"{c['source']}, {annee}")
ui.situation_nationale(annee)

# Full width: on a tablet the map is the page (names readable, territories big enough to tap).
st.header(f"L'ESS par EPCI en {annee}")
v = ui.calcul(carte_vue.vue, "epci", "part_ess_prive", annee)
st.plotly_chart(ui.figure(carte_vue.figure, "epci", "part_ess_prive", annee), width="stretch",
                config=CONFIG_PLOTLY)
st.markdown(carte_vue.resume(v, "EPCI"))
ui.source(f"emploi salarié au 31/12/{annee}, format FLORES (INSEE). Blanc cerclé de noir « s » : "
          "secret statistique. Classes : quantiles.")
donnees = st.expander("Les données de la carte (tableau)", key="donnees_carte", on_change="rerun")
if donnees.open:  # built and drawn only when opened
    with donnees:
        ui.tableau(carte.tableau(v.df, "part_ess_prive", v.entete).drop(columns="Code"),
                   {"Part de l'ESS dans l'emploi privé (%)": 1})
st.page_link("pages/carte.py", label="Explorer la carte : autres indicateurs, communes, établissements",
             icon=":material/map:", query_params={"annee": str(annee)})

st.header("Pour situer")
ui.tableau(ui.calcul(indicateurs.contexte), {"Année": 0})
st.caption("Chiffres publiés, cités par le plan (non recalculés).")

st.header("Dans ce tableau de bord")
st.markdown(
    "- **Accueil** : chiffres clés du département et carte par EPCI.\n"
    "- **Carte** : indicateurs de l'ESS par EPCI ou par commune (classes réglables, évolution, "
    "familles, secteurs) et établissements de l'ESS ; toucher ou cliquer un territoire ouvre son portrait.\n"
    "- **Territoires** : portrait d'une commune, d'un EPCI, d'un PETR ou d'un groupe de communes "
    "comparé à un territoire de référence, et contraste rural / métropole.\n"
    "- **Bilan 2020-2025** : résultats du 1er plan calculés depuis le registre des projets "
    "(projets accueillis et financés, emplois, tiers-lieux, par territoire et par thème) et "
    "rapport PDF, Word ou XLSX.\n"
    "- **Suivi du plan 2025-2028** : avancement des 13 fiches actions et de leurs indicateurs, "
    "mis à jour par le SIES, avec l'historique des modifications.\n"
    "- **Data ESS** : la fiche ESS d'une commune, d'un EPCI, d'un PETR ou d'un groupe de communes, "
    "à télécharger en XLSX, CSV ou PDF.\n"
    "- **Sources et méthodes** : définitions de l'ESS, secret statistique, provenance des données."
)
ui.provenance()
