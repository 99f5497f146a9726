"""Static charts of documents (matplotlib object API: no global state, thread-safe).

Rules every chart keeps: French numbers on axes (`1 200`, `2,5`), whole years as ticks, a
value axis starting at zero, figure drawn at its printed size so 8 pt stays 8 pt. A chart with
nothing publishable is not drawn: the caller prints a sentence instead (None here)."""

from __future__ import annotations

import functools
import io
import json
import math
import threading

from matplotlib.collections import PatchCollection
from matplotlib.figure import Figure
from matplotlib.patches import Polygon
from matplotlib.ticker import FuncFormatter, MaxNLocator

from ess import format as fr

BLEU, VERT, GRIS_CLAIR = "#1f4e79", "#5aa469", "#eef2f6"
POLICE = 8
DPI = 150  # sharp in print at 8 pt, and a third faster than 200


def _publiable(v) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and not math.isnan(v)


def _format(decimales: int):
    return FuncFormatter(lambda x, _p: fr.nombre(x, decimales if not float(x).is_integer() else 0))


def _figure(largeur_mm: float, hauteur_mm: float, marges: tuple[float, float] | None = None):
    """`marges` (left, bottom) in mm: a fixed layout, several times faster than matplotlib's
    constrained layout, which stays for the charts whose labels are not known in advance."""
    fig = Figure(figsize=(largeur_mm / 25.4, hauteur_mm / 25.4), dpi=DPI,
                 layout=None if marges else "constrained")
    if marges:
        fig.subplots_adjust(left=marges[0] / largeur_mm, bottom=marges[1] / hauteur_mm,
                            right=1 - 3 / largeur_mm, top=1 - 3 / hauteur_mm)
    ax = fig.subplots()
    ax.tick_params(labelsize=POLICE)
    ax.spines[["top", "right"]].set_visible(False)
    return fig, ax


def _png(fig: Figure) -> bytes:
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=DPI)  # no tight bbox: printed at the figure's size
    return out.getvalue()


# A batch draws the same small charts again and again (586 communes: 76 distinct family
# charts): each drawing is kept, keyed by what it shows (PNG bytes are immutable).
MEMOIRE = 256


def barres(libelles: list[str], valeurs: list, largeur_mm=85, axe: str = "") -> bytes | None:
    """Horizontal bars, first label on top, value printed at the end of each bar."""
    paires = tuple((str(e), float(v)) for e, v in zip(libelles, valeurs, strict=True) if _publiable(v))
    if not paires or all(v == 0 for _l, v in paires):
        return None
    return _barres(paires, largeur_mm, axe)


@functools.lru_cache(maxsize=MEMOIRE)
def _barres(paires: tuple[tuple[str, float], ...], largeur_mm, axe: str) -> bytes:
    # labels left of the bars: ~0,55 em per character at 8 pt (DejaVu Sans)
    gauche = 4 + max(len(e) for e, _v in paires) * POLICE * 0.55 * 25.4 / 72
    fixe = None if axe else (min(gauche, largeur_mm * 0.6), 8)
    fig, ax = _figure(largeur_mm, 10 + 5.5 * len(paires), fixe)
    y = range(len(paires))
    ax.barh(list(y), [v for _l, v in paires], color=BLEU, height=0.6)
    ax.set_yticks(list(y), [e for e, _v in paires])
    ax.invert_yaxis()
    ax.set_xlim(left=0, right=max(v for _l, v in paires) * 1.25)  # room for the values
    ax.xaxis.set_major_formatter(_format(0))
    ax.xaxis.set_major_locator(MaxNLocator(4, integer=True))
    for k, (_l, v) in enumerate(paires):
        ax.annotate(fr.nombre(v, 0 if v.is_integer() else 1), (v, k), xytext=(2, 0),
                    textcoords="offset points", va="center", fontsize=POLICE)
    if axe:
        ax.set_xlabel(axe, fontsize=POLICE)
    return _png(fig)


def courbe(annees: list[int], valeurs: list, largeur_mm=85, axe: str = "") -> bytes | None:
    """A yearly series: whole-year ticks, y from zero; hidden years are gaps."""
    serie = tuple((int(a), float(v) if _publiable(v) else None) for a, v in zip(annees, valeurs, strict=True))
    if sum(v is not None for _a, v in serie) < 2:
        return None
    return _courbe(serie, largeur_mm, axe)


@functools.lru_cache(maxsize=MEMOIRE)
def _courbe(serie: tuple[tuple[int, float | None], ...], largeur_mm, axe: str) -> bytes:
    fig, ax = _figure(largeur_mm, 40, None if axe else (4 + 7 * POLICE * 0.55 * 25.4 / 72, 7))
    annees = [a for a, _v in serie]
    ys = [float("nan") if v is None else v for _a, v in serie]
    ax.plot(annees, ys, marker="o", color=BLEU, linewidth=1.5, markersize=3)
    ax.set_xticks(annees, [str(a) for a in annees])
    ax.set_ylim(bottom=0, top=max(v for _a, v in serie if v is not None) * 1.15)
    ax.yaxis.set_major_locator(MaxNLocator(5, integer=True))
    ax.yaxis.set_major_formatter(_format(1))
    ax.grid(axis="y", color="#dddddd", linewidth=0.5)
    if axe:
        ax.set_ylabel(axe, fontsize=POLICE)
    return _png(fig)


