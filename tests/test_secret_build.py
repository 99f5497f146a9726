"""The secret statistique as a build step with a proof: determinism, the attacker's audit on a
built database (CLI), a database that fails the audit never swapped in, and impossible inputs
still building with the cells hidden."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import duckdb
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from etl import secret
from etl.build import BuildError, Progression, construire, preparer
from etl.secret import emploi, exact, suppression
from etl.sources.chargement import Fichiers
from tests.conftest import RACINE
from tests.test_sources_flores import LIGNES, ecrire_flores
from tests.test_sources_sirene import fichiers_sirene

# more rows than tests.test_sources_flores: several ESS families per commune, so the
# protection has real choices, and one cooperative alone in its EPCI (primary-sensitive)
LIGNES_ESS = [
    *LIGNES,
    ("2022", "31069", "QB", "association", "6", "80", "70"),
    ("2022", "31069", "PZ", "association", "4", "35", "30"),
    ("2022", "31069", "GZ", "prive_hors_ess", "20", "400", "380"),
    ("2022", "31555", "PZ", "fondation", "3", "44", "40"),
    ("2022", "31395", "KZ", "mutuelle", "3", "25", "23"),
    ("2022", "31395", "GZ", "prive_hors_ess", "12", "150", "140"),
    ("2022", "31395", "FZ", "cooperative", "1", "9", "8"),
]


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    dossier = tmp_path_factory.mktemp("secret")
    etab, ul = fichiers_sirene(dossier / "sirene")
    flores = ecrire_flores(dossier / "flores.csv", lignes=LIGNES_ESS)
    fichiers = Fichiers(sirene_etablissements=etab, sirene_unites_legales=ul, flores=flores)
    db = dossier / "ess.duckdb"
    construire(db, "31", afficher=lambda _m: None, fichiers=fichiers)
    return db, fichiers


def _modele(fichiers: Fichiers, annee: int = 2022) -> emploi.Annee:
    """The table the protection sees for that year, from the files alone."""
    prep = preparer("31", fichiers, Progression(lambda _m: None))
    try:
        return emploi.annees(prep.con)[annee]
    finally:
        prep.con.close()


def _cli_audit(db, fichiers) -> subprocess.CompletedProcess:
    options = ["--sirene-etablissements", fichiers.sirene_etablissements,
               "--sirene-unites-legales", fichiers.sirene_unites_legales, "--flores", fichiers.flores]
    return subprocess.run([sys.executable, "-m", "etl", "audit-secret", "--db", str(db), *map(str, options)],
                          cwd=RACINE, capture_output=True, text=True, timeout=600)


def test_audit_en_ligne_de_commande(base):
    db, fichiers = base
    r = _cli_audit(db, fichiers)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Audit réussi" in r.stdout and "0 recalculable(s) exactement" in r.stdout
    con = duckdb.connect(str(db), read_only=True)
    rapport = con.execute("SELECT sum(determinees + sous_protegees) FROM secret_rapport").fetchone()[0]
    con.close()
    assert rapport == 0


def test_l_audit_voit_une_base_falsifiee(base, tmp_path):
    """Publish one complement again (its true value back): the attacker must now recompute a
    hidden cell — found from the database alone, whatever the protection thought."""
    db, fichiers = base
    copie = tmp_path / "falsifiee.duckdb"
    copie.write_bytes(db.read_bytes())
    prep = preparer("31", fichiers, Progression(lambda _m: None))
    try:
        vrai = prep.con.execute("SELECT territoire, groupe, nomenclature, secteur, effectifs, eqtp "
                                "FROM int_emploi").df()
    finally:
        prep.con.close()
    con = duckdb.connect(str(copie))
    caches = con.execute("SELECT territoire, groupe, nomenclature, secteur FROM emploi WHERE secret "
                         "ORDER BY nb_etablissements DESC, territoire, groupe, secteur").fetchall()
    assert len(caches) >= 2
    t, g, n, s = caches[0]  # the largest hidden cell: a complement, not primary
    v = vrai[(vrai.territoire == t) & (vrai.groupe == g) & (vrai.nomenclature == n) & (vrai.secteur == s)]
    con.execute("UPDATE emploi SET secret = false, effectifs = ?, eqtp = ? WHERE territoire = ? AND "
                "groupe = ? AND nomenclature = ? AND secteur = ?",
                [int(v.effectifs.iloc[0]), float(v.eqtp.iloc[0]), t, g, n, s])
    con.close()
    r = _cli_audit(copie, fichiers)
    assert r.returncode == 3, r.stdout + r.stderr
    assert "DIVULGATION" in r.stdout


@pytest.fixture(scope="module")
def base_singletons(tmp_path_factory):
    """LIGNES_ESS and a foundation alone in 31395 beside its cooperative alone: two
    establishments each alone in its micro-cell, each knowing its own figure."""
    dossier = tmp_path_factory.mktemp("singletons")
    etab, ul = fichiers_sirene(dossier / "sirene")
    lignes = [*LIGNES_ESS, ("2022", "31395", "PZ", "fondation", "1", "12", "11")]
    fichiers = Fichiers(sirene_etablissements=etab, sirene_unites_legales=ul,
                        flores=ecrire_flores(dossier / "flores.csv", lignes=lignes))
    db = dossier / "ess.duckdb"
    construire(db, "31", afficher=lambda _m: None, fichiers=fichiers)
    return db, fichiers


def test_l_audit_voit_ce_qu_un_etablissement_seul_apprend(base_singletons, tmp_path):
    """Publish the département's cooperatives and the intermediate-density mutuals again (true
    values): nothing is then recomputable from outside, but the foundation alone in 31395,
    knowing its own jobs, narrows the cooperative's. The audit fails on that insider alone and
    names it; the built database itself passes."""
    db, fichiers = base_singletons
    r = _cli_audit(db, fichiers)
    assert r.returncode == 0, r.stdout + r.stderr
    copie = tmp_path / "falsifiee.duckdb"
    copie.write_bytes(db.read_bytes())
    prep = preparer("31", fichiers, Progression(lambda _m: None))
    try:
        vrai = prep.con.execute("SELECT * FROM int_emploi").df()
        a = emploi.annees(prep.con)[2022]
    finally:
        prep.con.close()
    c = a.cellules.reset_index(drop=True)
    memes = []  # each cell with every published cell of the same micro-data (the same number)
    ensemble = c["nomenclature"] == "ensemble"
    for territoire, groupe in [("departement:31", "cooperative"),
                               ("densite:urbain-intermediaire", "mutuelle")]:
        i = c.index[ensemble & (c["territoire"] == territoire) & (c["groupe"] == groupe)]
        memes.append(c[a.classe == a.classe[i[0]]])
    cle = ["territoire", "groupe", "nomenclature", "secteur"]
    publier = pd.concat(memes)[cle].merge(vrai[[*cle, "effectifs", "eqtp"]], on=cle)
    con = duckdb.connect(str(copie))
    con.register("publier", publier)
    assert con.execute("SELECT count(*) FROM emploi JOIN publier USING (territoire, groupe, nomenclature, "
                       "secteur) WHERE secret").fetchone()[0] > 0  # they were hidden
    con.execute("UPDATE emploi SET secret = false, effectifs = p.effectifs, eqtp = p.eqtp FROM publier p "
                "WHERE emploi.territoire = p.territoire AND emploi.groupe = p.groupe "
                "AND emploi.nomenclature = p.nomenclature AND emploi.secteur = p.secteur")
    con.close()
    r = _cli_audit(copie, fichiers)
    assert r.returncode == 3, r.stdout + r.stderr
    assert "divulguée à un initié" in r.stdout and "l'établissement seul de commune:31395" in r.stdout
    assert "recalculable :" not in r.stdout and "sous-protégée :" not in r.stdout  # outsiders learn nothing


def test_chaque_etablissement_seul_est_un_attaquant(base_singletons):
    """The model the build protects against knows both establishments alone in their line (the
    cooperative and the foundation of 31395) as insiders, each knowing its own jobs, and no
    other line (the others count several establishments)."""
    _db, fichiers = base_singletons
    a = _modele(fichiers)
    for mesure, valeurs in (("effectifs", [9, 12]), ("eqtp", [8, 11])):
        t = a.tableaux[mesure]
        seuls = sorted(a.micro_noms[m] for m in t.initie)
        assert seuls == ["l'établissement seul de commune:31395 cooperative FZ",
                         "l'établissement seul de commune:31395 fondation PZ"], mesure
        ordre = np.argsort([a.micro_noms[m] for m in t.initie])
        assert list(t.initie_min[ordre]) == valeurs and list(t.initie_max[ordre]) == valeurs


def test_petite_commune_au_prive_publie_jamais_soustraite(tmp_path):
    """Public SIRENE counts six employer establishments outside the ESS in 31069, each employing
    someone: were the commune's private jobs published (11), its ESS (one association, 5 jobs)
    would be at most 11 − 6 = 5, its exact figure. The build hides the private total too."""
    etab, ul = fichiers_sirene(tmp_path / "sirene")
    lignes = [*LIGNES, ("2022", "31069", "QB", "association", "1", "5", "4.5"),
              ("2022", "31069", "GZ", "prive_hors_ess", "6", "6", "6")]
    db = tmp_path / "ess.duckdb"
    flores = ecrire_flores(tmp_path / "flores.csv", lignes=lignes)
    construire(db, "31", afficher=lambda _m: None,
               fichiers=Fichiers(sirene_etablissements=etab, sirene_unites_legales=ul, flores=flores))
    con = duckdb.connect(str(db), read_only=True)
    publie = dict(con.execute("SELECT groupe, effectifs FROM emploi WHERE territoire = 'commune:31069' "
                              "AND nomenclature = 'ensemble'").fetchall())
    con.close()
    assert publie["ess"] is None
    assert publie["prive"] is None or publie["prive"] - 6 >= 5 * 1.1  # the subtraction fails


def test_une_base_qui_echoue_a_l_audit_n_est_jamais_publiee(base, tmp_path, monkeypatch):
    db, fichiers = base
    cible = tmp_path / "ess.duckdb"
    cible.write_bytes(db.read_bytes())
    avant = hashlib.sha256(cible.read_bytes()).hexdigest()
    # a protection that hides the primary cells only (no complement, no witness)
    def primaire_seule(t, cache, ordre, certificats=()):
        return suppression.Resultat(cache.copy())
    monkeypatch.setattr(suppression, "proteger", primaire_seule)
    monkeypatch.setattr(exact, "proteger", lambda *_a, **_k: None)  # the heuristic decides all
    monkeypatch.setenv("ESS_CACHE_SECRET", "")
    original = secret.publier
    # in this process
    monkeypatch.setattr(secret, "publier", lambda con, **k: original(con, processus=1, **k))
    with pytest.raises(BuildError, match="Audit du secret statistique en échec"):
        construire(cible, "31", afficher=lambda _m: None, fichiers=fichiers)
    assert hashlib.sha256(cible.read_bytes()).hexdigest() == avant


def test_un_seul_employeur_de_l_ess_construit_quand_meme(tmp_path):
    etab, ul = fichiers_sirene(tmp_path / "sirene")
    lignes = [("2022", "31555", "QB", "association", "1", "12", "11"),
              ("2022", "31555", "GZ", "prive_hors_ess", "30", "900", "850"),
              ("2022", "31395", "GZ", "prive_hors_ess", "12", "150", "140")]
    flores = ecrire_flores(tmp_path / "flores.csv", lignes=lignes)
    db = tmp_path / "ess.duckdb"
    info = construire(db, "31", afficher=lambda _m: None,
                      fichiers=Fichiers(sirene_etablissements=etab, sirene_unites_legales=ul, flores=flores))
    con = duckdb.connect(str(db), read_only=True)
    ess = con.execute("SELECT count(*), bool_and(secret) FROM emploi WHERE groupe IN ('ess', 'association')"
                      ).fetchone()
    con.close()
    assert ess[0] > 0 and ess[1]  # every ESS cell hidden, everywhere
    assert info["secret_audit"] == "réussi"


@pytest.fixture(scope="module")
def demo_deux_ordres() -> tuple[dict, dict]:
    """The default demo's year models, from its rows in their order and in another one."""
    prep = preparer("31", Fichiers(), Progression(lambda _m: None))
    try:
        a = emploi.annees(prep.con)
        prep.con.execute("CREATE OR REPLACE TABLE stg_flores AS SELECT * FROM stg_flores ORDER BY random()")
        prep.con.execute("CREATE OR REPLACE TABLE int_etablissements AS "
                         "SELECT * FROM int_etablissements ORDER BY random()")
        return a, emploi.annees(prep.con)
    finally:
        prep.con.close()


