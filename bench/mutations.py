"""`make mutations`: deliberate breakages that the suite must catch, one at a time.

Each mutant of bench/mutations.toml changes one piece of text in one file (`motif` →
`remplacement`, the text found exactly `occurrences` times, 1 by default) in a scratch copy of
the tree, never in the working tree; its test files run without the browser tests and stop at
the first failure (`-x`); the file is put back before the next mutant. A mutant is killed when
a test fails; one that survives is a harm to users the suite would let through.

    python bench/mutations.py                  # every mutant
    python bench/mutations.py ecriture-en-place contrats-sautes
    python bench/mutations.py --liste autre.toml --garder

The scratch copy holds the tracked and untracked (not ignored) files as they are in the working
tree, so uncommitted work is tested. The unmutated tree first builds the demo database, then runs
the union of the mutants' test files once (the witness): a mutant counts as killed only when that
run passes. Mutants of the read side (ess/, web/, pages/, app.py) cannot change the database a build
writes: their tests share that demo database ($ESS_TESTS_BASE_DEMO, read by tests/conftest.py);
the others build their own, as the suite does.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
LISTE = RACINE / "bench" / "mutations.toml"
COTE_LECTURE = ("ess/", "web/", "pages/", "app.py")  # no build reads them (tests/test_architecture.py)
DELAI = 1800  # s, one mutant's tests


@dataclass
class Mutant:
    nom: str
    fichier: str
    motif: str
    remplacement: str
    pourquoi: str
    tests: list[str]
    occurrences: int = 1
    resultat: str = ""
    secondes: float = 0.0
    tue_par: list[str] = field(default_factory=list)


def lire(liste: Path) -> list[Mutant]:
    with liste.open("rb") as f:
        mutants = [Mutant(**m) for m in tomllib.load(f)["mutant"]]
    noms = [m.nom for m in mutants]
    doubles = {n for n in noms if noms.count(n) > 1}
    if doubles:
        raise SystemExit(f"{liste} : noms en double : {', '.join(sorted(doubles))}")
    return mutants


def copie_de_travail(dest: Path) -> None:
    """The tree as it is in the working tree (tracked and untracked files, not the ignored
    ones), the virtualenv and node_modules linked, the secret's cache copied (a cold cache
    makes a demo build minutes longer)."""
    fichiers = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                              cwd=RACINE, capture_output=True, check=True).stdout.decode().split("\0")
    for nom in filter(None, fichiers):
        source = RACINE / nom
        if source.is_file() and not source.is_symlink():  # a deleted file is not copied
            (dest / nom).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / nom)
    for lien in (".venv", "node_modules"):
        if (RACINE / lien).exists():
            (dest / lien).symlink_to((RACINE / lien).resolve())
    if (RACINE / "data" / "cache_secret").is_dir():
        shutil.copytree(RACINE / "data" / "cache_secret", dest / "data" / "cache_secret")


def pytest(arbre: Path, tests: list[str], env: dict[str, str]) -> tuple[int, str]:
    commande = [sys.executable, "-m", "pytest", "-x", "-q", "-m", "not browser", "-p", "no:cacheprovider",
                *tests]
    try:
        r = subprocess.run(commande, cwd=arbre, env=env, capture_output=True, text=True, timeout=DELAI)
    except subprocess.TimeoutExpired:
        return -1, f"plus de {DELAI} s"
    return r.returncode, r.stdout + r.stderr


def echecs(sortie: str) -> list[str]:
    return re.findall(r"^(?:FAILED|ERROR) (.+?)(?: - |$)", sortie, re.MULTILINE)


def essayer(m: Mutant, arbre: Path, env: dict[str, str]) -> None:
    chemin = arbre / m.fichier
    original = chemin.read_text(encoding="utf-8")
    n = original.count(m.motif)
    if n != m.occurrences:
        m.resultat = f"motif trouvé {n} fois (attendu : {m.occurrences})"
        return
    debut = time.perf_counter()
    try:
        chemin.write_text(original.replace(m.motif, m.remplacement), encoding="utf-8")
        code, sortie = pytest(arbre, m.tests, env)
    finally:
        chemin.write_text(original, encoding="utf-8")
    m.secondes = time.perf_counter() - debut
    if code == 0:
        m.resultat = "SURVIT"
    elif code in (1, 2):  # a test failed, or collection failed (the mutant broke an import)
        m.resultat, m.tue_par = "tué", echecs(sortie)
    else:
        m.resultat = f"erreur (pytest : {code})"
        print(sortie[-3000:], file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("noms", nargs="*", help="mutants à essayer (par défaut : tous)")
    p.add_argument("--liste", type=Path, default=LISTE)
    p.add_argument("--sans-temoin", action="store_true",
                   help="ne pas lancer d'abord les tests sans mutant (quand on sait qu'ils passent)")
    p.add_argument("--garder", action="store_true", help="garder la copie de travail (pour y regarder)")
    args = p.parse_args(argv)
    mutants = lire(args.liste)
    inconnus = set(args.noms) - {m.nom for m in mutants}
    if inconnus:
        raise SystemExit(f"Mutants inconnus : {', '.join(sorted(inconnus))}")
    if args.noms:
        mutants = [m for m in mutants if m.nom in args.noms]

    arbre = Path(tempfile.mkdtemp(prefix="ess-mutations-"))
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}  # no stale .pyc of a mutant (same size, same second)
    env.pop("ESS_TESTS_BASE_DEMO", None)
    debut = time.perf_counter()
    try:
        copie_de_travail(arbre)
        env_lecture = env
        if any(m.fichier.startswith(COTE_LECTURE) for m in mutants):
            base = arbre / ".mutations" / "ess.duckdb"
            print("Base de démonstration, construite sans mutant…", flush=True)
            subprocess.run([sys.executable, "-m", "etl", "build", "--db", str(base)], cwd=arbre, env=env,
                           check=True, capture_output=True)
            env_lecture = {**env, "ESS_TESTS_BASE_DEMO": str(base)}
        if not args.sans_temoin:
            tous = list(dict.fromkeys(t for m in mutants for t in m.tests))
            print(f"Témoin : {len(tous)} fichiers ou tests, sans mutant…", flush=True)
            t0 = time.perf_counter()
            code, sortie = pytest(arbre, tous, env_lecture)
            if code != 0:
                print(sortie[-5000:], file=sys.stderr)
                print("Les tests échouent sans mutant : rien à conclure.", file=sys.stderr)
                return 2
            print(f"Témoin : les tests passent ({time.perf_counter() - t0:.0f} s).", flush=True)
        largeur = max(len(m.nom) for m in mutants)
        for m in mutants:
            essayer(m, arbre, env_lecture if m.fichier.startswith(COTE_LECTURE) else env)
            par = f"  ({m.tue_par[0]})" if m.tue_par else ""
            print(f"{m.nom:<{largeur}}  {m.resultat:<7} {m.secondes:7.1f} s{par}", flush=True)
    finally:
        if args.garder:
            print(f"Copie de travail gardée : {arbre}")
        else:
            shutil.rmtree(arbre, ignore_errors=True)
    tues = sum(m.resultat == "tué" for m in mutants)
    print(f"\n{tues}/{len(mutants)} mutants tués en {time.perf_counter() - debut:.0f} s.")
    for m in mutants:
        if m.resultat != "tué":
            print(f"- {m.nom} ({m.fichier}) : {m.resultat} — {m.pourquoi}")
    return 0 if tues == len(mutants) else 1


if __name__ == "__main__":
    sys.exit(main())
