"""Streamlit glue for staff login: password accounts from `st.secrets["comptes"]`, or the
organisation's OIDC provider through `st.login` when an `[auth]` section is configured.
Everyone else reads. The logic (hashes, delays, audit) is in ess/suivi/comptes.py."""

from __future__ import annotations

import streamlit as st

from ess.db import chemin_suivi
from ess.suivi import comptes, store

CLE = "editeur"  # session_state: {"identifiant", "nom"} of the logged-in staff member


def secrets() -> dict:
    try:
        return st.secrets.to_dict()
    except FileNotFoundError:  # no secrets file: nobody can edit, everyone reads
        return {}


def oidc_configure() -> bool:
    return "auth" in secrets()


def editeur() -> dict | None:
    """The staff member allowed to edit in this session, or None (read-only)."""
    if st.session_state.get(CLE):
        return st.session_state[CLE]
    if oidc_configure() and st.user.is_logged_in:
        email = str(st.user.get("email", "")).lower()
        if email and email in comptes.editeurs_oidc(secrets()):
            if not st.session_state.get("oidc_journalise"):  # the provider logged them in
                with store.ouvrir(chemin_suivi()) as con:
                    store.journaliser(con, email, "connexion", "compte (OIDC)")
                st.session_state["oidc_journalise"] = True
            return {"identifiant": email, "nom": str(st.user.get("name", email))}
    return None


def version_lue(cle: tuple, actuelle: int) -> int:
    """The version of a row as it was when this session first displayed it. Re-reading it on
    every rerun would defeat the conflict check: the rerun that submits a form happens after
    the other person's save, and would see their version."""
    lus = st.session_state.setdefault("versions_lues", {})
    return lus.setdefault(cle, actuelle)


def oublier(cle: tuple) -> None:
    """After a save (or a refused one), the next display reads the row afresh."""
    st.session_state.setdefault("versions_lues", {}).pop(cle, None)


def panneau_connexion() -> dict | None:
    """Sidebar: who is editing, or the login form. Returns the editor (or None)."""
    qui = editeur()
    with st.sidebar:
        st.markdown("**Espace SIES**")  # not a heading: it would come before the page's h1
        if qui:
            st.success(f"Connecté·e : {qui['nom']}")
            if st.button("Se déconnecter", key="deconnexion"):
                if st.session_state.pop(CLE, None) is None and oidc_configure():
                    st.logout()
                st.rerun()
            return qui
        s = secrets()
        if not comptes.comptes(s) and "auth" not in s:
            st.caption("Consultation seule : aucun compte de modification n'est configuré "
                       "(à demander à l'administrateur du tableau de bord).")
            return None
        if comptes.comptes(s):
            with st.form("connexion"):
                ident = st.text_input("Identifiant", key="identifiant")
                mdp = st.text_input("Mot de passe", type="password", key="mot_de_passe")
                if st.form_submit_button("Se connecter"):
                    try:
                        with store.ouvrir(chemin_suivi()) as con:
                            st.session_state[CLE] = comptes.authentifier(con, s, ident, mdp)
                        st.rerun()
                    except comptes.ConnexionRefusee as exc:
                        st.error(str(exc))
        if "auth" in s:
            if st.user.is_logged_in:
                st.warning(f"{st.user.get('email', '')} n'est pas autorisé·e à modifier le suivi.")
            elif st.button("Se connecter avec le compte du Département", key="oidc"):
                st.login()
        st.caption("La consultation est libre ; la modification est réservée au SIES.")
    return None
