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
      else if (/^(Limit )?\d+ ?MB per file/.test(t)) {
        n.nodeValue = t.replace(/^(Limit )?(\d+) ?MB per file/, "$2 Mo au plus par fichier");
      }
    }
    if (racine.querySelectorAll) {
      // the element itself too: a heading's « Link to heading » anchor is often added alone
      [racine, ...racine.querySelectorAll("[placeholder],[aria-label],[title],[data-title]")].forEach((e) => {
        for (const a of ["placeholder", "aria-label", "title", "data-title"]) {
          const v = e.getAttribute(a);
          if (v && Object.prototype.hasOwnProperty.call(T, v)) e.setAttribute(a, T[v]);
          // a figure's help button: « Help for Taux de pérennisation »
          else if (v && v.startsWith("Help for ")) e.setAttribute(a, "Aide : " + v.slice(9));
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
    // "Copier le lien" (web/permalien.py): the clipboard when the browser allows it (secure
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
    // A download button answers one tap every few seconds: five quick taps on a tablet made
    // three files (and three lines in the extraction journal).
    const derniers = new Map();
    doc.addEventListener("click", (ev) => {
      const b = ev.target.closest && ev.target.closest('[data-testid="stDownloadButton"] button');
      if (!b) return;
      const boite = b.closest('[class*="st-key-"]');
      const cle = (boite ? boite.className : "") + "|" + b.textContent;
      const t = Date.now();
      if (t - (derniers.get(cle) || 0) > 4000) { derniers.set(cle, t); return; }
      ev.preventDefault();
      ev.stopImmediatePropagation();
    }, true);
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
