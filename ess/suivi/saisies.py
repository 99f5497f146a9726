"""What the SIES types in: activity statuses, indicators, yearly targets and values of the
2025-2028 plan.

Optimistic concurrency: every status and value row carries a version number. A save says
which version it was based on (0: "there was none"); if the stored version differs, someone
saved in between and the save is refused with `ConflitVersion`, never silently overwritten.
Every change goes to the audit trail (who, when, old value, new value) in the same transaction.
"""

from __future__ import annotations

import math
import sqlite3

from ess import format as fr
from ess.suivi.store import horodatage, journaliser, transaction
from ess.suivi.structure import STATUTS, Plan, charger_plan

ANNEES = list(range(2024, 2029))  # 2024: année de référence ; 2025-2028 : années du plan
# Longest texts kept (characters): the forms hold them as limits (typing stops there, a counter
# shows it), the saves and the XLSX import refuse longer ones, naming the limit.
LONGUEURS = {"nom": 200, "unite": 50, "commentaire": 500, "source": 200}
CHAMPS = {"nom": "Nom de l'indicateur", "unite": "Unité", "commentaire": "Commentaire",
          "source": "Source de la valeur"}


def _longueur(champ: str, texte: str) -> str:
    texte = (texte or "").strip()
    if len(texte) > LONGUEURS[champ]:
        raise SaisieInvalide(f"{CHAMPS[champ]} : {len(texte)} caractères, {LONGUEURS[champ]} au plus. "
                             "Raccourcissez-le : votre saisie est conservée dans le formulaire.")
    return texte


class SaisieInvalide(ValueError):
    """An edit that cannot be saved; the message (French) says why."""


class ConflitVersion(SaisieInvalide):
    """Someone else saved the same row since it was read."""


def _verifier_fiche(fiche: str, plan: Plan | None) -> None:
    try:
        (plan or charger_plan()).fiche(fiche)
    except KeyError as exc:
        raise SaisieInvalide(f"Fiche action « {fiche} » inconnue dans le plan.") from exc


def _nombre(x, champ: str) -> float | None:
    if x is None or (isinstance(x, str) and not x.strip()):
        return None
    if isinstance(x, str):
        x = x.replace("\u202f", "").replace(" ", "").replace(",", ".")
    try:
        v = float(x)
    except (TypeError, ValueError) as exc:
        raise SaisieInvalide(f"{champ} : « {x} » n'est pas un nombre.") from exc
    if math.isnan(v):
        return None
    if math.isinf(v):
        raise SaisieInvalide(f"{champ} : valeur infinie refusée.")
    return v


# --- statuts des activités ---------------------------------------------------------------

def statuts(con: sqlite3.Connection) -> dict[tuple[str, int], dict]:
    return {(r["fiche"], r["activite"]): dict(r)
            for r in con.execute("SELECT * FROM statuts_activites")}


def changer_statut(con: sqlite3.Connection, fiche: str, activite: int, statut: str,
                   version_lue: int, utilisateur: str, plan: Plan | None = None) -> int:
    """Set one activity's status; returns the new version."""
    plan = plan or charger_plan()
    _verifier_fiche(fiche, plan)
    if not 0 <= activite < len(plan.fiche(fiche).activites):
        raise SaisieInvalide(f"Activité n° {activite + 1} inconnue dans la fiche {fiche}.")
    if statut not in STATUTS:
        raise SaisieInvalide(f"Statut « {statut} » inconnu (attendu : {', '.join(STATUTS)}).")
    with transaction(con):
        row = con.execute("SELECT * FROM statuts_activites WHERE fiche = ? AND activite = ?",
                          (fiche, activite)).fetchone()
        actuelle = row["version"] if row else 0
        ancien = row["statut"] if row else STATUTS[0]
        if ancien == statut:  # nothing to change, nothing overwritten: no conflict either
            return actuelle
        if actuelle != version_lue:
            raise ConflitVersion(
                f"Conflit : le statut de l'activité n° {activite + 1} de la fiche {fiche} a été "
                f"modifié par {row['modifie_par']} le {fr.date_heure(row['modifie_le'])} pendant votre "
                "saisie. Votre modification n'a pas été enregistrée : vérifiez le nouveau statut "
                "puis recommencez."
            )
        con.execute(
            "INSERT INTO statuts_activites VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (fiche, activite) "
            "DO UPDATE SET statut = excluded.statut, version = excluded.version, "
            "modifie_par = excluded.modifie_par, modifie_le = excluded.modifie_le",
            (fiche, activite, statut, actuelle + 1, utilisateur, horodatage()),
        )
        journaliser(con, utilisateur, "statut", f"fiche {fiche} · activité n° {activite + 1}",
                    ancien, statut, fiche)
    return actuelle + 1


# --- indicateurs ---------------------------------------------------------------------------

def creer_indicateur(con: sqlite3.Connection, fiche: str, nom: str, unite: str,
                     utilisateur: str, plan: Plan | None = None) -> int:
    _verifier_fiche(fiche, plan)
    nom, unite = _longueur("nom", nom), _longueur("unite", unite)
    if not nom:
        raise SaisieInvalide("Le nom de l'indicateur est obligatoire.")
    with transaction(con):
        try:
            cur = con.execute(
                "INSERT INTO indicateurs (fiche, nom, unite, cree_par, cree_le) VALUES (?, ?, ?, ?, ?)",
                (fiche, nom, unite, utilisateur, horodatage()),
            )
        except sqlite3.IntegrityError as exc:
            raise SaisieInvalide(f"L'indicateur « {nom} » existe déjà dans la fiche {fiche}.") from exc
        journaliser(con, utilisateur, "création d'indicateur", nom, None,
                    {"unite": unite}, fiche)
    return cur.lastrowid


