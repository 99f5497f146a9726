"""Suivi du plan 2025-2028: progress of the 13 fiches, activities, indicators staff define,
audit trail, XLSX import/export. Editing for logged-in SIES staff only."""

import pandas as pd
import streamlit as st

from ess import format as fr
from ess import noms
from ess.db import chemin_suivi
from ess.suivi import affichage, classeur, store
from ess.suivi import saisies as ind
from ess.suivi.structure import STATUTS
from web import permalien as pl
from web import session, ui

ui.cadre_application()

PAGES = {"bilan": ("pages/bilan.py", "Bilan du 1er plan (projets par territoire)"),
         "data_ess": ("pages/data_ess.py", "Data ESS : extractions pour les communes, EPCI et PETR"),
         "carte": ("pages/carte.py", "Carte de l'ESS par EPCI et par commune"),
         "territoires": ("pages/territoires.py", "Portraits de territoires, rural et métropole"),
         "accueil": ("pages/accueil.py", "Chiffres clés et carte de l'ESS par EPCI"),
         "sources": ("pages/sources.py", "Sources, définitions, secret statistique")}

plan = ui.plan()
qui = session.panneau_connexion()
st.title("Suivi du plan ESS 2025-2028")
if plan is None:
    st.info(ui.sans_plan())
    st.stop()
pilotage = " et une action de pilotage" if len(plan.fiches) > len(plan.fiches_actions) else ""
st.markdown(f"**{plan.titre}** — {len(plan.leviers)} leviers, {len(plan.enjeux)} enjeux, "
            f"{len(plan.fiches_actions)} fiches actions{pilotage}.")
cols = st.columns(3)
for col, levier in zip(cols, plan.leviers, strict=True):
    col.markdown(f"**{levier['nom']}** : {levier['description']}")
with st.expander("Enjeux et thématiques prioritaires"):
    for e in plan.enjeux:
        st.markdown(f"- **Enjeu {e['code']}** : {e['titre']}")
    st.markdown("Thématiques prioritaires : " + " ; ".join(t["nom"] for t in plan.thematiques) + ".")
    st.caption(f"Source : {plan.source} (structure versionnée, {plan.version}).")



def exporter_indicateurs() -> bytes:
    """Made on click, on another thread: its own connection to the store, the latest values."""
    with store.ouvrir(chemin_suivi()) as c:
        return classeur.exporter(c, plan, [plan.titre, "Export de la base de suivi du SIES",
                                           f"Généré le {fr.date_heure(store.horodatage())}"])