def test_meme_donnees_memes_cellules_cachees(db_demo, demo_deux_ordres):
    """Rows in another order give the same model, byte for byte, and the same hidden cells: the
    protection computed here from them is the one shipped, computed in another process from the
    rows in their order (read, not computed again, when the shipped set is today's)."""
    a, b = demo_deux_ordres
    assert [emploi.empreinte(x) for x in a.values()] == [emploi.empreinte(x) for x in b.values()]
    annee = min(a)
    ca, _ = emploi.proteger(a[annee], livrees=secret.LIVREES)
    cb, rb = emploi.proteger(b[annee])
    assert np.array_equal(ca, cb) and rb["lp"] > 0
    # and the cells published by the demo build are those
    con = duckdb.connect(str(db_demo), read_only=True)
    cle = ["territoire", "groupe", "nomenclature", "secteur"]
    publie = con.execute("SELECT territoire, groupe, nomenclature, secteur, secret FROM emploi "
                         "WHERE annee = ? ORDER BY ALL", [annee]).df()
    con.close()
    cellules = a[annee].cellules.assign(secret=ca).sort_values(cle)
    assert publie["secret"].tolist() == cellules["secret"].tolist()


def test_fourchettes_publiees_exactes_et_sans_rien_de_plus(db_demo):
    """The interval published for a hidden ESS total holds its true value, is no point (the
    cell is not recomputable), and lies within what plain arithmetic on the published rows
    gives: département − published EPCI = the hidden EPCI together; the other hidden one is
    at least its number of establishments and at most its communes' published privé total."""
    con = duckdb.connect(str(db_demo), read_only=True)
    fourchettes = con.execute("SELECT * FROM emploi_fourchettes ORDER BY annee").df()
    assert set(fourchettes["territoire"]) == {"epci:243100781"}  # Le Grand Ouest Toulousain
    assert len(fourchettes) == len(con.execute("SELECT DISTINCT annee FROM emploi").fetchall())
    prep = preparer("31", Fichiers(), Progression(lambda _m: None))
    try:
        vrai = dict(prep.con.execute(
            "SELECT annee, effectifs FROM int_emploi WHERE territoire = 'epci:243100781' "
            "AND groupe = 'ess' AND nomenclature = 'ensemble'").fetchall())
    finally:
        prep.con.close()
    for f in fourchettes.itertuples():
        ess = con.execute("SELECT t.niveau, e.territoire, e.effectifs, e.nb_etablissements, e.secret "
                          "FROM emploi e JOIN territoires t USING (territoire) WHERE e.annee = ? "
                          "AND e.groupe = 'ess' AND e.nomenclature = 'ensemble' "
                          "AND t.niveau IN ('departement', 'epci')", [f.annee]).df()
        departement = int(ess.loc[ess["niveau"] == "departement", "effectifs"].iloc[0])
        epci = ess[ess["niveau"] == "epci"]
        autres = epci[epci["secret"] & (epci["territoire"] != f.territoire)]
        assert len(autres) == 1  # Tarn-Agout (partie haut-garonnaise)
        reste = departement - int(epci.loc[~epci["secret"], "effectifs"].sum())
        (prive,) = con.execute("SELECT sum(e.effectifs) FROM emploi e JOIN appartenance a ON "
                               "a.commune = replace(e.territoire, 'commune:', '') WHERE a.territoire = ? "
                               "AND e.annee = ? AND e.groupe = 'prive' AND NOT e.secret",
                               [autres["territoire"].iloc[0], f.annee]).fetchone()
        assert reste - prive <= f.effectifs_min <= vrai[f.annee] <= f.effectifs_max
        assert f.effectifs_min < f.effectifs_max
        assert f.effectifs_max <= reste - int(autres["nb_etablissements"].iloc[0])
    con.close()


