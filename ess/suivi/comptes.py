"""Staff accounts: argon2 password hashes kept in Streamlit secrets, never a password.

Secrets (`.streamlit/secrets.toml`, not versioned; see `.streamlit/secrets.toml.example`):

    [comptes."marie.audit"]
    nom = "Marie Exemple (SIES)"
    empreinte = "$argon2id$v=19$m=65536,t=3,p=4$..."

Make a hash with `python -m ess.suivi.comptes marie.audit` (asks the password twice, prints the block).
Repeated failures slow an identifier down: after SEUIL failures each new attempt must wait an
exponentially growing delay, recorded in the store (so it holds across sessions and
restarts) rather than slept, which would block the server. Logins and refusals are audited.
"""

from __future__ import annotations

import getpass
import json
import math
import sqlite3
import sys
from collections.abc import Mapping
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from ess.suivi.store import horodatage, journaliser, maintenant, transaction

SEUIL = 3  # failures allowed before delays start
DELAI_MAX = 900  # seconds
MESSAGE_REFUS = "Identifiant ou mot de passe incorrect."
_hasher = PasswordHasher()
# Verified when the identifier is unknown, so that timing does not reveal which ones exist.
_EMPREINTE_LEURRE = _hasher.hash("leurre-pour-identifiant-inconnu")


class ConnexionRefusee(PermissionError):
    """Refused login; the message (French) is safe to show."""


def empreinte(mot_de_passe: str) -> str:
    return _hasher.hash(mot_de_passe)


def delai(echecs: int) -> int:
    """Seconds to wait after `echecs` consecutive failures: 0, 0, 0, 2, 4, 8… capped."""
    return 0 if echecs < SEUIL else min(2 ** (echecs - SEUIL + 1), DELAI_MAX)


def comptes(secrets: Mapping) -> dict[str, Mapping]:
    """The accounts declared in the secrets (identifier → {nom, empreinte})."""
    try:
        brut = secrets.get("comptes", {}) or {}
    except FileNotFoundError:  # st.secrets with no secrets file at all
        return {}
    return dict(_aplatir(dict(brut)))


def _aplatir(table: Mapping, prefixe: str = ""):
    """(identifier, account) pairs. A block pasted with an unquoted dotted key,
    `[comptes.marie.audit]`, is a nested table for TOML: its path is the identifier."""
    for k, v in table.items():
        ident = f"{prefixe}{str(k).strip().lower()}"
        if isinstance(v, Mapping) and "empreinte" not in v and any(
                isinstance(x, Mapping) for x in v.values()):
            yield from _aplatir(v, f"{ident}.")
        else:
            yield ident, v


def bloc_secrets(identifiant: str, h: str) -> str:
    """The TOML block of one account. The key is quoted: `prenom.nom`, the usual form, would
    otherwise be read as a table `nom` inside a table `prenom`."""
    ident = identifiant.strip().lower()
    return (f"[comptes.{json.dumps(ident, ensure_ascii=False)}]\n"
            f"nom = {json.dumps(identifiant.strip(), ensure_ascii=False)}\n"
            f"empreinte = {json.dumps(h)}")


def authentifier(con: sqlite3.Connection, secrets: Mapping, identifiant: str, mot_de_passe: str,
                 quand: datetime | None = None) -> dict:
    """Check a password; returns {"identifiant", "nom"} or raises ConnexionRefusee."""
    quand = quand or maintenant()
    ident = (identifiant or "").strip().lower()
    if not ident or not mot_de_passe:
        raise ConnexionRefusee("Saisissez l'identifiant et le mot de passe.")
    compte = comptes(secrets).get(ident)
    # The refusal is raised after COMMIT, so that it stays in the audit trail.
    with transaction(con):
        row = con.execute("SELECT * FROM echecs_connexion WHERE utilisateur = ?", (ident,)).fetchone()
        if row and datetime.fromisoformat(row["bloque_jusqua"]) > quand:
            reste = math.ceil((datetime.fromisoformat(row["bloque_jusqua"]) - quand).total_seconds())
            journaliser(con, ident, "connexion refusée", "compte", None,
                        f"attente en cours ({row['echecs']} échecs)", quand=quand)
            refus = f"Trop de tentatives échouées : réessayez dans {reste} s."
        else:
            refus = _essayer(con, compte, ident, mot_de_passe, row, quand)
    if refus:
        raise ConnexionRefusee(refus)
    return {"identifiant": ident, "nom": str(compte.get("nom", ident))}


def _essayer(con, compte, ident, mot_de_passe, row, quand) -> str | None:
    """One verification inside the caller's transaction; the refusal message or None."""
    ok, motif = False, "mot de passe incorrect"
    if compte is None:
        _verifier(_EMPREINTE_LEURRE, mot_de_passe)
        motif = "identifiant inconnu"
    else:
        try:
            ok = _verifier(str(compte.get("empreinte", "")), mot_de_passe)
        except InvalidHashError:
            motif = "compte mal configuré : l'empreinte n'est pas au format argon2"
    if ok:
        con.execute("DELETE FROM echecs_connexion WHERE utilisateur = ?", (ident,))
        journaliser(con, ident, "connexion", "compte", quand=quand)
        return None
    echecs = (row["echecs"] if row else 0) + 1
    jusqua = quand + timedelta(seconds=delai(echecs))
    con.execute(
        "INSERT INTO echecs_connexion VALUES (?, ?, ?) ON CONFLICT (utilisateur) DO UPDATE "
        "SET echecs = excluded.echecs, bloque_jusqua = excluded.bloque_jusqua",
        (ident, echecs, horodatage(jusqua)),
    )
    journaliser(con, ident, "connexion refusée", "compte", None, motif, quand=quand)
    return MESSAGE_REFUS


def _verifier(h: str, mot_de_passe: str) -> bool:
    try:
        return _hasher.verify(h, mot_de_passe)
    except (VerifyMismatchError, VerificationError):
        return False


def editeurs_oidc(secrets: Mapping) -> set[str]:
    """E-mails allowed to edit when logged in through the OIDC provider (`st.login`)."""
    try:
        return {str(e).strip().lower() for e in secrets.get("editeurs_oidc", []) or []}
    except FileNotFoundError:
        return set()


def main() -> int:
    """`python -m ess.suivi.comptes IDENTIFIANT`: prints the secrets block of a new account."""
    if len(sys.argv) != 2:
        print("Usage : python -m ess.suivi.comptes IDENTIFIANT", file=sys.stderr)
        return 2
    mdp = getpass.getpass("Mot de passe : ")
    if len(mdp) < 12 or mdp != getpass.getpass("Confirmez : "):
        print("Erreur : mots de passe différents ou trop courts (12 caractères minimum).",
              file=sys.stderr)
        return 2
    print(bloc_secrets(sys.argv[1], empreinte(mdp)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
