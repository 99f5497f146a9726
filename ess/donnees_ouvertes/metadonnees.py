"""What the open dataset says about itself: a Table Schema per table, the `datapackage.json`
(frictionless) tying them, the dataset's metadata in data.gouv.fr's fields
(`metadonnees.json`, the names of its API: title, description, license, frequency,
temporal_coverage, spatial, tags, resources, extras) and the `LISEZ-MOI.md` a reuser reads
first. Everything comes from the database (build_info, sources, territories) and
data/emetteur.toml: nothing names a territory here. JSON is written in a fixed order, so the
same database gives the same bytes."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from ess.donnees_ouvertes.tables import Table
from geo.perimetre import Perimetre

LICENCE = {"name": "etalab-2.0", "title": "Licence Ouverte / Open Licence version 2.0",
           "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"}
LICENCE_DATA_GOUV = "lov2"  # its identifier on data.gouv.fr
FREQUENCE = "annual"  # the sources are yearly (employment at 31/12, a SIRENE vintage)
# levels with a data.gouv.fr granularity; the others (PETR, métropole, density) are sums of communes
GRANULARITES = {"commune": "fr:commune", "epci": "fr:epci", "departement": "fr:departement"}
TYPES_MIME = {"csv": "text/csv", "json": "application/json", "md": "text/markdown"}
MOTS_CLES = ["economie-sociale-et-solidaire", "ess", "emploi", "emploi-salarie", "associations",
             "cooperatives", "mutuelles", "fondations", "etablissements", "secret-statistique"]


@dataclass(frozen=True)
class Contexte:
    nom: str  # the package's name, the folder's and the zip's
    perimetre: Perimetre  # the database's département or région
    version: str  # the build's timestamp (build_info.date_construction)
    annees: list[int]
    fictives: list[str]  # tables whose rows are fictitious (demonstration database)
    emetteur: dict
    sources: list[tuple[str, str, str]]  # (table, description, vintage)
    niveaux: list[str]  # levels present
    masquees: int  # hidden cells written (statut = secret)
    cellules: int  # employment cells written
    regle_secret: str  # « moins de 3 établissements y contribuent, ou l'un d'eux… » (build_info)

    @property
    def demo(self) -> bool:
        return bool(self.fictives)

    @property
    def titre(self) -> str:
        titre = (f"Économie sociale et solidaire — {self.perimetre.nom} : emploi salarié et établissements "
                 "par territoire")
        return f"[DÉMONSTRATION, données fictives] {titre}" if self.demo else titre

    def avertissement(self) -> str:
        if not self.demo:
            return ""
        return (f"DONNÉES DE DÉMONSTRATION : les tables {', '.join(self.fictives)} sont FICTIVES (colonne "
                "donnees_fictives) ; les territoires et les tables de codes sont réels. Ne pas les "
                "publier ni les utiliser comme des chiffres réels.")


def empreinte(octets: bytes) -> str:
    return hashlib.sha256(octets).hexdigest()


def json_octets(objet) -> bytes:
    return (json.dumps(objet, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def schema(t: Table, c: Contexte) -> dict:
    description = " ".join(x for x in (c.avertissement(), t.description) if x)
    if t.regles:
        description += " Règles entre colonnes : " + " ; ".join(texte for _f, texte in t.regles) + "."
    d = {"name": t.nom, "title": t.titre, "description": description, "countryCode": "FR",
         "version": c.version, "created": c.version, "licenses": [LICENCE],
         "contributors": [_producteur(c)],
         "fields": [champ.descripteur() for champ in t.champs], "missingValues": [""], "primaryKey": t.cle}
    if t.etrangeres:
        d["foreignKeys"] = [{"fields": f, "reference": {"resource": r, "fields": rf}}
                            for f, r, rf in t.etrangeres]
    if t.regles:  # what frictionless checks as row constraints (ess.donnees_ouvertes.controle)
        d["regles_entre_colonnes"] = [{"formule": f, "explication": texte} for f, texte in t.regles]
    return d


def _producteur(c: Contexte) -> dict:
    p = {"title": f"{c.emetteur['emetteur']} — {c.emetteur['service']}", "role": "publisher"}
    if c.emetteur.get("courriel"):
        p["email"] = c.emetteur["courriel"]
    return p


def _sources(c: Contexte) -> list[dict]:
    return [{"title": f"{description} (millésime {millesime})"} for _t, description, millesime in c.sources]


def paquet(tables: list[Table], csvs: dict[str, bytes], c: Contexte) -> dict:
    return {
        "profile": "tabular-data-package", "name": c.nom, "title": c.titre,
        "description": _description(c), "version": c.version, "created": c.version,
        "keywords": MOTS_CLES, "licenses": [LICENCE], "contributors": [_producteur(c)],
        "sources": _sources(c),
        "resources": [{
            "name": t.nom, "path": f"{t.nom}.csv", "profile": "tabular-data-resource", "title": t.titre,
            "description": t.description, "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
            "bytes": len(csvs[f"{t.nom}.csv"]), "hash": f"sha256:{empreinte(csvs[f'{t.nom}.csv'])}",
            "schema": f"{t.nom}.schema.json"} for t in tables],
    }


def _description(c: Contexte, avertir: bool = True) -> str:
    e = c.emetteur
    annees = f"{c.annees[0]} à {c.annees[-1]}" if len(c.annees) > 1 else str(c.annees[0])
    paragraphes = [
        c.avertissement() if avertir else "",
        # no « en »/« dans le » before the name: the preposition depends on the département
        f"Emploi salarié et établissements employeurs de l'économie sociale et solidaire (ESS), "
        f"territoire : {c.perimetre.nom}, de la commune {c.perimetre.en_phrase('a')}, {annees} ; "
        "associations, coopératives, mutuelles, fondations, comparées à tout l'emploi privé.",
        f"**Qui** : {e['emetteur']}, {e['service']}.",
        "**Quoi** : l'emploi salarié au 31 décembre et les équivalents temps plein (emploi.csv) "
        "par territoire, groupe (ESS, famille juridique, privé) et secteur d'activité (NAF rév. 2) ; "
        "les établissements employeurs de l'ESS du répertoire SIRENE (etablissements.csv) ; les "
        "territoires, leurs codes officiels et leurs communes ; les tables de codes. Chaque table a "
        "son schéma (Table Schema) ; datapackage.json les relie.",
        "**Méthode** : périmètre statistique de l'ESS par catégorie juridique (familles), hors "
        "administration publique et organisations patronales, professionnelles, syndicales, "
        "religieuses et politiques (categories_juridiques.csv, exclusions_naf.csv) ; établissements "
        "comptés aussi selon le marqueur ESS de SIRENE. Sources : "
        + " ; ".join(f"{d} (millésime {m})" for _t, d, m in c.sources) + ".",
        f"**Secret statistique** : une cellule d'effectifs est masquée si {c.regle_secret} ; "
        "d'autres sont masquées pour qu'aucune ne "
        "puisse être recalculée à partir de tout ce qui est publié (à tous les échelons), ce qu'un "
        "audit par programmation linéaire vérifie à chaque construction. "
        f"{c.masquees} cellules sur {c.cellules} sont masquées : statut = secret, effectifs et EQTP "
        "vides, motif_secret dit pourquoi ; certains totaux masqués ont une fourchette publiée "
        "(effectifs_min, effectifs_max).",
        "**Limites** : une combinaison absente d'emploi.csv n'est pas diffusée à cet échelon "
        "(diffusion.csv), ce n'est ni un zéro ni un secret ; les chiffres communaux sont fragiles ; "
        "les établissements des années passées sont comptés dans le répertoire SIRENE du millésime "
        "indiqué (les établissements disparus depuis n'y sont plus toujours).",
        f"Version du {c.version} (date de construction de la base). Licence Ouverte 2.0 (etalab-2.0).",
    ]
    return "\n\n".join(p for p in paragraphes if p) + "\n"


def donnees_gouv(fichiers: dict[str, bytes], tables: list[Table], c: Contexte) -> dict:
    """The dataset in data.gouv.fr's fields (its API's names), every other file as a resource."""
    e = c.emetteur
    principales = {f"{t.nom}.csv": t for t in tables}

    def ressource(nom: str, octets: bytes) -> dict:
        t = principales.get(nom)
        r = {"title": nom, "description": t.titre if t else _DOCUMENTATION.get(nom.split(".")[-2], "Schéma"),
             "type": "main" if t else "documentation", "format": nom.rsplit(".", 1)[1],
             "mime": TYPES_MIME[nom.rsplit(".", 1)[1]],
             "filesize": len(octets), "checksum": {"type": "sha256", "value": empreinte(octets)}}
        if t:
            r["schema"] = {"path": f"{t.nom}.schema.json"}
        return r

    return {
        "title": c.titre, "description": _description(c), "license": LICENCE_DATA_GOUV,
        "frequency": FREQUENCE,
        "temporal_coverage": {"start": f"{c.annees[0]}-12-31", "end": f"{c.annees[-1]}-12-31"},
        "spatial": {"zones": [f"fr:{c.perimetre.territoire}"], "granularity": GRANULARITES["commune"]},
        "tags": MOTS_CLES,
        "resources": [ressource(n, o) for n, o in fichiers.items()],
        "extras": {
            "producteur": e["emetteur"], "service": e["service"], "contact": e["contact"],
            **{k: e[k] for k in ("courriel", "telephone", "adresse") if e.get(k)},
            "licence": LICENCE, "version": c.version, "date_construction": c.version,
            "granularites": [GRANULARITES[n] for n in c.niveaux if n in GRANULARITES],
            "autres_niveaux": [n for n in c.niveaux if n not in GRANULARITES],
            "sources": [{"table": t, "description": d, "millesime": m} for t, d, m in c.sources],
            "secret_statistique": {"audit": "réussi", "cellules": c.cellules,
                                   "cellules_masquees": c.masquees},
            "donnees_fictives": c.demo, "tables_fictives": c.fictives,
        },
    }


_DOCUMENTATION = {"datapackage": "Description frictionless du jeu de données (Data Package)",
                  "LISEZ-MOI": "À lire d'abord"}


def lisez_moi(fichiers: dict[str, bytes], tables: list[Table], c: Contexte) -> str:
    e = c.emetteur
    alerte = f"> **{c.avertissement()}**\n\n" if c.demo else ""
    liste = "\n".join(f"- `{t.nom}.csv` : {t.titre} ({len(fichiers[f'{t.nom}.csv'].splitlines()) - 1} "
                      f"lignes) ; schéma `{t.nom}.schema.json`" for t in tables)
    sommes = "\n".join(f"    {empreinte(o)}  {n}" for n, o in fichiers.items())
    contact = e["contact"]
    return f"""# {c.titre}

