"""Secret statistique on hand-built and random tables, checked by an attacker that does not
share the protection's reasoning (tests/secret_tables.py: cell-space LP over the table's
equations) and by the project's audit."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl.secret import audit, secteurs, suppression
from etl.secret.tableau import Tableau, dominante_micro
from tests.secret_tables import Table, intervalle


def proteger(t: Tableau) -> np.ndarray:
    primaire = t.primaire()
    ordre = np.flatnonzero(primaire)
    return suppression.proteger(t, primaire, ordre).cache


def verifier_par_l_attaquant(table: Table, cache: np.ndarray) -> None:
    t = table.tableau()
    v, (haut, descente), primaire = t.valeur, t.exigences(), t.primaire()
    for i in np.flatnonzero(cache):
        lo, hi = intervalle(table, cache, i)
        assert hi - lo > 1e-6, f"cellule {table.cellules()[i][:2]} recalculable exactement"
        if primaire[i]:
            assert hi >= v[i] + haut[i] - 1e-6 and lo <= v[i] - descente[i] + 1e-6, (
                f"{table.cellules()[i][:2]} = {v[i]} encadrée entre {lo} et {hi}")
    assert not (primaire & ~cache).any(), "une cellule sensible est publiée"


def exemple() -> Table:
    # commune 0 has a single cooperative establishment: its cooperative cell is sensitive
    valeurs = np.array([[40, 7, 12], [55, 30, 9], [38, 22, 15], [61, 18, 11]])
    nb = np.array([[5, 1, 4], [6, 4, 3], [5, 3, 3], [7, 4, 4]])
    return Table([0, 0, 1, 1], valeurs, nb)


def test_regles_primaires():
    t = exemple().tableau()
    sensibles = {exemple().cellules()[i][:2] for i in np.flatnonzero(t.primaire())}
    assert sensibles == {("commune:0", "f1")}
    # dominance: one establishment above 85 % of its cell, known even when only part of the
    # cell's rows give the largest establishment (the other rows bound it from below)
    assert list(dominante_micro([73, 2], [2, 1], [71, np.nan])) == [71, 2]
    t2 = Tableau(A=t.A, micro=t.micro, micro_min=t.micro_min, nb=t.nb, cout=t.cout, zones=t.zones,
                 dominante=np.where(np.arange(len(t.nb)) == 5, 0.9 * t.valeur, 0))
    assert t2.primaire()[5]


def test_une_soustraction_ne_suffit_pas_a_l_attaquant():
    table = exemple()
    cache = proteger(table.tableau())
    verifier_par_l_attaquant(table, cache)
    assert cache.sum() >= 4  # a cell alone in its relations would be a difference


def test_l_audit_trouve_la_divulgation_d_un_tableau_sous_protege():
    table = exemple()
    t = table.tableau()
    seul = t.primaire()  # the sensitive cell hidden alone: ess − the other families
    lo, hi = intervalle(table, seul, int(np.flatnonzero(seul)[0]))
    assert hi - lo < 1e-6  # the independent attacker recomputes it
    constat = audit.auditer(t, seul, t.primaire())
    assert not constat.sur and constat.determinees and constat.sous_protegees


@st.composite
def tables(draw):
    n = draw(st.integers(3, 7))
    k = draw(st.integers(2, 4))
    epci = sorted(draw(st.lists(st.integers(0, 2), min_size=n, max_size=n)))
    nb = np.array(draw(st.lists(st.lists(st.integers(0, 6), min_size=k, max_size=k), min_size=n, max_size=n)))
    taille = np.array(draw(st.lists(st.lists(st.integers(1, 30), min_size=k, max_size=k), min_size=n,
                                    max_size=n)))
    return Table(epci, nb * taille, nb)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_tables_aleatoires_protegees_contre_l_attaquant(table):
    t = table.tableau()
    res = suppression.proteger(t, t.primaire(), np.flatnonzero(t.primaire()))
    if res.impossibles:  # e.g. a département with a single employer: hidden, reported
        assert res.cache[res.impossibles].all()
        return
    verifier_par_l_attaquant(table, res.cache)
    assert audit.auditer(t, res.cache, t.primaire()).sur  # and the project's audit agrees


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_l_audit_voit_ce_que_voit_l_attaquant_sur_un_tableau_sous_protege(table):
    t = table.tableau()
    cache = t.primaire()  # primary suppression only
    divulgue = any(
        (lambda lo, hi: hi - lo < 1e-6 or hi < t.valeur[i] + t.exigences()[0][i] - 1e-6
         or lo > t.valeur[i] - t.exigences()[1][i] + 1e-6)(*intervalle(table, cache, i))
        for i in np.flatnonzero(cache)
    )
    constat = audit.auditer(t, cache, t.primaire())
    assert constat.sur != divulgue


def exacte(t: Tableau) -> secteurs.Resultat:
    """The exact model with every cell that is not primary free (the build frees the sector
    cells only)."""
    primaire = t.primaire()
    return secteurs.proteger(t, primaire.copy(), primaire, np.flatnonzero(~primaire), [])


def test_le_modele_exact_cache_moins_que_l_heuristique():
    # found by random search: the one-cell-at-a-time heuristic hides 10 cells (cost 563),
    # the optimum of the cuts 8 (cost 451)
    nb = np.array([[1, 3, 3], [0, 6, 5], [6, 0, 5], [2, 3, 6]])
    table = Table([0, 0, 0, 2], np.array([[9, 66, 15], [0, 174, 65], [90, 0, 20], [26, 57, 84]]), nb)
    t = table.tableau()
    heuristique = proteger(t)
    res = exacte(t)
    assert res is not None and not res.hors_modele
    verifier_par_l_attaquant(table, res.cache)
    assert (t.cout[heuristique].sum(), heuristique.sum()) == (563, 10)
    assert (t.cout[res.cache].sum(), res.cache.sum()) == (451, 8)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_modele_exact_sur_et_jamais_plus_cher_sur_des_tables_aleatoires(table):
    t = table.tableau()
    heuristique = suppression.proteger(t, t.primaire(), np.flatnonzero(t.primaire()))
    if heuristique.impossibles:
        return
    res = exacte(t)
    assert res is not None and not res.hors_modele
    verifier_par_l_attaquant(table, res.cache)
    assert audit.auditer(t, res.cache, t.primaire(), temoins=res.certificats).sur
    assert t.cout[res.cache].sum() <= t.cout[heuristique.cache].sum() + 1e-6


def test_le_modele_exact_rend_a_l_heuristique_ce_qu_il_ne_peut_proteger():
    table = exemple()
    t = table.tableau()
    primaire = t.primaire()
    # only the commune's other families may be hidden: the EPCI column cannot be closed
    libres = np.array([i for i, (ter, g, _c, _f) in enumerate(table.cellules())
                       if ter == "commune:0" and g != "f1"])
    res = secteurs.proteger(t, primaire.copy(), primaire, libres, [])
    assert res is not None and res.hors_modele == list(np.flatnonzero(primaire))
    assert not (res.cache & ~primaire).any()  # nothing hidden for a cell it does not protect
