"""`python -m ess plan [--json]`: the first plan's synthesis computed from the register."""

from __future__ import annotations

import json

from ess.db import connecter
from ess.plan import synthese_plan1


def ajouter(sous) -> None:
    p = sous.add_parser("plan", help="synthèse du 1er plan (2020-2025)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(executer=executer)


def executer(args) -> None:
    s = synthese_plan1(connecter(args.db))
    print(json.dumps(s, ensure_ascii=False, indent=2) if args.json
          else "\n".join(f"{k} : {v}" for k, v in s.items()))
