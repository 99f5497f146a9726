"""Data ESS: the fiche of a commune, EPCI, PETR, the département or a group of communes,
shown as it is downloaded (XLSX, CSV, PDF), with the journal of extracts."""

import time
from dataclasses import dataclass

import streamlit as st

from ess import fiche as fiches
from ess import format as fr
from ess import journal
from ess.codes_territoire import TerritoireInvalide, message_petr_absent, niveaux_presents, plus_peuple
from ess.document import LEGENDE, Document, Paragraphe
from ess.document.texte import chiffre, tableau_texte
from ess.fiche import fichiers, mise_en_page
from ess.fiche.choix import message_codes_inconnus
from web import permalien as pl
from web import session, ui

ui.cadre_application()
qui = session.panneau_connexion()  # the journal's lines are for the SIES staff

# a cursor of its own: DuckDB connections are not shared safely between concurrent runs
con = ui.connexion().cursor()
cle = ui.cle_base()
annee = ui.annee_selectionnee()
SANS_PETR = ui.calcul(message_petr_absent)  # a département whose EPCI belong to no PETR
PRESENTS = ui.calcul(niveaux_presents) | {"communes"}  # a région's database: its départements, itself
NIVEAUX_CHOIX = {n: fiches.NIVEAUX[n]
                 for n in ("commune", "epci", "petr", "departement", "region", "communes") if n in PRESENTS}
BASE = ui.base()  # what the page opens on

st.title("Data ESS")
st.markdown("La fiche ESS d'une commune, d'un EPCI, d'un PETR, "
            + ("d'un département, de la région" if BASE.region else "du département")
            + " ou d'un groupe de communes : chiffres clés, familles, secteurs, comparaisons, "
            "évolution, établissements et pépites. **Les fichiers téléchargés contiennent exactement "
            "les tableaux affichés.**")


# A long list (a département's 4 557 establishments: a grid of 1 Mo) is drawn when asked:
# the page opens on the figures; the downloads hold every line.
LIGNES_DEPLIEES = 100


@dataclass(frozen=True)
class Vue:
    fiche: fiches.Fiche
    doc: Document  # the fiche laid out (numbered tables), as the files hold it
    html: dict[tuple[int, int], str]  # (section, bloc) → each table of up to LIGNES_DEPLIEES rows


# Shared, not copied (st.cache_resource): read only, and unpickling a copy at each view (the
# lists of establishments) plus writing its tables as HTML were 0,2 s of the server's time.
@st.cache_resource(ttl=3600, max_entries=64, show_spinner="Préparation de la fiche…")
def charger(code: str, annee: int, perimetre: str, unite: str, cle: tuple) -> Vue:
    f = fiches.fiche(ui.connexion().cursor(), code, annee, perimetre, unite)
    doc = mise_en_page.document(f, images=False).numeroter()
    html = {(i, j): ui.html_tableau(tableau_texte(bloc), titre=bloc.libelle, champ=bloc.champ)
            for i, section in enumerate(doc.sections)
            for j, bloc in enumerate(section.blocs)
            if not isinstance(bloc, Paragraphe) and 0 < len(bloc.lignes) <= LIGNES_DEPLIEES}
    return Vue(f, doc, html)


# Typed entries survive the runs where their widget is not drawn (an empty group stops the
# page before them): "Demandé par" was emptied by a switch to "Groupe de communes".
for cle_memo in ("demandeur",):
    if cle_memo in st.session_state:
        st.session_state[cle_memo] = st.session_state[cle_memo]

# The view is in the URL (?territoire=epci:200068815, communes:31555,31069): its level too.
lien, message = pl.lire_territoire(con, st.query_params, pl.TERRITOIRE, None)
if message:
    st.warning(message)
niveau_lien = lien.split(":", 1)[0] if lien else BASE.niveau
if niveau_lien not in NIVEAUX_CHOIX:
    st.warning(f"« {lien} » n'a pas de fiche Data ESS : fiche {BASE.en_phrase()} affichée.")
    lien, niveau_lien = None, BASE.niveau
if "niveau" not in st.session_state:
    st.session_state["niveau"] = niveau_lien
niveau = st.radio("Type de territoire", list(NIVEAUX_CHOIX), horizontal=True, key="niveau",
                  format_func=NIVEAUX_CHOIX.get)
if SANS_PETR:
    st.caption(SANS_PETR)
if niveau == "communes":
    communes = {t.split(":")[1]: nom for t, nom in fiches.options_niveau(con, "commune").items()}
    if "communes" not in st.session_state and niveau_lien == "communes":
        st.session_state["communes"] = [c for c in lien.split(":", 1)[1].split(",") if c in communes]
    choix = st.multiselect("Communes du groupe", list(communes), key="communes", format_func=communes.get,
                           placeholder="Choisissez une ou plusieurs communes")
    colles = st.text_area("… ou codes INSEE collés (séparés par des virgules, espaces ou retours à la ligne)",
                          key="codes_colles", height=80, max_chars=10_000)
    codes, inconnus = fiches.codes_colles(colles, communes)
    if inconnus:
        st.error(message_codes_inconnus(inconnus))
    groupe = list(dict.fromkeys([*choix, *codes]))
    if not groupe:
        st.query_params.pop(pl.TERRITOIRE, None)
        st.info("Choisissez au moins une commune, ou collez des codes INSEE.")
        st.stop()
    code = "communes:" + ",".join(sorted(groupe))
