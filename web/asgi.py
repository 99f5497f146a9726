"""The served app: app.py as a Streamlit ASGI app (st.App) with two middlewares, run by
`python -m web.serveur` (`streamlit run` finds `app` here): the staff session's cookie
(web/cookie_session.py), and the one below.

Why the middleware: Streamlit's page opens its connection by probing the page's own path
first (`/carte/_stcore/health`, a 404), then, 100 ms later, the root. Every page but Accueil
lost those 100 ms at each view (a bare page loads in 0,45 s with a warm cache). The page's
HTML now tells the browser where the server is (`window.__streamlit.BACKEND_BASE_URL`, the
setting Streamlit reads for hosted apps): the URL without its page name, so a prefix added by
a reverse proxy (`/ess/carte` → `/ess/`) is kept.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware
from streamlit.logger import get_logger

from web import dossier_pages
from web.cookie_session import CookieSession

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
        if scope["type"] == "http" and not PRET.is_set() and scope["path"].endswith("/_stcore/health"):
            await send({"type": "http.response.start", "status": 503,
                        "headers": [(b"content-type", b"text/plain; charset=utf-8")]})
            await send({"type": "http.response.body", "body": "préchauffage".encode()})
            return
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


# --- Warm-up: the home page visited once by the server itself -----------------------------
# A server's first visit paid for its first run: the home page's queries and map (0,8 s),
# Streamlit's first script run, the pages' bytecode. The first élu to open a shared link after
# a restart waited 3,5 s for the Accueil. The server now opens the home page itself as a
# browser would (its websocket, one run to the end) and says it is ready (/_stcore/health)
# only then, so that visit finds every cache filled. A warm-up that fails only logs it.
PRET = asyncio.Event()
JOURNAL = get_logger(__name__)  # Streamlit's: shown with the server's own messages


async def visiter_accueil(tentatives: int = 120) -> None:
    import websockets
    from streamlit import config
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    adresse = config.get_option("server.address")
    adresse = "127.0.0.1" if adresse in (None, "", "0.0.0.0", "::") else adresse  # every interface
    prefixe = "".join(f"{p}/" for p in config.get_option("server.baseUrlPath").split("/") if p)
    url = f"ws://{adresse}:{config.get_option('server.port')}/{prefixe}_stcore/stream"
    demande = BackMsg()
    demande.rerun_script.query_string = ""  # the default page, as at the root URL
    debut = time.perf_counter()
    try:
        for _ in range(tentatives):  # the server listens once the lifespan has started
            try:
                connexion = await websockets.connect(url, subprotocols=["streamlit"], max_size=None)
                break
            except OSError:
                await asyncio.sleep(0.05)
        else:
            raise OSError(f"{url} injoignable")
        fin = None
        async with connexion:
            await connexion.send(demande.SerializeToString())
            async with asyncio.timeout(120):
                async for donnees in connexion:
                    message = ForwardMsg.FromString(donnees)
                    if message.WhichOneof("type") == "script_finished":
                        fin = message.script_finished
                        break
        if fin == ForwardMsg.FINISHED_SUCCESSFULLY:
            JOURNAL.info("Page d'accueil préchauffée en %.1f s", time.perf_counter() - debut)
        else:
            JOURNAL.warning("Préchauffage : la page d'accueil s'est terminée en %s", "connexion fermée"
                            if fin is None else ForwardMsg.ScriptFinishedStatus.Name(fin))
    except Exception:  # a cold first visit is slower, not broken
        JOURNAL.warning("Préchauffage de la page d'accueil impossible", exc_info=True)
    finally:
        PRET.set()


@contextlib.asynccontextmanager
async def prechauffage(_app):
    tache = asyncio.create_task(visiter_accueil())
    yield
    tache.cancel()


# Served from here, app.py frames every page from the start: no second run of a page on the
# server's first visits (web/dossier_pages.py).
dossier_pages.quitter()
app = st.App(RACINE / "app.py", middleware=[Middleware(CookieSession), Middleware(BaseDuServeur)],
             lifespan=prechauffage)
