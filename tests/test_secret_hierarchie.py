"""Secondary suppression across the commune → EPCI → département hierarchy.

Property tests (hypothesis): on random FLORES-like tables aggregated the way the build does,
an attacker who knows every published cell and every sum relation (within a territory and
between levels) solves, by repeated subtraction, any relation with a single unknown. No
hidden cell may be recovered that way, and every published cell passes the primary rules.
"""

from __future__ import annotations

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl import secret

FAMILLES = ("association", "cooperative", "mutuelle", "prive_hors_ess", "public")
GROUPES = {  # family → the groups it counts in (as ref_groupes_familles)
    "association": ("association", "ess", "prive", "ensemble"),
    "cooperative": ("cooperative", "ess", "prive", "ensemble"),
    "mutuelle": ("mutuelle", "ess", "prive", "ensemble"),
    "prive_hors_ess": ("prive_hors_ess", "prive", "ensemble"),
    "public": ("public", "ensemble"),
}
A38 = {"QA": "Q", "QB": "Q", "GZ": "G", "PZ": "P"}


def construire_cube(flores: pd.DataFrame, appartenance: pd.DataFrame) -> pd.DataFrame:
    """int_emploi from FLORES-like rows (commune, famille, a38, nb, effectifs, maxi)."""
    lignes = flores.merge(appartenance, on="commune")
    lignes["section"] = lignes["a38"].map(A38)
    lignes = lignes.assign(groupe=lignes["famille"].map(GROUPES)).explode("groupe")
    niveaux = [(["a38", "section"], "a38", "a38"), (["section"], "a21", "section"), ([], "ensemble", None)]
    morceaux = []
    for cles, nomenclature, col in niveaux:
        g = lignes.groupby(["territoire", "groupe", *cles], as_index=False).agg(
            nb_etablissements=("nb", "sum"), effectifs=("effectifs", "sum"),
            effectif_max=("maxi", "max"))
        g["nomenclature"] = nomenclature
        g["secteur"] = g[col] if col else "_"
        g["section"] = g.get("section", "_")
        morceaux.append(g)
    cube = pd.concat(morceaux, ignore_index=True)
    cube["annee"] = 2021
    cube["eqtp"] = cube["effectifs"] * 0.9
    return cube[["territoire", "annee", "groupe", "nomenclature", "secteur", "section",
                 "nb_etablissements", "effectifs", "eqtp", "effectif_max"]]


def relations_connues(cube: pd.DataFrame, appartenance: pd.DataFrame) -> list[tuple]:
    """Every (total, parts) relation an outsider knows, written independently of etl.secret:
    within a territory (families, private, all, sections, A38) and between levels (EPCI =
    its communes, département = its EPCI, département = its communes)."""
    cellules = {tuple(r[:5]): r[5] for r in cube[["territoire", "annee", "groupe", "nomenclature",
                                                   "secteur", "effectifs"]].itertuples(index=False)}
    territoires = sorted(cube["territoire"].unique())
    secteurs = [("ensemble", "_")] + [("a21", s) for s in sorted(set(A38.values()))] + \
        [("a38", a) for a in sorted(A38)]
    rel = []

    def ajouter(total, parts):
        if total in cellules:
            rel.append((total, [p for p in parts if p in cellules]))

    for t in territoires:
        for nom, sec in secteurs:
            def c(g, t=t, nom=nom, sec=sec):
                return (t, 2021, g, nom, sec)
            ajouter(c("ess"), [c(f) for f in ("association", "cooperative", "mutuelle")])
            ajouter(c("prive"), [c("ess"), c("prive_hors_ess")])
            ajouter(c("ensemble"), [c("prive"), c("public")])
        for g in GROUPES["association"] + ("prive_hors_ess", "public", "cooperative", "mutuelle"):
            ajouter((t, 2021, g, "ensemble", "_"), [(t, 2021, g, "a21", s) for s in set(A38.values())])
            for s in set(A38.values()):
                ajouter((t, 2021, g, "a21", s),
                        [(t, 2021, g, "a38", a) for a, sec in A38.items() if sec == s])
    enfants = appartenance.groupby("territoire")["commune"].apply(set)
    epci = [t for t in territoires if t.startswith("epci:")]
    decoupages = [(e, [f"commune:{c}" for c in enfants[e]]) for e in epci]
    decoupages += [("departement:99", epci), ("departement:99", [f"commune:{c}" for c in
                                                                 enfants["departement:99"]])]
    groupes = set(cube["groupe"])
    for parent, parts in decoupages:
        for g in groupes:
            for nom, sec in secteurs:
                ajouter((parent, 2021, g, nom, sec), [(p, 2021, g, nom, sec) for p in parts])
    return rel, cellules


def attaque(cube_publie: pd.DataFrame, relations: list[tuple]) -> set[tuple]:
    """Cells recovered by repeated subtraction from the published values."""
    connu = {tuple(r[:5]) for r in cube_publie[~cube_publie["secret"]][
        ["territoire", "annee", "groupe", "nomenclature", "secteur"]].itertuples(index=False)}
    retrouve: set[tuple] = set()
    progres = True
    while progres:
        progres = False
        for total, parts in relations:
            inconnus = [c for c in (total, *parts) if c not in connu]
            if len(inconnus) == 1:
                connu.add(inconnus[0])
                retrouve.add(inconnus[0])
                progres = True
    return retrouve


