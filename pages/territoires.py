"""Territoires: portrait of one territory (commune, EPCI, PETR, département, group of communes)
against a reference territory, and the rural vs métropole contrast. State kept in the URL."""

import streamlit as st

from data import libelles
from ess import comparaison, motifs, noms, portrait, resumes, rural_metropole
from ess import format as fr
from ess.codes_territoire import (
    message_petr_absent,
    niveaux_presents,
    noms_des_niveaux,
    plus_peuple,
    reference_naturelle,
)
from geo.plotly_francais import CONFIG_PLOTLY
from web import graphiques, ui
from web import permalien as pl

ui.cadre_application()

con = ui.connexion()
SOURCE = "emploi salarié au 31/12, format FLORES (INSEE), périmètre statistique de l'ESS"
SANS_PETR = ui.calcul(message_petr_absent)  # a département whose EPCI belong to no PETR
PRESENTS = ui.calcul(niveaux_presents) | {"communes"}  # a région's database: its départements, itself
TYPES = {n: libelles("niveaux")[n] for n in ("epci", "commune", "petr", "departement", "region", "communes")
         if n in PRESENTS}


def tableau_et_csv(df, nom_fichier: str, source: str = "", grand: int = 40) -> None:
    ui.tableau(df, grand=grand, source=source)
    ui.bouton_csv("Télécharger (CSV)", df, f"{nom_fichier}.csv", key=f"csv_{nom_fichier}")


annee = ui.annee_selectionnee()
vue = pl.choix(pl.VUE, "Vue", {"portrait": "Portrait d'un territoire",
                               "typologies": "Rural et métropole"}, "portrait", "radio",
               conteneur=st, horizontal=True)

if vue == "typologies":
    st.title("L'ESS hors métropole et en rural")
    df = ui.calcul(rural_metropole.comparaison, annee)
    msg = rural_metropole.message_plan(df)
    if msg:
        st.markdown(
            f"En {annee}, l'ESS représente **{fr.pourcent(msg['part_hors_metropole'])}** de l'emploi "
            "privé hors métropole contre "
            + fr.liste([f"**{fr.pourcent(p)}** dans {n}" for n, p in msg["metropoles"]])
            + (f", et **{fr.pourcent(msg['part_rural'])}** dans les communes rurales"
               if msg["part_rural"] is not None else "")
            + f". **{fr.pourcent(msg['emplois_hors_metropole'])}** des emplois de l'ESS "
              f"{ui.base().en_phrase()} sont situés hors métropole.")
    gauche, droite = st.columns(2)
    with gauche:
        st.header("Part de l'ESS dans l'emploi privé")
        st.plotly_chart(ui.figure(graphiques.barres_typologies, annee, "part_ess_prive"),
                        config=CONFIG_PLOTLY, width="stretch")
        st.markdown(resumes.typologies(df, "part_ess_prive"))
    with droite:
        st.header("Où sont les emplois de l'ESS")
        st.plotly_chart(ui.figure(graphiques.barres_typologies, annee, "part_emplois_ess_departement"),
                        config=CONFIG_PLOTLY, width="stretch")
        st.markdown(resumes.typologies(df, "part_emplois_ess_departement"))
    tableau_et_csv(df.drop(columns=["niveau", "territoire", "secret"]).rename(columns={
        "type": "Type", "nom": "Territoire", "population": "Population",
        "etablissements_ess": "Établissements employeurs ESS", "effectifs_ess": "Effectifs ESS",
        "effectifs_prive": "Effectifs privés", "part_ess_prive": "Part ESS emploi privé (%)",
        "effectifs_ess_1000_hab": "Effectifs ESS pour 1\u202f000 hab.",
        "part_emplois_ess_departement":
            f"Part des emplois ESS {ui.base().en_phrase()} (%)"}),
        f"ess-rural-metropole-{annee}", f"{SOURCE}, {annee}. Population municipale 2017 (INSEE).")
    if not rural_metropole.densite_officielle(con):
        st.caption("Densité : **approximation** par la densité moyenne de chaque commune (seuils 150 "
                   "et 1\u202f000 hab./km²), en attendant le chargement de la grille communale de densité "
                   "de l'INSEE. Zonage montagne : non chargé dans cette base.")
    pl.bouton_lien([pl.VUE, pl.ANNEE], f"{SOURCE}, {annee}")
    ui.provenance()
    st.stop()

