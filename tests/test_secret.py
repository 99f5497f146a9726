"""Secret statistique on hand-built and random tables, checked by an attacker that does not
share the protection's reasoning (tests/secret_tables.py: cell-space LP over the table's
equations, its own a-priori bounds and insiders) and by the project's audit."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl.secret import audit, exact, suppression
from etl.secret.tableau import Tableau, dominante_micro
from tests.secret_tables import Table, divulgations, intervalle


def proteger(t: Tableau) -> np.ndarray:
    primaire = t.primaire()
    return suppression.proteger(t, primaire, np.flatnonzero(primaire)).cache


def exacte(t: Tableau) -> exact.Resultat:
    """The exact model with every cell that is not primary free (as the build does)."""
    primaire = t.primaire()
    return exact.proteger(t, primaire.copy(), primaire, np.flatnonzero(~primaire), [])


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
    assert divulgations(table, cache) == []
    assert cache.sum() >= 4  # a cell alone in its relations would be a difference


def test_l_audit_trouve_la_divulgation_d_un_tableau_sous_protege():
    table = exemple()
    t = table.tableau()
    seul = t.primaire()  # the sensitive cell hidden alone: ess − the other families
    lo, hi = intervalle(table, seul, int(np.flatnonzero(seul)[0]))
    assert hi - lo < 1e-6  # the independent attacker recomputes it
    constat = audit.auditer(t, seul, t.primaire())
    assert not constat.sur and constat.determinees and constat.sous_protegees


def petite_commune() -> Table:
    """Commune 0: one association (12 jobs) and three shops of one job each (private, outside
    the ESS): its privé total minus one job per shop is the association's figure."""
    ess = np.array([[12, 0], [30, 9], [25, 14], [41, 6]])
    nb_ess = np.array([[1, 0], [4, 3], [3, 4], [5, 2]])
    hors = np.array([[3], [80], [64], [120]])
    nb_hors = np.array([[3], [11], [9], [15]])
    return Table([0, 0, 0, 0], np.hstack([ess, hors]), np.hstack([nb_ess, nb_hors]), hors=True)


def test_petite_commune_une_association_et_des_commerces_d_un_emploi():
    table = petite_commune()
    cache = exacte(table.tableau()).cache
    assert divulgations(table, cache) == []
    index = {(t, g): i for i, (t, g, _c, _f) in enumerate(table.cellules())}
    assert cache[index[("commune:0", "ess")]] and cache[index[("commune:0", "prive")]]
    # the previous model (no count of establishments per micro-cell, no insider) leaves the
    # privé total published, and the attacker reads the association's figure
    t = table.tableau()
    naif = Tableau(A=t.A, micro=t.micro, micro_min=np.zeros_like(t.micro), nb=t.nb, cout=t.cout,
                   zones=t.zones, dominante=t.dominante)
    naif_cache = suppression.proteger(naif, naif.primaire(), np.flatnonzero(naif.primaire())).cache
    assert not naif_cache[index[("commune:0", "prive")]]
    assert any("('commune:0', 'ess') = 12" in d for d in divulgations(table, naif_cache))


def deux_singletons() -> Table:
    """Family f1 (a sector): one establishment in commune 0 (EPCI 0), one in commune 2 (EPCI 1),
    several in commune 4 (EPCI 2): the département's f1 minus commune 4's is the sum of the
    two singletons, so each, knowing its own figure, learns the other's."""
    valeurs = np.array([[45, 30], [52, 0], [38, 25], [60, 0], [70, 40], [66, 0]])
    nb = np.array([[5, 1], [6, 0], [4, 1], [7, 0], [8, 5], [6, 0]])
    return Table([0, 0, 1, 1, 2, 2], valeurs, nb)


def test_deux_singletons_qui_se_completent():
    table = deux_singletons()
    cache = exacte(table.tableau()).cache
    assert divulgations(table, cache) == []
    # protected against outsiders only (tau-ARGUS' audit), each singleton learns the other
    sans_initie = exacte(table.tableau(initie=False)).cache
    trouvees = divulgations(table, sans_initie)
    assert trouvees and all("par l'établissement seul" in d for d in trouvees)
    # and the project's audit sees it too
    constat = audit.auditer(table.tableau(), sans_initie, table.tableau().primaire())
    assert constat.par_initie and not constat.sous_protegees


