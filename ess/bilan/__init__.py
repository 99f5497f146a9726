"""Bilan of the 1st plan (2020-2025) from the project register, and the "Rapport de bilan"
(synthesis, breakdowns, static charts, tracking of the 2025-2028 plan) as PDF, DOCX, XLSX."""

from data import DATA

# The register template offered for download (columns of etl/sources/projets.py).
MODELE_REGISTRE = DATA / "modele_registre_projets.csv"
