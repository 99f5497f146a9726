"""Demo SIRENE stock files (StockEtablissement, StockUniteLegale) in the official layout.

Rows: the ESS establishments of the micro data (employers, closed ones, recent creations),
plus what a real stock also holds so that every filter has something to do: non-employer
associations, associations outside the statistical perimeter (trade unions, religious...),
commercial ESS companies (flag only), a sample of non-ESS private and public employers, and
establishments with statutDiffusion = P whose text fields read "[ND]".
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from etl.codes import COLONNES_ETABLISSEMENT, COLONNES_UNITE_LEGALE, code_tranche, naf_par_a38
from etl.demo import identifiants, noms

CATEGORIES = {  # demo legal category by family (and sector where it matters)
    "association": (["9220", "9221", "9222", "9230", "9223"], [0.9, 0.04, 0.02, 0.03, 0.01]),
    "fondation": (["9300"], [1.0]),
    "autre_ess": (["9970"], [1.0]),
    "mutuelle": (["8210", "6411", "8290"], [0.7, 0.2, 0.1]),
    "cooperative": (["5458", "5558", "5460", "5560"], [0.35, 0.15, 0.3, 0.2]),
    "cooperative_KZ": (["6595", "6596", "5192"], [0.5, 0.3, 0.2]),
    "cooperative_AZ": (["6316", "6317"], [0.5, 0.5]),
    "cooperative_CA": (["6317", "6318"], [0.8, 0.2]),
    "esus": (["5710"], [1.0]),
    "prive": (["5710", "5499", "5499", "5720"], [0.45, 0.35, 0.1, 0.1]),
    "public": (["7210"], [1.0]),
}
PART_DIFFUSION_PARTIELLE = 0.03


def _categorie(famille: str, a38: str, rng) -> str:
    codes, p = CATEGORIES.get(f"{famille}_{a38}", CATEGORIES[famille])
    return str(rng.choice(codes, p=p))


def _autres_lignes(emploi, rng) -> pd.DataFrame:
    """Establishments outside the ESS statistical perimeter or non-employers."""
    prive_poids = emploi.set_index("commune")["prive_hors_ess"]
    ess_poids = emploi.set_index("commune")["association"]  # a Series, even for Paris (one commune)

    def tirer(k, poids):
        return rng.choice(poids.index.to_numpy(), size=k, p=(poids / poids.sum()).to_numpy())

    groupes = [
        # forme, a38, effectif (0 = non-employer), flag ESS, count, commune weights, naf forced
        ("association", "SZ", 0, "O", 1500, ess_poids, None),
        ("association", "SZ", 1, "O", 80, ess_poids, ["94.11Z", "94.12Z", "94.20Z", "94.91Z"]),
        ("esus", None, 1, "O", 90, ess_poids, None),
        ("prive", None, 1, "N", 1200, prive_poids, None),
        ("public", "OZ", 1, "N", 150, prive_poids, ["84.11Z"]),
    ]
    secteurs_esus = ["EZ", "GZ", "NZ", "IZ", "CA", "MC"]
    secteurs_prives = ["GZ", "FZ", "NZ", "MA", "MB", "HZ", "IZ", "JC", "CL", "QA"]
    parts = []
    for forme, a38, employeur, flag, k, poids, naf in groupes:
        if a38 is None:
            a38s = rng.choice(secteurs_esus if forme == "esus" else secteurs_prives, k)
        else:
            a38s = np.full(k, a38)
        eff = (np.maximum(1, np.round(rng.lognormal(1.3, 1.1, k))) * employeur).astype(int)
        parts.append(pd.DataFrame({
            "forme": forme, "famille": None, "a38": a38s, "commune": tirer(k, poids),
            "annee_creation": rng.integers(1970, 2023, k), "annee_fermeture": 0,
            "effectifs_tranche": eff, "annee_effectifs": np.where(eff > 0, 2021, 0),
            "ess": flag, "naf_force": [rng.choice(naf) if naf else None for _ in range(k)],
        }))
    return pd.concat(parts, ignore_index=True)


def stocks(etab, annuel, emploi, communes: gpd.GeoDataFrame, annee_ref: int, rng):
    """Return (StockEtablissement, StockUniteLegale) as string DataFrames, official columns."""
    ref = annuel[annuel["annee"] == annee_ref].set_index("etab")["effectifs"]
    dernier = annuel.sort_values("annee").groupby("etab").last()
    ess = etab[["famille", "a38", "commune", "annee_creation", "annee_fermeture"]].copy()
    ess["forme"] = ess["famille"]
    ess["effectifs_tranche"] = ref.reindex(ess.index).fillna(dernier["effectifs"]).astype(int)
    ess["annee_effectifs"] = np.where(ess.index.isin(ref.index), annee_ref,
                                      dernier["annee"].reindex(ess.index))
    # INSEE's flag is not perfect: a few associations of the perimeter lack it.
    ess["ess"] = np.where((ess["famille"] == "association") & (rng.random(len(ess)) < 0.04), "", "O")
    ess["naf_force"] = None
    lignes = pd.concat([ess, _autres_lignes(emploi, rng)], ignore_index=True)

    naf = naf_par_a38(exclure_hors_ess=True)
    naf_tous = naf_par_a38(exclure_hors_ess=False)
    lignes["naf"] = [
        forced or rng.choice((naf if fam else naf_tous)[a38])
        for forced, fam, a38 in zip(lignes["naf_force"], lignes["famille"], lignes["a38"], strict=True)
    ]
    lignes["categorie"] = [_categorie(f, a, rng) for f, a in zip(lignes["forme"], lignes["a38"], strict=True)]
    lignes["commune_nom"] = lignes["commune"].map(communes.set_index("commune")["nom"])
    lignes = _unites_legales(lignes, rng)
    lignes = _localiser(lignes, communes, rng)
    return _format_etablissements(lignes, communes, rng), _format_unites(lignes, rng)


def _unites_legales(lignes: pd.DataFrame, rng) -> pd.DataFrame:
    """Group some establishments into multi-establishment legal units; pick head offices."""
    n = len(lignes)
    proprietaire = np.arange(n)
    reseau = np.flatnonzero((rng.random(n) < 0.08) & lignes["famille"].notna().to_numpy())
    for i in reseau:  # join the legal unit of another establishment of the same family/sector
        pairs = np.flatnonzero((lignes["famille"].to_numpy() == lignes.at[i, "famille"])
                               & (lignes["a38"].to_numpy() == lignes.at[i, "a38"]))
        proprietaire[i] = proprietaire[rng.choice(pairs)]
    lignes = lignes.assign(unite=proprietaire)
    codes = identifiants.sirens(n, rng)
    lignes["siren"] = [codes[u] for u in lignes["unite"]]
    lignes["actif"] = lignes["annee_fermeture"] == 0
    ordre = lignes.sort_values(["actif", "effectifs_tranche"], ascending=False)
    sieges = ordre.groupby("unite").head(1).index
    lignes["siege"] = lignes.index.isin(sieges)
    lignes["rang"] = lignes.groupby("unite").cumcount() + 1
    lignes["siret"] = [identifiants.siret(s, r) for s, r in zip(lignes["siren"], lignes["rang"], strict=True)]
    lignes["diffusion"] = np.where(rng.random(n) < PART_DIFFUSION_PARTIELLE, "P", "O")
    return lignes


def _localiser(lignes: pd.DataFrame, communes: gpd.GeoDataFrame, rng) -> pd.DataFrame:
    """A random point inside the commune's polygon for every establishment (Lambert-93)."""
    geoms = communes.set_index("commune").geometry
    x = np.empty(len(lignes))
    y = np.empty(len(lignes))
    for commune, idx in lignes.groupby("commune").indices.items():
        poly = geoms[commune]
        minx, miny, maxx, maxy = poly.bounds
        pts_x, pts_y = [], []
        while len(pts_x) < len(idx):
            cx = rng.uniform(minx, maxx, 4 * len(idx) + 10)
            cy = rng.uniform(miny, maxy, 4 * len(idx) + 10)
            ok = shapely.contains_xy(poly, cx, cy)
            pts_x.extend(cx[ok])
            pts_y.extend(cy[ok])
        x[idx], y[idx] = pts_x[: len(idx)], pts_y[: len(idx)]
    lx, ly = Transformer.from_crs(4326, 2154, always_xy=True).transform(x, y)
    return lignes.assign(lambert_x=np.round(lx, 1), lambert_y=np.round(ly, 1))


