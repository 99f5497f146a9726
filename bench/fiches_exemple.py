"""Galerie pour un regard humain (`make fiches-exemple`) : les fiches Data ESS de six
territoires représentatifs (petite commune, Saint-Gaudens, un EPCI, un EPCI dont le total ESS
est masqué, un PETR, un groupe de communes) dans chaque format, et le rapport de bilan, écrits
dans bench/out/ (ignoré par git), avec la première page de chaque PDF en PNG quand pdftoppm est
installé.

Lancer depuis la racine : `.venv/bin/python bench/fiches_exemple.py [--db data/ess.duckdb]`.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
if str(RACINE) not in sys.path:  # bench/ n'est pas un paquet
    sys.path.insert(0, str(RACINE))

from ess.bilan import calculs, rapport  # noqa: E402
from ess.db import chemin_base, connecter  # noqa: E402
from ess.fiche import fiche, fichiers  # noqa: E402
from ess.suivi import store  # noqa: E402

TERRITOIRES = {
    "petite commune": "commune:31001",  # Agassac, 118 habitants
    "Saint-Gaudens": "commune:31483",
    "EPCI": "epci:200068815",  # Cœur de Garonne
    "EPCI masqué": "epci:243100781",  # Le Grand Ouest Toulousain : effectifs ESS en fourchette
    "PETR": "petr:comminges-pyrenees",
    "groupe de communes": "communes:31483,31565,31001",
}
SORTIE = RACINE / "bench" / "out"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, default=chemin_base())
    parser.add_argument("--out", type=Path, default=SORTIE)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    con = connecter(args.db)
    ecrits = []
    for libelle, code in TERRITOIRES.items():
        f = fiche(con, code)
        for fmt in ("pdf", "xlsx", "docx", "csv"):
            chemin = args.out / fichiers.nom(f, fmt)
            chemin.write_bytes(fichiers.generer(f, fmt, con))
            ecrits.append(chemin)
        print(f"{libelle} : {f.titre}")
    annee = calculs.annees(con)[-1]
    with store.ouvrir(args.out / "suivi-exemple.sqlite") as suivi:
        r = rapport.construire(con, suivi, annee)
    for fmt in ("pdf", "docx", "xlsx"):
        chemin = args.out / r.nom_fichier(fmt)
        chemin.write_bytes(rapport.ecrire(r, fmt))
        ecrits.append(chemin)
    print(f"rapport de bilan {annee}")
    if shutil.which("pdftoppm"):
        for pdf in (p for p in ecrits if p.suffix == ".pdf"):
            subprocess.run(["pdftoppm", "-r", "70", "-png", str(pdf), str(pdf.with_suffix(""))], check=True)
    for chemin in ecrits:
        print(f"  {chemin.relative_to(RACINE) if chemin.is_relative_to(RACINE) else chemin}")


if __name__ == "__main__":
    main()
