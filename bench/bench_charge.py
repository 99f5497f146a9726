"""Load test (issue 7): N concurrent sessions against a Streamlit server started on loopback, each
cycling through every page of the navigation; reports errors, p50/p95 page-ready times, the
server's peak memory and CPU time. Bounded in sessions, rounds and time.

    .venv/bin/python bench/bench_charge.py [--sessions 20] [--tours 3] [--db data/ess.duckdb]
    .venv/bin/python bench/bench_charge.py --client navigateur --sessions 3 --tours 1

--client ws (default) speaks Streamlit's websocket protocol, one socket per session (20 chromium on
2 cores would measure the browsers, not the server); --client navigateur drives real chromium, end
to end, for a few sessions. --journal FILE keeps the server log; --page NAME (ws) runs only that
URL path. Server options pass through the environment (e.g. STREAMLIT_SERVER_FILE_WATCHER_TYPE).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import connect

RACINE = Path(__file__).resolve().parent.parent
if str(RACINE) not in sys.path:  # bench/ n'est pas un paquet
    sys.path.insert(0, str(RACINE))

from tests.serveur import serveur_streamlit  # noqa: E402

CHROMIUM = "/usr/bin/chromium"


@dataclass
class Releve:
    """Filled in as the run goes, so a run cut short by the time bound still reports."""
    chemins: list[str] = field(default_factory=list)
    mesures: list[tuple[str, float]] = field(default_factory=list)  # (URL path, seconds)
    erreurs: list[str] = field(default_factory=list)
    alertes: list[str] = field(default_factory=list)  # st.error shown: none expected on the pages


def _etat_serveur(pid: int) -> tuple[float, float]:
    """Peak resident memory (VmHWM, MB) and CPU time (s) of the server process so far."""
    statut = Path(f"/proc/{pid}/status").read_text().splitlines()
    pic = next((int(ligne.split()[1]) / 1024 for ligne in statut if ligne.startswith("VmHWM:")), 0.0)
    champs = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return pic, (int(champs[11]) + int(champs[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _motif(exc: Exception) -> str:
    # Playwright appends a multi-line call log: its first line says enough.
    return f"{type(exc).__name__} {str(exc).partition(chr(10))[0]}".rstrip()


# --- websocket client: what the frontend sends, without rendering anything ---

def _connexion(port: int, delai: float):
    # Same-origin like a browser; no keepalive pings (a browser sends none, and a busy server
    # loop answering late must not count as a dropped client).
    return connect(f"ws://127.0.0.1:{port}/_stcore/stream", subprotocols=["streamlit"],
                   origin=f"http://127.0.0.1:{port}", max_size=None, ping_interval=None,
                   open_timeout=delai)


async def _page_ws(ws, nom: str, delai: float, r: Releve) -> tuple[float, list[str]]:
    """Runs one page as a deep link does (page_name = URL path, no script hash: an unknown hash
    silently falls back to the default page, an unknown name yields page_not_found); returns
    request → script_finished time and the URL paths of the app's pages."""
    ou, msg = f"/{nom}", BackMsg()
    # No cached_message_hashes: the server then never swaps a message for its ref_hash.
    msg.rerun_script.page_name = nom
    t, pages, commence = time.perf_counter(), [], False
    await ws.send(msg.SerializeToString())
    async with asyncio.timeout(delai):
        while True:
            fm = ForwardMsg.FromString(await ws.recv())
            genre = fm.WhichOneof("type")
            if genre == "new_session":  # anything before it belongs to the previous run
                commence = True
            elif genre == "delta" and fm.delta.WhichOneof("type") == "new_element":
                el = fm.delta.new_element
                if el.WhichOneof("type") == "exception":
                    r.erreurs.append(f"{ou} : exception {el.exception.type} : {el.exception.message[:200]}")
                elif el.WhichOneof("type") == "alert" and el.alert.format == Alert.ERROR:
                    r.alertes.append(f"{ou} : st.error « {el.alert.body[:150]} »")
            elif genre == "page_not_found":
                r.erreurs.append(f"{ou} : page introuvable")
            elif genre == "navigation":
                pages = [p.url_pathname for p in fm.navigation.app_pages]
            elif genre == "script_finished" and commence:
                if fm.script_finished != ForwardMsg.FINISHED_SUCCESSFULLY:
                    statut = ForwardMsg.ScriptFinishedStatus.Name(fm.script_finished)
                    r.erreurs.append(f"{ou} : script terminé en {statut}")
                return time.perf_counter() - t, pages


async def _session_ws(port: int, pages, args, r: Releve) -> None:
    ou = "connexion"
    try:
        async with _connexion(port, args.delai_page) as ws:
            for _ in range(args.tours):
                for nom in pages:
                    ou = f"/{nom}"
                    r.mesures.append((ou, (await _page_ws(ws, nom, args.delai_page, r))[0]))
    except Exception as exc:  # a failed session (closed socket, timeout) is a finding, not a crash
        r.erreurs.append(f"{ou} : session interrompue, {_motif(exc)}")


async def _charge_ws(port: int, args, r: Releve) -> None:
    # Pages come from the navigation message of a first, unmeasured run: nothing hard-coded.
    async with _connexion(port, args.delai_page) as ws:
        _, pages = await _page_ws(ws, "", args.delai_page, r)
    pages = args.page or pages
    r.chemins = [f"/{nom}" for nom in pages]
    await asyncio.gather(*(_session_ws(port, pages, args, r) for _ in range(args.sessions)))


