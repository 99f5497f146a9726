"""The tracking store: plan structure, statuses, indicators, version conflicts, audit trail,
XLSX import/export, and staff authentication (hashes only, delays after failures)."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook

from ess.suivi import classeur, comptes, store
from ess.suivi import saisies as ind
from ess.suivi.structure import charger_plan


@pytest.fixture
def con(tmp_path):
    with store.ouvrir(tmp_path / "suivi.sqlite") as c:
        yield c


def test_structure_du_plan():
    plan = charger_plan()
    assert [lv["nom"] for lv in plan.leviers] == ["Innover", "Ancrer", "Fédérer"]
    assert [e["code"] for e in plan.enjeux] == ["I", "II", "III"]
    assert len(plan.fiches_actions) == 13 and plan.fiches[0].code == "pilotage"
    assert [f.code for f in plan.fiches_actions] == [str(k) for k in range(1, 14)]
    assert {f.enjeu for f in plan.fiches_actions[:5]} == {"I"} and plan.fiche("12").enjeu == "III"
    assert "Coordonner un réseau départemental" in plan.fiche("12").titre  # « FICHE ACTION 12 »
    assert any("Data ESS" in a for a in plan.fiche("6").activites)
    assert len(plan.thematiques) == 6
    assert all(f.activites and f.publics for f in plan.fiches)


def test_valeur_version_et_conflit(con):
    i = ind.creer_indicateur(con, "3", "Projets financés hors métropole", "projets", "marie")
    assert ind.enregistrer_valeur(con, i, 2025, "10", "4", "S1", "SIES", 0, "marie") == 1
    # Paul read version 1; Marie saves version 2 meanwhile; Paul's save is refused.
    assert ind.enregistrer_valeur(con, i, 2025, 10, 6, "S2", "SIES", 1, "marie") == 2
    with pytest.raises(ind.ConflitVersion) as e:
        ind.enregistrer_valeur(con, i, 2025, 10, 5, "ma saisie", "SIES", 1, "paul")
    assert "modifiée par marie" in str(e.value) and "n'a pas été enregistrée" in str(e.value)
    assert ind.lire_valeur(con, i, 2025)["valeur"] == 6  # Marie's value stands
    # Two people both creating the same year: the second one had read "no row" (version 0).
    ind.enregistrer_valeur(con, i, 2026, 12, None, "", "", 0, "marie")
    with pytest.raises(ind.ConflitVersion):
        ind.enregistrer_valeur(con, i, 2026, 15, None, "", "", 0, "paul")
    # Saving exactly what is stored changes nothing and is not a conflict.
    assert ind.enregistrer_valeur(con, i, 2025, 10, 6, "S2", "SIES", 1, "paul") == 2


def test_journal_qui_quand_ancienne_nouvelle(con):
    i = ind.creer_indicateur(con, "7", "Ateliers élus", "ateliers", "marie")
    ind.enregistrer_valeur(con, i, 2025, 4, 1, "", "", 0, "marie")
    ind.enregistrer_valeur(con, i, 2025, 4, 3, "fin d'année", "HGI", 1, "paul")
    ind.changer_statut(con, "7", 0, "en cours", 0, "paul")
    j = store.lire_journal(con)
    assert [x["action"] for x in j] == ["statut", "valeur", "valeur", "création d'indicateur"]
    assert j[1]["utilisateur"] == "paul" and '"valeur": 1.0' in j[1]["ancienne_valeur"]
    assert '"valeur": 3.0' in j[1]["nouvelle_valeur"] and j[1]["fiche"] == "7"
    assert (j[0]["ancienne_valeur"], j[0]["nouvelle_valeur"]) == ("à lancer", "en cours")
    assert datetime.fromisoformat(j[0]["horodatage"]) <= datetime.now(UTC)
    assert store.lire_journal(con, fiche="3") == []


def test_statuts_et_avancement(con):
    ind.changer_statut(con, "7", 0, "réalisé", 0, "marie")
    v = ind.changer_statut(con, "7", 1, "en cours", 0, "marie")
    with pytest.raises(ind.ConflitVersion):
        ind.changer_statut(con, "7", 1, "réalisé", v - 1, "paul")
    a = {x["fiche"]: x for x in ind.avancement(con)}
    assert (a["7"]["réalisé"], a["7"]["en cours"], a["7"]["à lancer"]) == (1, 1, 0)
    assert a["7"]["avancement"] == 75.0 and a["1"]["avancement"] == 0.0
    assert len(a) == 14


@pytest.mark.parametrize("appel, message", [
    (lambda c: ind.creer_indicateur(c, "99", "x", "", "m"), "Fiche action « 99 » inconnue"),
    (lambda c: ind.creer_indicateur(c, "1", "  ", "", "m"), "obligatoire"),
    (lambda c: ind.changer_statut(c, "1", 0, "fini", 0, "m"), "Statut « fini » inconnu"),
    (lambda c: ind.changer_statut(c, "1", 42, "en cours", 0, "m"), "Activité n° 43 inconnue"),
    (lambda c: ind.enregistrer_valeur(c, 1, 2031, 1, 1, "", "", 0, "m"), "Année 2031 hors du plan"),
    (lambda c: ind.enregistrer_valeur(c, 1, 2025, "dix", 1, "", "", 0, "m"), "« dix » n'est pas un nombre"),
    (lambda c: ind.enregistrer_valeur(c, 77, 2025, 1, 1, "", "", 0, "m"), "Indicateur n° 77 inconnu"),
])
def test_saisies_invalides(con, appel, message):
    ind.creer_indicateur(con, "1", "Porteurs accueillis", "porteurs", "m")
    with pytest.raises(ind.SaisieInvalide, match=message):
        appel(con)


def test_doublon_d_indicateur(con):
    ind.creer_indicateur(con, "1", "Porteurs accueillis", "", "m")
    with pytest.raises(ind.SaisieInvalide, match="existe déjà"):
        ind.creer_indicateur(con, "1", "Porteurs accueillis", "", "m")


def _classeur(data: bytes):
    return load_workbook(io.BytesIO(data))


def _octets(wb) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_xlsx_aller_retour_et_conflit(con):
    i = ind.creer_indicateur(con, "6", "Fiches Data ESS", "fiches", "marie")
    ind.enregistrer_valeur(con, i, 2025, 10, 2, "", "SIES", 0, "marie")
    wb = _classeur(classeur.exporter(con))
    assert {"Indicateurs", "Activités", "Journal"} <= set(wb.sheetnames)
    ws = wb["Indicateurs"]
    entetes = [c.value for c in ws[1]]
    assert entetes == classeur.COLONNES
    ws.cell(2, entetes.index("valeur") + 1).value = 5
    ws.append(["9", "", "Porteurs ruraux accompagnés", "porteurs", 2025, 30, 12, "", "PETR", None])
    modifie = _octets(wb)
    r = classeur.importer(con, modifie, "paul")
    assert r == {"indicateurs_crees": 1, "valeurs_enregistrees": 2, "lignes_inchangees": 0}
    assert ind.lire_valeur(con, i, 2025)["valeur"] == 5
    # Meanwhile Marie changes the value; re-importing the same file would overwrite it: refused.
    ind.enregistrer_valeur(con, i, 2025, 10, 8, "", "SIES", 2, "marie")
    avant = store.lire_journal(con)
    with pytest.raises(classeur.ImportInvalide) as e:
        classeur.importer(con, _octets(_modifier(modifie, nouvelle_ligne=True)), "paul")
    assert "rien n'a été enregistré" in str(e.value) and "ligne 2 : Conflit" in str(e.value)
    assert ind.lire_valeur(con, i, 2025)["valeur"] == 8
    assert store.lire_journal(con) == avant  # all or nothing: the new indicator was not created
    assert len(ind.indicateurs(con)) == 2


def test_xlsx_texte_comme_une_formule(con):
    """A comment typed like a formula is that text in the workbook (a string cell with the
    quote prefix, no apostrophe added, never a formula); imported again, nothing changes."""
    i = ind.creer_indicateur(con, "6", "Fiches Data ESS", "fiches", "marie")
    ind.enregistrer_valeur(con, i, 2025, 10, 2, '=HYPERLINK("http://exemple.invalid")', "SIES", 0, "marie")
    data = classeur.exporter(con)
    ws = _classeur(data)["Indicateurs"]
    (cellule,) = [c for c in ws[2] if c.value == '=HYPERLINK("http://exemple.invalid")']
    assert cellule.data_type == "s" and cellule.quotePrefix
    assert classeur.importer(con, data, "paul")["lignes_inchangees"] == 1


def _modifier(data: bytes, nouvelle_ligne: bool):
    wb = _classeur(data)
    if nouvelle_ligne:
        wb["Indicateurs"].append(["10", "", "Dossiers CREONS 31", "dossiers", 2025, 5, 1, "", "", 0])
    return wb


def test_import_fichiers_invalides(con):
    with pytest.raises(classeur.ImportInvalide, match="pas un classeur XLSX"):
        classeur.importer(con, b"texte", "m")
    wb = _classeur(classeur.exporter(con))
    wb["Indicateurs"].append(["99", "", "X", "", 2025, 1, 1])
    wb["Indicateurs"].append(["1", "", "Y", "", "deux mille", 1, 1])
    with pytest.raises(classeur.ImportInvalide) as e:
        classeur.importer(con, _octets(wb), "m")
    assert "ligne 2 : Fiche action « 99 » inconnue" in str(e.value)
    assert "ligne 3 : annee : « deux mille » n'est pas un nombre entier" in str(e.value)
    del wb["Indicateurs"]
    with pytest.raises(classeur.ImportInvalide, match="Feuille « Indicateurs » absente"):
        classeur.importer(con, _octets(wb), "m")


# --- comptes -------------------------------------------------------------------------------

MDP = "un mot de passe assez long"


@pytest.fixture(scope="module")
def secrets():
    return {"comptes": {"marie": {"nom": "Marie (SIES)", "empreinte": comptes.empreinte(MDP)},
                        "naif": {"nom": "Compte mal configuré", "empreinte": MDP}}}


def test_empreinte_pas_de_mot_de_passe_en_clair(secrets):
    h = secrets["comptes"]["marie"]["empreinte"]
    assert h.startswith("$argon2id$") and MDP not in h


def test_connexion_reussie_journalisee(con, secrets):
    assert comptes.authentifier(con, secrets, " Marie ", MDP) == {"identifiant": "marie",
                                                                  "nom": "Marie (SIES)"}
    j = store.lire_journal(con)[0]
    assert (j["utilisateur"], j["action"]) == ("marie", "connexion")


def test_mauvais_mot_de_passe_refuse_et_delais_croissants(con, secrets):
    t0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    for k in range(comptes.SEUIL):
        with pytest.raises(comptes.ConnexionRefusee, match="incorrect"):
            comptes.authentifier(con, secrets, "marie", "faux", quand=t0 + timedelta(seconds=k))
    # After SEUIL failures: even the right password must wait.
    with pytest.raises(comptes.ConnexionRefusee, match=r"réessayez dans 2 s"):
        comptes.authentifier(con, secrets, "marie", MDP, quand=t0 + timedelta(seconds=2))
    with pytest.raises(comptes.ConnexionRefusee, match="incorrect"):
        comptes.authentifier(con, secrets, "marie", "faux", quand=t0 + timedelta(seconds=10))
    with pytest.raises(comptes.ConnexionRefusee, match=r"réessayez dans 4 s"):
        comptes.authentifier(con, secrets, "marie", MDP, quand=t0 + timedelta(seconds=10))
    assert comptes.authentifier(con, secrets, "marie", MDP, quand=t0 + timedelta(seconds=15))
    assert [comptes.delai(n) for n in range(6)] == [0, 0, 0, 2, 4, 8] and comptes.delai(60) == 900
    actions = [x["action"] for x in store.lire_journal(con)]
    assert actions.count("connexion refusée") == 6 and actions[0] == "connexion"


def test_identifiant_inconnu_et_compte_sans_empreinte(con, secrets):
    for ident in ("inconnu", "naif"):  # a plain password in the secrets never works
        with pytest.raises(comptes.ConnexionRefusee, match="incorrect"):
            comptes.authentifier(con, secrets, ident, MDP)
    motifs = [x["nouvelle_valeur"] for x in store.lire_journal(con)]
    assert any("argon2" in m for m in motifs) and any("inconnu" in m for m in motifs)
    with pytest.raises(comptes.ConnexionRefusee, match="Saisissez"):
        comptes.authentifier(con, secrets, "marie", "")
    assert comptes.comptes({}) == {} and comptes.editeurs_oidc({"editeurs_oidc": ["A@B.fr"]}) == {"a@b.fr"}
