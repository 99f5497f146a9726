"""Sources et méthodes: definitions, confidentiality, provenance, build metadata."""

import streamlit as st

from ess import indicateurs, requetes, ui
from ess.exports.csv import table_csv
from ess.format import nombre

ui.cadre_application()

con = ui.connexion()
cle = ui.cle_base()
st.title("Sources et méthodes")

st.header("Deux définitions de l'ESS")
st.markdown(
    "- **Périmètre statistique** (INSEE, ESS France, CRESS) : établissements dont la catégorie "
    "juridique relève d'une famille de l'ESS (associations, coopératives, mutuelles, fondations), "
    "hors administration publique et organisations patronales, professionnelles, syndicales, "
    "religieuses et politiques. Les effectifs viennent de l'emploi salarié au 31 décembre "
    "(format FLORES).\n"
    "- **Marqueur SIRENE** : unités légales dont l'INSEE indique l'appartenance à l'ESS "
    "(`economieSocialeSolidaireUniteLegale = O`), sociétés commerciales de l'ESS comprises. "
    "Les effectifs y sont une **estimation** tirée des tranches d'effectifs."
)
st.header("Secret statistique")
st.markdown(
    "Une valeur d'effectif n'est publiée que si au moins **3 établissements** y contribuent et "
    "qu'aucun ne pèse plus de **85 %** du total (quand cette contribution est connue). D'autres "
    "cellules sont masquées pour qu'aucune valeur cachée ne se déduise par différence. Les "
    "cellules masquées sont notées **« s »**. Le secret est appliqué à la construction de la base : "
    "aucune page ni aucun export ne peut afficher une valeur masquée."
)
st.header("Sources")
st.dataframe(con.execute(requetes.SOURCES).df(), hide_index=True, width="stretch")
st.header("Construction de la base")
info = indicateurs.infos_build(con)
st.dataframe(
    {"Paramètre": list(info), "Valeur": list(info.values())}, hide_index=True, width="stretch"
)
st.header("Rapport de construction")
st.markdown("Lignes des fichiers sources écartées ou incomplètes : elles sont comptées ici, "
            "jamais supprimées en silence. Les exemples ne citent que des établissements diffusibles.")
rejets = ui.requete(requetes.REJETS, (), cle)
if rejets.empty:
    st.caption("Aucune ligne écartée ni incomplète lors de la dernière construction.")
else:
    st.dataframe(rejets, hide_index=True, width="stretch")
lignes = ui.requete(requetes.REJETS_LIGNES, (), cle)
if not lignes.empty:
    with st.expander(f"Détail des {nombre(len(lignes))} lignes écartées (--tolerer-rejets)"):
        st.dataframe(lignes, hide_index=True, width="stretch")
        st.download_button("Télécharger les lignes écartées (CSV)", lambda: table_csv(lignes),
                           file_name="lignes_ecartees.csv", mime="text/csv", on_click="ignore")
st.header("Familles de l'ESS et catégories juridiques")
st.dataframe(
    ui.requete(requetes.FAMILLES_CATEGORIES, (), cle),
    hide_index=True, width="stretch",
)
st.caption("Correspondance à vérifier contre la liste de l'INSEE : elle est tenue dans "
           "data/familles_ess.csv.")
