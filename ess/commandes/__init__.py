"""Subcommands of `python -m ess`: each module defines `ajouter(sous)` (its argparse
subparser, whose `set_defaults(executer=...)` names the function run with the parsed args).
Add a module to COMMANDES to add a command."""

from ess.commandes import bilan, chiffres, donnees_ouvertes, fiche, plan

COMMANDES = [chiffres, plan, bilan, fiche, donnees_ouvertes]
