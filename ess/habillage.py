"""What Streamlit does not let a page set, injected once by app.py (ui.habillage): the page
language (Streamlit hard-codes `<html lang="en">`; st.set_page_config has no language in 1.67),
French for the framework's own English strings, contrast of captions (RGAA / WCAG 2.1 AA
1.4.3), valid lists in the navigation, a tablet layout and the print stylesheet."""

from __future__ import annotations

import json

# Streamlit's and plotly's English strings an élu would see, in French. Only whole strings
# are replaced (text nodes, placeholder, aria-label, title), so page content is never touched.
TRADUCTIONS = {
    "Choose options": "Choisissez",
    "Choose an option": "Choisissez",
    "No results": "Aucun résultat",
    "Drag and drop file here": "Glissez-déposez le fichier ici",
    "Browse files": "Parcourir",
    "Upload": "Parcourir",
    "file upload": "Déposer un fichier",
    "Download as CSV": "Télécharger en CSV",
    "Search": "Rechercher",
    "Fullscreen": "Plein écran",
    "Close fullscreen": "Quitter le plein écran",
    "Show/hide columns": "Afficher ou masquer des colonnes",
    "Show data": "Voir les données",
    "Clear all": "Tout effacer",
    "Clear value": "Effacer",
    "Open": "Ouvrir",
    "Close": "Fermer",
    "Running...": "Calcul en cours…",
    "Stop": "Arrêter",
    "Press Enter to apply": "Entrée pour valider",
    "Press Enter to submit form": "Entrée pour envoyer",
    "Copy to clipboard": "Copier",
    "Collapse sidebar": "Replier le panneau",
    "Expand sidebar": "Déplier le panneau",
    "Main menu": "Menu principal",
}

