"""The staff session's cookie, set and cleared over plain HTTP by the served app (web/asgi.py):
a script run in a Streamlit session cannot set an HttpOnly cookie. `POST …/_ess/session` with
a one-time code (ess/suivi/sessions.py) answers with the session cookie; `DELETE …/_ess/session`
closes the session the cookie holds and clears it. The path ends the URL whatever prefix a
reverse proxy adds (`/ess/_ess/session`), and the cookie is scoped to that prefix."""

from __future__ import annotations

from http.cookies import SimpleCookie

from ess.db import chemin_suivi
from ess.suivi import sessions, store

CHEMIN = "/_ess/session"


def _cookie(valeur: str, chemin: str, secure: bool, age: int) -> bytes:
    attributs = [f"{sessions.COOKIE}={valeur}", f"Path={chemin}", f"Max-Age={age}", "HttpOnly",
                 "SameSite=Strict"] + (["Secure"] if secure else [])
    return "; ".join(attributs).encode()


def _jeton(scope) -> str | None:
    entetes = dict(scope.get("headers", []))
    lu = SimpleCookie()
    try:
        lu.load(entetes.get(b"cookie", b"").decode("latin-1"))
    except Exception:  # a malformed cookie header opens nothing
        return None
    return lu[sessions.COOKIE].value if sessions.COOKIE in lu else None


class CookieSession:
    """ASGI middleware: answers `…/_ess/session`, passes everything else on."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or not scope["path"].endswith(CHEMIN) or scope["method"] not in (
                "POST", "DELETE"):
            await self.app(scope, receive, send)
            return
        chemin = scope["path"][: -len(CHEMIN)] or "/"
        secure = scope.get("scheme") == "https"
        corps = b""
        while True:
            message = await receive()
            corps += message.get("body", b"")
            if not message.get("more_body") or len(corps) > 1024:
                break
        with store.ouvrir(chemin_suivi()) as con:
            if scope["method"] == "POST":
                jeton = sessions.echanger(con, corps[:1024].decode("ascii", "replace").strip())
                duree = int(sessions.DUREE.total_seconds())
                cookie = _cookie(jeton, chemin, secure, duree) if jeton else None
            else:
                sessions.fermer(con, _jeton(scope))
                cookie = _cookie("", chemin, secure, 0)
        statut = 204 if cookie else 403
        entetes = [(b"cache-control", b"no-store")] + ([(b"set-cookie", cookie)] if cookie else [])
        await send({"type": "http.response.start", "status": statut, "headers": entetes})
        await send({"type": "http.response.body", "body": b""})
