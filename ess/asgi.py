"""The served app: app.py as a Streamlit ASGI app (st.App) with one middleware, run by
`python -m ess.serveur` (`streamlit run` finds `app` here).

Why the middleware: Streamlit's page opens its connection by probing the page's own path
first (`/carte/_stcore/health`, a 404), then, 100 ms later, the root. Every page but Accueil
lost those 100 ms at each view (a bare page loads in 0,45 s with a warm cache). The page's
HTML now tells the browser where the server is (`window.__streamlit.BACKEND_BASE_URL`, the
setting Streamlit reads for hosted apps): the URL without its page name, so a prefix added by
a reverse proxy (`/ess/carte` → `/ess/`) is kept.
"""

from __future__ import annotations

import json
from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware
from streamlit.runtime.pages_manager import PagesManager  # no public switch for this mode

RACINE = Path(__file__).resolve().parent.parent
# Each page's URL is its file name (app.py)
PAGES = sorted(p.stem for p in (RACINE / "pages").glob("*.py"))
SCRIPT = ("<script>(function(){var s=location.pathname.replace(/\\/+$/,'').split('/');"
          f"if({json.dumps(PAGES)}.indexOf(s[s.length-1])>=0)s.pop();"
          "window.__streamlit=Object.assign({},window.__streamlit,"
          "{BACKEND_BASE_URL:location.origin+s.join('/')+'/'});})();</script>").encode()


class BaseDuServeur:
    """Adds SCRIPT at the top of <head> of the HTML page. A page's request is passed on
    without its Accept-Encoding, so the page comes uncompressed (8 Ko); the rest (scripts,
    styles, the connection) passes through unchanged."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or any(
                d in scope["path"] for d in ("/static/", "/_stcore/", "/media/", "/component")):
            await self.app(scope, receive, send)
            return
        scope = {**scope, "headers": [(k, v) for k, v in scope["headers"] if k.lower() != b"accept-encoding"]}
        debut: dict | None = None
        corps: list[bytes] = []

        async def envoyer(message) -> None:
            nonlocal debut
            if message["type"] == "http.response.start":
                entetes = {k.lower(): v for k, v in message.get("headers", [])}
                if (message["status"] == 200 and entetes.get(b"content-type", b"").startswith(b"text/html")
                        and b"content-encoding" not in entetes):
                    debut = message  # held until the whole body is in
                    return
            elif message["type"] == "http.response.body" and debut is not None:
                corps.append(message.get("body", b""))
                if message.get("more_body"):
                    return
                html = b"".join(corps).replace(b"<head>", b"<head>" + SCRIPT, 1)
                entetes = [(k, v) for k, v in debut.get("headers", []) if k.lower() != b"content-length"]
                await send({**debut, "headers": [*entetes, (b"content-length", str(len(html)).encode())]})
                await send({"type": "http.response.body", "body": html})
                return
            await send(message)

        await self.app(scope, receive, envoyer)


# Streamlit would run a page alone (its old pages/ mode) until app.py has called st.navigation
# once; ui.cadre_application then reruns it, a second run on each server's first visit. Served
# from here, app.py frames every page from the start (the flag is only set while None).
PagesManager.uses_pages_directory = False
app = st.App(RACINE / "app.py", middleware=[Middleware(BaseDuServeur)])
