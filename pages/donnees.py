"""Données (SIES staff only): load new source files, preview what would change, publish in
the background, go back to a kept version. Every write runs `python -m etl` in its own
process (ess/donnees.py); this script only lays out the state it reads."""

from pathlib import Path

import streamlit as st

from ess import apercu, donnees, indicateurs
from ess import format as fr
from ess.db import chemin_base, chemin_suivi
from ess.exports.csv import table_csv
from ess.suivi import store
from web import session, ui

ui.cadre_application()

qui = session.panneau_connexion()
st.title("Données")
if not qui:
    st.info("Cette page sert au SIES à mettre à jour les données du tableau de bord (nouveau fichier "
            "FLORES, stock SIRENE, registre des projets…). Elle est réservée au personnel du SIES : "
            "connectez-vous dans le panneau latéral, rubrique « Espace SIES ».")
    if not st.session_state.get("donnees_refus"):  # audited once per session, not per rerun
        with store.ouvrir(chemin_suivi()) as con_suivi:
            store.journaliser(con_suivi, "anonyme", "accès refusé", "page Données")
        st.session_state["donnees_refus"] = True
    st.stop()

ident = qui["identifiant"]


def journaliser(action: str, objet: str, nouvelle=None) -> None:
    with store.ouvrir(chemin_suivi()) as con_suivi:
        store.journaliser(con_suivi, ident, action, objet, nouvelle=nouvelle)


st.markdown("Chargez un nouveau fichier, lisez ce qu'il changerait, puis publiez-le : toutes les pages "
            "liront la nouvelle base à leur prochain affichage. Les dernières versions sont gardées "
            "pour pouvoir y revenir.")

# ---- the files in service ----
st.header("Sources en service")
info = ui.calcul(indicateurs.infos_build)
ui.tableau(ui.calcul(donnees.sources_en_service))
st.caption(f"Base construite le {fr.date_heure(info.get('date_construction'))} ; audit du secret "
           f"statistique : {info.get('secret_audit') or 'non renseigné'}.")
st.download_button("Télécharger le registre des projets en service (CSV)",
                   table_csv(ui.calcul(donnees.registre_en_service)),
                   file_name="registre_projets_en_service.csv", mime="text/csv", on_click="ignore",
                   help="Le point de départ d'une mise à jour : modifiez-le dans un tableur, puis chargez-le "
                        "ci-dessous (CSV ou XLSX, mêmes colonnes).")

# ---- new files ----
st.header("Charger de nouveaux fichiers")
sur_serveur = donnees.fichiers_serveur()
st.markdown(f"Un fichier chargé ici remplace la source correspondante ; les autres sources restent celles "
            f"en service. Fichiers jusqu'à {donnees.TAILLE_TELEVERSEMENT_MO} Mo ; un stock SIRENE national, "
            f"plus lourd, se dépose dans le dossier du serveur `{donnees.dossier_entrees()}` puis se choisit "
            "dans la liste.")
with st.form("fichiers"):
    televerses, choisis = {}, {}
    for i, (option, (libelle, extensions)) in enumerate(donnees.SOURCES.items()):
        with st.expander(libelle, expanded=i == 0):
            televerses[option] = st.file_uploader(f"{libelle} : fichier ({', '.join(extensions)})",
                                                  type=list(extensions), key=f"fichier_{option}")
            if sur_serveur:
                noms = {f"{f.chemin.name} ({fr.nombre(f.octets / 1e6, 1)} Mo)": f.chemin for f in sur_serveur}
                choix = st.selectbox(f"{libelle} : ou un fichier du dossier du serveur", ["—", *noms],
                                     key=f"serveur_{option}")
                choisis[option] = noms.get(choix)
    lancer = st.form_submit_button("Préparer l'aperçu", type="primary")

etat = donnees.etat()
if lancer:
    changements = {o: donnees.deposer(f.name, f.getvalue()) for o, f in televerses.items() if f is not None}
    changements |= {o: p for o, p in choisis.items() if p is not None and o not in changements}
    if not changements:
        st.warning("Choisissez au moins un fichier à charger.")
    elif probleme := donnees.verifier(changements, info):
        st.error(probleme)
    elif etat and etat["statut"] == "en_cours":
        st.warning(f"Une construction est déjà en cours (lancée par {etat['par']} le "
                   f"{fr.date_heure(etat['debut'])}) : attendez qu'elle se termine.")
    else:
        # Until the new build writes its state, the page waits for it (or for its error).
        processus = donnees.lancer_apercu(changements, ident)
        st.session_state["donnees_attente"] = (donnees.signature(etat), processus)
        journaliser("aperçu demandé", ", ".join(f"{o} : {p.name}" for o, p in changements.items()))
        st.rerun()

attente = st.session_state.get("donnees_attente")
if attente and (donnees.signature(etat) != attente[0] or attente[1].poll() is not None):
    del st.session_state["donnees_attente"]
    if donnees.signature(etat) == attente[0] and attente[1].returncode:  # it never started
        st.error(donnees.sortie_lancement())
    attente = None

# ---- the build under way, then its preview ----
st.header("Aperçu avant publication")