# --- real browser: end to end, rendering included ---

async def _prete(page, delai_ms: float) -> None:
    # A title, then no status widget: Streamlit shows it while the script runs.
    await page.locator("[data-testid=stMainBlockContainer] h1").first.wait_for(timeout=delai_ms)
    await page.locator("[data-testid=stStatusWidget]").wait_for(state="hidden", timeout=delai_ms)


async def _session_nav(browser, base: str, args, r: Releve) -> None:
    ctx = await browser.new_context()
    page, ou, delai_ms = await ctx.new_page(), "ouverture", args.delai_page * 1000
    page.on("pageerror", lambda e: r.erreurs.append(str(e)))
    try:
        for _ in range(args.tours):
            for ou in r.chemins:
                t = time.perf_counter()
                await page.goto(base + ou, wait_until="commit", timeout=delai_ms)
                await _prete(page, delai_ms)
                r.mesures.append((ou, time.perf_counter() - t))
                if await page.locator("[data-testid=stException]").count():
                    r.erreurs.append(f"{ou} : exception affichée")
                for alerte in await page.locator("[data-testid=stAlertContentError]").all():
                    r.alertes.append(f"{ou} : st.error « {(await alerte.inner_text())[:150]} »")
    except Exception as exc:  # a failed session is a finding, not a crash of the bench
        r.erreurs.append(f"{ou} : session interrompue, {_motif(exc)}")
    finally:
        await ctx.close()


async def _charge_nav(port: int, args, r: Releve) -> None:
    from playwright.async_api import async_playwright  # only this mode needs it

    base, delai_ms = f"http://127.0.0.1:{port}", args.delai_page * 1000
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        page = await browser.new_page()
        await page.goto(base)
        # Links read once the first run is over and in one call: the sidebar is re-rendered when
        # the navigation message replaces the pages listed at connection.
        await _prete(page, delai_ms)
        liens = await page.locator("[data-testid=stSidebarNav] a").evaluate_all(
            "liens => liens.map(a => a.getAttribute('href'))")
        r.chemins = list(dict.fromkeys("/" + lien.split("/", 3)[-1] for lien in liens))
        await page.close()
        await asyncio.gather(*(_session_nav(browser, base, args, r) for _ in range(args.sessions)))
        await browser.close()


async def _borne(charge, duree_max: int, r: Releve) -> None:
    try:
        async with asyncio.timeout(duree_max) as borne:
            await charge
    except Exception as exc:
        if isinstance(exc, TimeoutError) and borne.expired():  # bounded: report what was measured
            r.erreurs.append(f"durée maximale atteinte ({duree_max} s) : mesures partielles")
        else:  # sessions catch their own failures: this is the page discovery failing
            r.erreurs.append(f"découverte des pages : {_motif(exc)}")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--client", choices=["ws", "navigateur"], default="ws")
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--tours", type=int, default=3)
    ap.add_argument("--db", default=str(RACINE / "data" / "ess.duckdb"))
    ap.add_argument("--duree-max", type=int, default=600, help="secondes en tout, au plus")
    ap.add_argument("--delai-page", type=int, default=180, help="secondes par page, au plus")
    ap.add_argument("--page", action="append", help="ws : ce chemin d'URL au lieu de la navigation")
    ap.add_argument("--journal", help="fichier où garder le journal du serveur")
    args = ap.parse_args()
    r = Releve()
    charge = _charge_ws if args.client == "ws" else _charge_nav
    with serveur_streamlit(args.db, journal=args.journal) as serveur:
        t = time.perf_counter()
        asyncio.run(_borne(charge(serveur.port, args, r), args.duree_max, r))
        duree = time.perf_counter() - t
        pic, cpu = _etat_serveur(serveur.pid)
    print(f"Charge ({args.client}) : {args.sessions} sessions × {args.tours} tours × {len(r.chemins)} "
          f"pages ({', '.join(r.chemins)}) en {duree:.1f} s sur {os.cpu_count()} cœurs")
    if args.client == "ws":
        print("  (client websocket : mesure le serveur, exécutions du script et messages, pas le rendu)")
    print(f"  pages servies : {len(r.mesures)} ; erreurs : {len(r.erreurs)} ; "
          f"alertes st.error : {len(r.alertes)}")
    if len(r.mesures) > 1:
        temps = [d for _, d in r.mesures]
        print(f"  page prête : p50 {statistics.median(temps):.2f} s, "
              f"p95 {statistics.quantiles(temps, n=20)[18]:.2f} s ; médiane par page :")
        for chemin in r.chemins:
            if par_page := [d for c, d in r.mesures if c == chemin]:
                print(f"    {chemin:<12} {statistics.median(par_page):.2f} s ({len(par_page)})")
    print(f"  mémoire maximale du serveur : {pic:.0f} Mo ; temps CPU du serveur {cpu:.0f} s, "
          f"du banc {sum(os.times()[:2]):.0f} s")
    # The same message from many sessions is shown once with its count, errors before alerts.
    for message, n in list(Counter(r.erreurs + r.alertes).items())[:10]:
        print(f"  ! {message}" + (f" (×{n})" if n > 1 else ""))
    return 1 if r.erreurs or r.alertes else 0


if __name__ == "__main__":
    sys.exit(main())