def test_l_audit_refuse_une_fourchette_plus_etroite_que_les_chiffres_publies(db_demo):
    """The auditor recomputes each published interval from the publication: the demo's hold;
    the same interval narrowed by one job on either side is a disclosure."""
    from etl.audit_secret import _verifier_fourchettes

    con = duckdb.connect(str(db_demo), read_only=True)
    publiees = con.execute("SELECT * FROM emploi_fourchettes WHERE annee = 2021").df()
    secret_2021 = con.execute("SELECT territoire, groupe, nomenclature, secteur, secret FROM emploi "
                              "WHERE annee = 2021").df()
    con.close()
    prep = preparer("31", Fichiers(), Progression(lambda _m: None))
    try:
        a = emploi.annees(prep.con)[2021]
    finally:
        prep.con.close()
    lignes = a.cellules.merge(secret_2021, on=["territoire", "groupe", "nomenclature", "secteur"])
    cache = np.zeros(a.tableaux["effectifs"].A.shape[0], bool)
    cache[a.classe[lignes["secret"].to_numpy(bool)]] = True
    messages = []
    assert _verifier_fourchettes(a, publiees, cache, messages.append)
    for colonne, pas in (("effectifs_min", 1), ("effectifs_max", -1)):
        etroite = publiees.assign(**{colonne: publiees[colonne] + pas})
        assert not _verifier_fourchettes(a, etroite, cache, messages.append)
    assert sum("fourchette trop étroite" in m for m in messages) == 2