# --- Portrait --------------------------------------------------------------------------------
params = st.query_params
code, message = pl.lire_territoire(con, params, pl.TERRITOIRE, None)
if message:
    st.warning(message)
defaut = ui.calcul(plus_peuple, "epci")  # the largest EPCI, not the first of the alphabet
code = code or defaut
niveau_url = code.split(":", 1)[0]
if niveau_url not in TYPES:  # a typology (métropole, densité) from the map: shown as reference
    code, niveau_url = defaut, "epci"
type_choisi = st.sidebar.selectbox("Type de territoire", list(TYPES), format_func=TYPES.get,
                                   index=list(TYPES).index(niveau_url), key="type_territoire")
if type_choisi != niveau_url and type_choisi != "communes":
    code = ui.calcul(plus_peuple, type_choisi) or code
if type_choisi == "communes":
    communes = ui.calcul(noms_des_niveaux, ("commune",))
    deja = [f"commune:{c}" for c in code.split(":", 1)[1].split(",")] if niveau_url == "communes" else []
    choisies = st.sidebar.multiselect("Communes du groupe", list(communes), default=deja,
                                      format_func=communes.get, key="groupe_communes",
                                      placeholder="Choisissez des communes")
    if not choisies:
        st.title("Portrait d'un groupe de communes")
        st.info("Choisissez au moins une commune dans le panneau latéral pour composer le groupe.")
        st.stop()
    code = "communes:" + ",".join(sorted(c.split(":", 1)[1] for c in choisies))
else:
    options = ui.calcul(noms_des_niveaux, (type_choisi,))
    index = list(options).index(code) if code in options else 0
    code = st.sidebar.selectbox(TYPES[type_choisi], list(options), index=index,
                                format_func=options.get, key=f"territoire_{type_choisi}")
st.query_params[pl.TERRITOIRE] = code
if SANS_PETR:
    st.sidebar.caption(SANS_PETR)

references = ui.calcul(noms_des_niveaux, ("region", "departement", "metropole", "densite", "petr", "epci"))
ref_lien, message = pl.lire_territoire(con, params, pl.COMPARAISON, None, "Territoire de comparaison")
if message:
    st.warning(message)
# One box per territory: another territory gets its own reference (its PETR…), and the box is
# created with the reference it shows as its default. A box whose value was set through
# st.session_state had index 0 as its default, which the browser sent back when Vue was
# toggled quickly: the reference became the département (issue 29).
cle_comparaison = f"comparaison_{code}"
if cle_comparaison in st.session_state:
    valeur = st.session_state[cle_comparaison]
elif st.session_state.get("reference_de") in (None, code):  # first display, or back from the other view
    valeur = ref_lien if ref_lien in references else ui.calcul(reference_naturelle, code)
else:  # another territory: the reference follows it
    valeur = ui.calcul(reference_naturelle, code)
st.session_state["reference_de"] = code
ref = st.sidebar.selectbox("Comparer avec", list(references), format_func=references.get,
                           index=list(references).index(valeur), key=cle_comparaison)
st.query_params[pl.COMPARAISON] = ref

t = ui.calcul(comparaison.chiffres, code, annee)
r = ui.calcul(comparaison.chiffres, ref, annee)
st.title(f"Portrait : {t['nom']}")
if len(t["noms_communes"]) > 1:  # every commune of the group, its title may be shortened
    st.markdown(f"Groupe de {len(t['noms_communes'])} communes : {fr.liste(t['noms_communes'])}.")
st.markdown(f"Comparé **{noms.a(r['nom'])}** · année **{annee}** · population {fr.nombre(t['population'])} "
            "habitants (population municipale 2017).")
