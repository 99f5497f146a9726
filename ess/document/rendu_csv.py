"""A document as a ZIP of CSV files for French Excel and LibreOffice: one file per table,
UTF-8 with BOM, `;` separator, decimal comma, no thousands separator (so numbers stay numbers),
shares in percent (column named "(%)"), hidden values `s`, "—" where not published; SIRET
written `="01234567800019"` so that Excel keeps it as text with its leading zero; a
LISEZ-MOI explains how to open the files in LibreOffice (tick `;` only)."""

from __future__ import annotations

import io
import zipfile

from ess import format as fr
from ess.document.modele import LEGENDE, NON_DIFFUSE, SECRET, Document, Tableau
from ess.document.texte import cellule
from ess.exports.csv import Brut, lignes_csv
from ess.exports.securite import nom_fichier
from ess.format import vide

LISEZ_MOI = """{titre}
{emetteur} — {service}
{sous_titre} — document établi le {date}

Un fichier CSV par tableau du document (00_synthese.csv : chiffres clés ; 99_methodes.csv :
définitions, sources et notes).

Format : UTF-8 avec BOM, séparateur point-virgule (;), virgule décimale, pas de séparateur
de milliers. Les parts sont en pourcentage (colonnes « (%) »).
{legende}

Ouvrir dans Excel : double-clic (Excel français reconnaît le point-virgule). Les SIRET sont
écrits ="01234567800019" pour qu'Excel les garde en texte avec leur zéro initial.

Ouvrir dans LibreOffice Calc : Fichier > Ouvrir, puis dans la fenêtre « Import de texte » :
jeu de caractères « Unicode (UTF-8) », langue « Français (France) », options de séparateur
« Séparé par » avec SEULEMENT « Point-virgule » coché (décochez « Virgule » et « Tabulation »,
sinon les nombres décimaux sont coupés en deux colonnes). Valider par OK. Les SIRET s'affichent
en texte avec leur zéro initial (si votre version propose « Évaluer les formules », cochez-la).
"""


def _texte(v, genre: str) -> str:
    """A typed value as the CSV writes it: figures in French (`Brut`, never neutralised),
    marks, text (neutralised by the writer)."""
    if isinstance(v, str):
        return v
    if vide(v):
        return SECRET if genre in ("entier", "decimal", "pourcent", "euros") else NON_DIFFUSE
    if genre == "pourcent":
        return Brut(fr.nombre(100 * float(v), 1).replace(fr.ESPACE, ""))
    if genre in ("entier", "euros", "annee"):
        return Brut(str(round(float(v))))
    if genre == "decimal":
        return Brut(repr(float(v)).replace(".", ",").removesuffix(",0"))
    return cellule(v, genre)


def _nom_colonne(c) -> str:
    if c.genre == "pourcent" and "%" not in c.nom:
        return f"{c.nom} (%)"
    if c.genre == "euros" and "€" not in c.nom:
        return f"{c.nom} (€)"
    return c.nom


def _siret(v):
    # unquoted (Brut): spreadsheets read a quoted formula as text, quotes included
    return Brut(f'="{v}"') if isinstance(v, str) and v.isdigit() else v


def table_csv(t: Tableau) -> bytes:
    return lignes_csv([_nom_colonne(c) for c in t.colonnes],
                      [[_siret(v) if c.genre == "siret" else _texte(v, c.genre)
                        for v, c in zip(ligne, t.colonnes, strict=True)] for ligne in t.lignes])


def generer(doc: Document) -> bytes:
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("LISEZ-MOI.txt", ("\ufeff" + LISEZ_MOI.format(
            titre=doc.titre, emetteur=doc.emetteur, service=doc.service, sous_titre=doc.sous_titre,
            date=fr.date_heure(doc.genere_le), legende="\n".join(LEGENDE))).encode("utf-8"))
        z.writestr("00_synthese.csv", lignes_csv(
            ["Chiffre clé", "Valeur", "En une phrase", "Comparaison et tendance"],
            [[c.libelle, _texte(c.valeur, c.genre), c.phrase,
              " · ".join(x for x in (c.comparaison, c.tendance) if x) or NON_DIFFUSE]
             for c in doc.chiffres]))
        for t in doc.tableaux():
            z.writestr(nom_fichier(f"{t.numero:02d}_{t.cle}", "csv"), table_csv(t))
        z.writestr("99_methodes.csv", lignes_csv(
            ["Rubrique", "Contenu"],
            [["Document", doc.titre], ["Émetteur", f"{doc.emetteur} — {doc.service}"],
             ["Établi le", fr.date_heure(doc.genere_le)],
             *[["À lire d'abord", m] for m in doc.messages],  # as on the first page (a group's communes)
             *[["Lire les tableaux", x] for x in LEGENDE], *[["Note", n] for n in doc.notes],
             *[[f"Définition : {a}", b] for a, b in doc.methodes],
             *[[f"Source : {a}", b] for a, b in doc.sources]]))
    return tampon.getvalue()