CSS = """
/* Captions: Streamlit's grey at opacity 0.6 is 3,88:1 on white; #595959 opaque is 7:1 (WCAG 1.4.3). */
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p,
[data-testid="stMetricLabel"] p, [data-testid="stWidgetLabel"] p { color: #3f4150 !important; }
[data-testid="stCaptionContainer"] { color: #595959 !important; opacity: 1 !important; }
[data-testid="stCaptionContainer"] p { color: #595959 !important; }
[data-testid="stCaptionContainer"] code { color: #1f2328 !important; background: #eef0f4 !important; }
/* Tablet: metrics wrap instead of being cut ("1 92…"). */
[data-testid="stMetricValue"] > div { white-space: normal !important; overflow: visible !important;
  text-overflow: clip !important; }
[data-testid="stMetricLabel"] p { white-space: normal !important; }
@media (max-width: 1024px) {
  [data-testid="stMetricValue"] { font-size: 1.9rem; }
}
/* Portrait tablet: charts side by side would be 380 px wide with their tables cut; one per row. */
@media (max-width: 1024px) and (orientation: portrait) {
  [data-testid="stHorizontalBlock"]:has([data-testid="stPlotlyChart"]) { flex-wrap: wrap; }
  [data-testid="stHorizontalBlock"]:has([data-testid="stPlotlyChart"]) > [data-testid="stColumn"] {
    min-width: 100% !important; flex: 1 1 100% !important; }
}
/* Charts at most 900 px wide (a desktop's 1 500 px spread the bars and maps thin): also printed
   at 0,78 of their size on A4 (703 px), not 0,47 (habillage JS, beforeprint). */
[data-testid="stElementContainer"]:has([data-testid="stPlotlyChart"]) { max-width: 900px; }
/* Static tables (ui.tableau, plain HTML): the look of st.table, every column, text wrapping. */
.ess-tableau-boite { overflow-x: auto; }
table.ess-tableau { width: 100%; border-collapse: collapse; font-size: 0.875rem; color: #262730; }
.ess-tableau th, .ess-tableau td { border: 1px solid #e6e7ea; padding: 0.25rem 0.5rem;
  text-align: left; vertical-align: top; }
.ess-tableau th { font-weight: 600; color: #3f4150; background: #f8f9fb; }
/* figures right-aligned, digits of equal width: units under units (ui.html_tableau) */
.ess-tableau .n, .ess-imprime-tableau .n { text-align: right; font-variant-numeric: tabular-nums; }
/* A table's title and scope in its caption, its source under it (ui.html_tableau): as
   st.markdown's bold and st.caption's text. */
.ess-tableau caption { caption-side: top; text-align: left; padding: 0.25rem 0; }
.ess-tableau-titre { display: block; font-weight: 600; font-size: 1rem; color: #262730; }
.ess-legende { display: block; font-size: 0.875rem; color: #595959; margin: 0.25rem 0; }
/* "Copier le lien": a real button (44 px, WCAG 2.5.5) and the link in a field to select. */
.ess-imprime, .ess-imprime-tableau { display: none; }
.ess-lien { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; margin: 0.25rem 0; }
.ess-copier { min-height: 44px; padding: 0.4rem 1rem; border-radius: 0.5rem; cursor: pointer;
  border: 1px solid #00609c; background: #00609c; color: #ffffff; font: inherit; font-weight: 600; }
.ess-copier:focus-visible { outline: 3px solid #1a1a1a; outline-offset: 2px; }
.ess-lien-texte { flex: 1 1 16rem; min-height: 40px; padding: 0 0.5rem; font: inherit;
  font-size: 0.85rem; color: #262730; border: 1px solid #8a8d99; border-radius: 0.5rem;
  background: #f7f8fa; min-width: 0; }
.ess-lien-etat { color: #1b5e20; font-weight: 600; }
@media print {
  @page { size: A4 portrait; margin: 12mm; }
  [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
  [data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stPopover"],
  [data-testid="stDownloadButton"], [data-testid="stElementToolbar"], [data-testid="stButton"],
  [data-testid="stSelectbox"], [data-testid="stMultiSelect"], [data-testid="stRadio"],
  [data-testid="stSlider"], [data-testid="stCheckbox"], [data-testid="stSegmentedControl"],
  [data-testid="stTextInput"], [data-testid="stTextArea"], [data-testid="stFileUploader"],
  [data-testid="stForm"], [data-testid="stStatusWidget"], [data-testid="stIFrame"],
  [data-testid="stPageLink"], [data-testid="stToggle"], [data-testid="stBaseButton-headerNoPadding"],
  .modebar-container, .ess-lien, .no-print, [data-testid="stTooltipIcon"],
  [class*="st-key-ecran-"] { display: none !important; }
  .ess-imprime { display: block !important; break-inside: avoid; page-break-inside: avoid; }
  table.ess-imprime-tableau { display: table !important; width: 100%; border-collapse: collapse;
    font-size: 9pt; }
  .ess-imprime-tableau th, .ess-imprime-tableau td { border-bottom: 0.5pt solid #bbb;
    padding: 1pt 3pt; text-align: left; vertical-align: top; }
  .ess-imprime-tableau .n { text-align: right; }
  .ess-tableau-boite { overflow: visible !important; }
  /* a table that fits on a page is not cut from its title (its caption) nor from its source */
  .ess-tableau-bloc { break-inside: avoid; page-break-inside: avoid; }
  table.ess-tableau { font-size: 9pt; }
  .ess-imprime-tableau thead, .ess-tableau thead { display: table-header-group; } /* header on each page */
  .ess-imprime-tableau tr, .ess-tableau tr { break-inside: avoid; page-break-inside: avoid; }
  html, body, [data-testid="stApp"], [data-testid="stAppViewContainer"], [data-testid="stMain"] {
    overflow: visible !important; height: auto !important; position: static !important; }
  [data-testid="stMainBlockContainer"], .block-container { max-width: 100% !important;
    padding: 0 !important; }
  [data-testid="stPlotlyChart"], [data-testid="stMetric"], [data-testid="stHorizontalBlock"],
  [data-testid="stDeckGlJsonChart"], [data-testid="stTable"], [data-testid="stAlert"], figure, svg {
    break-inside: avoid; page-break-inside: avoid; }
  h1, h2, h3 { break-after: avoid; page-break-after: avoid; break-inside: avoid; page-break-inside: avoid; }
  /* static tables print whole; interactive grids are doubled by a static table. */
  [data-testid="stDataFrame"] { display: none !important; }
  [data-testid="stExpander"] details > div { display: block !important; }
  /* an expander's opening animation may leave a pixel height and overflow: hidden on it */
  [data-testid="stExpander"] details { height: auto !important; overflow: visible !important; }
  [data-testid="stExpanderDetails"] { display: block !important; height: auto !important; }
  /* a closed box's content prints too (a closed details hides it whatever its display)… */
  [data-testid="stExpander"] details::details-content { content-visibility: visible !important;
    display: block !important; height: auto !important; }
  /* …but a box built when opened (on_change="rerun") is empty while closed: not its label alone */
  [data-testid="stExpander"]:not(:has([data-testid="stElementContainer"])) { display: none !important; }
  [data-testid="stTabs"] [role="tabpanel"] { display: block !important; }
  [data-testid="stTabs"] [role="tabpanel"][hidden] { display: block !important; }
}
"""