def test_la_demo_ne_cache_guere_plus_que_les_cellules_sensibles(db_demo):
    """What the demo build hides beyond the primary-sensitive cells, in points of hidden share
    over 2017–2023, no more than measured when the attacker came to read SIRENE and to be an
    establishment (issue 25: +23,1 communes' private jobs, +11,8 EPCI sections, +16,5 EPCI
    families, +14,7 PETR sections). Most of it is forced: with every other cell hidden, 2017
    still needs +21,7 points of the communes' private cells (a small commune's ESS cell is its
    private total minus its other establishments' size bands), see bench/bench_secret.py."""
    prep = preparer("31", Fichiers(), Progression(lambda _m: None))
    try:
        modele = emploi.annees(prep.con)
    finally:
        prep.con.close()
    cle = ["annee", "territoire", "groupe", "nomenclature", "secteur"]
    sensibles = pd.concat(a.cellules.assign(primaire=a.tableaux["effectifs"].primaire()[a.classe])
                          for a in modele.values())
    con = duckdb.connect(str(db_demo), read_only=True)
    publie = con.execute("SELECT annee, territoire, groupe, nomenclature, secteur, secret FROM emploi").df()
    con.close()
    c = sensibles.merge(publie, on=cle, validate="one_to_one")
    assert len(c) == len(publie)

    def ecart(niveau, groupes, nomenclature):
        s = c[(c["niveau"] == niveau) & c["groupe"].isin(groupes) & (c["nomenclature"] == nomenclature)]
        assert s.loc[s["primaire"], "secret"].all()
        return 100 * (s["secret"].mean() - s["primaire"].mean())

    assert ecart("epci", ["ess"], "a21") <= 12.5
    assert ecart("epci", list(emploi.FAMILLES), "ensemble") <= 17.5
    assert ecart("commune", ["prive"], "ensemble") <= 24
    assert ecart("petr", ["ess"], "a21") <= 15.5


