"""SIES staff sessions that survive a page reload, kept in the tracking store.

A Streamlit session lives as long as its browser tab's connection: a reload opened a new one
and logged the staff member out. After a login, the browser trades a one-time code (valid a
minute, usable once) for a session token in an HttpOnly, SameSite=Strict cookie
(web/cookie_session.py); each new connection reads that cookie (st.context.cookies) and finds
its session here. Only the SHA-256 of codes and tokens is stored, so the store alone opens no
session; « Se déconnecter » deletes the row (the cookie then opens nothing, and is cleared).
Why not a stateless signed cookie: it could not be revoked at logout, and would need a secret
key to configure; why not st.login: it needs an identity provider, which password accounts
are without (with one configured, its own cookie already keeps the session)."""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
from datetime import datetime, timedelta

from ess.suivi.store import horodatage, maintenant, transaction

COOKIE = "ess_session"
DUREE = timedelta(hours=12)  # a working day; then the password again
DUREE_CODE = timedelta(minutes=1)


def _empreinte(texte: str) -> str:
    return hashlib.sha256(texte.encode()).hexdigest()


def preparer(con: sqlite3.Connection, identifiant: str, nom: str, quand: datetime | None = None) -> str:
    """After a login: the one-time code the browser trades for its session cookie."""
    quand = quand or maintenant()
    code = secrets.token_urlsafe(32)
    with transaction(con):
        con.execute("DELETE FROM sessions WHERE expire_le < ?", (horodatage(quand),))
        con.execute("INSERT INTO sessions VALUES (?, ?, ?, ?, ?, 1)",
                    (_empreinte(code), identifiant, nom, horodatage(quand), horodatage(quand + DUREE_CODE)))
    return code


def echanger(con: sqlite3.Connection, code: str, quand: datetime | None = None) -> str | None:
    """The session token for a one-time code (None if unknown, used or expired)."""
    quand = quand or maintenant()
    with transaction(con):
        row = con.execute("SELECT * FROM sessions WHERE empreinte = ? AND code = 1 AND expire_le >= ?",
                          (_empreinte(code or ""), horodatage(quand))).fetchone()
        if row is None:
            return None
        con.execute("DELETE FROM sessions WHERE empreinte = ?", (row["empreinte"],))
        jeton = secrets.token_urlsafe(32)
        con.execute("INSERT INTO sessions VALUES (?, ?, ?, ?, ?, 0)",
                    (_empreinte(jeton), row["identifiant"], row["nom"], horodatage(quand),
                     horodatage(quand + DUREE)))
    return jeton


def lire(con: sqlite3.Connection, jeton: str | None, quand: datetime | None = None) -> dict | None:
    """{"identifiant", "nom"} of the session a cookie holds, None when none is open."""
    if not jeton:
        return None
    row = con.execute("SELECT identifiant, nom FROM sessions WHERE empreinte = ? AND code = 0 "
                      "AND expire_le >= ?", (_empreinte(jeton), horodatage(quand))).fetchone()
    return {"identifiant": row["identifiant"], "nom": row["nom"]} if row else None


def fermer(con: sqlite3.Connection, jeton: str | None) -> None:
    """Logout: the session is gone, whatever the browser still holds."""
    if jeton:
        with transaction(con):
            con.execute("DELETE FROM sessions WHERE empreinte = ?", (_empreinte(jeton),))
