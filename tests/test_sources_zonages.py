"""Zonings (density grid, QPV, massifs, population) replacing the approximations."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from ess.db import connecter
from etl.build import construire
from etl.sources import SourceInvalide, zonages
from etl.sources.chargement import Fichiers
from etl.sources.population import lire_population
from geo.perimetre import departement
from tests.test_sources_sirene import fichiers_sirene

P31 = departement("31")


def grille_densite(path, lignes):
    """The INSEE workbook layout: title rows, header on row 5 of sheet "Maille communale"."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Maille communale"
    ws.append(["Grille communale de densité"])
    ws.append(["Source : Insee"])
    ws.append([])
    ws.append([])
    ws.append(["CODGEO", "LIBGEO", "DENS", "LIBDENS", "PMUN22", "P1", "P2", "P3", "DENS_AAV",
               "LIBDENS_AAV", "DENS7", "LIBDENS7"])
    for code, libelle in lignes:
        ws.append([code, "x", "1", "?", "100", "", "", "", "", "", "5", libelle])
    wb.save(path)
    return path


def test_densite_jointe_sur_le_libelle(tmp_path):
    path = grille_densite(tmp_path / "d.xlsx", [("31555", "Grands centres urbains"),
                                                ("31395", "Ceintures urbaines"),
                                                ("31069", "Rural à habitat dispersé"),
                                                ("75056", "Grands centres urbains")])
    s = zonages.lire_densite(path, P31)
    assert s.to_dict() == {"31555": "urbain-dense", "31395": "urbain-intermediaire", "31069": "rural"}


def test_densite_au_format_xls():
    """The grid as an older .xls (saved by LibreOffice from the INSEE layout), a commune code
    stored as a number: read as the same codes as the .xlsx."""
    path = Path(__file__).parent / "fichiers" / "grille_densite.xls"
    s = zonages.lire_densite(path, P31)
    assert s.to_dict() == {"31555": "urbain-dense", "31395": "urbain-intermediaire", "31069": "rural"}


def test_densite_libelle_inconnu(tmp_path):
    path = grille_densite(tmp_path / "d.xlsx", [("31555", "Grands centres urbains"), ("31395", "Banlieue")])
    with pytest.raises(SourceInvalide, match="ligne 7, colonne LIBDENS7"):
        zonages.lire_densite(path, P31)


def test_qpv_massifs_population(tmp_path):
    qpv = tmp_path / "qpv.csv"
    qpv.write_text("code_qp;lib_qp;insee_com;lib_com\nQN03101M;Izards;31555;Toulouse\n"
                   "QN03102M;Bagatelle;31555;Toulouse\nQN07501M;X;75056;Paris\n", encoding="utf-8")
    assert zonages.lire_qpv(qpv, P31).to_dict() == {"31555": "QN03101M,QN03102M"}
    massifs = tmp_path / "m.csv"
    massifs.write_text("CODGEO;LIBGEO;MASSIF\n31042;Arbas;Pyrénées\n31069;X;Pyrénées (partiellement)\n",
                       encoding="latin-1")
    assert zonages.lire_massifs(massifs, P31)["31069"] == "Pyrénées (partiellement)"
    pop = tmp_path / "donnees_communes.csv"
    pop.write_text("REG;Région;DEP;COM;Commune;PMUN;PCAP;PTOT\n76;Occitanie;31;555;Toulouse;504 078;1;2\n"
                   "76;Occitanie;31;395;Muret;26 000;1;2\n", encoding="utf-8")
    s, colonne = lire_population(pop, P31)
    assert s.to_dict() == {"31555": 504078, "31395": 26000} and colonne == "PMUN"


def test_build_avec_zonages(tmp_path):
    etab, ul = fichiers_sirene(tmp_path / "sirene")
    densite = grille_densite(tmp_path / "d.xlsx", [("31555", "Grands centres urbains"),
                                                   ("31069", "Bourgs ruraux")])
    pop = tmp_path / "pop.csv"
    pop.write_text("CODGEO,PMUN21\n31555,504078\n", encoding="utf-8")
    qpv = tmp_path / "qpv.csv"
    qpv.write_text("code_qp;lib_qp;insee_com;lib_com\nQN03101M;Izards;31555;Toulouse\n", encoding="utf-8")
    db = tmp_path / "ess.duckdb"
    construire(db, "31", afficher=lambda _m: None, fichiers=Fichiers(
        sirene_etablissements=etab, sirene_unites_legales=ul, densite=densite, population=pop, qpv=qpv))
    con = connecter(db)
    try:
        c = dict((r[0], r[1:]) for r in con.execute(
            "SELECT commune, densite, population, qpv FROM communes").fetchall())
        sources = dict(con.execute("SELECT source, description FROM sources").fetchall())
        toulouse = con.execute("SELECT population FROM territoires WHERE territoire = 'commune:31555'"
                               ).fetchall()[0][0]
        absentes = con.execute("SELECT nb_lignes FROM rejets WHERE source = 'densite'").fetchall()[0][0]
    finally:
        con.close()
    assert c["31555"] == ("urbain-dense", 504078, "QN03101M") and c["31069"][0] == "rural"
    assert toulouse == 504078
    assert "Grille communale de densité" in sources["densite"]
    assert "approximation" not in sources["densite"].lower()
    assert "PMUN21" in sources["population"] and "QN" not in sources["qpv"]
    assert absentes == len(c) - 2  # communes absent from the grid keep the approximation, counted