@st.fragment(run_every=1.0 if attente or (etat and etat["statut"] == "en_cours") else None)
def chantier(affiche: tuple) -> None:
    e = donnees.etat()
    if donnees.signature(e) != affiche or (attente and attente[1].poll() is not None):
        st.rerun()  # started, finished or failed since the page was drawn: redraw it whole
    if e and e["statut"] == "en_cours":
        st.progress(donnees.progression(e), text=f"Construction lancée par {e['par']} le "
                    f"{fr.date_heure(e['debut'])} — étape : {e['etape']}…")
        st.caption("Les autres pages restent utilisables pendant la construction ; la base en service "
                   "ne change qu'à la publication.")
    elif attente:
        st.progress(0.0, text="Lancement de la construction…")


chantier(donnees.signature(etat))
if etat is None:
    st.caption("Aucun aperçu préparé.")
elif etat["statut"] == "echec":
    st.error(f"L'aperçu a échoué : {etat['message']}")
    st.info("La base en service n'a pas changé.")
elif etat["statut"] == "publie":
    st.success(f"Dernière publication : version du {fr.date_heure(etat.get('publie_le'))}, par "
               f"{etat.get('publie_par')}. Toutes les pages lisent cette base.")
elif etat["statut"] == "pret":
    a = apercu.comparer(chemin_base(), etat["candidat"])
    nature = ("mise à jour du registre seul" if etat["mode"] == "partiel" else "construction complète")
    st.markdown(f"Préparé par **{etat['par']}** le {fr.date_heure(etat['fin'])} ({nature}, "
                f"{fr.nombre(etat['duree_s'], 1)} s), à partir de : "
                + ", ".join(f"{donnees.SOURCES[o][0]} ({Path(p).name})"
                            for o, p in etat["changements"].items()) + ".")
    st.subheader("Lignes par source")
    ui.tableau(apercu.tableau_lignes(a))
    st.subheader("Projets du 1er plan")
    ui.tableau(apercu.tableau_projets(a))
    st.subheader(f"Chiffres clés qui changent ({a.annee})")
    chiffres = apercu.tableau_chiffres(a)
    if chiffres.empty:
        st.markdown("Aucun chiffre clé du département ni des EPCI ne change.")
    else:
        ui.tableau(chiffres)
    st.subheader("Secret statistique")
    secret = apercu.tableau_secret(a)
    if secret.empty:
        st.markdown("Aucune cellule ne change de statut.")
    else:
        ui.tableau(secret)
    audit = a.audit or "non renseigné"
    (st.success if audit == "réussi" else st.warning)(
        f"Audit du secret statistique de la nouvelle base : {audit}.")
    if st.button("Publier cette base", type="primary", key="publier"):
        ok, message = donnees.publier(ident)
        if ok:
            journaliser("publication", etat["id"], nouvelle=message)
            st.rerun()
        st.error(message)

# ---- history ----
st.header("Versions gardées")
versions = donnees.versions()
if not versions:
    st.caption("Aucune version gardée pour l'instant : la prochaine publication gardera la base actuelle.")
else:
    ui.tableau(donnees.tableau_versions(versions))
    autres: dict[str, str] = {}
    for v in versions:
        if not v["en_service"]:
            libelle = donnees.libelle_version(v)  # two in the same minute: told apart by their id
            autres[libelle if libelle not in autres else f"{libelle} [{v['version']}]"] = v["version"]
    toutes: dict[str, str] = {}
    for v in versions:
        libelle = donnees.libelle_version(v) + (" — en service" if v["en_service"] else "")
        toutes[libelle if libelle not in toutes else f"{libelle} [{v['version']}]"] = v["version"]
    ouverte = toutes[st.selectbox(
        "Données ouvertes de la version", list(toutes), key="version_ouverte",
        help="Le jeu de données ouvertes (CSV, schémas, métadonnées) tel qu'il a été publié avec cette "
             "version : celui qui était en service à une date donnée (voir « Publications et retours »).")]
    st.download_button("Télécharger ses données ouvertes (zip)",
                       lambda: donnees.donnees_ouvertes_version(ouverte),
                       file_name=donnees.nom_donnees_ouvertes(ouverte), mime="application/zip",
                       key="donnees_ouvertes_version", on_click="ignore")
    if autres:
        choix = st.selectbox("Version à remettre en service", list(autres), key="version_choisie")
        if st.button("Revenir à cette version", key="restaurer"):
            ok, message = donnees.restaurer(autres[choix], ident)
            if ok:
                journaliser("retour à une version", autres[choix])
                st.session_state["donnees_message"] = f"Version du {choix} remise en service."
                st.rerun()
            st.error(message)
if message := st.session_state.pop("donnees_message", None):
    st.success(message)
disque = donnees.occupation_disque()
st.caption("Espace disque : " + " ; ".join(f"{k} {fr.nombre(v / 1e6, 1)} Mo" for k, v in disque.items())
           + ".")
if mouvements := donnees.journal():
    st.subheader("Publications et retours")
    ui.tableau(donnees.tableau_journal(mouvements))
