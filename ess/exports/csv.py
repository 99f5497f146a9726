"""CSV for French Excel: one file per table in a ZIP, UTF-8 with BOM, `;` separator,
decimal comma, hidden values "s", formula-like text neutralised."""

from __future__ import annotations

import csv
import io
import zipfile

from ess.exports import cellules
from ess.exports.securite import neutraliser, nom_fichier


def _texte(v) -> str:
    if isinstance(v, float):
        return repr(v).replace(".", ",")  # no thousands separator: Excel reads it as a number
    return str(neutraliser(v))


def table_csv(df, entete: list[str] | None = None) -> bytes:
    """One table as CSV bytes (BOM included, so Excel detects UTF-8)."""
    tampon = io.StringIO()
    w = csv.writer(tampon, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow([_texte(c) for c in (entete or list(df.columns))])
    for ligne in cellules.lignes(df):
        w.writerow([_texte(v) for v in ligne])
    return ("\ufeff" + tampon.getvalue()).encode("utf-8")


def sources_et_definitions(fiche):
    import pandas as pd

    lignes = [("Territoire", fiche.territoire.nom), ("Code", fiche.territoire.code),
              ("Définition de l'ESS", fiche.perimetre), ("Unité de compte", fiche.unite),
              ("Généré le", fiche.genere_le.strftime("%d/%m/%Y %H:%M"))]
    lignes += list(fiche.millesimes.items())
    lignes += [("Note", n) for n in fiche.notes]
    lignes += [(f"Définition : {terme}", texte) for terme, texte in fiche.definitions]
    lignes += [(f"Source : {r.source}", f"{r.description} ({r.millesime})")
               for r in fiche.sources.itertuples()]
    return pd.DataFrame(lignes, columns=["Rubrique", "Contenu"])


def generer(fiche) -> bytes:
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w", zipfile.ZIP_DEFLATED) as z:
        for i, t in enumerate(fiche.tableaux, start=1):
            z.writestr(nom_fichier(f"{i:02d}_{t.cle}", "csv"), table_csv(t.donnees))
        z.writestr("00_sources_et_definitions.csv", table_csv(sources_et_definitions(fiche)))
    return tampon.getvalue()
