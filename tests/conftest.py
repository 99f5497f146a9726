"""Shared fixtures: one demo database built by code per test session (as datasette's
fixtures), read-only connections on it, and a Streamlit server on loopback for browser tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ess.db import connecter
from tests.serveur import RACINE, serveur_streamlit

CHROMIUM = Path("/usr/bin/chromium")


def ouvrir_page(page: str, params: dict[str, str] | None = None) -> AppTest:
    """A new session opened on a page's URL with these query parameters, as a link opens it."""
    at = AppTest.from_file(str(RACINE / "app.py"), default_timeout=120)
    at.switch_page(page)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def construire_base(path: Path, *options: str) -> Path:
    """Another demo database (`--departement 09`, `--region 94`), built by the command in a
    process of its own, as db_demo, without keeping a history."""
    r = subprocess.run([sys.executable, "-m", "etl", "build", "--db", str(path), *options], cwd=RACINE,
                       capture_output=True, text=True, env={**os.environ, "ESS_HISTORIQUE": "0"})
    assert r.returncode == 0, r.stdout + r.stderr
    return path


def pointer_app(monkeypatch, db: Path, dossier: Path) -> Path:
    """The app (AppTest runs in-process) on `db`, with a tracking database of its own."""
    monkeypatch.setenv("ESS_DB", str(db))
    monkeypatch.setenv("ESS_SUIVI_DB", str(dossier / "suivi.sqlite"))
    return db


@pytest.fixture(scope="session")
def db_demo(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("db") / "ess.duckdb"
    deja = os.environ.get("ESS_TESTS_BASE_DEMO")  # built beforehand by this very tree (bench/mutations.py)
    if deja:
        shutil.copyfile(deja, path)
    else:
        # as a user builds it on a fresh machine (no protection kept yet: the shipped ones), in
        # its own process: the secret's workers are spawned, and after an AppTest in this
        # process they would run the page as their main module and die
        env = {**os.environ, "ESS_CACHE_SECRET": str(tmp_path_factory.mktemp("cache_secret"))}
        r = subprocess.run([sys.executable, "-m", "etl", "build", "--db", str(path)], cwd=RACINE,
                           capture_output=True, text=True, env=env)
        assert r.returncode == 0, r.stdout + r.stderr
    return path


@pytest.fixture
def con(db_demo):
    c = connecter(db_demo)
    yield c
    c.close()


@pytest.fixture
def env_db(db_demo, monkeypatch):
    """Point the app (AppTest runs in-process) at the test database."""
    monkeypatch.setenv("ESS_DB", str(db_demo))
    return db_demo


@pytest.fixture(scope="session")
def serveur(db_demo, tmp_path_factory):
    with serveur_streamlit(db_demo, tmp_path_factory.mktemp("suivi") / "suivi.sqlite") as s:
        yield s.url


@pytest.fixture(scope="session")
def navigateur():
    """Debian's chromium driven by Playwright. Skipped locally when absent, required in CI."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("/usr/bin/chromium absent : .ci/run doit installer le paquet chromium")
        pytest.skip("/usr/bin/chromium absent")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"],
        )
        yield browser
        browser.close()


DELAI_NAVIGATEUR = 60_000  # ms: a first render runs cold queries on a loaded 2-core machine


@pytest.fixture
def externes() -> list[str]:
    """URLs outside the loopback server that the page tried to fetch (all blocked)."""
    return []


@pytest.fixture
def page(navigateur, serveur, externes):
    """A fresh context and page per test. The dashboard must work offline (it runs inside the
    administration's network): any request leaving the local server is aborted and recorded,
    so results do not depend on whether the test machine has Internet access."""
    from playwright.sync_api import expect

    contexte = navigateur.new_context(viewport={"width": 1400, "height": 1000}, locale="fr-FR",
                                      accept_downloads=True)
    contexte.set_default_timeout(DELAI_NAVIGATEUR)

    def bloquer(route):
        externes.append(route.request.url)
        route.abort()

    contexte.route(lambda url: not url.startswith(serveur), bloquer)
    expect.set_options(timeout=DELAI_NAVIGATEUR)
    p = contexte.new_page()
    try:
        yield p
    finally:
        expect.set_options(timeout=5_000)
        contexte.close()
