"""Carte: ESS indicators by EPCI or commune in classes, or ESS establishments as points.
Every control lives in the URL; a click on a territory selects it and offers its portrait."""

import streamlit as st

from data import familles_ess, libelles
from ess import carte, carte_vue, indicateurs, noms
from ess import format as fr
from geo.classes import METHODES_CLASSES
from geo.plotly_francais import CONFIG_PLOTLY
from web import graphiques, ui
from web import permalien as pl

ui.cadre_application()

CONFIG_CARTE = {**CONFIG_PLOTLY, "displayModeBar": True,
                "toImageButtonOptions": {"format": "png", "filename": "carte-ess", "scale": 2}}


def cle_territoire(niveau: str) -> str:
    """The selected territory's box, one per level: its options change wholesale with the level
    (a box kept across levels showed the EPCI tapped before among the communes)."""
    return f"url_territoire_{niveau}"


def cliquer():
    """A tap or click on the map: the territory becomes the selected one (URL and selectbox)."""
    selection = st.session_state.get("carte_territoires")
    points_choisis = (selection or {}).get("selection", {}).get("points", [])
    if points_choisis and points_choisis[0].get("location"):
        niveau = st.session_state.get("url_niveau", "epci")
        st.session_state[cle_territoire(niveau)] = points_choisis[0]["location"]


st.title("Carte de l'ESS")
annee = ui.annee_selectionnee()
annees = ui.calcul(indicateurs.annees)
vue = pl.choix(pl.VUE, "Vue", {"territoires": "Indicateur par territoire",
                               "etablissements": "Établissements (points)"}, "territoires", "radio")
definition = pl.choix("definition", "Définition de l'ESS", carte.DEFINITIONS, "statistique", "radio")
familles = {"toutes": "Toutes les familles", **familles_ess()}
famille = pl.choix("famille", "Famille juridique", familles, "toutes")
secteurs = {"tous": "Tous les secteurs",
            **{a: f"{a} – {lib}" for a, lib in libelles("naf_sections", "libelle_a21").items()}}
secteur = pl.choix("secteur", "Secteur d'activité (A21)", secteurs, "tous")
famille_sql = None if famille == "toutes" else famille
section_sql = None if secteur == "tous" else secteur

