"""Writing the files people download, whatever they hold: the one CSV writer (csv.py) and the
safety of spreadsheet cells and file names (securite.py). A fiche's files: ess.fiche.fichiers;
a bilan's: ess.bilan.rapport; both through ess.document's renderers."""
