"""One small SIRENE stock in the official layout, built as a build from official files, and
every path that counts its establishments: the build (the marts and the employment estimate),
the key figures, the map (points and SIRENE layer), the fiche, the Territoires page's families
and the CLI. Two rules cross all of them:

- active at 31/12 (`actif_au_31_12`, data/regles.sql): created on 31/12 counts that year, closed
  on 31/12 does not, closed the next day does (still open on the evening of 31/12);
- legal category → ESS family (data/familles_ess.csv): one category of each family here.

The tests never restate a rule in SQL: they name the establishments each path must count.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pandas as pd
import pytest

from data import familles_ess
from ess import carte, comparaison, fiche, indicateurs
from ess.db import connecter
from etl.build import construire
from etl.codes import COLONNES_ETABLISSEMENT, COLONNES_UNITE_LEGALE
from etl.sources.chargement import Fichiers
from tests.conftest import RACINE
from tests.test_sources_sirene import ecrire_csv, ligne_etablissement

ANNEE = 2022  # the year of the size bands: the one year of a build without FLORES
DEPARTEMENT = "departement:31"
# siren → (catégorie juridique, family it belongs to (None: outside the ESS), ESS flag)
UNITES = {
    "300000001": ("9220", "association", "O"),  # association déclarée
    "300000002": ("5458", "cooperative", "O"),  # SCOP
    "300000003": ("8210", "mutuelle", "O"),  # mutuelle
    "300000004": ("9300", "fondation", "O"),  # fondation
    "300000005": ("9970", "autre_ess", "O"),  # groupement de droit privé (autres organismes)
    "300000006": ("7220", None, "N"),  # département (public law)
    "300000007": ("5499", None, "N"),  # SARL
    "300000008": ("9220", "association", "O"),  # the association of the dates
}
# siret → (siren, size band, creation, closure (None: active), counted at 31/12/ANNEE)
ETABLISSEMENTS = {
    "30000000100013": ("300000001", "01", "2010-05-01", None, True),
    "30000000200011": ("300000002", "02", "2010-05-01", None, True),
    "30000000300019": ("300000003", "03", "2010-05-01", None, True),
    "30000000400017": ("300000004", "11", "2010-05-01", None, True),
    "30000000500014": ("300000005", "12", "2010-05-01", None, True),
    "30000000600012": ("300000006", "21", "2010-05-01", None, False),
    "30000000700010": ("300000007", "21", "2010-05-01", None, False),
    # the edges of the year, all in the association family
    "30000000800018": ("300000008", "01", f"{ANNEE}-12-31", None, True),  # created on 31/12
    "30000000800026": ("300000008", "01", "2010-05-01", f"{ANNEE}-12-31", False),  # closed on 31/12
    "30000000800034": ("300000008", "01", "2010-05-01", f"{ANNEE + 1}-01-01", True),  # closed the day after
    "30000000800042": ("300000008", "01", "2010-05-01", f"{ANNEE + 1}-06-30", True),  # closed later
    "30000000800059": ("300000008", "01", f"{ANNEE + 1}-01-01", None, False),  # created the day after
}
COMPTES = {s for s, (*_r, compte) in ETABLISSEMENTS.items() if compte}
FAMILLE = {s: UNITES[siren][1] for s, (siren, *_r) in ETABLISSEMENTS.items()}
# middle of each band (data/tranches_effectifs.csv): the estimated jobs of the SIRENE definition
MILIEU = {"01": 1.5, "02": 4, "03": 7.5, "11": 14.5, "12": 34.5}


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    dossier = tmp_path_factory.mktemp("comptages")
    lignes = []
    for siret, (_siren, tranche, creation, fermeture, _c) in ETABLISSEMENTS.items():
        ligne = ligne_etablissement((siret, "31555", tranche, "O", "F" if fermeture else "A", "88.10A",
                                     "NAFRev2", "O", f"Établissement {siret}"))
        # a closed establishment's last period starts on its closure (SIRENE's dateDebut)
        ligne.update(dateCreationEtablissement=creation, dateDebut=fermeture or "2020-01-01")
        lignes.append(ligne)
    unites = [{"siren": siren, "statutDiffusionUniteLegale": "O", "etatAdministratifUniteLegale": "A",
               "denominationUniteLegale": f"Unité {siren}", "categorieJuridiqueUniteLegale": cj,
               "economieSocialeSolidaireUniteLegale": ess, "nicSiegeUniteLegale": "00013"}
              for siren, (cj, _f, ess) in UNITES.items()]
    etab = ecrire_csv(dossier / "StockEtablissement_utf8.csv", list(COLONNES_ETABLISSEMENT), lignes)
    ul = ecrire_csv(dossier / "StockUniteLegale_utf8.csv", list(COLONNES_UNITE_LEGALE), unites)
    db = dossier / "ess.duckdb"
    construire(db, "31", afficher=lambda _m: None,
               fichiers=Fichiers(sirene_etablissements=etab, sirene_unites_legales=ul))
    return db


@pytest.fixture
def con(base):
    c = connecter(base)
    yield c
    c.close()


def cli(base, *args) -> dict:
    """`python -m ess chiffres` of the département."""
    r = subprocess.run([sys.executable, "-m", "ess", "chiffres", "--territoire", DEPARTEMENT, *args, "--json",
                        "--db", str(base)], cwd=RACINE, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_la_construction_garde_dates_etat_et_famille(con):
    e = con.execute("SELECT * FROM etablissements").df().set_index("siret")
    assert set(e.index) == set(ETABLISSEMENTS)
    for siret, (_siren, _t, creation, fermeture, _c) in ETABLISSEMENTS.items():
        ferme = e.at[siret, "date_fermeture"]
        assert e.at[siret, "date_creation"] == pd.Timestamp(creation)
        assert pd.isna(ferme) if fermeture is None else ferme == pd.Timestamp(fermeture)
        assert e.at[siret, "etat"] == ("F" if fermeture else "A")
    familles = e["famille_ess"].astype(object).where(e["famille_ess"].notna(), None).to_dict()
    assert familles == FAMILLE


# Every way the application counts the ESS employer establishments of the département at
# 31/12: a number (or the SIRETs, where the path lists them).
CHEMINS = {
    "chiffres-cles-sirene": lambda con, base: indicateurs.chiffres_cles(
        con, DEPARTEMENT, ANNEE, "sirene")["etablissements_employeurs_ess"],
    # the employment table the build estimates from the size bands
    "chiffres-cles-statistique": lambda con, base: indicateurs.chiffres_cles(
        con, DEPARTEMENT, ANNEE)["etablissements_employeurs_ess"],
    "carte-points-sirene": lambda con, base: set(carte.etablissements(con, ANNEE, "sirene")["siret"]),
    "carte-points-statistique": lambda con, base: set(carte.etablissements(con, ANNEE)["siret"]),
    "carte-couche-sirene-epci": lambda con, base: int(carte.donnees(
        con, "epci", "etablissements_ess", ANNEE, "sirene")["valeur"].sum()),
    "carte-couche-sirene-communes": lambda con, base: int(carte.donnees(
        con, "commune", "etablissements_ess", ANNEE, "sirene")["valeur"].sum()),
    "fiche-sirene": lambda con, base: _fiche(con, "sirene"),
    "fiche-statistique": lambda con, base: _fiche(con, "statistique"),
    "cli-chiffres-sirene": lambda con, base: cli(
        base, "--perimetre", "sirene")["etablissements_employeurs_ess"],
    "cli-chiffres-statistique": lambda con, base: cli(base)["etablissements_employeurs_ess"],
}


def _fiche(con, perimetre: str) -> set[str]:
    """The establishments a fiche lists; its headline and its own note count them too."""
    f = fiche.fiche(con, DEPARTEMENT, ANNEE, perimetre)
    listes = {ligne[0] for ligne in f.tableau("etablissements").lignes}
    assert f.chiffres["etablissements_employeurs_ess"] == len(listes)
    return listes


@pytest.mark.parametrize("chemin", list(CHEMINS))
def test_actifs_au_31_12_par_tous_les_chemins(con, base, chemin):
    """Created on 31/12: counted; closed on 31/12: not; closed the next day: counted."""
    compte = CHEMINS[chemin](con, base)
    assert compte == (COMPTES if isinstance(compte, set) else len(COMPTES))


def test_une_categorie_juridique_par_famille(con, base):
    """Each family's establishments (by legal category) where the pages and the CLI count them:
    the fiche's and the Territoires page's family tables, the map filtered on a family, the
    CLI's estimated jobs by family."""
    attendus = {f: {s for s in COMPTES if FAMILLE[s] == f} for f in indicateurs.FAMILLES_ESS}
    assert all(attendus.values())  # every family has its establishment
    nombres = {f: len(s) for f, s in attendus.items()}
    famille = {libelle: f for f, libelle in familles_ess().items()}

    table = fiche.fiche(con, DEPARTEMENT, ANNEE).tableau("familles").donnees
    assert dict(zip(table["Famille juridique"].map(famille), table["Établissements employeurs"],
                    strict=True)) == nombres
    page = comparaison.tableau_familles(comparaison.familles(con, DEPARTEMENT, DEPARTEMENT, ANNEE))
    assert dict(zip(page["Famille"].map(famille), page["Établissements employeurs"],
                    strict=True)) == {f: str(n) for f, n in nombres.items()}
    for f, sirets in attendus.items():
        assert set(carte.etablissements(con, ANNEE, famille=f)["siret"]) == sirets, f
    emplois = cli(base, "--perimetre", "sirene")["effectifs_par_famille"]
    # rounded half away from zero, as SQL rounds (14,5 → 15)
    assert emplois == {f: math.floor(sum(MILIEU[ETABLISSEMENTS[s][1]] for s in attendus[f]) + 0.5)
                       for f in attendus}