if vue == "territoires":
    niveau = pl.choix(pl.NIVEAU, "Niveau", carte.NIVEAUX, "epci", "radio", horizontal=True)
    metriques = {k: m.libelle for k, m in carte.METRIQUES.items()
                 if m.sirene or definition == "statistique"}
    if definition == "sirene" and st.query_params.get(pl.METRIQUE) == "part_ess_prive":
        st.info("La part dans l'emploi privé n'existe pas avec le marqueur SIRENE "
                "(pas d'emploi privé dans ce répertoire).")
    metrique = pl.choix(pl.METRIQUE, "Indicateur", metriques, "part_ess_prive"
                        if definition == "statistique" else "effectifs_ess")
    m = carte.METRIQUES[metrique]
    depuis = None
    if m.evolution:
        debuts = {str(a): str(a) for a in annees if a < annee}
        if not debuts:
            st.warning(f"Pas d'année antérieure à {annee} : choisissez une année plus récente.")
            st.stop()
        depuis = int(pl.choix("depuis", "Évolution depuis", debuts, next(iter(debuts))))
    methode = pl.choix("methode", "Classes", METHODES_CLASSES, "quantiles")
    k = int(pl.choix("classes", "Nombre de classes", {str(i): str(i) for i in range(3, 8)}, "5"))

    filtres = (famille_sql, section_sql, depuis, methode, k,
               familles[famille] if famille_sql else None, secteurs[secteur] if section_sql else None)
    refus = ui.calcul(carte_vue.non_diffuse, niveau, metrique, famille_sql, section_sql)
    if refus and definition == "statistique":  # never a map of zeros for an unpublished cell
        st.warning(refus, icon=":material/visibility_off:")
        pl.bouton_lien([pl.VUE, pl.NIVEAU, pl.METRIQUE, pl.ANNEE, "definition", "famille", "secteur"])
        st.stop()
    v = ui.calcul(carte_vue.vue, niveau, metrique, annee, definition, *filtres)
    df, survol = v.df, v.survol
    noms_territoires = dict(zip(df["territoire"], df["nom"], strict=True))
    territoire = pl.choix(pl.TERRITOIRE, "Territoire sélectionné", {"": "— aucun —", **noms_territoires}, "",
                          conteneur=st, cle=cle_territoire(niveau))
    st.header(f"{v.entete} — {carte.NIVEAUX[niveau]}, {annee}")
    st.plotly_chart(ui.figure(carte_vue.figure, niveau, metrique, annee, definition, *filtres,
                              territoire or None), key="carte_territoires", on_select=cliquer,
                    selection_mode="points", config=CONFIG_CARTE, width="stretch")
    st.markdown(carte_vue.resume(v, carte.NIVEAUX[niveau]))
    source = ("SIRENE (INSEE), marqueur ESS ; effectifs estimés d'après les tranches"
              if definition == "sirene" else "emploi salarié au 31/12, format FLORES (INSEE)")
    ui.source(f"{source}, {annee}{f' et {depuis}' if depuis else ''}. Classes : "
              f"{METHODES_CLASSES[methode].lower()}. Blanc cerclé de noir « s » : valeur "
              "couverte par le secret statistique, jamais affichée : trop peu d'établissements ou un "
              "établissement dominant, ou valeur masquée pour en protéger une autre ; toucher ou "
              "survoler un territoire en donne la raison. Blanc cerclé de gris « n. c. » : non "
              "calculable, faute d'emploi privé ou avec zéro l'année de départ.")
    if territoire:
        ligne = df[df["territoire"] == territoire].iloc[0]
        st.info(f"**{ligne['nom']}** : {survol.loc[ligne.name, 'valeur']} · "
                f"{survol.loc[ligne.name, 'rang']}")
        st.page_link("pages/territoires.py", label=f"Voir le portrait {noms.de(ligne['nom'])}",
                     icon=":material/search:",
                     query_params={pl.TERRITOIRE: territoire, pl.ANNEE: str(annee)})
    else:
        st.caption("Touchez ou cliquez sur un territoire de la carte pour le sélectionner et ouvrir son "
                   "portrait.")
    donnees = st.expander("Les données de la carte (tableau)", key="donnees_carte", on_change="rerun")
    if donnees.open:  # built and drawn only when opened; whole and in French for the 18 EPCI
        with donnees:
            table = carte.tableau(df, metrique, v.entete)
            ui.tableau(table, {table.columns[2]: m.decimales}, column_config={
                c: st.column_config.NumberColumn(format="localized") for c in table.columns[2:4]})
            ui.bouton_csv("Télécharger le tableau (CSV)", table, f"ess-carte-{niveau}-{metrique}-{annee}.csv")
    pl.bouton_lien([pl.VUE, pl.NIVEAU, pl.METRIQUE, pl.ANNEE, pl.TERRITOIRE, "definition",
                    "famille", "secteur", "depuis", "methode", "classes"])
else:
    pts = ui.calcul(carte.etablissements, annee, definition, famille_sql, section_sql)
    st.header(f"Établissements employeurs de l'ESS au 31/12/{annee}")
    st.pydeck_chart(ui.figure(graphiques.carte_etablissements, annee, definition, famille_sql,
                              section_sql), height=620)
    ui.source(f"SIRENE (INSEE), établissements employeurs actifs au 31/12/{annee} "
              f"({carte.DEFINITIONS[definition].lower()}). {fr.nombre(len(pts))} établissements "
              "placés ; ceux dont l'INSEE restreint la diffusion (statut « P ») sont comptés dans "
              "les chiffres mais jamais placés sur la carte. Fond de carte : contours des communes et "
              "des EPCI (COG INSEE), sans service extérieur.")
    liste = st.expander("Liste des établissements affichés", key="liste_etablissements",
                        on_change="rerun")
    if liste.open:  # built and sent only when opened: a grid of thousands of rows
        with liste:
            table = pts.rename(columns={"siret": "SIRET", "nom": "Nom", "commune": "Commune",
                                        "famille": "Famille", "libelle_naf": "Activité (NAF)",
                                        "a21": "Section A21"}).drop(columns=["lon", "lat"])
            st.dataframe(table, hide_index=True, width="stretch")
            ui.bouton_csv("Télécharger la liste (CSV)", table, f"ess-etablissements-{annee}.csv")
    pl.bouton_lien([pl.VUE, pl.ANNEE, "definition", "famille", "secteur"])
ui.provenance()
