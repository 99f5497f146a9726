"""Everything the dashboard hands out, rendered by one tree of the code and compared with what
another tree renders: proof that a refactoring changed no output (issue 28).

    python bench/comparer_sorties.py rendre --arbre DIR --db BASE.duckdb --sortie SORTIE
    python bench/comparer_sorties.py comparer SORTIE_AVANT SORTIE_APRES
    python bench/comparer_sorties.py bases BASE_A.duckdb BASE_B.duckdb

`rendre` runs the code of DIR (a checkout, or `git archive <commit> | tar -x -C DIR`) on a copy
of one database, clock frozen (30/06/2025 10:00, Paris), into SORTIE:
- `cli/`: `python -m ess chiffres` (text and JSON, five territories, both definitions),
  `plan --json`, `fiche` (five territories × pdf, xlsx, docx, csv; SIRENE definition and
  headquarters unit; `--tous epci` and `--tous petr`, the batch path), `bilan` (pdf, docx,
  xlsx) and `donnees-ouvertes` (the open dataset's folder and zip), with what each printed;
- `galerie/`: `bench/fiches_exemple.py` (the fiche gallery and the bilan report);
- `pages/`: every page of the navigation in AppTest, in the states that show each of its
  download buttons, as a list of its elements (type, label, text, value) plus the bytes of
  every download.
Only the public entry points are called (CLI, page files, the gallery script), so the same
driver runs on any version of the code.

`comparer` compares two such folders file by file: bytes, except for ZIP containers (XLSX,
DOCX, the CSV zips), compared member by member (a ZIP stamps each member with the time it was
written), `docProps/` dates aside. Exit status 0 when everything is identical.

`bases` compares two builds table by table (rows sorted), timings aside (build_info's, the
secret report's `duree_*`).
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

# Run first in every child process: a frozen clock, so that documents stamped « établi le … »
# (their text, their PDF metadata, their embedded fonts' subsets) come out the same twice.
HORLOGE = r"""
import datetime as _d, importlib.machinery as _m, sys
_FIXE = _d.datetime(2025, 6, 30, 8, 0, 0, tzinfo=_d.timezone.utc)
class _Fige(_d.datetime):
    @classmethod
    def now(cls, tz=None):
        v = _FIXE.astimezone(tz) if tz else _FIXE.astimezone().replace(tzinfo=None)
        return cls(v.year, v.month, v.day, v.hour, v.minute, v.second, v.microsecond, v.tzinfo)
# The project's own modules see the frozen class under the name `datetime` (C extensions keep
# the real one: replacing it everywhere crashes them).
class _Projet(_m.PathFinder):
    @classmethod
    def find_spec(cls, nom, chemin=None, cible=None):
        if nom.split(".")[0] not in ("ess", "etl", "geo", "web", "data"):
            return None
        spec = super().find_spec(nom, chemin, cible)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        executer = spec.loader.exec_module
        def exec_module(module):
            executer(module)
            if module.__dict__.get("datetime") is _d.datetime:
                module.datetime = _Fige
        spec.loader.exec_module = exec_module
        return spec
sys.meta_path.insert(0, _Projet)
sys.path.insert(0, ".")
"""

TERRITOIRES = ["departement:31", "epci:243100518", "epci:243100781", "commune:31483",
               "petr:comminges-pyrenees", "communes:31483,31565,31001"]

# Pages: (name, page file, query parameters, session state set after a first run)
ETATS = [
    ("accueil", "pages/accueil.py", {}, {"donnees_carte": True}),
    ("carte-epci", "pages/carte.py", {}, {"donnees_carte": True}),
    ("carte-communes", "pages/carte.py", {"niveau": "commune", "metrique": "effectifs_ess"},
     {"donnees_carte": True}),
    ("carte-points", "pages/carte.py", {"vue": "etablissements"}, {"liste_etablissements": True}),
    ("territoires-portrait", "pages/territoires.py", {}, {"tableau_chiffres": True}),
    ("territoires-commune", "pages/territoires.py", {"territoire": "commune:31483"},
     {"tableau_chiffres": True}),
    ("territoires-groupe", "pages/territoires.py", {"territoire": "communes:31483,31565"}, {}),
    ("territoires-typologies", "pages/territoires.py", {"vue": "typologies"}, {}),
    ("bilan", "pages/bilan.py", {}, {}),
    ("bilan-liste", "pages/bilan.py", {}, {"repartition": "Liste des projets"}),
    ("suivi", "pages/suivi.py", {}, {}),
    ("data-ess-departement", "pages/data_ess.py", {}, {}),
    ("data-ess-epci", "pages/data_ess.py", {"territoire": "epci:243100781"}, {}),
    ("data-ess-commune", "pages/data_ess.py", {"territoire": "commune:31001"}, {"perimetre": "sirene"}),
    ("data-ess-groupe", "pages/data_ess.py", {"territoire": "communes:31483,31565"}, {"unite": "sieges"}),
    ("sources", "pages/sources.py", {}, {}),
    ("donnees", "pages/donnees.py", {}, {"editeur": {"identifiant": "marie", "nom": "Marie"}}),
]

PAGES = r"""
import hashlib, json, re, sys
from pathlib import Path
import streamlit.elements.widgets.button as bouton
from streamlit.testing.v1 import AppTest