def indicateurs(con: sqlite3.Connection, fiche: str | None = None) -> list[dict]:
    sql, params = "SELECT * FROM indicateurs", []
    if fiche:
        sql, params = sql + " WHERE fiche = ?", [fiche]
    return [dict(r) for r in con.execute(sql + " ORDER BY fiche, nom", params)]


def valeurs(con: sqlite3.Connection, fiche: str | None = None) -> list[dict]:
    """Every yearly row with its indicator (fiche, nom, unite)."""
    sql = ("SELECT i.fiche, i.nom, i.unite, v.* FROM valeurs v "
           "JOIN indicateurs i ON i.id = v.indicateur")
    params: list = []
    if fiche:
        sql, params = sql + " WHERE i.fiche = ?", [fiche]
    return [dict(r) for r in con.execute(sql + " ORDER BY i.fiche, i.nom, v.annee", params)]


def lire_valeur(con: sqlite3.Connection, indicateur: int, annee: int) -> dict | None:
    r = con.execute("SELECT * FROM valeurs WHERE indicateur = ? AND annee = ?",
                    (indicateur, annee)).fetchone()
    return dict(r) if r else None


def enregistrer_valeur(con: sqlite3.Connection, indicateur: int, annee: int, cible, valeur,
                       commentaire: str, source: str, version_lue: int, utilisateur: str) -> int:
    """Save one indicator's target and value for a year; returns the new version."""
    if annee not in ANNEES:
        raise SaisieInvalide(f"Année {annee} hors du plan (attendu : {ANNEES[0]} à {ANNEES[-1]}).")
    cible, valeur = _nombre(cible, "Cible"), _nombre(valeur, "Valeur")
    nouveau = {"cible": cible, "valeur": valeur, "commentaire": _longueur("commentaire", commentaire),
               "source": _longueur("source", source)}
    with transaction(con):
        ind = con.execute("SELECT * FROM indicateurs WHERE id = ?", (indicateur,)).fetchone()
        if ind is None:
            raise SaisieInvalide(f"Indicateur n° {indicateur} inconnu.")
        row = con.execute("SELECT * FROM valeurs WHERE indicateur = ? AND annee = ?",
                          (indicateur, annee)).fetchone()
        actuelle = row["version"] if row else 0
        ancien = {k: row[k] for k in nouveau} if row else None
        if ancien == nouveau:  # nothing to change, nothing overwritten: no conflict either
            return actuelle
        if actuelle != version_lue:
            # who and when, in words: never a timestamp nor version numbers
            qui = (f"par {row['modifie_par']} le {fr.date_heure(row['modifie_le'])}" if row
                   else "entre-temps")
            raise ConflitVersion(
                f"Conflit : la valeur {annee} de l'indicateur « {ind['nom']} » a été modifiée {qui} "
                "pendant votre saisie. Votre saisie n'a pas été enregistrée : vérifiez la valeur "
                "enregistrée, affichée à nouveau, puis ressaisissez si besoin."
            )
        con.execute(
            "INSERT INTO valeurs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (indicateur, annee) "
            "DO UPDATE SET cible = excluded.cible, valeur = excluded.valeur, "
            "commentaire = excluded.commentaire, source = excluded.source, "
            "version = excluded.version, modifie_par = excluded.modifie_par, "
            "modifie_le = excluded.modifie_le",
            (indicateur, annee, cible, valeur, nouveau["commentaire"], nouveau["source"],
             actuelle + 1, utilisateur, horodatage()),
        )
        journaliser(con, utilisateur, "valeur", f"{ind['nom']} · {annee}", ancien, nouveau,
                    ind["fiche"])
    return actuelle + 1


# --- vue d'ensemble ------------------------------------------------------------------------

def avancement(con: sqlite3.Connection, plan: Plan | None = None) -> list[dict]:
    """Per fiche: activities by status, indicators, values filled in; progress = share of
    activities done (réalisé = 1, en cours = ½)."""
    plan = plan or charger_plan()
    st = statuts(con)
    nb_ind = {r["fiche"]: r["n"] for r in con.execute(
        "SELECT fiche, count(*) AS n FROM indicateurs GROUP BY fiche")}
    nb_val = {r["fiche"]: r["n"] for r in con.execute(
        "SELECT i.fiche, count(*) AS n FROM valeurs v JOIN indicateurs i ON i.id = v.indicateur "
        "WHERE v.valeur IS NOT NULL GROUP BY i.fiche")}
    lignes = []
    for f in plan.fiches:
        etats = [st.get((f.code, i), {}).get("statut", STATUTS[0]) for i in range(len(f.activites))]
        n = len(etats)
        lignes.append({
            "fiche": f.code, "enjeu": f.enjeu, "titre": f.titre, "activites": n,
            **{s: etats.count(s) for s in STATUTS},
            "indicateurs": nb_ind.get(f.code, 0), "valeurs_renseignees": nb_val.get(f.code, 0),
            "avancement": round(100 * (etats.count("réalisé") + etats.count("en cours") / 2) / n, 1)
            if n else 0.0,
        })
    return lignes
