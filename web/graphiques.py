"""Charts of the pages that depend only on the database and their arguments, so `web.ui.figure`
builds each once per database build and shares it: building a plotly map costs ~0.1 s of CPU
per rerun."""

from __future__ import annotations

import functools
import math
import textwrap
from pathlib import Path

import duckdb
import plotly.express as px
import streamlit

from ess import carte, carte_vue, comparaison, portrait, reperes, rural_metropole
from ess import format as fr
from ess.bilan import calculs
from ess.codes_territoire import territoire_base
from geo.choroplethe import choroplethe, entourer
from geo.classes import PALETTE
from geo.points import carte_points


def carte_projets_epci(con: duckdb.DuckDBPyConnection, annee: int):
    """Bilan: projects financed by EPCI, named as on the other maps, with projects hosted and
    amounts in the tooltip."""
    df = calculs.par_epci(con, annee)
    df["financés"] = df["projets_finances"].map(fr.nombre)
    df["accueillis"] = df["projets_accueillis"].map(fr.nombre)
    df["montant"] = df["montant_eur"].map(lambda x: f"{fr.nombre(x)}{fr.ESPACE}€")
    return choroplethe(df, "projets_finances", "Projets financés",
                       {"Projets financés": "financés", "Projets accueillis": "accueillis",
                        "Montant accordé": "montant"}, voisins=carte.fond(con),
                       etiquettes=carte_vue.etiquettes(con, "epci"), hauteur=760)  # the width its names
    # were placed for (geo.etiquettes), as the other EPCI maps: at 560 px they ran past its edge


def carte_departements(con: duckdb.DuckDBPyConnection, annee: int, etendue: str):
    """Accueil and Territoires: the ESS share of private employer establishments (SIRENE) by
    département, across the database's région (names written) or metropolitan France (the
    overseas ones are listed under it: `outre_mer`), the database's département (or its
    région's) outlined."""
    base = territoire_base(con)
    region = base.code if base.region else reperes.region_de(con, base.code)
    df = reperes.departements(con, annee, region=region if etendue == "region" else None)
    if etendue == "france":
        df = df[~df["code"].isin(reperes.outre_mer(con, annee)["code"])]
    df["part_txt"] = df["part"].map(lambda p: fr.ou_non_disponible(fr.pourcent, p))
    df["ess_txt"] = df["ess"].map(lambda n: fr.ou_non_disponible(fr.nombre, n))
    fig = choroplethe(df, "part", "Part de l'ESS (%)",
                      {"Part de l'ESS": "part_txt", "Établissements employeurs de l'ESS": "ess_txt"},
                      hauteur=420, etiquettes=df[["territoire", "nom", "lon", "lat"]] if etendue == "region"
                      else None)
    entourer(fig, df[df["region"] == region] if base.region else df[df["code"] == base.code], base.nom)
    return fig


def carte_etablissements(con: duckdb.DuckDBPyConnection, annee: int, definition: str,
                         famille: str | None, section: str | None):
    """Carte: the establishments as points over the outlines of the communes and EPCI (pydeck)."""
    return carte_points(carte.etablissements(con, annee, definition, famille, section),
                        carte.contours(con, "epci"), carte.contours(con, "commune"),
                        carte_vue.etiquettes(con, "epci"))


# Text colours of plotly's Streamlit theme (#808495) are 3,7:1 on white: dark text instead
# (WCAG 1.4.3); French separators (« 11,35 », « 426 500 »); legends below the plot area.
TEXTE = "#262730"


def habiller(fig, legende_dessous: bool = True):
    axe = dict(tickfont=dict(color=TEXTE, size=13), title_font=dict(color=TEXTE, size=13),
               automargin=True)
    fig.update_layout(separators=f",{fr.ESPACE}", font=dict(color=TEXTE, size=13),
                      hoverlabel=dict(font=dict(color=TEXTE), bgcolor="white"),
                      legend=dict(font=dict(color=TEXTE, size=13), title_font=dict(color=TEXTE)))
    if legende_dessous:
        # lower under an axis title, which it touched
        fig.update_layout(legend=dict(orientation="h", x=0, xanchor="left", yanchor="top",
                                      y=-0.2 if fig.layout.xaxis.title.text else -0.12))
    fig.update_xaxes(**axe)
    fig.update_yaxes(**axe)
    return fig.update_layout(margin=marges(fig, legende_dessous))