pl.bouton_lien([pl.TERRITOIRE, pl.COMPARAISON, pl.ANNEE, pl.VUE], f"{SOURCE}, {annee}")

st.header(f"Chiffres clés {annee}")
cols = st.columns(4)
for col, ind in zip(cols, comparaison.LIBELLES, strict=True):
    with col:
        ui.metrique(comparaison.LIBELLES[ind][0], comparaison.texte(ind, t[ind]))
        st.caption(f"{r['nom']} : {comparaison.texte(ind, r[ind])}")
if note := fr.note_fourchette(t["fourchette_ess"], t["fourchette_part"]):
    st.info(note)
elif t["effectifs_ess"] is None:  # its true reason (a group: which communes)
    st.info(motifs.phrase(t["motif_secret"]))
boite = st.expander("Tableau des chiffres clés", key="tableau_chiffres", on_change="rerun")
if boite.open:  # built and drawn only when opened: the figures are in the metrics above
    with boite:
        tableau_et_csv(comparaison.tableau_chiffres(t, r), f"ess-chiffres-{annee}")
ui.source(f"{SOURCE}, {annee}. « s » : secret statistique.")

rangs = ui.calcul(comparaison.rangs, code, annee)
if rangs is not None:
    st.header("Rang parmi les territoires de même niveau")
    tableau_et_csv(rangs, f"ess-rangs-{annee}",
                   f"{SOURCE}, {annee}. Rang 1 = valeur la plus élevée ; territoires au secret non classés.")

# One chart under the other, at full width: side by side on a desktop, each had 350 px, its
# family names turned and its legend on two lines.
st.header("Familles juridiques")
st.plotly_chart(ui.figure(graphiques.barres_familles, code, ref, annee), config=CONFIG_PLOTLY,
                width="stretch")
fam = ui.calcul(comparaison.familles, code, ref, annee)
st.markdown(resumes.familles(fam, t["nom"], r["nom"]))
tableau_et_csv(comparaison.tableau_familles(fam), f"ess-familles-{annee}",
               f"{SOURCE}, {annee}. « s » : secret statistique"
               + ("" if fam["diffuse"].all() else " ; « — » : non diffusé à cet échelon") + ".")
st.header("Évolution depuis 2017")
st.plotly_chart(ui.figure(graphiques.courbes_evolution, code, ref), config=CONFIG_PLOTLY,
                width="stretch")
evo = ui.calcul(comparaison.evolution, code, ref)
st.markdown(resumes.evolution(evo, t["nom"], r["nom"]))
tableau_et_csv(evo.assign(effectifs_ess=evo["effectifs_ess"].map(fr.nombre),
                          effectifs_prive=evo["effectifs_prive"].map(fr.nombre),
                          part_ess_prive=evo["part_ess_prive"].map(fr.pourcent)).rename(columns={
    "territoire": "Territoire", "annee": "Année", "etablissements_ess": "Établissements ESS",
    "effectifs_ess": "Effectifs ESS", "effectifs_prive": "Effectifs privés",
    "part_ess_prive": "Part ESS"}), "ess-evolution", f"{SOURCE}, {evo['annee'].min()}-{evo['annee'].max()}.")

sec = ui.calcul(portrait.secteurs, code, annee, "ess")
detail = " (sections A21, détail A38)" if comparaison.detail_a38(sec) else " (sections A21)"
st.header(f"Secteurs d'activité{detail} — {t['nom']}")
if sec["effectifs"].notna().any():  # never an empty chart (a commune's sectors are not published)
    st.plotly_chart(ui.figure(graphiques.barres_secteurs, code, annee), config=CONFIG_PLOTLY,
                    width="stretch")
    st.markdown(resumes.secteurs(sec, t["nom"]))
else:
    st.info(resumes.secteurs(sec, t["nom"]))
if not sec.empty:
    tableau_et_csv(comparaison.tableau_secteurs(sec), f"ess-secteurs-{annee}", grand=80,
                   source=f"{SOURCE}, {annee}. « s » : secret statistique ; ces secteurs sont absents "
                          "du graphique.")
ui.situation_nationale(annee)
ui.provenance()