else:
    options = fiches.options_niveau(con, niveau)
    liste = list(options)
    # the link's territory, else the most populated one of the level (not an all-secret village)
    demande = lien if lien in options else ui.calcul(plus_peuple, niveau)
    code = st.selectbox("Territoire", liste, index=liste.index(demande) if demande in options else 0,
                        key=f"territoire_{niveau}", format_func=options.get,
                        placeholder="Choisissez un territoire")
st.query_params[pl.TERRITOIRE] = code

c1, c2, c3 = st.columns(3)
perimetre = c1.radio("Définition de l'ESS", list(fiches.PERIMETRES), format_func=fiches.PERIMETRES.get,
                     key="perimetre")
unite = c2.radio("Unité de compte", list(fiches.UNITES), format_func=fiches.UNITES.get, key="unite")
demandeur = c3.text_input("Demandé par (journal des extractions)", key="demandeur",
                          placeholder="ex. Mairie de Revel, SIES", max_chars=journal.LONGUEUR_DEMANDEUR)

try:
    vue = charger(code, annee, perimetre, unite, cle)
except TerritoireInvalide as exc:
    st.error(str(exc))
    st.stop()
f, doc = vue.fiche, vue.doc
st.header(f"{f.titre} — {annee}")
for alerte in f.alertes:
    st.info(alerte)
cols = st.columns(len(doc.chiffres))
for colonne, c in zip(cols, doc.chiffres, strict=True):
    with colonne:
        ui.metrique(c.libelle, chiffre(c), aide=c.phrase)
        st.caption(" · ".join(x for x in (c.comparaison, c.tendance) if x))
for m in doc.messages[len(f.alertes):]:
    st.caption(m)

pl.bouton_lien([pl.TERRITOIRE, pl.ANNEE], f.tableaux[0].source)


# The extracts this session has put in the journal, and when: taps repeated on a download (a
# tablet, a slow network) make one line, not one per tap (web/habillage.js also lets a
# download button fire once every few seconds).
journalisees = st.session_state.setdefault("extractions_journalisees", {})


def telechargement(format: str):
    def produire() -> bytes:  # run on click: the file, then its line in the journal
        contenu = fichiers.generer(f, format, ui.connexion().cursor())
        cle_extraction = (f.territoire.code, f.annee, perimetre, unite, format, demandeur)
        if time.monotonic() - journalisees.get(cle_extraction, -journal.DOUBLON_S) >= journal.DOUBLON_S:
            journal.consigner(f.territoire.code, f.territoire.nom, f.annee, format, demandeur)
            journalisees[cle_extraction] = time.monotonic()
        return contenu
    return produire


# on screen only (habillage's print styles): on paper, a heading with nothing under it
with st.container(key="ecran-telechargements"):
    st.subheader("Télécharger la fiche")
    formats = (("pdf", "Fiche PDF A4"), ("xlsx", "Classeur XLSX"), ("docx", "Document Word"),
               ("csv", "CSV (zip, Excel FR)"))
    for colonne, (fmt, libelle) in zip(st.columns(4), formats, strict=True):
        colonne.download_button(libelle, data=telechargement(fmt), file_name=fichiers.nom(f, fmt),
                                mime=fichiers.FORMATS[fmt][1], key=f"telecharger_{fmt}", on_click="ignore",
                                icon=":material/download:")

for i, section in enumerate(doc.sections):
    st.subheader(section.libelle)
    for j, bloc in enumerate(section.blocs):
        if isinstance(bloc, Paragraphe):
            st.caption(bloc.texte)
            continue
        source = bloc.source + (f" — {bloc.note}" if bloc.note else "")
        if 0 < len(bloc.lignes) <= LIGNES_DEPLIEES:  # whole, as it prints; titled in its caption
            ui.tableau_statique(vue.html[i, j], source=source)
            continue
        st.markdown(f"**{bloc.libelle}**")
        st.caption(f"Champ : {bloc.champ}")
        if not bloc.lignes:
            st.caption(bloc.vide)
        else:
            boite = st.expander(f"Afficher les {fr.nombre(len(bloc.lignes))} lignes", key=f"bloc_{i}_{j}",
                                on_change="rerun")
            if boite.open:
                with boite:
                    ui.tableau(tableau_texte(bloc))
            else:  # a closed box prints nothing: say where the list is
                st.html(f'<p class="ess-imprime">{fr.nombre(len(bloc.lignes))} lignes, non imprimées : la '
                        "liste complète est dans le classeur XLSX et le CSV de la fiche.</p>")
        ui.source(source)

with st.expander("Sources, définitions et secret statistique"):
    # one list for a screen reader, not one list per line
    st.markdown("\n".join([*(f"- {ligne}" for ligne in (*LEGENDE, *doc.notes)),
                            *(f"- **{terme}** : {texte}" for terme, texte in [*doc.methodes, *doc.sources])]))
    st.caption(f"Fiche établie le {fr.date_heure(doc.genere_le)}")

# read and drawn when opened: it grows with every extract (500 lines kept on screen). Who asked
# for what is personal data: the lines for the SIES staff logged in, the counts for everyone.
historique = st.expander("Journal des extractions", key="journal_extractions", on_change="rerun")
if historique.open:
    with historique:
        if qui:
            ui.tableau(journal.lire().drop(columns="Code"))
        else:
            st.markdown(journal.resume(journal.compter()))
            st.caption("Le détail (territoire, date, demandeur) est réservé au personnel du SIES : "
                       "connectez-vous dans le panneau latéral, rubrique « Espace SIES ».")
