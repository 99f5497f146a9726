"""Accueil: the département's key figures, a small EPCI map, what each page offers."""

import streamlit as st

from ess import format as fr
from ess import graphiques, requetes, ui
from geo.layers import CONFIG_PLOTLY

ui.cadre_application()

cle = ui.cle_base()
annee = ui.annee_selectionnee()
c = ui.chiffres_departement(annee, cle)

st.title(f"L'économie sociale et solidaire en {c['nom']}")
st.markdown(
    "Établissements, emplois et poids de l'ESS par territoire, pour suivre le **Plan "
    "départemental ESS et innovation sociale 2025-2028**."
)

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

gauche, droite = st.columns([3, 2])
with gauche:
    st.header("L'ESS par EPCI")
    st.plotly_chart(ui.figure(graphiques.carte_part_ess_epci, annee), width="stretch",
                    config=CONFIG_PLOTLY)
    ui.source(f"emploi salarié au 31/12/{annee}, format FLORES (INSEE). « s » : secret statistique.")
with droite:
    st.header("Pour situer")
    contexte = ui.requete(requetes.CONTEXTE, (), cle)
    contexte["Valeur"] = [
        fr.pourcent(float(v)) if u == "%" else f"{fr.nombre(float(v))} {u}"
        for v, u in zip(contexte["valeur"], contexte["unite"], strict=True)
    ]
    st.dataframe(
        contexte[["territoire", "indicateur", "Valeur", "source", "annee"]].rename(columns={
            "territoire": "Territoire", "indicateur": "Indicateur", "source": "Source",
            "annee": "Année"}),
        hide_index=True, width="stretch",
    )
    st.caption("Chiffres publiés, cités par le plan (non recalculés).")

st.header("Dans ce tableau de bord")
st.markdown(
    "- **Accueil** : chiffres clés du département et carte par EPCI.\n"
    "- **Carte** : indicateurs de l'ESS par EPCI ou par commune (classes réglables, évolution, "
    "familles, secteurs) et établissements de l'ESS ; un clic ouvre le portrait d'un territoire.\n"
    "- **Territoires** : portrait d'une commune, d'un EPCI, d'un PETR ou d'un groupe de communes "
    "comparé à un territoire de référence, et contraste rural / métropole.\n"
    "- **Sources et méthodes** : définitions de l'ESS, secret statistique, provenance des données."
)
ui.provenance()