with store.ouvrir(chemin_suivi()) as con:
    st.header("Avancement des fiches actions")
    av = pd.DataFrame(ind.avancement(con, plan))
    # A static table: on a tablet every column shows, the progress included (it was cut off).
    ui.tableau(av.assign(avancement=av["avancement"].map(lambda x: fr.pourcent(x, 0)))[
        ["fiche", "titre", *STATUTS, "indicateurs", "valeurs_renseignees", "avancement"]].rename(columns={
            "fiche": "Fiche", "titre": "Intitulé", "à lancer": "À lancer", "en cours": "En cours",
            "réalisé": "Réalisé", "indicateurs": "Indicateurs", "valeurs_renseignees": "Valeurs saisies",
            "avancement": "Avancement"}))
    st.caption("Avancement : part des activités réalisées (une activité en cours compte pour moitié). "
               "Source : base de suivi du SIES.")

    codes = [f.code for f in plan.fiches]
    demande = st.query_params.get("fiche")
    fiche = plan.fiche(st.selectbox(
        "Fiche action", codes, index=codes.index(demande) if demande in codes else 1,
        format_func=lambda c: plan.fiche(c).libelle, key="fiche"))
    st.query_params["fiche"] = fiche.code
    pl.bouton_lien(["fiche"], "base de suivi du SIES")

    st.header(fiche.libelle)
    if fiche.enjeu:
        enjeu = next(e["titre"] for e in plan.enjeux if e["code"] == fiche.enjeu)
        st.caption(f"Enjeu {fiche.enjeu} — {enjeu}")
    st.markdown(f"**Publics cibles** : {fiche.publics}")
    for lien in fiche.liens:
        page, libelle = PAGES[lien]
        st.page_link(page, label=f"Statistiques liées : {libelle}", icon=":material/bar_chart:")

    st.subheader("Activités")
    statuts = ind.statuts(con)
    etat = {k: statuts.get((fiche.code, k), {}) for k in range(len(fiche.activites))}
    ui.tableau(pd.DataFrame({
        "Activité": fiche.activites,
        "Statut": [e.get("statut", STATUTS[0]) for e in etat.values()],
        "Modifié par": [e.get("modifie_par", "") for e in etat.values()],
        "Le": [fr.date_heure(e.get("modifie_le", "")) for e in etat.values()],
    }))
    if qui:
        with st.form(f"statuts_{fiche.code}"):
            choix = {}
            for k, activite in enumerate(fiche.activites):
                actuel = etat[k].get("statut", STATUTS[0])
                session.version_lue(("statut", fiche.code, k), etat[k].get("version", 0))
                choix[k] = st.selectbox(activite, STATUTS, index=STATUTS.index(actuel),
                                        key=f"statut_{fiche.code}_{k}")
            if st.form_submit_button("Enregistrer les statuts"):
                refus = []
                for k, statut in choix.items():
                    cle = ("statut", fiche.code, k)
                    try:
                        ind.changer_statut(con, fiche.code, k, statut,
                                           session.version_lue(cle, 0), qui["identifiant"], plan)
                    except ind.SaisieInvalide as exc:
                        refus.append(str(exc))
                    session.oublier(cle)
                if not refus:
                    st.rerun()
                for message in refus:
                    st.error(message)

    st.subheader("Indicateurs")
    liste = ind.indicateurs(con, fiche.code)
    valeurs = pd.DataFrame(ind.valeurs(con, fiche.code))
    if valeurs.empty:
        st.info("Aucune valeur saisie pour cette fiche." if liste else
                "Aucun indicateur défini pour cette fiche : le plan ne fixe pas de cible chiffrée, "
                "le SIES définit ses indicateurs.")
    else:
        st.dataframe(valeurs.assign(
            cible=valeurs["cible"].map(lambda x: fr.decimal(x, 1)),
            valeur=valeurs["valeur"].map(lambda x: fr.decimal(x, 1)),
            modifie_le=valeurs["modifie_le"].map(fr.date_heure),
        )[["nom", "unite", "annee", "cible", "valeur", "commentaire", "source", "modifie_par",
           "modifie_le", "version"]].rename(columns={
            "nom": "Indicateur", "unite": "Unité", "annee": "Année", "cible": "Cible",
            "valeur": "Valeur", "commentaire": "Commentaire", "source": "Source",
            "modifie_par": "Modifié par", "modifie_le": "Le", "version": "Version"}),
            hide_index=True, width="stretch")
    if qui:
        gauche, droite = st.columns(2)
        # Emptied once created, never on a refusal: what was typed stays to be corrected.
        with gauche, st.form(f"nouvel_indicateur_{fiche.code}"):
            st.markdown("**Nouvel indicateur**")
            nom = st.text_input("Nom de l'indicateur", key="nouvel_nom", max_chars=ind.LONGUEURS["nom"])
            unite = st.text_input("Unité (ex. projets, €, %)", key="nouvelle_unite",
                                  max_chars=ind.LONGUEURS["unite"])
            if st.form_submit_button("Créer l'indicateur"):
                try:
                    ind.creer_indicateur(con, fiche.code, nom, unite, qui["identifiant"], plan)
                    for champ in ("nouvel_nom", "nouvelle_unite"):
                        del st.session_state[champ]
                    st.rerun()
                except ind.SaisieInvalide as exc:
                    st.error(str(exc))
        with droite:
            if liste:
                noms = {i["id"]: f"{i['nom']} ({i['unite']})" if i["unite"] else i["nom"] for i in liste}
                choisi = st.selectbox("Indicateur à renseigner", list(noms), format_func=noms.get,
                                      key=f"indicateur_{fiche.code}")
                annee = st.selectbox("Année", ind.ANNEES, index=1, key="annee_valeur")
                ligne = ind.lire_valeur(con, choisi, annee) or {}
                cle = ("valeur", choisi, annee)
                lue = session.version_lue(cle, ligne.get("version", 0))
                with st.form(f"valeur_{choisi}_{annee}"):
                    suffixe = f"{choisi}_{annee}"
                    # Text, not st.number_input: a browser number field drops the French decimal
                    # comma ("87,5" became 875); ind.enregistrer_valeur parses or refuses in French.
                    aide = "Nombre, virgule décimale acceptée (ex. 87,5 ou 1 200)."
                    cible = st.text_input("Cible", value=fr.decimal(ligne.get("cible")),
                                          key=f"cible_{suffixe}", help=aide)
                    valeur = st.text_input("Valeur", value=fr.decimal(ligne.get("valeur")),
                                           key=f"valeur_{suffixe}", help=aide)
                    commentaire = st.text_input("Commentaire", value=ligne.get("commentaire", ""),
                                                key=f"commentaire_{suffixe}",
                                                max_chars=ind.LONGUEURS["commentaire"])
                    source = st.text_input("Source de la valeur", value=ligne.get("source", ""),
                                           key=f"source_{suffixe}", max_chars=ind.LONGUEURS["source"])
                    if st.form_submit_button("Enregistrer la valeur"):
                        try:
                            ind.enregistrer_valeur(con, choisi, annee, cible, valeur, commentaire,
                                                   source, lue, qui["identifiant"])
                            session.oublier(cle)
                            st.rerun()
                        except ind.ConflitVersion as exc:
                            session.oublier(cle)  # the next display shows their value
                            st.error(str(exc))
                        except ind.SaisieInvalide as exc:
                            st.error(str(exc))

    st.subheader("Journal des modifications")
    toutes = st.toggle("Toutes les fiches", key="journal_tout")
    journal = pd.DataFrame(store.lire_journal(con, None if toutes else fiche.code, limite=300))
    if journal.empty:
        st.caption("Aucune modification enregistrée.")
    else:
        d = journal.iloc[0]
        st.caption(f"Dernière modification : {d['utilisateur']}, {d['action']} « {d['objet']} », "
                   f"le {fr.date_heure(d['horodatage'])} (heure de Paris).")
        st.dataframe(affichage.journal(journal.to_dict("records")), hide_index=True, width="stretch")

    st.subheader("Import et export des indicateurs (XLSX)")
    st.download_button("Télécharger les indicateurs (XLSX)", exporter_indicateurs,
                       file_name="indicateurs_plan_ess_2025_2028.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       on_click="ignore")
    if qui:
        fichier = st.file_uploader("Importer un export modifié (feuille « Indicateurs »)", type=["xlsx"],
                                   key="import_xlsx")
        if fichier is not None and st.button("Importer", key="importer"):
            try:
                r = classeur.importer(con, fichier.getvalue(), qui["identifiant"], plan)
                crees = fr.pluriel(r["indicateurs_crees"], "indicateur créé", "indicateurs créés")
                valeurs = fr.pluriel(r["valeurs_enregistrees"], "valeur enregistrée", "valeurs enregistrées")
                inchangees = fr.pluriel(r["lignes_inchangees"], "ligne inchangée", "lignes inchangées")
                st.success(f"Import terminé : {crees}, {valeurs}, {inchangees}.")
            except ind.SaisieInvalide as exc:
                st.error(str(exc))
    else:
        st.caption("Connectez-vous (barre latérale) pour modifier le suivi ou importer un classeur.")
