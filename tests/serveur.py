"""The app served on 127.0.0.1 and a free port, started and stopped around a block: for the
browser tests and the benches (bench_carte, bench_charge), never reachable from outside."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Serveur:
    url: str
    port: int
    pid: int


@contextlib.contextmanager
def serveur_streamlit(db: Path | str, suivi: Path | None = None, options: tuple[str, ...] = (),
                      journal: Path | str | None = None, script: Path | str = "app.py") -> Iterator[Serveur]:
    """`streamlit run app.py` on its own database and, when given, its own writable store (a
    test never touches data/suivi.sqlite). `journal` keeps the server's output (else discarded);
    the environment passes through (e.g. STREAMLIT_SERVER_FILE_WATCHER_TYPE). `script`: another
    entry script (the benches' bare reference page), run from the project's root and config."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "ESS_DB": str(db), **({"ESS_SUIVI_DB": str(suivi)} if suivi else {})}
    url = f"http://127.0.0.1:{port}"
    # served under a path (--server.baseUrlPath ess), as behind a reverse proxy
    prefixe = ("/" + options[options.index("--server.baseUrlPath") + 1].strip("/")
               if "--server.baseUrlPath" in options else "")
    with open(journal or os.devnull, "wb") as sortie:
        proc = subprocess.Popen(
            # the app as it is served (web.serveur: libraries loaded before the first visit);
            # another script (the benches' bare page) as any Streamlit page is
            [sys.executable, *(["-m", "web.serveur"] if str(script) == "app.py" else
                               ["-m", "streamlit", "run", str(script)]), "--server.address", "127.0.0.1",
             "--server.port", str(port), "--server.headless", "true",
             "--browser.gatherUsageStats", "false", *options],
            cwd=RACINE, env=env, stdout=sortie, stderr=subprocess.STDOUT,
        )
        try:
            for _ in range(240):
                try:
                    with urllib.request.urlopen(f"{url}{prefixe}/_stcore/health", timeout=1) as r:
                        if r.status == 200:
                            break
                except OSError:
                    try:
                        proc.wait(timeout=0.25)  # doubles as the pause between polls
                        raise RuntimeError("le serveur Streamlit s'est arrêté") from None
                    except subprocess.TimeoutExpired:
                        pass
            else:
                raise RuntimeError("le serveur Streamlit n'a pas démarré en 60 s")
            yield Serveur(url, port, proc.pid)
        finally:
            proc.terminate()
            proc.wait(timeout=10)
