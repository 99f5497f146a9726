"""A view sent as a link reopens as it was sent, year included. Every page that keeps the year
in its URL is opened on a year that is not the default one (the browser tests use the default,
so a link that drops the year would still reopen « their » view): its « Copier le lien » and its
links to other pages must carry that year, and the copied link must reopen the same view."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qsl, urlsplit

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ouvrir_page

ANNEE = "2017"  # the default is 2021 (the year the demo is calibrated on)
EPCI = "epci:200068815"
VUES = [  # page, the view's parameters, its links to other pages: {page: parameters they carry}
    ("pages/accueil.py", {"annee": ANNEE}, {"carte": {"annee": ANNEE}}),
    ("pages/carte.py", {"annee": ANNEE, "territoire": EPCI},
     {"territoires": {"annee": ANNEE, "territoire": EPCI}}),
    ("pages/carte.py", {"annee": ANNEE, "vue": "etablissements", "definition": "sirene"}, {}),
    ("pages/territoires.py", {"annee": ANNEE, "vue": "typologies"}, {}),
    ("pages/territoires.py", {"annee": ANNEE, "territoire": EPCI, "comparaison": "petr:comminges-pyrenees"},
     {}),
    ("pages/data_ess.py", {"annee": ANNEE, "territoire": EPCI}, {}),
    ("pages/bilan.py", {"annee": "2022", "repartition": "Par EPCI"}, {}),  # the register's years: 2020-2025
]


def lien_copie(at: AppTest) -> dict[str, str]:
    """The parameters of the link « Copier le lien » gives."""
    blocs = [h.value for h in at.get("html") if 'class="ess-lien"' in h.value]
    assert len(blocs) == 1, blocs
    url = unescape(re.search(r'data-lien="([^"]*)"', blocs[0]).group(1))
    return dict(parse_qsl(urlsplit(url).query))


def annee_affichee(at: AppTest) -> int:
    bilan = [s for s in at.get("select_slider") if s.key == "annee_bilan"]
    return bilan[0].value if bilan else at.selectbox(key="annee").value


@pytest.mark.parametrize(("page", "params", "vers"), VUES,
                         ids=[f"{p.removeprefix('pages/')}-{i}" for i, (p, *_r) in enumerate(VUES)])
def test_le_lien_rouvre_la_vue_et_son_annee(env_db, page, params, vers):
    at = ouvrir_page(page, params)
    assert annee_affichee(at) == int(params["annee"])
    lien = lien_copie(at)
    assert lien.items() >= params.items(), lien  # the year and the rest of the view
    for cible, attendus in vers.items():
        liens = [e.proto.query_string for e in at.get("page_link") if e.proto.page.endswith(cible)]
        assert liens, f"pas de lien vers {cible}"
        for requete in liens:
            assert dict(parse_qsl(requete)).items() >= attendus.items(), requete

    rouvert = ouvrir_page(page, lien)  # the link, sent and opened elsewhere
    assert lien_copie(rouvert) == lien
