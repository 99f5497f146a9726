"""Load test (issue 6): N concurrent browser sessions against a Streamlit server started on
loopback, each cycling through every page of the navigation; reports errors, p50/p95
page-ready times and the server's peak memory. Bounded in sessions, rounds and time.

    .venv/bin/python bench/bench_charge.py [--sessions 20] [--tours 3] [--db data/ess.duckdb]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.async_api import async_playwright

RACINE = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
DUREE_MAX_S = 600


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pic_memoire_mo(pid: int) -> float:
    """Peak resident memory (VmHWM) of the server process, in MB."""
    for ligne in Path(f"/proc/{pid}/status").read_text().splitlines():
        if ligne.startswith("VmHWM:"):
            return int(ligne.split()[1]) / 1024
    return float("nan")


async def _page_prete(page, url: str) -> float:
    t = time.perf_counter()
    await page.goto(url, wait_until="commit", timeout=180_000)
    await page.locator('[data-testid="stMainBlockContainer"] h1').first.wait_for(timeout=180_000)
    # Streamlit shows its status widget while the script runs
    await page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=180_000)
    return time.perf_counter() - t


async def _session(browser, base: str, chemins: list[str], tours: int, mesures, erreurs) -> None:
    ctx = await browser.new_context()
    page = await ctx.new_page()
    page.on("pageerror", lambda e: erreurs.append(str(e)))
    try:
        for _ in range(tours):
            for chemin in chemins:
                mesures.append(await _page_prete(page, base + chemin))
                if await page.locator('[data-testid="stException"]').count():
                    erreurs.append(f"exception affichée sur {chemin}")
    except Exception as exc:  # a failed session is a finding, not a crash of the bench
        erreurs.append(f"{type(exc).__name__}: {exc}")
    finally:
        await ctx.close()


async def _charge(base: str, sessions: int, tours: int, duree_max: int):
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = await browser.new_page()
        await page.goto(base)
        nav = page.locator('[data-testid="stSidebarNav"] a')
        await nav.first.wait_for(timeout=180_000)
        chemins = sorted({"/" + (await a.get_attribute("href")).split("/", 3)[-1]
                          for a in await nav.all()})
        await page.close()
        mesures, erreurs = [], []
        t = time.perf_counter()
        try:
            await asyncio.wait_for(asyncio.gather(*(
                _session(browser, base, chemins, tours, mesures, erreurs) for _ in range(sessions)
            )), timeout=duree_max)
        except TimeoutError:  # bounded in time: report what was measured
            erreurs.append(f"durée maximale atteinte ({duree_max} s) : mesures partielles")
        duree = time.perf_counter() - t
        await browser.close()
        return chemins, mesures, erreurs, duree


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--tours", type=int, default=3)
    ap.add_argument("--db", default=str(RACINE / "data" / "ess.duckdb"))
    ap.add_argument("--duree-max", type=int, default=DUREE_MAX_S, help="secondes, au plus")
    args = ap.parse_args()
    port = _port()
    serveur = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.address", "127.0.0.1",
         "--server.port", str(port), "--server.headless", "true"],
        cwd=RACINE, env={**os.environ, "ESS_DB": args.db},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{base}/_stcore/health", timeout=1).close()
                break
            except OSError:
                time.sleep(0.25)
        chemins, mesures, erreurs, duree = asyncio.run(
            _charge(base, args.sessions, args.tours, args.duree_max))
        pic = _pic_memoire_mo(serveur.pid)
    finally:
        serveur.terminate()
        serveur.wait(timeout=10)
    print(f"Charge : {args.sessions} sessions × {args.tours} tours × {len(chemins)} pages "
          f"({', '.join(chemins)}) en {duree:.1f} s")
    print(f"  pages servies : {len(mesures)} ; erreurs : {len(erreurs)}")
    if len(mesures) > 1:
        p95 = statistics.quantiles(mesures, n=20)[18]
        print(f"  page prête : p50 {statistics.median(mesures):.2f} s, p95 {p95:.2f} s")
    print(f"  mémoire maximale du serveur : {pic:.0f} Mo")
    for e in erreurs[:10]:
        print(f"  ! {e}")
    return 1 if erreurs else 0


if __name__ == "__main__":
    sys.exit(main())
