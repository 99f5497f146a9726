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
regle = ui.calcul(provenance.regle_sensible)  # the thresholds the database was protected with
st.markdown(
    "Les effectifs salariés et les EQTP par établissement ne sont pas publics : le tableau de bord "
    "applique le **secret statistique** des statistiques d'entreprises (règles de l'INSEE), "
    "décidé à la construction de la base, qui ne contient que des cellules publiables. Les "
    "cellules masquées sont notées **« s »**.\n\n"
    "**1. Cellules sensibles.** Une cellule (un territoire × un groupe × un secteur, une année) "
    f"est sensible si **{regle}** (pour l'emploi d'un établissement, sa plus grande contribution "
    "connue ; à défaut, la ligne entière quand elle ne compte qu'un établissement, sinon la "
    "moyenne). Une cellule sensible n'est jamais publiée.\n\n"
    "**2. Ce qui est publié.** Seulement ce dont les utilisateurs ont besoin, ce qui limite les "
    "liens entre tableaux (tableau ci-dessous) : pas de familles ni de secteurs par commune, pas "
    "de privé hors ESS ni de public, le détail A38 au seul département et pour la métropole. "
    "Une combinaison absente est « non diffusée à cet échelon » (« — »), ni zéro ni secret.\n\n"
    "**3. Ce que sait un attaquant.** Toutes les cellules publiées, de tous les échelons et "
    "partitions (communes, EPCI, PETR, département, métropole et hors métropole, classes de "
    "densité, et toutes leurs combinaisons), les deux mesures, les fourchettes publiées, et "
    "**tout ce que dit le répertoire SIRENE, qui est public** : pour chaque commune × famille "
    "juridique × secteur A38, le nombre d'établissements employeurs et la tranche d'effectifs de "
    "chacun (1 ou 2, 3 à 5, 6 à 9…). Il en déduit des bornes a priori de chacune de ces lignes : "
    "au moins un emploi par établissement (là où les fichiers s'accordent : jamais une borne que "
    "les données contredisent), au moins la somme des minimums des tranches, au plus la somme de "
    "leurs maximums quand tous les établissements de la ligne sont listés. L'attaquant peut aussi "
    "être **l'un des établissements** : seul dans sa ligne, il en connaît le chiffre exact (le "
    "« singleton » des logiciels de secret). Par programmation linéaire sur tout cela, "
    "l'intervalle obtenu pour chaque cellule sensible de valeur v doit, de l'extérieur, descendre "
    "jusqu'à **0,9 × v** et monter jusqu'à **1,1 × v** (au moins un emploi de part et d'autre, "
    "dans la limite des bornes a priori) ; pour chaque établissement seul dans sa ligne, laisser "
    "**au moins un emploi de part et d'autre** de la valeur vraie (jamais de divulgation exacte) ; "
    "aucune cellule masquée ne doit être recalculable exactement.\n\n"
    "**4. Masquage secondaire au moindre coût.** Toutes les cellules à masquer en plus des "
    "cellules sensibles sont choisies ensemble par un modèle exact (programme en nombres entiers "
    "de Fischetti et Salazar, résolu par coupes, solveur HiGHS), contre l'attaquant extérieur et "
    "chaque établissement seul dans sa ligne : masquer le moins d'emplois possible, un total "
    "(ESS ou privé) comptant 3 fois ses emplois pour une commune, 10 fois pour un EPCI, un PETR "
    "ou une classe de densité, 100 fois pour le département ; les sections A21 des EPCI et PETR "
    "30 fois, leurs familles juridiques 40 fois (la première lecture de tout portrait de "
    "l'ESS). Ce que ce modèle ne sait "
    "pas protéger et les EQTP reviennent à une heuristique par programmation linéaire, cellule "
    "par cellule. Les mêmes données donnent toujours les mêmes cellules masquées. Ce que sait "
    "l'attaquant a un prix : dans une petite commune dont l'ESS est une association, l'emploi "
    "privé publié moins un emploi ou deux pour chacun des autres établissements (leur tranche "
    "SIRENE) donnerait l'emploi de l'association ; l'emploi privé de nombreuses petites communes est "
    "donc masqué, le plus souvent parce qu'aucun autre masquage ne la protège.\n\n"
    "**Fourchettes.** Le total ESS d'un EPCI ou d'un PETR masqué pour en protéger un autre (et "
    "non parce qu'il serait lui-même sensible) est accompagné de l'intervalle que donnent les "
    "seuls chiffres publiés, calculé par le même programme linéaire que l'attaquant et arrondi "
    "vers l'extérieur : il n'apprend rien de plus à personne. Il se lit « entre … et … » plutôt "
    "que « s », sa part de l'emploi privé aussi quand l'emploi privé est publié ; sur les cartes, "
    "il prend la couleur de la classe qui contient tout son intervalle, quand une seule le "
    "contient.\n\n"
    "**5. Une preuve à chaque construction.** Avant de remplacer la base, un audit joue "
    "l'attaquant, de l'extérieur puis pour chaque établissement seul dans sa ligne : chaque "
    "tableau alternatif trouvé est vérifié contre tout ce qui est publié et tout ce que dit "
    "SIRENE, un test de rang vérifie qu'aucune cellule masquée n'est déterminée, et les cellules "
    "que ces témoins ne couvrent pas sont bornées par programmation linéaire. Une base qui échoue "
    "n'est jamais publiée ; l'audit nomme chaque cellule en cause et l'établissement qui la "
    "percerait. Le SIES peut relancer l'audit complet à tout moment, sans rien reprendre du "
    "masquage (commande `python -m etl audit-secret`).\n\n"
    "Ne sont pas pris en compte : plusieurs établissements qui mettraient leurs chiffres en "
    "commun (chacun est supposé seul), et les liens entre années (il n'en existe pas "
    "d'additifs). Les groupes de communes d'un utilisateur sont des sommes de cellules "
    "communales publiées : une cellule masquée dans une commune masque le groupe."
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
