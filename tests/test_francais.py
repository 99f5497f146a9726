"""What the pages and documents say reads as French: territories named with their article,
plurals written out, no nested parentheses, no raw table names, ISO dates or version numbers,
a user's own input quoted as typed."""

from __future__ import annotations

import re

import pytest

from ess import carte_vue, fiche, noms, provenance, resumes, rural_metropole
from ess import format as fr
from ess.fiche import choix, mise_en_page
from ess.suivi import saisies, store


def imbriquees(texte: str) -> bool:
    """Whether parentheses open inside parentheses: « (… (10)) »."""
    profondeur = 0
    for c in texte:
        profondeur += c == "("
        if profondeur > 1:
            return True
        profondeur -= c == ")" and profondeur > 0
    return False


def test_typologies_nommees_dans_la_phrase(con):
    df = rural_metropole.comparaison(con, 2021)
    phrase = resumes.typologies(df, "part_ess_prive")
    assert "la plus forte pour les communes rurales (" in phrase  # never « pour Rural »
    assert "la plus faible pour le PETR du Pays Tolosan (" in phrase  # never « pour PETR du… »
    assert noms.dans("Urbain dense") == "dans les communes urbaines denses"
    assert noms.de("Hors métropole") == "des communes hors métropole"


def test_legende_de_la_carte_de_situation(con):
    """« … dans la Communauté de communes Cœur de Garonne », never « dans Communauté … »."""
    d = mise_en_page.document(fiche.fiche(con, "commune:31204", 2021), con)
    assert d.carte.titre == "Fustignac (en bleu foncé) dans la Communauté de communes Cœur de Garonne"
    epci = mise_en_page.document(fiche.fiche(con, "epci:200068815", 2021), con)
    assert epci.carte.titre.endswith("(en bleu foncé) en Haute-Garonne")


@pytest.mark.parametrize("code", ["commune:31483", "communes:31193,31204,31317", "epci:243100781",
                                  "epci:200034023", "departement:31"])
def test_aucune_parenthese_imbriquee_en_premiere_page(con, code):
    d = mise_en_page.document(fiche.fiche(con, code, 2021), con, images=False)
    for c in d.chiffres:
        # the renderers write « libellé : valeur (comparaison · tendance) »
        assert not imbriquees(f"({' · '.join(x for x in (c.comparaison, c.tendance) if x)})"), c
        assert not imbriquees(c.phrase), c.phrase
    for m in d.messages:
        assert not imbriquees(m), m


def test_phrase_de_la_carte_sans_parentheses_imbriquees(con):
    for metrique in ("part_ess_prive", "effectifs_ess", "effectifs_ess_1000_hab"):
        for annee in (2017, 2021, 2023):
            phrase = carte_vue.resume(carte_vue.vue(con, "epci", metrique, annee), "EPCI")
            assert not imbriquees(phrase), phrase
    phrase = carte_vue.resume(carte_vue.vue(con, "epci", "part_ess_prive", 2021), "EPCI")
    assert "dont la Communauté d'agglomération Le Grand Ouest Toulousain, entre 5,8" in phrase
    assert carte_vue.texte("effectifs_ess", 0) == "0 salarié"


def test_pluriels_ecrits():
    assert fr.pluriel(0, "projet") == "0 projet" and fr.pluriel(1, "projet") == "1 projet"
    assert fr.pluriel(1234, "projet") == f"1{fr.ESPACE}234 projets"
    assert fr.pluriel(2, "indicateur créé", "indicateurs créés") == "2 indicateurs créés"


def test_codes_colles_cites_tels_que_saisis():
    codes, inconnus = choix.codes_colles("abc, 31555 Xyz", {"31555"})
    assert codes == ["31555"] and inconnus == ["abc", "Xyz"]
    assert choix.message_codes_inconnus(["abc"]) == "Code INSEE non reconnu, ignoré : « abc »."
    assert choix.message_codes_inconnus(inconnus) == "Codes INSEE non reconnus, ignorés : « abc », « Xyz »."


def test_conflit_dit_qui_et_quand_en_mots(tmp_path):
    with store.ouvrir(tmp_path / "suivi.sqlite") as con:
        i = saisies.creer_indicateur(con, "3", "Projets financés", "projets", "marie")
        saisies.enregistrer_valeur(con, i, 2025, 10, 4, "", "", 0, "marie")
        saisies.enregistrer_valeur(con, i, 2025, 10, 6, "", "", 1, "marie")
        with pytest.raises(saisies.ConflitVersion) as e:
            saisies.enregistrer_valeur(con, i, 2025, 10, 5, "", "", 1, "paul")
        message = str(e.value)
        assert re.search(r"par marie le \d\d/\d\d/\d{4}\u00a0à\u00a0\d\d\u00a0h\u00a0\d\d", message), message
        assert "T" not in re.sub(r"[^\dT:+-]", " ", message).split()  # no ISO timestamp
        assert "version" not in message
        saisies.changer_statut(con, "7", 0, "en cours", 0, "marie")
        with pytest.raises(saisies.ConflitVersion) as e:
            saisies.changer_statut(con, "7", 0, "réalisé", 0, "paul")
        assert not re.search(r"\d{4}-\d\d-\d\dT", str(e.value)), str(e.value)


def test_limites_des_champs_dites(tmp_path):
    with store.ouvrir(tmp_path / "suivi.sqlite") as con:
        with pytest.raises(saisies.SaisieInvalide, match="201 caractères, 200 au plus"):
            saisies.creer_indicateur(con, "3", "x" * 201, "", "marie")
        i = saisies.creer_indicateur(con, "3", "Projets", "", "marie")
        with pytest.raises(saisies.SaisieInvalide, match="Commentaire : 501 caractères, 500 au plus"):
            saisies.enregistrer_valeur(con, i, 2025, 1, 1, "c" * 501, "", 0, "marie")


def test_provenance_en_mots(con):
    df = provenance.sources_lisibles(con)
    assert "Table" not in df.columns
    assert not set(df["Donnée"]) & {"densite", "etablissements", "emploi", "projets", "territoires"}
    textes = " ".join(df.astype(str).stack())
    assert not re.search(r"\b\d{4}-\d\d-\d\d\b", textes)  # « 01/01/2024 »
    assert "2017 à 2023" in set(df["Millésime"])
    assert provenance.millesime("2017,2018,2019,2020,2021,2022,2023") == "2017 à 2023"
    assert dict(provenance.infos_build_lisibles(con))["Années d'emploi"] == "2017 à 2023"



def test_montants_sur_un_axe():
    assert fr.euros_axe(200_000) == f"200{fr.ESPACE}000{fr.ESPACE}€"
    assert fr.euros_axe(1_000_000) == f"1{fr.ESPACE}M€" and fr.euros_axe(1_500_000) == f"1,5{fr.ESPACE}M€"
    assert fr.graduations(1_084_500) == [0, 500_000, 1_000_000, 1_500_000]


def test_graphique_des_montants_du_bilan(con):
    """The page's chart of amounts by funding scheme: « 500 000 € », « 1 M€ » on its axis, never
    plotly's « 0,2M »."""
    from web import graphiques

    axe = graphiques.montants_par_dispositif(con, 2025).layout.xaxis
    assert f"1{fr.ESPACE}M€" in axe.ticktext and f"500{fr.ESPACE}000{fr.ESPACE}€" in axe.ticktext