def _date(annee, rng) -> str:
    return f"{annee}-{rng.integers(1, 13):02d}-{rng.integers(1, 29):02d}"


def _format_etablissements(lignes, communes, rng) -> pd.DataFrame:
    info = communes.set_index("commune")
    rows = []
    for r in lignes.itertuples():
        cache = r.diffusion == "P"
        num, voie, libelle = noms.adresse(rng)
        creation = _date(r.annee_creation, rng)
        employeur = r.effectifs_tranche > 0
        rows.append({
            "siren": r.siren, "nic": r.siret[9:], "siret": r.siret,
            "statutDiffusionEtablissement": r.diffusion,
            "dateCreationEtablissement": creation,
            "trancheEffectifsEtablissement": code_tranche(r.effectifs_tranche) if employeur else "NN",
            "anneeEffectifsEtablissement": str(int(r.annee_effectifs)) if employeur else "",
            "etablissementSiege": "true" if r.siege else "false",
            "numeroVoieEtablissement": "[ND]" if cache else num,
            "typeVoieEtablissement": "[ND]" if cache else voie,
            "libelleVoieEtablissement": "[ND]" if cache else libelle,
            "codePostalEtablissement": "[ND]" if cache else info.at[r.commune, "code_postal"],
            "libelleCommuneEtablissement": info.at[r.commune, "nom"].upper(),
            "codeCommuneEtablissement": r.commune,
            "coordonneeLambertAbscisseEtablissement": "[ND]" if cache else f"{r.lambert_x:.1f}",
            "coordonneeLambertOrdonneeEtablissement": "[ND]" if cache else f"{r.lambert_y:.1f}",
            "dateDebut": _date(r.annee_fermeture, rng) if r.annee_fermeture else creation,
            "etatAdministratifEtablissement": "F" if r.annee_fermeture else "A",
            "denominationUsuelleEtablissement": "[ND]" if cache else "",
            "activitePrincipaleEtablissement": r.naf,
            "nomenclatureActivitePrincipaleEtablissement": "NAFRev2",
            "caractereEmployeurEtablissement": "O" if employeur else "N",
        })
    df = pd.DataFrame(rows, dtype=str).reindex(columns=COLONNES_ETABLISSEMENT, fill_value="").fillna("")
    return df.sort_values("siret", ignore_index=True)