def test_la_cle_du_cache_change_avec_chaque_regle(base, monkeypatch):
    """A protection computed under other rules is never reused: each rule of the method, and
    the table, changes the key of the kept protections."""
    from etl.secret import tableau

    _db, fichiers = base
    a = _modele(fichiers)
    cles = {emploi.empreinte(a)}
    for module, nom, valeur in [(tableau, "SEUIL_FREQUENCE", 4), (tableau, "SEUIL_DOMINANCE", 0.9),
                                (tableau, "PROTECTION", 0.15), (tableau, "PROTECTION_MIN", 2.0),
                                (tableau, "PROTECTION_INITIE", None), (emploi, "COUT_FIXE", 10.0),
                                (emploi, "FACTEUR_FAMILLES", 1.0), (emploi, "FACTEUR_A21", 1.0),
                                (emploi, "VERSION", "autre")]:
        with monkeypatch.context() as m:
            m.setattr(module, nom, valeur)
            cles.add(emploi.empreinte(a))
    with monkeypatch.context() as m:
        m.setitem(emploi.POIDS_NIVEAU, "epci", 1.0)
        cles.add(emploi.empreinte(a))
    a.tableaux["effectifs"].micro[0] += 1  # another table
    cles.add(emploi.empreinte(a))
    assert len(cles) == 12


