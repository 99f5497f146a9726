"""The words of a "Data ESS" fiche: its counting units, the ESS definitions and levels as it
names them (data/ code tables), the sources' wording, the definitions and notes of its methods
section. Text only: the figures are in the other modules of the package."""

from __future__ import annotations

from data import libelles
from ess import format as fr
from ess import motifs, noms
from ess.provenance import LIBELLES_SOURCES, millesime  # noqa: F401 (the fiche's words)

UNITES = {"etablissements": "Établissements", "sieges": "Entreprises (sièges sociaux)"}
PERIMETRES = libelles("definitions_ess")
NIVEAUX = libelles("niveaux")
SEUIL_GRAND_EMPLOYEUR = 50  # salariés: lower bound of the SIRENE size band (tranche 21 = 50 à 99)
SOURCE_FLORES = "INSEE, emploi salarié au 31/12/{annee} (format FLORES), périmètre statistique de l'ESS"
SOURCE_SIRENE = "INSEE, répertoire SIRENE, établissements employeurs actifs au 31/12/{annee}"

DEFINITIONS = [
    ("Périmètre statistique de l'ESS", "Établissements dont la catégorie juridique relève d'une famille de "
     "l'ESS (associations, coopératives, mutuelles, fondations), hors administration publique et "
     "organisations patronales, professionnelles, syndicales, religieuses et politiques (INSEE, ESS "
     "France, CRESS). Effectifs : emploi salarié au 31 décembre (format FLORES)."),
    ("Marqueur ESS de SIRENE", "Unités légales dont l'INSEE indique l'appartenance à l'ESS "
     "(economieSocialeSolidaireUniteLegale = O), sociétés commerciales de l'ESS comprises. "
     "Effectifs estimés à partir des tranches d'effectifs."),
    ("Établissement employeur", "Établissement actif au 31 décembre ayant employé au moins un salarié "
     "dans l'année (caractère employeur SIRENE)."),
    ("Entreprise comptée à son siège", "Une unité légale comptée une fois, dans la commune de son siège "
     "social : ses établissements situés ailleurs n'y sont pas comptés."),
    ("Part de l'ESS dans l'emploi privé", "Effectifs salariés de l'ESS / effectifs salariés du privé "
     "(ESS comprise, hors fonction publique)."),
    ("Grand employeur de l'ESS", f"Établissement de la tranche d'effectifs SIRENE « {SEUIL_GRAND_EMPLOYEUR} "
     "à 99 salariés » ou au-dessus (seuil de la grande entreprise au sens des tranches INSEE)."),
    ("SCOP, SCIC", "SCOP : catégories juridiques 5458, 5558, 5658. Les SCIC n'ont pas de catégorie "
     "juridique propre dans SIRENE : celles du registre des projets du plan sont citées."),
    ("Diffusion de l'emploi par échelon", "Communes : effectifs de l'ESS et du privé seulement. EPCI, PETR, "
     "département, métropole : familles de l'ESS et sections A21. Détail A38 : département et métropole."),
]
def notes_et_alertes(t, chiffres, parents_t, demo, regle: str) -> tuple[list[str], list[str]]:
    """(all notes, those specific to this territory)."""
    notes, alertes = [], []
    if demo:
        notes.append("Données de démonstration : établissements, emplois par commune et projets "
                     "sont fictifs (calés sur les chiffres publiés du plan).")
    notes.append(f"Secret statistique : un effectif est masqué si {regle} ; d'autres cellules sont "
                 "masquées pour qu'aucune valeur ne se déduise par différence, y compris entre "
                 "commune, EPCI, PETR et département.")
    if note := fr.note_fourchette(chiffres.get("fourchette_effectifs_ess"),
                                  chiffres.get("fourchette_part_ess_emploi_prive")):
        alertes.append(note)
    elif chiffres.get("effectifs_ess") is None and chiffres.get("perimetre", "statistique") == "statistique":
        # its true reason (ess.motifs): too few establishments, another cell protected, or for
        # a group the communes hidden (named); where to read a figure then
        epci = next((nom for _c, niveau, nom in parents_t if niveau == "epci"), None)
        cible = f" Consultez ceux {noms.de(epci)}." if epci and t.niveau in ("commune", "communes") else ""
        alertes.append(motifs.phrase(chiffres.get("motif_secret_effectifs_ess")) + cible)
    return notes + alertes, alertes