def _format_unites(lignes, rng) -> pd.DataFrame:
    par_unite = lignes.groupby("unite").agg(
        n=("siret", "size"), actif=("actif", "any"), creation=("annee_creation", "min"),
        effectifs=("effectifs_tranche", "sum"),
    )
    sieges = lignes[lignes["siege"]].merge(par_unite.add_suffix("_unite"), left_on="unite",
                                           right_index=True)
    rows = []
    for r in sieges.itertuples():
        cache = r.diffusion == "P" and r.n_unite == 1
        rows.append({
            "siren": r.siren, "statutDiffusionUniteLegale": "P" if cache else "O",
            "dateCreationUniteLegale": _date(int(r.creation_unite), rng),
            "trancheEffectifsUniteLegale": code_tranche(int(r.effectifs_unite)),
            "etatAdministratifUniteLegale": "A" if r.actif_unite else "C",
            "denominationUniteLegale": "[ND]" if cache else noms.denomination(
                r.forme, r.a38, r.commune_nom, rng),
            "categorieJuridiqueUniteLegale": r.categorie,
            "activitePrincipaleUniteLegale": r.naf,
            "nomenclatureActivitePrincipaleUniteLegale": "NAFRev2",
            "nicSiegeUniteLegale": r.siret[9:],
            "economieSocialeSolidaireUniteLegale": r.ess,
            "caractereEmployeurUniteLegale": "O" if r.effectifs_unite > 0 else "N",
        })
    df = pd.DataFrame(rows, dtype=str).reindex(columns=COLONNES_UNITE_LEGALE, fill_value="").fillna("")
    return df.sort_values("siren", ignore_index=True)
