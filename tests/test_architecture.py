"""The rooms of the house and what each may import (README, « Architecture »): arrows only
point down, from the UI to the read side, from both sides to geo/ and data/; nothing imports
pages/. Streamlit itself is kept to the UI by ruff (TID251)."""

from __future__ import annotations

import ast

import pytest

from tests.conftest import RACINE

PERMIS = {  # room → the project's rooms it may import
    "app.py": {"web", "ess", "geo", "data"},
    "pages": {"web", "ess", "geo", "data"},
    "web": {"ess", "geo", "data"},
    "ess": {"geo", "data"},
    "etl": {"geo", "data"},
    "geo": {"data"},
    "data": set(),
}
PIECES = {"app", "pages", "web", "ess", "etl", "geo", "data", "tests", "bench"}
# One module of another room: the build's messages use the read side's French number format
# (« 17,2 s », « 504 375 lignes »), which imports nothing of the project.
MODULES_PERMIS = {"etl": {"ess.format"}}


def _imports(chemin, permis: set[str] = frozenset()) -> set[str]:
    arbre = ast.parse(chemin.read_text(encoding="utf-8"))
    noms = {a.name for n in ast.walk(arbre) if isinstance(n, ast.Import) for a in n.names}
    noms |= {n.module for n in ast.walk(arbre) if isinstance(n, ast.ImportFrom) and n.module and not n.level}
    return {m.split(".")[0] for m in noms - permis} & PIECES


@pytest.mark.parametrize("piece", list(PERMIS))
def test_chaque_piece_importe_ce_qui_lui_est_permis(piece):
    chemins = [RACINE / piece] if piece.endswith(".py") else sorted((RACINE / piece).rglob("*.py"))
    assert chemins
    propre = piece.removesuffix(".py")
    permis = MODULES_PERMIS.get(piece, set())
    hors = {str(c.relative_to(RACINE)): sorted(_imports(c, permis) - PERMIS[piece] - {propre})
            for c in chemins}
    assert not {c: m for c, m in hors.items() if m}
    for module in permis:  # a module lent to another room stays a leaf
        assert not _imports(RACINE / f"{module.replace('.', '/')}.py")