def marges(fig, legende_dessous: bool) -> dict:
    """Margins that already hold the axis labels and the legend below them (sizes as plotly
    lays them out at 13 px): automargin, kept as a safety net, then has nothing to add. When it
    must widen a margin, plotly draws the chart a second time, half of the chart's cost in the
    browser (a portrait draws three). The constants are plotly's own results in Chromium; the
    right margin is the figure's own, 24 px by default (the last label's overhang)."""
    if any(t.orientation == "h" for t in fig.data):  # category names on the left
        police = _police_plotly()
        gauche = 64 + max((police.getlength(ligne) for t in fig.data for v in t.y
                           for ligne in str(v).split("<br>")), default=0)
    else:
        gauche = 76  # values and the vertical axis title
    titre = bool(fig.layout.xaxis.title.text)
    bas = 30 + (35 if titre else 0)
    entrees = sum(t.showlegend is not False for t in fig.data)
    if legende_dessous and entrees > 1:
        rangs = -(-entrees // 2) if fig.layout.legend.entrywidthmode == "fraction" else 1
        bas += 21 + 27 * rangs + (10 if titre else 0)  # lower under a title (habiller)
    return dict(l=math.ceil(gauche), r=fig.layout.margin.r or 24, t=HAUT_BARRE_OUTILS, b=bas)


# The toolbar (download, zoom) sits at the top right of a chart, always shown on a touch screen:
# a top margin its height keeps it above the plot (it covered « 72,5 % », the métropole's bar).
HAUT_BARRE_OUTILS = 34


@functools.cache
def _police_plotly():
    """The font plotly draws with in Streamlit (Source Sans, 13 px), from Streamlit's own copy, to
    measure labels; DejaVu Sans at 11 px, a little wider, if that file has moved."""
    from PIL import ImageFont

    media = Path(streamlit.__file__).parent / "static" / "static" / "media"
    source = sorted(media.glob("SourceSansVF-Upright*"))
    return ImageFont.truetype(str(source[0]), 13) if source else ImageFont.truetype("DejaVuSans.ttf", 11)


# --- Territoires: a portrait against its reference territory -------------------------------

COULEURS = [PALETTE[2], PALETTE[-3]]  # territory, reference (viridis: colour-blind safe)


def barres_familles(con: duckdb.DuckDBPyConnection, code: str, ref: str, annee: int):
    fam = comparaison.familles(con, code, ref, annee)
    fig = px.bar(fam, x="libelle", y="part", color="territoire", barmode="group",
                 color_discrete_sequence=COULEURS,
                 labels={"libelle": "", "part": "Part des effectifs ESS (%)", "territoire": ""})
    fig.update_traces(hovertemplate="%{x} : %{y:.1f}\u202f%<extra>%{fullData.name}</extra>")
    return habiller(fig.update_layout(height=380))


def courbes_evolution(con: duckdb.DuckDBPyConnection, code: str, ref: str):
    evo = comparaison.evolution(con, code, ref)
    fig = px.line(evo, x="annee", y="part_ess_prive", color="territoire", markers=True,
                  color_discrete_sequence=COULEURS,
                  labels={"annee": "", "part_ess_prive": "Part de l'ESS dans l'emploi privé (%)",
                          "territoire": ""})
    fig.update_traces(hovertemplate="%{x} : %{y:.1f}\u202f%<extra>%{fullData.name}</extra>")
    fig.update_xaxes(dtick=1)
    return habiller(fig.update_layout(height=380))


def barres_secteurs(con: duckdb.DuckDBPyConnection, code: str, annee: int):
    """ESS jobs by A21 section. A section under the secret is left out, never drawn as an
    empty row (a bar of length zero reads as zero jobs): the sentence beside the chart names it."""
    sec = portrait.secteurs(con, code, annee, "ess")
    a21 = sec[(sec["niveau"] == "a21") & sec["effectifs"].notna()].sort_values("effectifs")
    # long section names on two lines: on one, they took 500 px of a 790 px tablet
    a21 = a21.assign(libelle=a21["libelle"].map(lambda s: "<br>".join(textwrap.wrap(s, 52))))
    lignes = int(a21["libelle"].str.count("<br>").max() if len(a21) else 0) + 1
    hauteur = max(28, 16 * lignes + 10) * len(a21)
    fig = px.bar(a21, x="effectifs", y="libelle", orientation="h",
                 color_discrete_sequence=[PALETTE[3]],
                 labels={"effectifs": "Effectifs salariés de l'ESS", "libelle": ""})
    fig.update_traces(hovertemplate="%{y} : %{x:,.0f} salariés<extra></extra>")
    fig.update_xaxes(tickformat=",d")  # « 5 000 », not « 5k »
    return habiller(fig.update_layout(height=max(240, hauteur)), False)


def barres_typologies(con: duckdb.DuckDBPyConnection, annee: int, mesure: str):
    """Rural et métropole: one bar per territory type, for `mesure` (a column of
    rural_metropole.comparaison)."""
    df = rural_metropole.comparaison(con, annee)
    titres = {"part_ess_prive": "Part de l'ESS dans l'emploi privé (%)",
              "part_emplois_ess_departement":
                  f"Part des emplois ESS {territoire_base(con).en_phrase()} (%)"}
    fig = px.bar(df, x=mesure, y="nom", color="type", orientation="h", text=df[mesure].map(fr.pourcent),
                 color_discrete_sequence=px.colors.qualitative.Safe,
                 labels={mesure: titres[mesure], "nom": "", "type": "Type de territoire"})
    # Values written on the bars (the message of the chart), the legend below them: on a tablet
    # it covered the métropole bars and cut their names ("ouse Métro").
    fig.update_traces(textposition="outside", cliponaxis=False,
                      hovertemplate="%{y} : %{x:.1f}\u202f%<extra></extra>")
    fig.update_xaxes(range=[0, df[mesure].max() * 1.25])
    return habiller(fig.update_layout(height=480, margin=dict(r=10),
                                      yaxis=dict(autorange="reversed"),
                                      legend=dict(title_text="", entrywidthmode="fraction", entrywidth=0.5)))


# --- Bilan: the register's breakdowns ------------------------------------------------------

LIBELLES_BILAN = {"projets_accueillis": "Projets accueillis", "projets_finances": "Projets financés",
                  "montant_eur": "Montant (€)"}


def _barres(df, categorie: str, mesures: list[str], horizontal: bool):
    """Grouped bars, one per measure, labelled in French; colour-blind safe palette."""
    df = df.rename(columns=LIBELLES_BILAN)
    mesures = [LIBELLES_BILAN[m] for m in mesures]
    axes = dict(y=categorie, x=mesures, orientation="h") if horizontal else dict(x=categorie, y=mesures)
    fig = px.bar(df, **axes, barmode="group", color_discrete_sequence=COULEURS,
                 labels={"value": "", "variable": "", categorie: ""})
    fig.update_layout(height=max(320, 34 * len(df)) if horizontal else 380)
    fig.update_traces(hovertemplate=("%{y} : %{x:,.0f}" if horizontal else "%{x} : %{y:,.0f}")
                      + "<extra>%{fullData.name}</extra>")
    if horizontal:
        fig.update_yaxes(autorange="reversed")  # the order of the table, top down
    if "montant_eur" in [k for k, v in LIBELLES_BILAN.items() if v in mesures]:
        # amounts in French on the axis: « 200 000 € », « 1 M€ », not plotly's « 0,2M »
        ticks = fr.graduations(float(df[mesures].max().max()))
        axe = dict(tickvals=ticks, ticktext=[fr.euros_axe(t) for t in ticks])
        (fig.update_xaxes if horizontal else fig.update_yaxes)(**axe)
    return habiller(fig)


def projets_par_annee(con: duckdb.DuckDBPyConnection, annee: int):
    df = calculs.par_annee(con, annee)
    return _barres(df.assign(annee=df["annee"].astype(str)), "annee",
                   ["projets_accueillis", "projets_finances"], horizontal=False)


def projets_par_theme(con: duckdb.DuckDBPyConnection, annee: int):
    return _barres(calculs.par_theme(con, annee), "theme", ["projets_accueillis", "projets_finances"],
                   horizontal=True)


def montants_par_dispositif(con: duckdb.DuckDBPyConnection, annee: int):
    return _barres(calculs.par_dispositif(con, annee), "dispositif", ["montant_eur"], horizontal=True)