{alerte}{_description(c, avertir=False)}
## Fichiers

{liste}
- `datapackage.json` : le jeu de données au format Data Package (frictionless), qui relie tables et schémas ;
- `metadonnees.json` : les métadonnées dans les champs de data.gouv.fr.

## Lire les tables

- CSV en UTF-8 sans BOM, séparateur virgule, point décimal, dates ISO 8601, vrai/faux écrits `true`/`false`,
  aucun séparateur de milliers ni mise en forme ; une valeur vide est une valeur absente (secret, sans objet).
- `statut` dit si une cellule d'emploi est publiée (`publie`) ou masquée par le secret statistique (`secret`,
  effectifs et EQTP vides) ; `motif_secret` : `sensible` (trop peu d'établissements, ou un établissement
  dominant) ou `complement` (masquée pour en protéger une autre).
- Les codes officiels ont leurs colonnes : code commune du COG (`code_commune`), SIREN de l'EPCI
  (`siren_epci`), code du département, sections et postes de la NAF rév. 2 (`secteur`, `section_a21`).
- Un texte commençant par =, +, -, @, une tabulation ou un retour chariot serait précédé d'une apostrophe (')
  pour qu'aucun tableur ne l'exécute comme une formule ; aucun nom officiel ne commence ainsi.
- Vérifier : `frictionless validate datapackage.json` (paquet Python `frictionless`).

## Ouvrir dans un tableur

LibreOffice Calc : Fichier > Ouvrir, puis dans « Import de texte » : jeu de caractères « Unicode (UTF-8) »,
langue « Anglais (USA) » (pour que le point soit lu comme séparateur décimal), séparateur « Virgule »
seulement ; pour garder les codes tels quels, choisir le type « Texte » pour les colonnes de codes.
Excel : Données > À partir d'un fichier texte/CSV, origine « 65001 : Unicode (UTF-8) », délimiteur virgule.

## Producteur, licence, version

- Producteur : {e['emetteur']} — {e['service']} ; contact : {contact}.
- Licence Ouverte / Open Licence version 2.0 (etalab-2.0) : {LICENCE['path']}
- Version du {c.version} (date de construction de la base dont le jeu est tiré). Chaque version publiée est
  gardée avec sa base sur la page « Données » du tableau de bord (et par `python -m ess donnees-ouvertes
  --version`) : demandez au producteur la version en service à une date donnée.
- Empreintes SHA-256 :

{sommes}
"""