def barres_groupees(categories: list[str], series: dict[str, list], largeur_mm=170, axe="") -> bytes | None:
    """Vertical grouped bars (e.g. projects received and funded per year); legend above the
    plot area, never over a bar."""
    if not categories or not any(_publiable(v) and v for vs in series.values() for v in vs):
        return None
    fig, ax = _figure(largeur_mm, 60)
    n = len(series)
    larg = 0.8 / n
    couleurs = [BLEU, VERT, "#b45f06"]
    for k, (nom, vs) in enumerate(series.items()):
        xs = [i - 0.4 + larg * (k + 0.5) for i in range(len(categories))]
        ax.bar(xs, [v if _publiable(v) else 0 for v in vs], width=larg, color=couleurs[k % 3], label=nom)
    ax.set_xticks(range(len(categories)), categories)
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_locator(MaxNLocator(5, integer=True))
    ax.yaxis.set_major_formatter(_format(0))
    ax.legend(frameon=False, fontsize=POLICE, ncols=n, loc="lower left", bbox_to_anchor=(0, 1.0))
    if axe:
        ax.set_ylabel(axe, fontsize=POLICE)
    return _png(fig)


@functools.lru_cache(maxsize=1024)  # the communes of the EPCI, drawn for each of its communes
def _anneaux(geojson: str):
    g = json.loads(geojson)
    polys = g["coordinates"] if g["type"] == "MultiPolygon" else [g["coordinates"]]
    return [p[0] for p in polys]  # outer rings are enough for a small map


@functools.lru_cache(maxsize=1024)
def _polygones(geojson: str) -> tuple[Polygon, ...]:
    # a collection only reads their paths: the same polygons serve every map
    return tuple(Polygon(a, closed=True) for a in _anneaux(geojson))


_CARTES = threading.local()  # one map figure per thread, reused: its axes cost half a map


def _figure_carte(largeur_mm: float):
    figures = _CARTES.__dict__.setdefault("figures", {})
    if largeur_mm not in figures:
        fig = Figure(figsize=(largeur_mm / 25.4, largeur_mm / 25.4), dpi=DPI)
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_aspect(1.4)  # ~1/cos(latitude 43.5°): shapes as on a map
        ax.axis("off")
        figures[largeur_mm] = fig, ax
    return figures[largeur_mm]


def carte_situation(fond: list[str], contexte: list[str], cible: list[str], largeur_mm=62) -> bytes:
    """Locator map: `fond` outlines (light), `contexte` (the EPCI or département, medium),
    `cible` (the territory, dark), framed on the context (or the whole background)."""
    fig, ax = _figure_carte(largeur_mm)
    styles = ((fond, dict(facecolor=GRIS_CLAIR, edgecolor="#7d8fa3", linewidth=0.35)),
              (contexte, dict(facecolor="#c6d4e3", edgecolor="#5b7a99", linewidth=0.5)),
              (cible, dict(facecolor=BLEU, edgecolor=BLEU, linewidth=0.6)))
    dessins = []
    for geos, style in styles:
        patches = [p for g in geos for p in _polygones(g)]
        if patches:
            dessins.append(ax.add_collection(PatchCollection(patches, **style)))
    cadre = [pt for g in (contexte or fond or cible) for a in _anneaux(g) for pt in a]
    xs, ys = [p[0] for p in cadre], [p[1] for p in cadre]
    mx, my = (max(xs) - min(xs)) * 0.08 + 0.01, (max(ys) - min(ys)) * 0.08 + 0.01
    ax.set_xlim(min(xs) - mx, max(xs) + mx)
    ax.set_ylim(min(ys) - my, max(ys) + my)
    out = io.BytesIO()
    try:
        fig.savefig(out, format="png", dpi=DPI, bbox_inches="tight", pad_inches=0.02)
    finally:
        for d in dessins:
            d.remove()
    return out.getvalue()


def carte_valeurs(geos: list[str], valeurs: list, noms: list[str], legende: str, largeur_mm=120) -> bytes:
    """Choropleth with a label (value) on each shape and a French legend."""
    from matplotlib import colormaps
    from matplotlib.colors import Normalize

    fig = Figure(figsize=(largeur_mm / 25.4, largeur_mm / 25.4), dpi=DPI, layout="constrained")
    ax = fig.subplots()
    vals = [float(v) if _publiable(v) else 0.0 for v in valeurs]
    norm = Normalize(0, max(vals) or 1)
    cmap = colormaps["Blues"]
    for g, v in zip(geos, vals, strict=True):
        for a in _anneaux(g):
            ax.add_patch(Polygon(a, closed=True, facecolor=cmap(0.15 + 0.8 * norm(v)),
                                 edgecolor="white", linewidth=0.6))
    for g, v, _nom in zip(geos, vals, noms, strict=True):
        pts = [p for a in _anneaux(g) for p in a]
        cx, cy = sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts)
        ax.annotate(fr.nombre(v), (cx, cy), ha="center", va="center", fontsize=POLICE,
                    color="white" if norm(v) > 0.55 else "black")
    ax.autoscale_view()
    ax.set_aspect(1.4)
    ax.axis("off")
    sm = __import__("matplotlib.cm", fromlist=["ScalarMappable"]).ScalarMappable(norm=norm, cmap=cmap)
    barre = fig.colorbar(sm, ax=ax, shrink=0.5, format=_format(0))
    barre.set_label(legende, fontsize=POLICE)
    barre.ax.tick_params(labelsize=POLICE)
    return _png(fig)
