"""Streamlit glue for staff login: password accounts from `st.secrets["comptes"]`, or the
organisation's OIDC provider through `st.login` when an `[auth]` section is configured.
Everyone else reads. The logic (hashes, delays, audit) is in ess/suivi/comptes.py."""

from __future__ import annotations

import json

import streamlit as st

from ess.db import chemin_suivi
from ess.suivi import comptes, sessions, store

CLE = "editeur"  # session_state: {"identifiant", "nom"} of the logged-in staff member
CODE, EFFACER = "session_code", "session_effacer"  # a cookie to set, to clear (next run)


def _script_cookie(methode: str, code: str) -> None:
    """The browser asks the server (web/cookie_session.py) for its session cookie, or to clear
    it: once, from the run after a login or logout (the page's scripts run in the browser)."""
    st.html(f"""<script>(function () {{
  var b = (window.__streamlit && window.__streamlit.BACKEND_BASE_URL) || (location.origin + "/");
  fetch(b + "_ess/session", {{method: "{methode}", body: {json.dumps(code)},
                              credentials: "same-origin", cache: "no-store"}});
}})();</script>""", unsafe_allow_javascript=True)


def secrets() -> dict:
    try:
        return st.secrets.to_dict()
    except FileNotFoundError:  # no secrets file: nobody can edit, everyone reads
        return {}


def oidc_configure() -> bool:
    return "auth" in secrets()


def _cookie() -> str | None:
    try:
        jeton = st.context.cookies.get(sessions.COOKIE)
    except Exception:  # no browser connection (bare mode): no cookie
        return None
    return jeton if isinstance(jeton, str) else None  # AppTest's context is a stand-in


def editeur() -> dict | None:
    """The staff member allowed to edit in this session, or None (read-only). A reload opens a
    new Streamlit session: the session cookie (ess/suivi/sessions.py) finds the login again,
    as long as the account still exists."""
    if st.session_state.get(CLE):
        return st.session_state[CLE]
    if jeton := _cookie():  # the token this tab connected with (its session may be closed)
        with store.ouvrir(chemin_suivi()) as con:
            qui = sessions.lire(con, jeton)
        if qui and qui["identifiant"] in comptes.comptes(secrets()):
            st.session_state[CLE] = qui
            return qui
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
        if code := st.session_state.pop(CODE, None):  # just logged in: the browser keeps it
            _script_cookie("POST", code)
        if st.session_state.pop(EFFACER, False):  # just logged out: the cookie goes
            _script_cookie("DELETE", "")
        if qui:
            st.success(f"Connecté·e : {qui['nom']}")
            if st.button("Se déconnecter", key="deconnexion", icon=":material/logout:"):
                if st.session_state.pop(CLE, None) is None and oidc_configure():
                    st.logout()
                with store.ouvrir(chemin_suivi()) as con:
                    sessions.fermer(con, _cookie())
                    store.journaliser(con, qui["identifiant"], "déconnexion", "compte")
                st.session_state[EFFACER] = True
                st.rerun()
            return qui
        s = secrets()
        if not comptes.comptes(s) and "auth" not in s:
            st.caption("Consultation seule : aucun compte de modification n'est configuré "
                       "(à demander à l'administrateur du tableau de bord).")
            return None
        if comptes.comptes(s):
            with st.form("connexion"):
                ident = st.text_input("Identifiant", key="identifiant", max_chars=100)
                mdp = st.text_input("Mot de passe", type="password", key="mot_de_passe", max_chars=200)
                if st.form_submit_button("Se connecter"):
                    try:
                        with store.ouvrir(chemin_suivi()) as con:
                            qui = comptes.authentifier(con, s, ident, mdp)
                            st.session_state[CODE] = sessions.preparer(con, qui["identifiant"], qui["nom"])
                        st.session_state[CLE] = qui
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
