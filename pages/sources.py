"""Sources et méthodes: definitions, confidentiality, provenance, build metadata."""

import pandas as pd
import streamlit as st

from ess import diffusion, provenance, reperes
from ess.exports.csv import table_csv
from ess.format import nombre
from web import ui

ui.cadre_application()

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
    "Les effectifs salariés et les EQTP par établissement ne sont pas publics : le tableau de bord "
    "applique le **secret statistique** des statistiques d'entreprises (règles de l'INSEE), "
    "décidé à la construction de la base, qui ne contient que des cellules publiables. Les "
    "cellules masquées sont notées **« s »**.\n\n"
    "**1. Cellules sensibles.** Une cellule (un territoire × un groupe × un secteur, une année) "
    "est sensible si moins de **3 établissements** y contribuent, ou si un établissement pèse plus "
    "de **85 %** de ses effectifs (la plus grande contribution connue ; à défaut, la ligne entière "
    "quand elle ne compte qu'un établissement, sinon la moyenne). Une cellule sensible n'est "
    "jamais publiée.\n\n"
    "**2. Ce qui est publié.** Seulement ce dont les utilisateurs ont besoin, ce qui limite les "
    "liens entre tableaux (tableau ci-dessous) : pas de familles ni de secteurs par commune, pas "
    "de privé hors ESS ni de public, le détail A38 au seul département et pour la métropole. "
    "Une combinaison absente est « non diffusée à cet échelon » (« — »), ni zéro ni secret.\n\n"
    "**3. Ce que sait un attaquant.** Toutes les cellules publiées, de tous les échelons et "
    "partitions (communes, EPCI, PETR, département, métropole et hors métropole, classes de "
    "densité, et toutes leurs combinaisons), les deux mesures, le nombre d'établissements de "
    "chaque cellule, et des bornes a priori : une cellule est positive, au moins égale à son "
    "nombre d'établissements, et à la somme des minimums des tranches d'effectifs SIRENE des "
    "établissements diffusibles qui y figurent. Par programmation linéaire sur tout cela, "
    "l'intervalle qu'il obtient pour chaque cellule sensible de valeur v doit descendre jusqu'à "
    "**0,9 × v** (ou jusqu'à la borne a priori si elle est plus haute) et monter jusqu'à "
    "**1,1 × v** (au moins un demi-emploi de part et d'autre) ; aucune cellule masquée ne doit "
    "être recalculable exactement.\n\n"
    "**4. Masquage secondaire au moindre coût.** Pour chaque cellule sensible, un programme "
    "linéaire (heuristique de Fischetti et Salazar, solveur HiGHS) cherche un tableau qui ne "
    "diffère du tableau publié que par des cellules masquées et où la cellule sensible vaut "
    "1,1 × v (et un autre où elle vaut 0,9 × v), en masquant le moins d'emplois possible ; les "
    "totaux (ESS et privé de chaque territoire, sections des PETR) coûtent 10 fois plus, les "
    "sections des EPCI 30 fois, les familles juridiques des EPCI et PETR 40 fois (la première "
    "lecture de tout portrait de l'ESS), ceux du département 100 fois. Les cellules de "
    "secteur (sections A21, divisions A38 ; un tiers des sections des EPCI sont sensibles) "
    "sont ensuite choisies toutes ensemble par un modèle exact (programme en nombres entiers de "
    "Fischetti et Salazar, résolu par coupes) : le moindre coût pour toutes à la fois, et non "
    "cellule après cellule. Les mêmes données donnent toujours les mêmes cellules masquées.\n\n"
    "**Fourchettes.** Le total ESS d'un EPCI ou d'un PETR masqué pour en protéger un autre (et "
    "non parce qu'il serait lui-même sensible) est accompagné de l'intervalle que donnent les "
    "seuls chiffres publiés, calculé par le même programme linéaire que l'attaquant et arrondi "
    "vers l'extérieur : il n'apprend rien de plus à personne. Ainsi un EPCI masqué comme complément "
    "le moins coûteux d'un petit territoire (par exemple la partie d'un EPCI voisin réduite à "
    "une commune) dans les sommes départementales se lit « entre … et … » plutôt que « s », sa "
    "part de l'emploi privé aussi (l'emploi privé est publié) ; sur les cartes, il prend la "
    "couleur de la classe qui contient tout son intervalle, quand une seule le contient.\n\n"
    "**5. Une preuve à chaque construction.** Avant de remplacer la base, un audit joue "
    "l'attaquant : chaque tableau alternatif trouvé est vérifié contre tout ce qui est publié, "
    "un test de rang vérifie qu'aucune cellule masquée n'est déterminée, et les cellules que ces "
    "témoins ne couvrent pas sont bornées par programmation linéaire. Une base qui échoue n'est "
    "jamais publiée. Le SIES peut relancer l'audit complet à tout moment, sans rien reprendre "
    "du masquage (commande `python -m etl audit-secret`).\n\n"
    "Ne sont pas pris en compte : les bornes hautes des tranches d'effectifs (l'attaquant ne sait "
    "pas si tous les établissements d'une cellule sont listés) et les liens entre années (il "
    "n'en existe pas d'additifs). Les groupes de communes d'un utilisateur sont des sommes de "
    "cellules communales publiées : une cellule masquée dans une commune masque le groupe."
)
st.subheader("Ce que la base publie de l'emploi salarié")
ui.tableau(ui.calcul(diffusion.tableau))
st.subheader("Protection et audit de la dernière construction")
ui.tableau(ui.calcul(provenance.rapport_secret))
st.header("Sources")
# Static tables (ui.tableau): every row shows and prints, and the page loads no grid code.
ui.tableau(ui.calcul(provenance.sources_lisibles))
if ui.calcul(reperes.disponible):
    st.subheader("Comparaisons avec la région et la France")
    st.markdown(
        "Le département est situé dans sa région et en France par le **stock SIRENE national** (le "
        "même fichier que ses propres établissements) : pour chaque département, chaque région et la "
        "France, les établissements employeurs de l'ESS actifs au 31 décembre (périmètre statistique "
        "ou marqueur SIRENE) et leur part dans les établissements employeurs privés (catégorie "
        "juridique hors droit public). Les arrondissements de Paris, Lyon et Marseille comptent dans "
        "leur commune ; les collectivités d'outre-mer, les adresses étrangères et les établissements "
        "sans unité légale ne sont dans aucun département : ils sont comptés dans le rapport de "
        "construction. L'emploi salarié (FLORES) n'est chargé que pour le département : la région et "
        "la France n'ont pas d'effectifs dans ce tableau de bord.")