def test_protection_gardee_relue_a_l_identique(base, tmp_path):
    """A kept protection read back (a second build) hides the same cells and hands the audit
    the same witnesses: it proves as many sensitive cells by them as when computed."""
    _db, fichiers = base
    a = _modele(fichiers)
    calcule, r1 = emploi.proteger(a, tmp_path)
    assert len(list(tmp_path.glob("*.npz"))) == 1
    relu, r2 = emploi.proteger(a, tmp_path)
    assert (relu == calcule).all() and r2["lp"] == 0 < r1["lp"]  # read, not computed again
    livree, r3 = emploi.proteger(a, tmp_path / "vide", livrees=tmp_path)  # shipped, as the demo's
    assert (livree == calcule).all() and r3["lp"] == 0 and r3["audit_effectifs"].sur
    # the solver's seconds, within the protection's and the audit's: the computed protection's LPs
    assert 0 < r1["duree_solveur"] <= r1["duree_protection"] + r1["duree_audit"]
    assert r2["duree_solveur"] < r1["duree_solveur"]
    for mesure in emploi.MESURES:
        assert r2[f"audit_{mesure}"].sur and r1[f"audit_{mesure}"].temoins > 0
        assert r2[f"audit_{mesure}"].temoins == r1[f"audit_{mesure}"].temoins
        assert r2[f"audit_{mesure}"].bornes_calculees == r1[f"audit_{mesure}"].bornes_calculees


def test_protections_livrees_de_la_demo_a_jour(demo_deux_ordres):
    """The demo's shipped protections are those of today's demo, every year and nothing else: a
    fresh machine's first build reads them (`make protections-demo` after any change to the demo
    or to the protection; a stale file would silently cost minutes)."""
    attendus = {f"{emploi.empreinte(a)}.npz" for a in demo_deux_ordres[0].values()}
    livres = {f.name for f in secret.LIVREES.glob("*.npz")}
    assert livres == attendus, "protections de la démo à refaire : make protections-demo"


def test_une_machine_neuve_lit_les_protections_livrees(db_demo):
    """The demo built with no protection kept (a fresh machine) computes none: it reads the
    shipped ones, and audits them all the same."""
    with duckdb.connect(str(db_demo), read_only=True) as con:
        calculs, annees = con.execute("SELECT sum(programmes_lineaires), count(DISTINCT annee) "
                                      "FROM secret_rapport").fetchone()
        audit = con.execute("SELECT valeur FROM build_info WHERE cle = 'secret_audit'").fetchone()[0]
    assert annees and calculs == 0 and audit == "réussi"


def test_les_protections_livrees_seulement_quand_on_en_garde(base, monkeypatch, tmp_path):
    """Each year's protection is handed the shipped folder when protections are kept, and
    nothing at all when $ESS_CACHE_SECRET is empty (the cold bench, a protection to compute)."""
    _db, fichiers = base
    recus = []

    class Arret(Exception):
        pass

    def espion(*args):
        recus.append(args[1:])
        raise Arret

    monkeypatch.setattr(emploi, "proteger", espion)
    for valeur, attendu in (("", (None, None)), (str(tmp_path), (tmp_path, secret.LIVREES))):
        monkeypatch.setenv("ESS_CACHE_SECRET", valeur)
        prep = preparer("31", fichiers, Progression(lambda _m: None))
        try:
            with pytest.raises(Arret):
                secret.publier(prep.con, processus=1)
        finally:
            prep.con.close()
        assert recus[-1] == attendu


def test_chaque_mesure_auditee_voit_les_cellules_recalculables(base, monkeypatch):
    """A protection that hides the sensitive cells alone leaves some recomputable by
    difference: the build's audit says so for effectifs and for EQTP alike (the rank test,
    run once per year, reaches both)."""
    _db, fichiers = base
    a = _modele(fichiers)
    vide = sp.csr_matrix((0, a.tableaux["effectifs"].A.shape[1]))
    monkeypatch.setattr(emploi, "_calculer", lambda _a, primaire: (
        primaire.copy(), {m: vide for m in emploi.MESURES}, [], [], 0))
    _cache, rapport = emploi.proteger(a)
    trouvees = [rapport[f"audit_{m}"].determinees for m in emploi.MESURES]
    assert trouvees[0] and trouvees[0] == trouvees[1]
    assert secret.echecs({2022: rapport})


def test_cache_impossible_a_ecrire_n_arrete_rien(base, tmp_path):
    """A protection computed where its cache cannot be written (read-only install, full disk)
    is used all the same: the build does not die after minutes of computing."""
    _db, fichiers = base
    (tmp_path / "fichier").write_text("")
    a = _modele(fichiers)
    cache, rapport = emploi.proteger(a, tmp_path / "fichier" / "cache")
    attendu, _ = emploi.proteger(_modele(fichiers))
    assert (cache == attendu).all() and rapport["primaires"] > 0
    assert list(tmp_path.iterdir()) == [tmp_path / "fichier"]