@st.composite
def tables(draw, hors: bool = False):
    """Communes in up to 3 EPCI, 2-3 families; many single establishments and one-job ones."""
    n = draw(st.integers(3, 6))
    k = draw(st.integers(2, 3)) + hors
    epci = sorted(draw(st.lists(st.integers(0, 2), min_size=n, max_size=n)))
    nb = np.array(draw(st.lists(st.lists(st.integers(0, 4), min_size=k, max_size=k), min_size=n, max_size=n)))
    taille = np.array(draw(st.lists(st.lists(st.sampled_from([1, 1, 2, 5, 12, 30]), min_size=k, max_size=k),
                                    min_size=n, max_size=n)))
    return Table(epci, nb * taille, nb, hors=hors)


REGLAGES = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@REGLAGES
@given(st.one_of(tables(), tables(hors=True)))
def test_tables_aleatoires_protegees_contre_l_attaquant_et_chaque_initie(table):
    t = table.tableau()
    res = suppression.proteger(t, t.primaire(), np.flatnonzero(t.primaire()))
    if res.impossibles or res.impossibles_initie:  # e.g. a département with a single employer
        assert res.cache[res.impossibles].all()
        return
    assert divulgations(table, res.cache) == []
    assert audit.auditer(t, res.cache, t.primaire()).sur  # and the project's audit agrees


@REGLAGES
@given(st.one_of(tables(), tables(hors=True)))
def test_l_audit_voit_ce_que_voit_l_attaquant_sur_un_tableau_sous_protege(table):
    t = table.tableau()
    cache = t.primaire()  # primary suppression only
    constat = audit.auditer(t, cache, t.primaire())
    assert constat.sur == (not divulgations(table, cache))


def test_le_modele_exact_cache_moins_que_l_heuristique():
    # found by random search: the one-cell-at-a-time heuristic hides 17 cells (cost 889), the
    # optimum of the cuts 13 (cost 731)
    nb = np.array([[6, 0, 2], [2, 6, 1], [3, 1, 0], [5, 0, 1]])
    table = Table([0, 0, 0, 1], np.array([[90, 0, 8], [58, 132, 28], [9, 22, 0], [80, 0, 9]]), nb)
    t = table.tableau()
    heuristique = proteger(t)
    res = exacte(t)
    assert res is not None and not res.hors_modele
    assert divulgations(table, res.cache) == []
    assert (t.cout[heuristique].sum(), heuristique.sum()) == (889, 17)
    assert (t.cout[res.cache].sum(), res.cache.sum()) == (731, 13)


@pytest.mark.parametrize("bloc", [None, 0], ids=["tout", "par-blocs"])
@REGLAGES
@given(st.one_of(tables(), tables(hors=True)))
def test_modele_exact_sur_des_tables_aleatoires(bloc, table):
    # par blocs, as in a région: the model seeks each cell's protection within the départements
    # it lies in (here each EPCI stands for a département, the département for the région);
    # the independent attacker still sees the whole table
    t = table.tableau()
    t.bloc = bloc
    heuristique = suppression.proteger(t, t.primaire(), np.flatnonzero(t.primaire()))
    if heuristique.impossibles or heuristique.impossibles_initie:
        return
    res = exacte(t)
    assert res is not None and not res.hors_modele
    assert divulgations(table, res.cache) == []
    assert audit.auditer(t, res.cache, t.primaire(), temoins=res.certificats).sur
    if bloc is None:  # the whole table's optimum (blocks' cuts may ask more)
        assert t.cout[res.cache].sum() <= t.cout[heuristique.cache].sum() + 1e-6


def test_le_modele_exact_rend_a_l_heuristique_ce_qu_il_ne_peut_proteger():
    table = exemple()
    t = table.tableau()
    primaire = t.primaire()
    # only the commune's other families may be hidden: the EPCI column cannot be closed
    libres = np.array([i for i, (ter, g, _c, _f) in enumerate(table.cellules())
                       if ter == "commune:0" and g != "f1"])
    res = exact.proteger(t, primaire.copy(), primaire, libres, [])
    assert res is not None and res.hors_modele == list(np.flatnonzero(primaire))
    assert not (res.cache & ~primaire).any()  # nothing hidden for a cell it does not protect

