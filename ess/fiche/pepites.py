"""The pépites of a fiche: initiatives the plan quotes, the largest ESS employers, recent
creations, SCOP and SCIC of the territory — highlights, the list has the rest."""

from __future__ import annotations

import pandas as pd

from ess.document.modele import NON_DIFFUSE, Colonne, Tableau
from ess.fiche.etablissements import dans_perimetre
from ess.fiche.textes import SEUIL_GRAND_EMPLOYEUR

NB_PEPITES = 3  # per category: highlights, the list has the rest
CATEGORIES_SCOP = ("5458", "5558", "5658")
INITIATIVES = """
SELECT p.nom_projet, p.porteur, p.forme_juridique, c.nom AS nom_commune, p.theme, p.description,
       p.source
FROM projets p JOIN communes c USING (commune)
WHERE p.fictif = 'non' AND list_contains(?, p.commune)
ORDER BY p.nom_projet
"""
SCIC_DU_REGISTRE = """
SELECT p.nom_projet, p.porteur, c.nom AS nom_commune, p.theme
FROM projets p JOIN communes c USING (commune)
WHERE p.forme_juridique = 'SCIC' AND list_contains(?, p.commune)
ORDER BY p.nom_projet
"""


def pepites(con, t, etab: pd.DataFrame, perimetre: str, annee: int) -> Tableau:
    lignes = [["Initiative citée par le plan", r.nom_projet, f"{r.porteur} — {r.theme}", r.description,
               r.nom_commune, r.source]
              for r in con.execute(INITIATIVES, [list(t.communes)]).df().itertuples()]
    visibles = etab[dans_perimetre(etab, perimetre) & etab["diffusible"]]
    grands = visibles[visibles["effectif_min"] >= SEUIL_GRAND_EMPLOYEUR]
    grands = grands.sort_values(["effectif_min", "nom", "siret"],
                                ascending=[False, True, True]).head(NB_PEPITES)
    lignes += [["Grand employeur de l'ESS", r.nom, f"{r.libelle_tranche} — {r.libelle_naf}", NON_DIFFUSE,
                r.nom_commune, "SIRENE (tranche d'effectifs)"] for r in grands.itertuples()]
    debut = pd.Timestamp(annee - 2, 1, 1)
    recentes = visibles[pd.to_datetime(visibles["date_creation"]) >= debut]
    recentes = recentes.sort_values(["date_creation", "nom", "siret"],
                                    ascending=[False, True, True]).head(NB_PEPITES)
    lignes += [[f"Création récente (depuis {annee - 2})", r.nom,
                f"créé le {pd.Timestamp(r.date_creation):%d/%m/%Y} — {r.libelle_naf}", NON_DIFFUSE,
                r.nom_commune, "SIRENE (date de création)"] for r in recentes.itertuples()]
    scop = visibles[visibles["categorie_juridique"].isin(CATEGORIES_SCOP)].sort_values(["nom", "siret"])
    scop = scop.head(NB_PEPITES)
    lignes += [["SCOP", r.nom, r.libelle_categorie_juridique, NON_DIFFUSE, r.nom_commune,
                "SIRENE (catégorie juridique)"] for r in scop.itertuples()]
    lignes += [["SCIC", r.nom_projet, f"{r.porteur} — {r.theme}", NON_DIFFUSE, r.nom_commune,
                "Registre des projets du 1er plan (SIES)"]
               for r in con.execute(SCIC_DU_REGISTRE, [list(t.communes)]).df().itertuples()]
    return Tableau("pepites", "Pépites", [
        Colonne("Catégorie", largeur=2), Colonne("Nom", largeur=2), Colonne("Détail", largeur=3),
        Colonne("Description", largeur=4),
        Colonne("Commune"), Colonne("Source", largeur=2)], lignes,
        f"initiatives citées par le plan ESS 2025-2028, employeurs d'au moins {SEUIL_GRAND_EMPLOYEUR} "
        f"salariés, créations depuis {annee - 2}, SCOP et SCIC du territoire",
        "Plan ESS 2025-2028 (initiatives citées), SIRENE, registre des projets (SIES)",
        colonnes_pdf=("Catégorie", "Nom", "Détail") + (("Commune",) if len(t.communes) > 1 else ()))