sortie, etats = Path(sys.argv[1]), json.loads(sys.argv[2])
telecharges = []
_marshall = bouton.marshall_file

def marshall(coordinates, data, proto, mimetype, file_name=None, **kw):
    contenu = data() if callable(data) else data
    telecharges.append((file_name, contenu.encode() if isinstance(contenu, str) else bytes(contenu)))
    return _marshall(coordinates, data, proto, mimetype, file_name, **kw)

bouton.marshall_file = marshall

def texte(v):
    if isinstance(v, (str, int, float, bool)) or v is None:
        return v
    if hasattr(v, "to_csv"):
        return v.to_csv(index=False)
    return str(v)

def elements(noeud, chemin="0"):
    out = []
    for i, enfant in getattr(noeud, "children", {}).items():
        ligne = {"chemin": f"{chemin}.{i}", "type": getattr(enfant, "type", type(enfant).__name__)}
        for attribut in ("label", "body", "value", "options", "help", "icon"):
            try:
                v = getattr(enfant, attribut)
            except Exception:
                continue
            if not callable(v):
                ligne[attribut] = texte(v)
        proto = getattr(enfant, "proto", None)
        if proto is not None and ligne["type"] in ("plotly_chart", "deck_gl_json_chart", "html", "unknown"):
            # pydeck names each layer with a fresh uuid4, and the element's id follows from it
            brut = re.sub(r"[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}", "<uuid>", str(proto))
            if "deck" in brut[:200] or "<uuid>" in brut:
                brut = re.sub(r"\$\$ID-[0-9a-f]+", "$$ID", brut)
            ligne["proto"] = hashlib.sha256(brut.encode()).hexdigest()
        out.append(ligne)
        out += elements(enfant, f"{chemin}.{i}")
    return out

