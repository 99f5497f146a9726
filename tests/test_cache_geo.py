"""Derived geography kept between builds (geo.cache): what is read back is what would be
derived, and a change to the code, the data or the PETR derives it again."""

from __future__ import annotations

import shutil
from dataclasses import fields

import pandas as pd

from geo import cache, reference, territoires
from geo.perimetre import departement


def test_referentiel_garde_identique(tmp_path, monkeypatch):
    monkeypatch.setenv("ESS_CACHE_GEO", str(tmp_path))
    derive = territoires.referentiel(departement("09"))
    assert len(list(tmp_path.iterdir())) == 2  # the Ariège's tables and France's contours
    garde = territoires.referentiel(departement("09"))
    for f in fields(derive):
        a, b = getattr(derive, f.name), getattr(garde, f.name)
        assert type(a) is type(b) and list(a.columns) == list(b.columns), f.name
        pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), obj=f.name)
    assert garde.frame.crs.to_epsg() == 4326


def test_cle_suit_le_code_les_donnees_et_le_petr(tmp_path, monkeypatch):
    geo, data = tmp_path / "geo", tmp_path / "data"
    shutil.copytree(cache.GEO, geo, ignore=shutil.ignore_patterns("__pycache__"))
    data.mkdir()
    shutil.copy(cache.DATA / "petr.csv", data)
    monkeypatch.setattr(cache, "GEO", geo)
    monkeypatch.setattr(cache, "DATA", data)
    avant = cache.cle("referentiel-31")
    assert cache.cle("referentiel-31") == avant
    assert cache.cle("referentiel-31", b"petr,nom,epci\n") != avant
    (geo / "typologies.py").write_text((geo / "typologies.py").read_text() + "\n# seuils changés\n")
    apres_code = cache.cle("referentiel-31")
    assert apres_code != avant
    (data / "petr.csv").write_text("petr,nom,epci\n")
    assert cache.cle("referentiel-31") not in (avant, apres_code)


def test_sans_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("ESS_CACHE_GEO", "")
    assert cache.dossier() is None and cache.lire("x") is None
    cache.ecrire("x", {"t": pd.DataFrame({"a": [1]})})  # nothing kept, no error


def test_dossier_impossible_a_ecrire(tmp_path, monkeypatch):
    """A cache folder that cannot be made (here under a file) keeps nothing and stops nothing."""
    (tmp_path / "fichier").write_text("")
    monkeypatch.setenv("ESS_CACHE_GEO", str(tmp_path / "fichier" / "cache"))
    cache.ecrire("x", {"t": pd.DataFrame({"a": [1]})})
    assert cache.lire("x") is None


def test_communes_de_france_lues_sans_les_contours():
    """France's communes for the national demo, read without their contours when nothing has
    read them yet in the process (territories from the cache), are those read with them:
    same codes, populations and départements (Mayotte at 0, arrondissements absent)."""
    reference._communes_brutes.cache_clear()
    sans = reference.communes_de_france()
    assert reference._communes_brutes.cache_info().currsize == 0  # the light read
    reference._communes_brutes()  # the contours read, as a build deriving its territories does
    avec = reference.communes_de_france()
    pd.testing.assert_frame_equal(sans, avec)
    assert len(sans) > 34_000 and "75056" in set(sans["commune"]) and "75101" not in set(sans["commune"])