st.header("Données ouvertes")
st.markdown(
    "Les tableaux publiés par ce tableau de bord, en données ouvertes : un fichier CSV par table (emploi "
    "salarié par territoire, groupe, secteur et année, avec le statut de secret de chaque cellule et les "
    "fourchettes publiées ; établissements employeurs de l'ESS ; territoires et leurs communes ; tables de "
    "codes), leur schéma (Table Schema), la description du jeu (datapackage.json), ses métadonnées au format "
    "de data.gouv.fr et un LISEZ-MOI. CSV en UTF-8, séparateur virgule, point décimal (voir le LISEZ-MOI "
    "pour l'ouvrir dans un tableur). Licence Ouverte 2.0. Le secret statistique y est le même que sur les "
    "pages : le jeu est vérifié contre l'audit de la base avant d'être produit.")
ui.bouton_donnees_ouvertes()
st.header("Construction de la base")
info = ui.calcul(provenance.infos_build_lisibles)
ui.tableau(pd.DataFrame(info, columns=["Paramètre", "Valeur"]))
st.header("Rapport de construction")
st.markdown("Lignes des fichiers sources écartées ou incomplètes : elles sont comptées ici, "
            "jamais supprimées en silence. Les exemples ne citent que des établissements diffusibles.")
rejets = ui.calcul(provenance.rejets)
if rejets.empty:
    st.caption("Aucune ligne écartée ni incomplète lors de la dernière construction.")
else:
    ui.tableau(rejets)
lignes = ui.calcul(provenance.rejets_lignes)
if not lignes.empty:
    with st.expander(f"Détail des {nombre(len(lignes))} lignes écartées (--tolerer-rejets)"):
        st.dataframe(lignes, hide_index=True, width="stretch")
        st.download_button("Télécharger les lignes écartées (CSV)", lambda: table_csv(lignes),
                           file_name="lignes_ecartees.csv", mime="text/csv", on_click="ignore")
st.header("Familles de l'ESS et catégories juridiques")
familles = ui.calcul(provenance.familles_categories)
ui.tableau(familles.rename(
    columns={"code": "Catégorie juridique", "libelle": "Libellé", "famille": "Famille de l'ESS",
             "a_verifier": "À vérifier", "commentaire": "Commentaire"}), grand=100)
st.caption("Correspondance à vérifier contre la liste de l'INSEE : elle est tenue dans "
           "data/familles_ess.csv.")