for nom, page, params, etat in etats:
    telecharges.clear()
    at = AppTest.from_file("app.py", default_timeout=600)
    at.run()
    at.switch_page(page)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    for k, v in etat.items():
        at.session_state[k] = v
    if etat:
        at.run()
    dossier = sortie / nom
    dossier.mkdir(parents=True, exist_ok=True)
    lignes = elements(at._tree)
    (dossier / "elements.json").write_text(json.dumps(
        {"exception": [str(e.value) for e in at.exception], "elements": lignes},
        ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    for k, (nom_fichier, contenu) in enumerate(telecharges):
        (dossier / f"{k:02d}_{nom_fichier}").write_bytes(contenu)
    print(nom, len(lignes), "éléments,", len(telecharges), "téléchargements", flush=True)
"""

# Some values in the staff store, so that the suivi page, its export and the bilan show them.
SEMER = r"""
import importlib, sys
from ess.suivi import store
try:
    ind = importlib.import_module("ess.suivi.saisies")
except ModuleNotFoundError:
    ind = importlib.import_module("ess.suivi.indicateurs")
with store.ouvrir(sys.argv[1]) as con:
    i = ind.creer_indicateur(con, "1", "Tiers-lieux accompagnés", "lieux", "marie")
    ind.enregistrer_valeur(con, i, 2025, "12", "7,5", "relevé de juin", "SIES", 0, "marie")
    ind.changer_statut(con, "1", 0, "en cours", 0, "marie")
"""


def _lancer(arbre: Path, code: str, args: list[str], env: dict, journal: Path) -> None:
    r = subprocess.run([sys.executable, "-c", HORLOGE + code, *args], cwd=arbre, env=env,
                       capture_output=True, text=True)
    journal.write_text(r.stdout, encoding="utf-8")
    if r.returncode:
        raise SystemExit(f"échec ({r.returncode}) : {' '.join(args[:3])}\n{r.stderr[-3000:]}")


def rendre(arbre: Path, db: Path, sortie: Path) -> None:
    arbre, db, sortie = arbre.resolve(), db.resolve(), sortie.resolve()
    if sortie.exists():
        shutil.rmtree(sortie)
    (sortie / "cli").mkdir(parents=True)
    # a copy of its own: what lies beside the file (kept versions, uploads) is then the same
    (sortie / "base").mkdir()
    db = Path(shutil.copy(db, sortie / "base" / "ess.duckdb"))
    suivi = sortie / "suivi.sqlite"
    env = {**os.environ, "ESS_DB": str(db), "ESS_SUIVI_DB": str(suivi), "PYTHONHASHSEED": "0",
           "TZ": "Europe/Paris"}
    _lancer(arbre, SEMER, [str(suivi)], env, sortie / "semis.txt")
    cli = sortie / "cli"
    ess = "import runpy, sys; sys.argv = ['ess', *sys.argv[1:]]; runpy.run_module('ess', run_name='__main__')"
    commandes: list[tuple[str, list[str]]] = [("plan", ["plan", "--json"])]
    for t in TERRITOIRES:
        nom = re.sub(r"\W+", "_", t)
        commandes += [(f"chiffres_{nom}", ["chiffres", "--territoire", t]),
                      (f"chiffres_{nom}_json", ["chiffres", "--territoire", t, "--json"]),
                      (f"chiffres_{nom}_sirene", ["chiffres", "--territoire", t, "--perimetre", "sirene",
                                                  "--json", "--annee", "2019"])]
        formats = [x for f in ("pdf", "xlsx", "docx", "csv") for x in ("--format", f)]
        commandes.append((f"fiche_{nom}",
                          ["fiche", "--territoire", t, *formats, "--out", str(cli / "fiches")]))
    commandes += [
        ("fiche_sirene_sieges", ["fiche", "--territoire", "epci:200068815", "--perimetre", "sirene",
                                 "--unite", "sieges", "--annee", "2019", "--format", "xlsx",
                                 "--format", "csv", "--out", str(cli / "fiches_sirene")]),
        ("fiche_tous_epci", ["fiche", "--tous", "epci", "--format", "xlsx", "--format", "csv",
                             "--processus", "2", "--out", str(cli / "lot_epci")]),
        ("fiche_tous_petr", ["fiche", "--tous", "petr", "--format", "pdf", "--format", "docx",
                             "--processus", "2", "--out", str(cli / "lot_petr")]),
    ]
    commandes += [(f"bilan_{f}", ["bilan", "--annee", "2025", "--format", f, "--out", str(cli / "bilan")])
                  for f in ("pdf", "docx", "xlsx")]
    commandes.append(("donnees_ouvertes", ["donnees-ouvertes", "--out", str(cli / "donnees_ouvertes")]))
    for nom, args in commandes:
        _lancer(arbre, ess, args, env, cli / f"{nom}.txt")
        print("cli", nom, flush=True)
    # the gallery (pdftoppm kept out of reach: its pictures are not compared)
    _lancer(arbre, "import runpy, sys; sys.argv = ['fiches_exemple', *sys.argv[1:]]; "
            "runpy.run_path('bench/fiches_exemple.py', run_name='__main__')",
            ["--db", str(db), "--out", str(sortie / "galerie")], {**env, "PATH": "/nonexistent"},
            sortie / "galerie.txt")
    print("galerie", flush=True)
    _lancer(arbre, PAGES, [str(sortie / "pages"), json.dumps(ETATS)], env, sortie / "pages.txt")


# --- comparison ----------------------------------------------------------------------------

DATES_OOXML = re.compile(rb"<(dcterms:created|dcterms:modified|cp:lastPrinted)[^>]*>[^<]*</\1>")


def _membres(chemin: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(chemin) as z:
        return {n: DATES_OOXML.sub(rb"<\1/>", z.read(n)) if n.startswith("docProps/") else z.read(n)
                for n in z.namelist()}


def _normaliser_texte(contenu: bytes, sortie: Path) -> bytes:
    """What the CLI printed: the output folder's own path and the durations aside."""
    return re.sub(rb" en \d+\.\d s", b" en ... s", contenu.replace(str(sortie).encode(), b"<SORTIE>"))


def _fichiers(racine: Path) -> dict[str, Path]:
    return {str(p.relative_to(racine)): p for p in sorted(racine.rglob("*"))
            if p.is_file() and p.suffix not in (".png", ".sqlite", ".duckdb", ".wal") and "-wal" not in p.name
            and "-shm" not in p.name}


def comparer(avant: Path, apres: Path) -> int:
    fa, fb = _fichiers(avant), _fichiers(apres)
    differences = [f"absent après : {n}" for n in sorted(set(fa) - set(fb))]
    differences += [f"nouveau après : {n}" for n in sorted(set(fb) - set(fa))]
    identiques = 0
    for nom in sorted(set(fa) & set(fb)):
        a, b = fa[nom].read_bytes(), fb[nom].read_bytes()
        if zipfile.is_zipfile(fa[nom]) and zipfile.is_zipfile(fb[nom]):
            ma, mb = _membres(fa[nom]), _membres(fb[nom])
            ecarts = [m for m in sorted(set(ma) | set(mb)) if ma.get(m) != mb.get(m)]
            if ecarts:
                differences.append(f"différent : {nom} (membres : {', '.join(ecarts[:5])})")
                continue
        elif _normaliser_texte(a, avant) != _normaliser_texte(b, apres):
            detail = ""
            if nom.endswith((".txt", ".json", ".csv")):
                lignes = difflib.unified_diff(
                    _normaliser_texte(a, avant).decode("utf-8", "replace").splitlines(),
                    _normaliser_texte(b, apres).decode("utf-8", "replace").splitlines(), lineterm="", n=1)
                detail = "\n    " + "\n    ".join(list(lignes)[:12])
            differences.append(f"différent : {nom}{detail}")
            continue
        identiques += 1
    print(f"{identiques} fichiers identiques sur {len(set(fa) | set(fb))}")
    for d in differences:
        print(f"- {d}")
    return 1 if differences else 0


INFO_VARIABLE = ("date_construction", "duree_secondes")


def bases(a: Path, b: Path) -> int:
    import duckdb

    def contenu(chemin: Path) -> dict[str, str]:
        con = duckdb.connect(str(chemin), read_only=True)
        out = {}
        for (t,) in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall():
            df = con.execute(f'SELECT * FROM "{t}"').df()  # noqa: S608 (the file's own table names)
            if t == "build_info":
                df = df[~df["cle"].isin(INFO_VARIABLE)]
            df = df.drop(columns=[c for c in df.columns if c.startswith("duree_")])  # timings
            df = df.astype(str).sort_values(list(df.columns), ignore_index=True)
            out[t] = hashlib.sha256(df.to_csv(index=False).encode()).hexdigest() + f" ({len(df)} lignes)"
        con.close()
        return out

    ca, cb = contenu(a), contenu(b)
    ecarts = [t for t in sorted(set(ca) | set(cb)) if ca.get(t) != cb.get(t)]
    print(f"{len(set(ca) | set(cb)) - len(ecarts)} tables identiques sur {len(set(ca) | set(cb))}")
    for t in ecarts:
        print(f"- {t} : {ca.get(t)} → {cb.get(t)}")
    return 1 if ecarts else 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sous = p.add_subparsers(dest="commande", required=True)
    r = sous.add_parser("rendre")
    r.add_argument("--arbre", type=Path, default=Path("."))
    r.add_argument("--db", type=Path, default=Path("data/ess.duckdb"))
    r.add_argument("--sortie", type=Path, required=True)
    c = sous.add_parser("comparer")
    c.add_argument("avant", type=Path)
    c.add_argument("apres", type=Path)
    b = sous.add_parser("bases")
    b.add_argument("a", type=Path)
    b.add_argument("b", type=Path)
    args = p.parse_args()
    if args.commande == "rendre":
        rendre(args.arbre, args.db, args.sortie)
        return 0
    if args.commande == "comparer":
        return comparer(args.avant, args.apres)
    return bases(args.a, args.b)


if __name__ == "__main__":
    sys.exit(main())