# Runs in the page (st.html with JavaScript), once per browser tab; observes the DOM because
# React re-renders reset what it owns. Collapses the sidebar once on a portrait tablet so the
# maps get the width.
# No "<" in the script: DOMPurify (st.html) drops a script whose text looks like markup.
JS = """
(() => {
  const T = __TRADUCTIONS__;
  const doc = window.document;
  const fixer = () => {
    if (doc.documentElement.lang !== "fr") doc.documentElement.lang = "fr";
    // Sections of st.navigation put div elements directly in the ul list (axe: list,
    // listitem): the navigation keeps its links and landmark, without list semantics.
    const nav = doc.querySelector('[data-testid="stSidebarNav"]');
    if (nav) {
      const nom = "Pages du tableau de bord";
      if (nav.getAttribute("aria-label") !== nom) nav.setAttribute("aria-label", nom);
      nav.querySelectorAll("ul, li").forEach((e) => {
        if (e.getAttribute("role") !== "none") e.setAttribute("role", "none");
      });
    }
  };
  // A table wider than the screen scrolls: keyboard users must reach it (axe:
  // scrollable-region-focusable, RGAA 12.13).
  const defilables = () => {
    doc.querySelectorAll(".stTable > div, .ess-tableau-boite").forEach((d) => {
      if (d.scrollWidth > d.clientWidth + 1 && d.getAttribute("tabindex") !== "0") {
        d.setAttribute("tabindex", "0");
        d.setAttribute("role", "region");
        d.setAttribute("aria-label", "Tableau (défilement horizontal)");
      }
    });
  };
  const traduire = (racine) => {
    const w = doc.createTreeWalker(racine, NodeFilter.SHOW_TEXT);
    let n;
    while ((n = w.nextNode())) {
      const t = n.nodeValue.trim();
      if (t && Object.prototype.hasOwnProperty.call(T, t)) n.nodeValue = T[t];
      else if (/^(Limit )?\\d+ ?MB per file/.test(t)) {
        n.nodeValue = t.replace(/^(Limit )?(\\d+) ?MB per file/, "$2 Mo au plus par fichier");
      }
    }
    if (racine.querySelectorAll) {
      racine.querySelectorAll("[placeholder],[aria-label],[title],[data-title]").forEach((e) => {
        for (const a of ["placeholder", "aria-label", "title", "data-title"]) {
          const v = e.getAttribute(a);
          if (v && Object.prototype.hasOwnProperty.call(T, v)) e.setAttribute(a, T[v]);
        }
      });
    }
  };
  // Portrait tablet: the sidebar (open by default above 768 px) would take 300 of 820 px; fold
  // it once per tab, the user can open it again.
  window.__essReplierFn = () => {
    const b = doc.querySelector('[data-testid="stSidebarCollapseButton"] button');
    const panneau = doc.querySelector('[data-testid="stSidebar"]');
    if (b && panneau && panneau.getBoundingClientRect().right > 0) {
      window.__essReplier = false;
      sessionStorage.setItem("essPanneau", "1");
      b.click();
    }
  };
  fixer();
  traduire(doc.body);
  if (!window.__essHabillage) {
    window.addEventListener("resize", defilables);
    // Printing: a chart keeps the width it was drawn at on screen (1 500 px on a desktop, 790 on
    // a tablet; no script runs to redraw it for the paper), and an A4 page holds 703 px (210 mm
    // less the 2 × 12 mm margins): wider, it was cut at the right. Scaled to the page for the
    // print (before the print layout), back after.
    const A4 = 703;
    const graphiques = () => [...doc.querySelectorAll(
      '[data-testid="stPlotlyChart"], [data-testid="stDeckGlJsonChart"]')]
      // the element container is scaled: the chart's frame alone kept its unscaled height
      .map((g) => [g, g.closest('[data-testid="stElementContainer"]') || g]);
    window.addEventListener("beforeprint", () => {
      graphiques().forEach(([g, boite]) => {
        const largeur = g.getBoundingClientRect().width;
        if (largeur > A4) boite.style.zoom = String(A4 / largeur);
      });
    });
    window.addEventListener("afterprint", () => {
      graphiques().forEach(([, boite]) => { boite.style.zoom = ""; });
    });
    window.__essHabillage = true;
    // "Copier le lien" (ess/permalien.py): the clipboard when the browser allows it (secure
    // context, a tap), else the field is selected for a manual copy; the result is announced.
    doc.addEventListener("click", (ev) => {
      const b = ev.target.closest && ev.target.closest(".ess-copier");
      if (!b) return;
      const bloc = b.closest(".ess-lien");
      const champ = bloc.querySelector(".ess-lien-texte");
      const etat = bloc.querySelector(".ess-lien-etat");
      const manuel = () => {
        champ.focus(); champ.select();
        let ok = false;
        try { ok = doc.execCommand("copy"); } catch (e) { ok = false; }
        etat.textContent = ok ? "Lien copié." : "Lien sélectionné : copiez-le (appui long, Copier).";
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(b.dataset.lien).then(
          () => { etat.textContent = "Lien copié."; }, manuel);
      } else { manuel(); }
    });
    // Once per frame, not at each of the hundreds of DOM changes of a page view (measuring
    // the tables forced a layout each time): before the frame is painted, so no English shows.
    const ajoutes = new Set();
    let prevu = false;
    const traiter = () => {
      prevu = false;
      fixer();
      defilables();
      if (window.__essReplier) window.__essReplierFn();
      ajoutes.forEach((n) => { if (n.isConnected) traduire(n); });
      ajoutes.clear();
    };
    new MutationObserver((mutations) => {
      for (const m of mutations) {
        m.addedNodes.forEach((n) => {
          if (n.nodeType === 1) ajoutes.add(n);
          else if (n.nodeType === 3 && n.parentNode) ajoutes.add(n.parentNode);
        });
      }
      if (!prevu) {
        prevu = true;
        requestAnimationFrame(traiter);
      }
    }).observe(doc.documentElement, { childList: true, subtree: true, attributes: true,
                                      attributeFilter: ["lang"] });
    const etroit = window.matchMedia("(max-width: 1024px) and (orientation: portrait)").matches;
    window.__essReplier = etroit && !sessionStorage.getItem("essPanneau");
  }
  if (window.__essReplier) window.__essReplierFn();
})();
"""


def html() -> str:
    return (f"<style>{CSS}</style>"
            f"<script>{JS.replace('__TRADUCTIONS__', json.dumps(TRADUCTIONS, ensure_ascii=False))}</script>")


assert "<" not in JS, "st.html drops a script containing '<'"
