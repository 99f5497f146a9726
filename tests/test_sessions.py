"""Staff sessions kept across reloads (ess/suivi/sessions.py) and the HTTP side that sets and
clears their cookie (web/cookie_session.py): a one-time code, usable once and briefly, traded
for an HttpOnly cookie; only hashes stored; logout closes the session whatever the browser keeps."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from ess.suivi import sessions, store
from web import cookie_session


def test_code_a_usage_unique_puis_session(tmp_path):
    with store.ouvrir(tmp_path / "suivi.sqlite") as con:
        code = sessions.preparer(con, "marie", "Marie (SIES)")
        assert sessions.lire(con, code) is None  # a code is not a session
        jeton = sessions.echanger(con, code)
        assert jeton and sessions.echanger(con, code) is None  # used once
        assert sessions.lire(con, jeton) == {"identifiant": "marie", "nom": "Marie (SIES)"}
        stocke = [tuple(r) for r in con.execute("SELECT * FROM sessions")]
        assert not any(jeton in map(str, r) or code in map(str, r) for r in stocke)  # hashes only
        sessions.fermer(con, jeton)
        assert sessions.lire(con, jeton) is None


def test_code_et_session_expirent(tmp_path):
    with store.ouvrir(tmp_path / "suivi.sqlite") as con:
        t0 = store.maintenant()
        code = sessions.preparer(con, "marie", "Marie", quand=t0)
        assert sessions.echanger(con, code, quand=t0 + timedelta(minutes=2)) is None
        jeton = sessions.echanger(con, sessions.preparer(con, "marie", "Marie", quand=t0), quand=t0)
        assert sessions.lire(con, jeton, quand=t0 + timedelta(hours=11)) is not None
        assert sessions.lire(con, jeton, quand=t0 + timedelta(hours=13)) is None


def _appeler(methode: str, corps: bytes, cookie: str = "", chemin: str = "/_ess/session"):
    reponses = []

    async def recevoir():
        return {"type": "http.request", "body": corps, "more_body": False}

    async def envoyer(message):
        reponses.append(message)

    async def suite(scope, receive, send):  # what Streamlit would answer
        reponses.append({"type": "suite"})

    scope = {"type": "http", "method": methode, "path": chemin, "scheme": "http",
             "headers": [(b"cookie", cookie.encode())] if cookie else []}
    # in a thread of its own: Playwright's sync API keeps an event loop in the main thread
    with ThreadPoolExecutor(1) as fil:
        fil.submit(asyncio.run, cookie_session.CookieSession(suite)(scope, recevoir, envoyer)).result()
    return reponses


def test_cookie_httponly_pose_puis_efface(tmp_path, monkeypatch):
    chemin = tmp_path / "suivi.sqlite"
    monkeypatch.setenv("ESS_SUIVI_DB", str(chemin))
    with store.ouvrir(chemin) as con:
        code = sessions.preparer(con, "marie", "Marie")
    debut = _appeler("POST", code.encode(), chemin="/ess/_ess/session")[0]
    assert debut["status"] == 204
    cookie = dict(debut["headers"])[b"set-cookie"].decode()
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/ess" in cookie
    jeton = cookie.split(";")[0].split("=", 1)[1]
    with store.ouvrir(chemin) as con:
        assert sessions.lire(con, jeton)["identifiant"] == "marie"
    assert _appeler("POST", code.encode())[0]["status"] == 403  # the code is spent
    fin = _appeler("DELETE", b"", cookie=f"{sessions.COOKIE}={jeton}")[0]
    assert "Max-Age=0" in dict(fin["headers"])[b"set-cookie"].decode()
    with store.ouvrir(chemin) as con:
        assert sessions.lire(con, jeton) is None
    assert _appeler("GET", b"", chemin="/carte") == [{"type": "suite"}]  # the rest passes on
