"""Serve the dashboard: `python -m web.serveur [options of streamlit run]` (what `make run` does).

`streamlit run app.py` imports what the pages need at the first visit after a (re)start:
mapclassify alone brings scipy, scikit-learn and matplotlib, 2,7 s on a 2-core server, so
the first élu to open a shared link waited 6 s for the Accueil. Imported here, before the
server listens, they cost the start instead: the pages run in this same process and find them
loaded (sys.modules).
"""

from __future__ import annotations

import importlib
import sys

# What the pages import, the heaviest first (the rest of ess comes with them).
PRECHARGES = ("geo.classes", "geo.points", "geo.choroplethe", "web.graphiques", "ess.carte_vue", "ess.fiche",
              "web.ui")


def main(argv: list[str] | None = None) -> int:
    for module in PRECHARGES:
        importlib.import_module(module)
    from streamlit.web import cli

    # web/asgi.py: app.py served with the middleware that spares each page a 100 ms probe
    sys.argv = ["streamlit", "run", "web/asgi.py", *(sys.argv[1:] if argv is None else argv)]
    return cli.main(prog_name="streamlit")


if __name__ == "__main__":
    sys.exit(main())