@st.composite
def tables(draw):
    n_communes = draw(st.integers(2, 6))
    communes = [f"{31000 + i}" for i in range(n_communes)]
    n_epci = draw(st.integers(1, min(3, n_communes)))
    # each EPCI gets at least one commune
    epci_de = [i % n_epci for i in range(n_communes)]
    epci_de = draw(st.permutations(epci_de))
    appartenance = pd.DataFrame(
        [(c, f"commune:{c}") for c in communes]
        + [(c, f"epci:{e}") for c, e in zip(communes, epci_de, strict=True)]
        + [(c, "departement:99") for c in communes], columns=["commune", "territoire"])
    lignes = []
    for c in communes:
        for f in FAMILLES:
            for a in A38:
                if draw(st.booleans()):
                    nb = draw(st.integers(1, 6))
                    eff = draw(st.integers(nb, 40 * nb))
                    maxi = draw(st.one_of(st.none(), st.integers(1, max(1, eff))))
                    lignes.append((c, f, a, nb, eff, maxi if nb > 1 else eff))
    if not lignes:
        lignes.append((communes[0], "association", "QB", 1, 5, 5))
    flores = pd.DataFrame(lignes, columns=["commune", "famille", "a38", "nb", "effectifs", "maxi"])
    return construire_cube(flores, appartenance), appartenance


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_aucune_valeur_cachee_retrouvee_par_soustraction(donnees):
    cube, appartenance = donnees
    publie = secret.appliquer(cube, hierarchie=appartenance)
    relations, _ = relations_connues(cube, appartenance)
    assert attaque(publie, relations) == set()
    assert publie.loc[publie["secret"], ["effectifs", "eqtp"]].isna().all().all()
    visibles = cube[~publie["secret"].to_numpy()]
    assert (visibles["nb_etablissements"] >= secret.SEUIL_FREQUENCE).all()
    domine = visibles["effectif_max"] > secret.SEUIL_DOMINANCE * visibles["effectifs"]
    assert not domine.fillna(False).any()


def _exemple_hierarchique():
    """EPCI of two communes: the small one is hidden by the frequency rule, the other and
    the EPCI are published, so the small one is EPCI − the other one."""
    appartenance = pd.DataFrame(
        [("31001", "commune:31001"), ("31002", "commune:31002"), ("31001", "epci:1"),
         ("31002", "epci:1"), ("31001", "departement:99"), ("31002", "departement:99")],
        columns=["commune", "territoire"])
    flores = pd.DataFrame([("31001", "association", "QB", 2, 30, None),
                           ("31002", "association", "QB", 8, 200, None)],
                          columns=["commune", "famille", "a38", "nb", "effectifs", "maxi"])
    return construire_cube(flores, appartenance), appartenance


def test_sans_hierarchie_la_soustraction_entre_niveaux_reussit():
    """The attacker is not toothless: without the hierarchy, the commune is recovered."""
    cube, appartenance = _exemple_hierarchique()
    relations, _ = relations_connues(cube, appartenance)
    assert ("commune:31001", 2021, "association", "ensemble", "_") in attaque(
        secret.appliquer(cube), relations)


def test_avec_hierarchie_la_commune_voisine_est_masquee():
    cube, appartenance = _exemple_hierarchique()
    publie = secret.appliquer(cube, hierarchie=appartenance).set_index(
        ["territoire", "groupe", "nomenclature", "secteur"])["secret"]
    relations, _ = relations_connues(cube, appartenance)
    assert attaque(secret.appliquer(cube, hierarchie=appartenance), relations) == set()
    assert publie[("commune:31002", "association", "ensemble", "_")]
    # the EPCI and département totals stay published: the commune is hidden instead
    assert not publie[("epci:1", "association", "ensemble", "_")]
    assert not publie[("departement:99", "ess", "ensemble", "_")]


def test_decoupages_niveaux():
    appartenance = pd.DataFrame(
        [("1", "commune:1"), ("2", "commune:2"), ("3", "commune:3"),
         ("1", "epci:a"), ("2", "epci:a"), ("3", "epci:b"),
         ("1", "petr:p"), ("2", "petr:p"),  # PETR = EPCI a, commune 3 in no PETR
         ("1", "departement:99"), ("2", "departement:99"), ("3", "departement:99")],
        columns=["commune", "territoire"])
    rel = secret.decoupages(appartenance)
    ensembles = {frozenset(g["territoire"]) for _, g in rel.groupby("relation")}
    assert frozenset({"epci:a", "commune:1", "commune:2"}) in ensembles
    assert frozenset({"departement:99", "epci:a", "epci:b"}) in ensembles
    assert frozenset({"epci:a", "petr:p"}) in ensembles  # same communes: equal cells
    # PETR do not cover the département: no relation département = PETR
    assert frozenset({"departement:99", "petr:p"}) not in ensembles
    parents = rel[rel["parent"]].groupby("relation")["territoire"].first()
    assert set(parents) <= {"epci:a", "epci:b", "petr:p", "departement:99", "commune:3"}
